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

  const ARTICLES = ["les ", "le ", "la ", "l "];
  const ABBREVIATIONS = { st: "saint", ste: "sainte", sts: "saints", stes: "saintes" };

  /** The search key of a name: the same rule as cesp.geo.names.name_key (no accents,
   * lower case, punctuation as spaces, no leading article, "St" spelled out), so that
   * an exported page finds what the served page finds ("St-Denis", "L'Haÿ"). */
  CespMap.nameKey = function (text) {
    let key = String(text || "")
      .replace(/œ/g, "oe").replace(/Œ/g, "OE").replace(/æ/g, "ae").replace(/Æ/g, "AE")
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[\s'’`\-_,./()]+/g, " ")
      .trim();
    for (const article of ARTICLES) {
      if (key.startsWith(article) && key.length > article.length) {
        key = key.slice(article.length);
        break;
      }
    }
    return key.split(" ").filter(Boolean).map((w) => ABBREVIATIONS[w] || w).join(" ");
  };

  /** Whether the page is laid out for a phone. */
  CespMap.phone = function () {
    return window.matchMedia("(max-width: 700px)").matches;
  };

  /** Fit options that keep the shown territory out from under the controls: on a
   * wide screen the tools (search, date, messages) take a column on the left and the
   * panel and legend one on the right (19em wide, see map.css); on a phone both sit
   * behind buttons. Without this, Corsica opened under the legend. */
  CespMap.freeArea = function () {
    if (CespMap.phone()) return { animate: false };
    const em = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    return { animate: false, paddingTopLeft: [Math.round(19 * em), 0], paddingBottomRight: [Math.round(21 * em), 0] };
  };

  /** Say something to screen readers (and nothing on screen). */
  CespMap.announce = function (text) {
    let live = document.getElementById("cesp-live");
    if (!live) {
      live = document.createElement("div");
      live.id = "cesp-live";
      live.className = "cesp-sr";
      live.setAttribute("role", "status");
      live.setAttribute("aria-live", "polite");
      document.body.appendChild(live);
    }
    live.textContent = "";
    window.setTimeout(() => {
      live.textContent = text;
    }, 50);
  };

  /**
   * Ask the user to confirm (a modal <dialog>: focus kept inside, Escape cancels).
   * Resolves to true when they confirm. ``html`` is already escaped.
   */
  CespMap.confirm = function (title, html, confirmLabel) {
    return new Promise((resolve) => {
      const dialog = document.createElement("dialog");
      dialog.className = "cesp-dialog";
      dialog.setAttribute("aria-labelledby", "cesp-dialog-title");
      dialog.innerHTML =
        `<h2 id="cesp-dialog-title">${CespMap.escape(title)}</h2>${html}` +
        '<div class="cesp-dialog-buttons">' +
        '<button type="button" class="cesp-cancel" autofocus>Annuler</button>' +
        `<button type="button" class="cesp-confirm">${CespMap.escape(confirmLabel)}</button></div>`;
      document.body.appendChild(dialog);
      // Tab and Shift+Tab go round the dialog's buttons, never out of it to the
      // browser's own controls (a modal <dialog> lets them through).
      dialog.addEventListener("keydown", (event) => {
        if (event.key !== "Tab") return;
        const stops = [...dialog.querySelectorAll("button, [href], input, select, textarea")].filter(
          (el) => !el.disabled
        );
        if (!stops.length) return;
        const first = stops[0];
        const last = stops[stops.length - 1];
        if (event.shiftKey && document.activeElement === first) {
          event.preventDefault();
          last.focus();
        } else if (!event.shiftKey && document.activeElement === last) {
          event.preventDefault();
          first.focus();
        }
      });
      const opener = document.activeElement;
      const done = (answer) => {
        dialog.close();
        dialog.remove();
        if (opener && opener.isConnected) opener.focus();
        resolve(answer);
      };
      dialog.querySelector(".cesp-cancel").addEventListener("click", () => done(false));
      dialog.querySelector(".cesp-confirm").addEventListener("click", () => done(true));
      dialog.addEventListener("cancel", (event) => {
        event.preventDefault();
        done(false);
      });
      dialog.showModal();
    });
  };

  /**
   * Keep the controls of a column clear of each other: the panel's body gets the height
   * left between the controls above it and those below it (legend, attribution).
   */
  CespMap.layout = function (ctx) {
    const container = ctx.map.getContainer();
    const height = container.clientHeight;
    const phone = CespMap.phone();
    const top = container.querySelector(".leaflet-top.leaflet-right");
    const bottom = container.querySelector(".leaflet-bottom.leaflet-right");
    const legend = container.querySelector(".cesp-legend-body");
    const panel = container.querySelector(".cesp-panel-body");
    const tops = [...container.querySelectorAll(".leaflet-top")].map(
      (c) => c.getBoundingClientRect().bottom - container.getBoundingClientRect().top
    );
    if (phone) {
      // Sheets rise from the bottom up to the controls of the top.
      const room = Math.max(160, height - Math.max(...tops, 0) - 12);
      [legend, panel].forEach((el) => {
        if (el) el.style.maxHeight = `${Math.round(el === legend ? room - 50 : room)}px`;
      });
      return;
    }
    if (!panel || !top || !bottom) {
      if (legend) legend.style.maxHeight = `${Math.round(height * 0.35)}px`;
      return scrollable(legend);
    }
    // The column's height is shared: the panel gets what its content needs, the legend
    // the rest (at least 40% of the room when both are too long, each then scrolls).
    panel.style.maxHeight = "";
    if (legend) legend.style.maxHeight = "";
    const need = (el) => (el && !el.hidden ? el.getBoundingClientRect().height : 0);
    const panelNeed = need(panel);
    const legendNeed = need(legend);
    const fixed =
      top.getBoundingClientRect().height - panelNeed + bottom.getBoundingClientRect().height - legendNeed;
    const room = height - fixed - 10;
    if (panelNeed + legendNeed <= room) return scrollable(legend);
    const legendMax = legend ? Math.max(Math.min(legendNeed, Math.round(room * 0.4)), room - panelNeed) : 0;
    if (legend) legend.style.maxHeight = `${Math.max(60, Math.round(legendMax))}px`;
    panel.style.maxHeight = `${Math.max(80, Math.round(room - legendMax))}px`;
    scrollable(legend);
  };

  /** A region that scrolls is reachable by the keyboard (its arrows scroll it); the
   * legend holds no control of its own to get there otherwise. */
  function scrollable(el) {
    if (!el) return;
    if (el.scrollHeight > el.clientHeight + 1) el.setAttribute("tabindex", "0");
    else el.removeAttribute("tabindex");
  }

  /** Whether the keyboard focus is nowhere (on the body) or in a popup going away. */
  CespMap.focusLost = function () {
    const active = document.activeElement;
    return !active || active === document.body || Boolean(active.closest(".leaflet-popup"));
  };

  /** Put the focus on an element, making it focusable from script if it is not. */
  CespMap.focusOn = function (el) {
    if (!el) return false;
    if (!el.matches("a[href], button, input, select, textarea, summary, [tabindex]")) {
      el.setAttribute("tabindex", "-1");
    }
    el.focus();
    return document.activeElement === el;
  };

  /** The selector of the same control once re-drawn: its id, or its data attributes. */
  function sameControl(el) {
    if (el.id) return `#${CSS.escape(el.id)}`;
    const data = Object.entries(el.dataset).map(
      ([k, v]) => `[data-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${CSS.escape(v)}"]`
    );
    return data.length ? el.tagName.toLowerCase() + data.join("") : null;
  }

  /**
   * Re-draw ``root`` (``render``) without losing the keyboard focus: when it was inside,
   * it goes back to the same control, or to ``fallback`` (a selector or element, first
   * found wins) when that control is gone or disabled. Without this the focus falls to
   * the page's body, where Escape and Tab start over from the top.
   */
  CespMap.redraw = function (root, render, ...fallback) {
    const active = document.activeElement;
    const inside = Boolean(root && active && active !== document.body && root.contains(active));
    const key = inside ? sameControl(active) : null;
    render();
    if (!inside) return;
    const again = key && root.querySelector(key);
    if (again && !again.disabled && CespMap.focusOn(again)) return;
    for (const option of fallback) {
      const el = typeof option === "string" ? document.querySelector(option) : option;
      if (el && !el.disabled && el.offsetParent !== null && CespMap.focusOn(el)) return;
    }
  };

  /** Close a control's expanded part with Escape, the focus back on its button. With
   * ``root`` the document (a sheet over the map), from wherever the focus is, but in a
   * popup or a dialog, which Escape closes first. */
  CespMap.closeOnEscape = function (root, isOpen, close, button) {
    root.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || event.defaultPrevented || !isOpen()) return;
      if (event.target.closest && event.target.closest(".leaflet-popup, dialog")) return;
      event.preventDefault();
      event.stopPropagation(); // not also a close of the open popup by Leaflet
      close();
      if (button) button.focus();
    });
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
    const phone = CespMap.phone();
    return {
      maxWidth: phone ? 260 : 320,
      autoPanPaddingTopLeft: L.point(10, phone ? 190 : 20),
      autoPanPaddingBottomRight: L.point(10, 20),
    };
  };

  /** A message for the user under the tools of the top left (read aloud). */
  CespMap.notify = function (ctx, text, kind) {
    let bar = document.getElementById("cesp-status");
    if (!bar) {
      const control = L.control({ position: "topleft" });
      control.onAdd = () => {
        const div = L.DomUtil.create("div", "cesp-status leaflet-bar");
        div.id = "cesp-status";
        div.setAttribute("role", "status");
        div.setAttribute("aria-live", "polite");
        L.DomEvent.disableClickPropagation(div);
        return div;
      };
      control.addTo(ctx.map);
      bar = control.getContainer();
    }
    bar.className = `cesp-status cesp-status--${kind || "info"} leaflet-control leaflet-bar`;
    bar.textContent = text;
    bar.hidden = !text;
    clearTimeout(CespMap._statusTimer);
    if (text && kind !== "error") {
      CespMap._statusTimer = setTimeout(() => {
        bar.hidden = true;
      }, 6000);
    }
  };

  /** The layer control: a button on a phone, whose list (over the search box) closes
   * with Escape, when the focus leaves it, or with a click on the map. */
  function layerControl(map, control) {
    const root = control.getContainer();
    const toggle = root.querySelector(".leaflet-control-layers-toggle");
    if (toggle) {
      toggle.title = "Couches de la carte";
      toggle.setAttribute("aria-label", "Couches de la carte");
    }
    if (!CespMap.phone()) return;
    control.collapse();
    const expanded = () => root.classList.contains("leaflet-control-layers-expanded");
    CespMap.closeOnEscape(root, expanded, () => control.collapse(), toggle);
    root.addEventListener("focusout", (event) => {
      if (expanded() && event.relatedTarget && !root.contains(event.relatedTarget)) control.collapse();
    });
    map.on("click", () => control.collapse());
  }

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
    map.fitBounds(config.bounds, CespMap.freeArea());
    if (layers.control) layerControl(map, layers.control);
    // Leaflet closes a popup on Escape only while the focus is on the map itself, not
    // in the popup (where a keyboard user is after opening one from the list).
    map.getContainer().addEventListener("keydown", (event) => {
      if (event.key === "Escape" && event.target.closest && event.target.closest(".leaflet-popup")) {
        event.preventDefault();
        map.closePopup();
      }
    });
    // Leaflet names its popups' close button in English ("Close popup").
    map.on("popupopen", (event) => {
      const close = event.popup.getElement() && event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) {
        close.setAttribute("aria-label", "Fermer la fenêtre");
        close.title = "Fermer la fenêtre";
      }
    });
    map.getContainer().setAttribute("aria-label", "Carte : flèches pour se déplacer, + et − pour zoomer, Entrée pour vérifier l'éligibilité au centre");
    window.addEventListener("resize", () => CespMap.layout(ctx));
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
      CespMap.layout(ctx);
      window.cespDrawnAt = performance.now();
      document.documentElement.setAttribute("data-cesp-ready", "1");
    });
    return ctx;
  };
})();
