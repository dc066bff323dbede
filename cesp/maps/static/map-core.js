/* CespMap: behaviour of the CESP map pages, on top of the map folium builds.
 *
 * folium renders the map, its layers and the layer control, then calls
 * CespMap.start(map, layers, config). Each module (map-layers.js, map-tools.js,
 * map-posts.js, map-choice.js) registers an init function that receives one context
 * object: { map, layers, config, state, on(event, fn), emit(event, detail) }.
 * No request leaves the service: every URL is relative to config.api.
 */
(function () {
  "use strict";

  const modules = [];
  const CespMap = {};
  window.CespMap = CespMap;

  const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  /** Text made safe to put in HTML. */
  CespMap.escape = function (value) {
    return String(value === null || value === undefined ? "" : value).replace(
      /[&<>"']/g,
      (c) => ENTITIES[c]
    );
  };

  /** 2026-09-01 -> 01/09/2026. */
  CespMap.frDate = function (iso) {
    if (!iso) return "";
    const [y, m, d] = String(iso).slice(0, 10).split("-");
    return `${d}/${m}/${y}`;
  };

  /** Lower case, no accents, no punctuation: for matching names typed by people. */
  CespMap.nameKey = function (text) {
    return String(text || "")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, " ")
      .trim();
  };

  CespMap.register = function (init) {
    modules.push(init);
  };

  /** The stored intern key (sessionStorage: gone when the tab closes). */
  CespMap.key = function () {
    try {
      return window.sessionStorage.getItem("cesp.key") || "";
    } catch (_error) {
      return "";
    }
  };

  /**
   * Call the service. Resolves to {ok, status, data}; data is the JSON body (our error
   * bodies carry detail_fr, shown to people as is). Never rejects on an HTTP error.
   */
  CespMap.request = async function (config, path, options) {
    const opts = options || {};
    const headers = { Accept: "application/json" };
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    const key = CespMap.key();
    if (opts.auth && key) headers.Authorization = `Bearer ${key}`;
    let response;
    try {
      response = await fetch(`${config.api || ""}${path}`, {
        method: opts.method || "GET",
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
    } catch (_error) {
      return { ok: false, status: 0, data: { detail_fr: "Service injoignable." } };
    }
    let data = null;
    try {
      data = await response.json();
    } catch (_error) {
      data = {};
    }
    return { ok: response.ok, status: response.status, data: data || {} };
  };

  /** The French sentence of an error answer. */
  CespMap.errorText = function (answer) {
    const data = answer.data || {};
    return data.detail_fr || data.detail || `Erreur ${answer.status}.`;
  };

  /** Popups keep clear of the controls (stacked at the top on a phone). */
  CespMap.popupOptions = function () {
    const phone = window.innerWidth < 700;
    return {
      maxWidth: phone ? 260 : 320,
      autoPanPaddingTopLeft: L.point(10, phone ? 190 : 20),
      autoPanPaddingBottomRight: L.point(10, 20),
    };
  };

  /** A message for the user in the status bar at the top of the map (read aloud). */
  CespMap.notify = function (ctx, text, kind) {
    let bar = document.getElementById("cesp-status");
    if (!bar) {
      bar = document.createElement("div");
      bar.id = "cesp-status";
      bar.setAttribute("role", "status");
      bar.setAttribute("aria-live", "polite");
      ctx.map.getContainer().appendChild(bar);
      L.DomEvent.disableClickPropagation(bar);
    }
    bar.className = `cesp-status cesp-status--${kind || "info"}`;
    bar.textContent = text;
    bar.hidden = !text;
    clearTimeout(CespMap._statusTimer);
    if (text && kind !== "error") {
      CespMap._statusTimer = setTimeout(() => {
        bar.hidden = true;
      }, 6000);
    }
  };

  /** Start the page: controls in French, then every module; mark the page ready. */
  CespMap.start = function (map, layers, config) {
    const handlers = {};
    const ctx = {
      map,
      layers,
      config,
      state: { date: config.date, clickedZone: null },
      on(event, fn) {
        (handlers[event] = handlers[event] || []).push(fn);
      },
      emit(event, detail) {
        return Promise.allSettled((handlers[event] || []).map((fn) => fn(detail)));
      },
    };
    CespMap.context = ctx;
    L.control
      .zoom({ position: "topleft", zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière" })
      .addTo(map);
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    map.attributionControl.setPrefix("Leaflet");
    map.fitBounds(config.bounds, { animate: false });
    if (layers.control && window.innerWidth < 700) layers.control.collapse();
    const pending = modules.map((init) => {
      try {
        return Promise.resolve(init(ctx));
      } catch (error) {
        return Promise.reject(error);
      }
    });
    Promise.allSettled(pending).then((results) => {
      results
        .filter((r) => r.status === "rejected")
        .forEach((r) => console.error("cesp map module failed", r.reason));
      window.cespDrawnAt = performance.now();
      document.documentElement.setAttribute("data-cesp-ready", "1");
    });
    return ctx;
  };
})();
