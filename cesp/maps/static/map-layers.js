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

  /** The view, padded by half its size, as minlon,minlat,maxlon,maxlat. */
  function paddedBbox(map) {
    const b = map.getBounds().pad(0.5);
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5));
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
    return {
      color: zoneColour(ctx, props),
      weight: qualifies ? 1.5 : 1,
      dashArray: qualifies ? null : "4 4",
      fillColor: zoneColour(ctx, props),
      fillOpacity: qualifies ? 0.45 : 0.25,
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
          `<li><span class="cesp-swatch" style="background:${zoneColour(ctx, p)}"></span>` +
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

  function setupZones(ctx) {
    const legend = L.control({ position: "bottomright" });
    legend.onAdd = () => {
      const div = L.DomUtil.create("div", "cesp-legend leaflet-bar");
      div.setAttribute("aria-label", "Légende");
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    legend.addTo(ctx.map);
    ctx.legend = legend;
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
      const extra = legend.getContainer().querySelector(".cesp-legend-extra");
      const kept = extra ? extra.innerHTML : "";
      legend.getContainer().innerHTML = legendHtml(ctx, collection);
      legend.getContainer().querySelector(".cesp-legend-extra").innerHTML = kept;
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
      if (zoom >= 10 && !ctx.config.region) params.set("bbox", paddedBbox(ctx.map).join(","));
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
    map.getPane("cesp-communes").style.zIndex = 390;
    const style = { pane: "cesp-communes", color: "#6b6b6b", weight: 0.7, fill: false, interactive: false };
    const minZoom = ctx.config.communesMinZoom;
    let loaded = { zoom: null, bbox: null, date: null };
    let embedded = null;

    function draw(collection) {
      ctx.layers.communes.clearLayers();
      L.geoJSON(collection, { style: () => style, pane: "cesp-communes", interactive: false })
        .addTo(ctx.layers.communes);
    }

    async function refresh() {
      const zoom = level(map.getZoom());
      if (zoom < minZoom) {
        ctx.layers.communes.clearLayers();
        loaded = { zoom: null, bbox: null, date: null };
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
      const bbox = paddedBbox(map);
      const params = new URLSearchParams({ bbox: bbox.join(","), zoom: String(zoom), date: ctx.state.date });
      const answer = await C.request(ctx.config, `/map/data/communes?${params}`);
      if (!answer.ok) return;
      loaded = { zoom, bbox: bbox.map(Number), date: ctx.state.date };
      draw(answer.data);
    }

    map.on("zoomend", () => {
      if (level(map.getZoom()) < minZoom) {
        ctx.layers.communes.clearLayers();
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
        style: () => ({ color: colour, weight: 1.5, fillColor: colour, fillOpacity: kind === "kept" ? 0.25 : 0.55 }),
        onEachFeature: (feature, layer) => {
          const p = feature.properties;
          layer.bindPopup(`<div class="cesp-popup"><h3>${label}</h3><p>${e(p.communes)}</p></div>`);
        },
      }).addTo(ctx.layers[kind]);
    }
    const s = preview.summary;
    const div = ctx.legend.getContainer();
    const row = (kind, label, n, pop) =>
      `<li><span class="cesp-swatch" style="background:${preview.colours[kind]}"></span>` +
      `${label} : ${n} commune(s)${pop === null ? "" : `, ${Number(pop).toLocaleString("fr-FR")} hab.`}</li>`;
    div.innerHTML =
      `<h2>${e(s.title)}</h2><p>${e(s.compared)}</p><ul>` +
      row("entering", "Entrent", s.entering, s.population_entering) +
      row("leaving", "Sortent", s.leaving, s.population_leaving) +
      row("kept", "Restent", s.kept, null) +
      "</ul>";
  }

  C.register((ctx) => {
    if (ctx.config.preview) {
      const legend = L.control({ position: "bottomright" });
      legend.onAdd = () => L.DomUtil.create("div", "cesp-legend leaflet-bar");
      legend.addTo(ctx.map);
      ctx.legend = legend;
      setupPreview(ctx);
      return setupCommunes(ctx);
    }
    return Promise.all([setupZones(ctx), setupCommunes(ctx)]);
  });
})();
