/* Zones in force (coloured by category, with a legend), commune outlines when zoomed
 * in, and the preview of a draft decree (zones entering and leaving).
 *
 * Geometry is simplified for a zoom level on the server (cesp/maps/simplify.py): the
 * page carries the zones at the zoom it opens at; zooming in (or out) far enough, or
 * choosing another date, reloads them at the matching level. Communes are loaded for
 * the view only (served page) or embedded once (exported page).
 */
(function () {
  "use strict";
  const C = window.CespMap;

  /** Zoom level bucket the server simplifies for (see simplify.clamp_zoom). */
  function level(zoom) {
    return Math.max(4, Math.min(14, Math.floor(zoom)));
  }

  /** The view, padded by half its size, as minlon,minlat,maxlon,maxlat; with
   * ``maxSpan`` (degrees), the padding shrinks so that neither side is wider, and null
   * when the view itself is wider (the server refuses such a box). */
  function paddedBbox(map, maxSpan) {
    const view = map.getBounds();
    const b = view.pad(0.5);
    let box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
    if (maxSpan) {
      const limit = maxSpan * 0.999; // room for the rounding below
      const [w, s, e, n] = [view.getWest(), view.getSouth(), view.getEast(), view.getNorth()];
      if (e - w > limit || n - s > limit) return null;
      const grow = (lo, hi, min, max) => {
        const pad = Math.min((hi - lo) / 2, (limit - (max - min)) / 2);
        return [min - pad, max + pad];
      };
      const [x0, x1] = grow(box[0], box[2], w, e);
      const [y0, y1] = grow(box[1], box[3], s, n);
      box = [x0, y0, x1, y1];
    }
    return box.map((v) => v.toFixed(5));
  }

  /** Whether [minlon,minlat,maxlon,maxlat] holds the whole view. */
  function covers(bbox, map) {
    if (!bbox) return true;
    const b = map.getBounds();
    return (
      bbox[0] <= b.getWest() && bbox[1] <= b.getSouth() &&
      bbox[2] >= b.getEast() && bbox[3] >= b.getNorth()
    );
  }

  function zoneColour(ctx, props) {
    const colours = ctx.config.colours;
    return colours[props.category] || colours[props.qualifies_for_cesp ? "_qualifying" : "_other"];
  }

  function zoneStyle(ctx, feature) {
    const props = feature.properties;
    const qualifies = props.qualifies_for_cesp;
    // A zone spans a few pixels on the national view: full outlines there would paint
    // the country in the outline colour and hide the fill that tells the categories
    // (drawn more opaque there, closer to the legend's swatches).
    const thin = ctx.map.getZoom() < 8;
    return {
      color: zoneColour(ctx, props),
      weight: thin ? 0.4 : qualifies ? 1.5 : 1,
      dashArray: qualifies ? null : "4 4",
      fillColor: zoneColour(ctx, props),
      fillOpacity: (qualifies ? 0.45 : 0.25) * (thin ? 1.5 : 1),
    };
  }

  /** Lines about a zone, for its popup (also used by the click popup). */
  C.zoneDetails = function (props) {
    const e = C.escape;
    const until = props.effective_to ? ` au ${C.frDate(props.effective_to)}` : "";
    return (
      `<div class="cesp-zone"><strong>${e(props.name)}</strong><br>` +
      `${e(props.category_label)} (${e(props.category)})` +
      `${props.qualifies_for_cesp ? " – ouvre droit au CESP" : " – n'ouvre pas droit au CESP"}<br>` +
      `Arrêté n°${e(props.decree_reference)} du ${C.frDate(props.signed)}<br>` +
      `En vigueur du ${C.frDate(props.effective_from)}${until || " (sans date de fin)"}</div>`
    );
  };

  function legendHtml(ctx, collection) {
    const seen = new Map();
    for (const feature of collection.features) {
      const p = feature.properties;
      if (!seen.has(p.category)) seen.set(p.category, p);
    }
    const rows = [...seen.values()]
      .sort((a, b) => Number(b.qualifies_for_cesp) - Number(a.qualifies_for_cesp))
      .map((p) => {
        const note = p.qualifies_for_cesp ? "ouvre droit au CESP" : "n'ouvre pas droit au CESP";
        return (
          `<li><span class="cesp-swatch" data-colour="${C.escape(zoneColour(ctx, p))}"></span>` +
          `${C.escape(p.category_label)} <small>(${note})</small></li>`
        );
      });
    const refs = (collection.decrees || []).map((d) => `n°${C.escape(d.reference)}`).join(", ");
    const empty = rows.length ? "" : "<li>Aucune zone en vigueur à cette date.</li>";
    return (
      `<h2>Zones au ${C.frDate(ctx.state.date)}</h2><ul>${rows.join("")}${empty}</ul>` +
      (refs ? `<p class="cesp-decrees">Arrêté(s) ${refs}</p>` : "") +
      `<div class="cesp-legend-extra"></div>`
    );
  }

  /** Paint the colour swatches of a legend (CSSOM: no inline style attribute). */
  C.paintSwatches = function (root) {
    root.querySelectorAll("[data-colour]").forEach((el) => {
      el.style.background = el.dataset.colour;
    });
  };

  /** The body of the legend (what its button shows and hides). */
  C.legendBody = function (ctx) {
    return ctx.legend.getContainer().querySelector(".cesp-legend-body");
  };

  /** The legend: a button that shows or hides it (hidden at first on a phone), then
   * its body. On a phone the open legend rises from the bottom and the panel closes. */
  C.legendControl = function (ctx) {
    const legend = L.control({ position: "bottomright" });
    legend.onAdd = () => {
      const div = L.DomUtil.create("div", "cesp-legend leaflet-bar");
      div.innerHTML =
        '<button type="button" class="cesp-legend-toggle" aria-expanded="true" ' +
        'aria-controls="cesp-legend-body">Légende</button>' +
        '<div id="cesp-legend-body" class="cesp-legend-body" role="region" aria-label="Légende"></div>';
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    legend.addTo(ctx.map);
    ctx.legend = legend;
    const root = legend.getContainer();
    const toggle = root.querySelector(".cesp-legend-toggle");
    const body = root.querySelector(".cesp-legend-body");
    C.setLegendOpen = (open) => {
      body.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      toggle.textContent = open ? "Masquer la légende" : "Légende";
      root.classList.toggle("cesp-open", open);
      ctx.map.getContainer().classList.toggle("cesp-legend-open", open && C.phone());
      if (open && C.phone() && C.setPanelOpen) C.setPanelOpen(false);
      C.layout(ctx);
    };
    toggle.addEventListener("click", () => C.setLegendOpen(body.hidden));
    // On a phone the open legend is a sheet over the map: Escape closes it.
    C.closeOnEscape(document, () => C.phone() && !body.hidden, () => C.setLegendOpen(false), toggle);
    C.setLegendOpen(!C.phone());
    return legend;
  };

  function setupZones(ctx) {
    const legend = C.legendControl(ctx);
    // On a phone the legend would cover an open popup: the CSS hides it meanwhile.
    const container = ctx.map.getContainer();
    ctx.map.on("popupopen", () => container.classList.add("cesp-popup-open"));
    ctx.map.on("popupclose", () => container.classList.remove("cesp-popup-open"));
    let loaded = { zoom: null, bbox: null, date: null };

    function draw(collection) {
      ctx.layers.zones.clearLayers();
      L.geoJSON(collection, {
        style: (f) => zoneStyle(ctx, f),
        onEachFeature: (feature, layer) => {
          layer.on("click", () => {
            ctx.state.clickedZone = feature.properties;
          });
          if (ctx.config.mode === "standalone") {
            layer.bindPopup(C.zoneDetails(feature.properties));
          }
        },
      }).addTo(ctx.layers.zones);
      const body = C.legendBody(ctx);
      const extra = body.querySelector(".cesp-legend-extra");
      const kept = extra ? extra.innerHTML : "";
      body.innerHTML = legendHtml(ctx, collection);
      body.querySelector(".cesp-legend-extra").innerHTML = kept;
      C.paintSwatches(body);
      loaded = { zoom: collection.zoom, bbox: collection.bbox, date: collection.date };
      ctx.state.zones = collection;
    }

    async function reload() {
      const zoom = level(ctx.map.getZoom());
      const params = new URLSearchParams({
        date: ctx.state.date,
        profession: ctx.config.profession,
        zoom: String(zoom),
      });
      if (ctx.config.region) params.set("region", ctx.config.region);
      if (zoom >= 10 && !ctx.config.region) params.set("bbox", paddedBbox(ctx.map, 0).join(","));
      const answer = await C.request(ctx.config, `/map/data/zones?${params}`);
      if (!answer.ok) {
        C.notify(ctx, C.errorText(answer), "error");
        return;
      }
      draw(answer.data);
    }

    draw(ctx.config.zones);
    if (ctx.config.mode !== "served") return null;
    ctx.on("date", reload);
    ctx.map.on("moveend", () => {
      const stale = level(ctx.map.getZoom()) !== loaded.zoom || !covers(loaded.bbox, ctx.map);
      if (stale) reload();
    });
    if (level(ctx.map.getZoom()) !== loaded.zoom) return reload();
    return null;
  }

  function setupCommunes(ctx) {
    const map = ctx.map;
    map.createPane("cesp-communes");
    // Above the overlay pane (400): the départements' background fill lies there and
    // would hide the commune boundaries; zones' fills are translucent, so boundaries
    // show through them as they should.
    map.getPane("cesp-communes").style.zIndex = 410;
    const style = { pane: "cesp-communes", color: "#6b6b6b", weight: 0.7, fill: false, interactive: false };
    const minZoom = ctx.config.communesMinZoom;
    const maxSpan = ctx.config.communesMaxSpan;
    let asking = 0;

    /** Say why the ticked layer shows nothing (and clear it once it does). */
    function warn(text) {
      const bar = document.getElementById("cesp-status");
      if (text) C.notify(ctx, text, "error");
      else if (bar && !bar.hidden && bar.textContent.startsWith("Limites des communes")) C.notify(ctx, "");
    }
    let loaded = { zoom: null, bbox: null, date: null };
    let embedded = null;

    map.createPane("cesp-labels");
    map.getPane("cesp-labels").style.zIndex = 450;
    map.getPane("cesp-labels").style.pointerEvents = "none";
    const labels = L.layerGroup().addTo(map);
    let drawn = null;

    function span(bounds) {
      return (bounds.getEast() - bounds.getWest()) * (bounds.getNorth() - bounds.getSouth());
    }

    /** Whether a name fits in a box of the map at the current zoom (pixels). */
    function fits(name, bounds) {
      const a = map.project(bounds.getSouthWest());
      const b = map.project(bounds.getNorthEast());
      return Math.abs(b.x - a.x) > name.length * 6.5 + 10 && Math.abs(a.y - b.y) > 18;
    }

    let placed = [];

    /** Write a name unless it would run into one already written (pixel boxes). */
    function label(name, at, kind) {
      const p = map.latLngToLayerPoint([at[1], at[0]]);
      const half = (name.length * 6.5) / 2 + 4;
      const box = [p.x - half, p.y - 9, p.x + half, p.y + 9];
      if (placed.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3])) return;
      placed.push(box);
      const span = document.createElement("span");
      span.textContent = name;
      L.marker([at[1], at[0]], {
        icon: L.divIcon({ className: `cesp-label cesp-label--${kind}`, html: span, iconSize: null }),
        pane: "cesp-labels",
        interactive: false,
        keyboard: false,
      }).addTo(labels);
    }

    /** Commune names (arrondissements instead of their commune once they fit), from
     * our own reference data: no tile service needed to tell one town from another. */
    function drawLabels() {
      labels.clearLayers();
      placed = [];
      if (!drawn || !map.hasLayer(ctx.layers.communes)) return;
      const split = new Set();
      for (const a of drawn.arrondissements || []) {
        const box = L.latLngBounds([a.bbox[1], a.bbox[0]], [a.bbox[3], a.bbox[2]]);
        if (fits(a.name, box)) {
          split.add(a.commune);
          label(a.name, a.label, "arrondissement");
        }
      }
      // Larger communes first: they keep their name when two would collide.
      const features = drawn.features
        .filter((f) => f.geometry)
        .map((f) => ({ f, bounds: L.geoJSON(f).getBounds() }))
        .sort((a, b) => span(b.bounds) - span(a.bounds));
      for (const { f, bounds } of features) {
        const p = f.properties;
        if (!p.label || split.has(p.code)) continue;
        if (fits(p.name, bounds)) label(p.name, p.label, "commune");
      }
    }

    function draw(collection) {
      ctx.layers.communes.clearLayers();
      L.geoJSON(collection, { style: () => style, pane: "cesp-communes", interactive: false })
        .addTo(ctx.layers.communes);
      drawn = collection;
      drawLabels();
    }
    map.on("zoomend overlayadd overlayremove", drawLabels);

    async function refresh() {
      const zoom = level(map.getZoom());
      if (zoom < minZoom) {
        ctx.layers.communes.clearLayers();
        drawn = null;
        labels.clearLayers();
        loaded = { zoom: null, bbox: null, date: null };
        asking++; // an answer still on its way is for a view left behind
        warn("");
        return;
      }
      if (ctx.config.mode !== "served") {
        if (!embedded && ctx.config.communes) {
          embedded = true;
          draw(ctx.config.communes);
        }
        return;
      }
      if (zoom === loaded.zoom && covers(loaded.bbox, map) && loaded.date === ctx.state.date) return;
      const bbox = paddedBbox(map, maxSpan);
      const shown = map.hasLayer(ctx.layers.communes);
      if (!bbox) {
        // A very wide screen: the view is wider than the service draws communes for.
        ctx.layers.communes.clearLayers();
        drawn = null;
        labels.clearLayers();
        loaded = { zoom: null, bbox: null, date: null };
        if (shown) warn("Limites des communes : zoomez davantage pour les afficher sur un écran aussi large.");
        return;
      }
      const params = new URLSearchParams({ bbox: bbox.join(","), zoom: String(zoom), date: ctx.state.date });
      const asked = ++asking;
      const answer = await C.request(ctx.config, `/map/data/communes?${params}`);
      if (asked !== asking) return; // the map moved on: a later answer is coming
      if (!answer.ok) {
        if (shown) warn(`Limites des communes non affichées : ${C.errorText(answer)}`);
        return;
      }
      warn("");
      loaded = { zoom, bbox: bbox.map(Number), date: ctx.state.date };
      draw(answer.data);
    }

    map.on("zoomend", () => {
      if (level(map.getZoom()) < minZoom) {
        ctx.layers.communes.clearLayers();
        drawn = null;
        labels.clearLayers();
        embedded = null;
      }
    });
    map.on("moveend", refresh);
    ctx.on("date", refresh);
    return refresh();
  }

  function setupPreview(ctx) {
    const preview = ctx.config.preview;
    const e = C.escape;
    const kinds = [
      ["entering", "Entre dans le zonage"],
      ["leaving", "Sort du zonage"],
      ["kept", "Reste en zone"],
    ];
    for (const [kind, label] of kinds) {
      const colour = preview.colours[kind];
      L.geoJSON(preview[kind], {
        style: () => ({
          color: colour,
          weight: kind === "leaving" ? 2.5 : 1.5,
          dashArray: kind === "leaving" ? "6 4" : null,
          fillColor: colour,
          fillOpacity: kind === "kept" ? 0.25 : 0.5,
        }),
        onEachFeature: (feature, layer) => {
          const p = feature.properties;
          layer.bindPopup(`<div class="cesp-popup"><h3>${label}</h3><p>${e(p.communes)}</p></div>`);
        },
      }).addTo(ctx.layers[kind]);
    }
    const s = preview.summary;
    const div = C.legendBody(ctx);
    // A former commune has no census figure: its population is said unknown, not 0.
    const people = (n, pop, unknown) => {
      if (pop === null || !n) return "";
      if (unknown.length >= n) return ", population inconnue";
      const known = `${Number(pop).toLocaleString("fr-FR")} hab.`;
      if (!unknown.length) return `, ${known}`;
      return `, ${known} (population inconnue pour ${unknown.length} : ${e(unknown.join(" ; "))})`;
    };
    const row = (kind, label, n, pop, unknown) =>
      `<li><span class="cesp-swatch cesp-swatch--${kind}" data-colour="${preview.colours[kind]}"></span>` +
      `${label} : ${n} commune(s)${people(n, pop, unknown || [])}</li>`;
    div.innerHTML =
      `<h2>${e(s.title)}</h2><p>${e(s.compared)}</p><ul>` +
      row("entering", "Entrent", s.entering, s.population_entering, s.unknown_entering) +
      row("leaving", "Sortent", s.leaving, s.population_leaving, s.unknown_leaving) +
      row("kept", "Restent", s.kept, null) +
      "</ul>";
    C.paintSwatches(div);
  }

  C.register((ctx) => {
    if (ctx.config.preview) {
      C.legendControl(ctx);
      setupPreview(ctx);
      return setupCommunes(ctx);
    }
    return Promise.all([setupZones(ctx), setupCommunes(ctx)]);
  });
})();
