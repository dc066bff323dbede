/* Tools: commune search, date selector, and the eligibility check on a click.
 *
 * The click asks /api/v1/eligibility (the same engine as the API and the CLI: the page
 * never decides eligibility itself) and shows its French sentence, zone, decree and
 * distance to the nearest qualifying zone. An exported page has no service to ask: it
 * shows the zone drawn under the click, if any.
 */
(function () {
  "use strict";
  const C = window.CespMap;
  const e = C.escape;

  /** The popup's heading: the words are the service's (config.statusHeadings). */
  function heading(answer) {
    const headings = (C.context && C.context.config.statusHeadings) || {};
    const key = answer.status === "borderline" && answer.eligible ? "borderline_eligible" : answer.status;
    return headings[key] || answer.status;
  }

  function zoneLine(zone) {
    const d = zone.decree;
    return (
      `${e(zone.name)} – ${e(zone.category_label)} ` +
      `(arrêté n°${e(d.reference)} du ${C.frDate(d.signed)})`
    );
  }

  /** The dates of the zone clicked, or all its details when the answer does not name
   * it (a zone that does not open the CESP). */
  function zoneFooter(answer, props) {
    const named = (answer.zones || []).some((z) => z.zone_id === props.zone_id || z.name === props.name);
    if (!named) return `<hr>${C.zoneDetails(props)}`;
    const until = props.effective_to ? ` au ${C.frDate(props.effective_to)}` : " (sans date de fin)";
    return `<p class="cesp-dates">Arrêté en vigueur du ${C.frDate(props.effective_from)}${until}.</p>`;
  }

  /** The popup text of an eligibility answer (and of the zone clicked, if any). */
  C.eligibilityHtml = function (answer, clickedZone) {
    const where = answer.arrondissement || answer.commune;
    const lines = [];
    if (where) lines.push(`<dt>Commune</dt><dd>${e(where.name)} (${e(where.code)})</dd>`);
    const zones = (answer.zones || []).filter((z) => z.qualifies);
    if (zones.length) lines.push(`<dt>Zone</dt><dd>${zones.map(zoneLine).join("<br>")}</dd>`);
    if (!answer.eligible && answer.nearest_zone && answer.distance_m !== null) {
      const km = (answer.distance_m / 1000).toLocaleString("fr-FR", { maximumFractionDigits: 1 });
      lines.push(
        `<dt>Zone éligible la plus proche</dt><dd>${zoneLine(answer.nearest_zone)}, à ${km} km</dd>`
      );
    }
    const kind = answer.eligible ? "yes" : "no";
    return (
      `<div class="cesp-popup cesp-answer cesp-answer--${kind}" data-status="${e(answer.status)}">` +
      `<h3>${e(heading(answer))}</h3><p>${e(answer.message_fr)}</p><dl>${lines.join("")}</dl>` +
      (clickedZone ? zoneFooter(answer, clickedZone) : "") +
      `</div>`
    );
  };

  /** Ask the service about a point and show its answer in a popup (and read it aloud). */
  async function check(ctx, latlng, zone) {
    const popup = L.popup(C.popupOptions())
      .setLatLng(latlng)
      .setContent('<div class="cesp-popup">Vérification de l\'éligibilité…</div>')
      .openOn(ctx.map);
    const params = new URLSearchParams({
      lon: latlng.lng.toFixed(6),
      lat: latlng.lat.toFixed(6),
      date: ctx.state.date,
      profession: ctx.config.profession,
    });
    const answer = await C.request(ctx.config, `/api/v1/eligibility?${params}`);
    popup.setContent(
      answer.ok
        ? C.eligibilityHtml(answer.data, zone)
        : `<div class="cesp-popup cesp-answer--error">${e(C.errorText(answer))}</div>`
    );
    C.announce(
      answer.ok ? `${heading(answer.data)}. ${answer.data.message_fr || ""}` : C.errorText(answer)
    );
  }

  function setupClick(ctx) {
    ctx.map.on("click", (event) => {
      const zone = ctx.state.clickedZone;
      ctx.state.clickedZone = null;
      if (ctx.config.mode !== "served") return;
      check(ctx, event.latlng, zone);
    });
    // Keyboard: Enter on the focused map checks the point at its centre.
    const container = ctx.map.getContainer();
    container.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.target !== container || ctx.config.mode !== "served") return;
      event.preventDefault();
      check(ctx, ctx.map.getCenter(), null);
    });
  }

  function searchControl(ctx) {
    const control = L.control({ position: "topleft" });
    control.onAdd = () => {
      const div = L.DomUtil.create("div", "cesp-search leaflet-bar");
      div.innerHTML =
        '<label class="cesp-sr" for="cesp-search-input">Rechercher une commune</label>' +
        '<input id="cesp-search-input" type="search" autocomplete="off" ' +
        'placeholder="Rechercher une commune…" aria-controls="cesp-search-results">' +
        '<ul id="cesp-search-results" class="cesp-search-results" aria-live="polite"></ul>';
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    control.addTo(ctx.map);
    const input = control.getContainer().querySelector("input");
    const list = control.getContainer().querySelector("ul");
    // A narrower phone than the CSS plans for: a shorter placeholder, never a cut one.
    const fit = () => {
      const style = getComputedStyle(input);
      const pen = document.createElement("canvas").getContext("2d");
      pen.font = style.font;
      const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const fits = ["Rechercher une commune…", "Chercher une commune…", "Commune…"].find(
        (text) => pen.measureText(text).width + 8 <= room
      );
      input.placeholder = fits || "Commune…";
    };
    fit();
    window.addEventListener("resize", fit);
    const highlight = L.featureGroup().addTo(ctx.map);
    let timer = null;

    function show(hits) {
      list.innerHTML = hits.length
        ? hits
            .map(
              (h, i) =>
                `<li><button type="button" data-i="${i}">${e(h.name)} ` +
                `<small>${e(h.detail)}</small></button></li>`
            )
            .join("")
        : '<li class="cesp-none">Aucune commune trouvée.</li>';
      list.querySelectorAll("button").forEach((button) => {
        button.addEventListener("click", (event) => {
          // choose() empties the list: Leaflet would no longer see that the click came
          // from a control and would take it for a click on the map.
          event.stopPropagation();
          choose(hits[Number(button.dataset.i)]);
        });
      });
    }

    async function choose(hit) {
      list.innerHTML = "";
      input.value = hit.name;
      let geometry = hit.geometry;
      if (!geometry) {
        const answer = await C.request(
          ctx.config,
          `/api/v1/communes/${encodeURIComponent(hit.code)}?geometry=true&date=${ctx.state.date}`
        );
        if (!answer.ok) return C.notify(ctx, C.errorText(answer), "error");
        geometry = answer.data.commune.geometry;
      }
      highlight.clearLayers();
      const shape = L.geoJSON(geometry, {
        style: { color: "#08306b", weight: 3, fill: false, interactive: false },
      }).addTo(highlight);
      ctx.map.fitBounds(shape.getBounds(), { maxZoom: 13 });
      C.notify(ctx, `${hit.name} : cliquez dans la commune (ou Entrée sur la carte) pour vérifier l'éligibilité.`);
    }

    async function search(text) {
      if (text.trim().length < 2) {
        list.innerHTML = "";
        return;
      }
      if (ctx.config.mode !== "served") {
        const key = C.nameKey(text);
        const features = (ctx.config.communes || { features: [] }).features;
        show(
          features
            .filter((f) => C.nameKey(f.properties.name).includes(key))
            .slice(0, 8)
            .map((f) => ({
              code: f.properties.code,
              name: f.properties.name,
              detail: f.properties.code,
              geometry: f.geometry,
            }))
        );
        return;
      }
      const answer = await C.request(ctx.config, `/api/v1/communes?q=${encodeURIComponent(text)}&limit=8`);
      if (!answer.ok) return;
      show(
        answer.data.results.map((r) => ({
          code: r.commune.code,
          name: r.commune.name,
          detail: `${r.commune.departement.name || ""} (${r.commune.departement.code})`,
        }))
      );
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => search(input.value), 250);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        const first = list.querySelector("button");
        if (first) first.click();
      }
    });
  }

  /** 01/09/2026 -> 2026-09-01, or null for anything that is not a real day. */
  C.parseFrDate = function (text) {
    const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text || "");
    if (!m) return null;
    const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const day = new Date(Date.UTC(y, mo - 1, d));
    if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
    return `${y}-${String(mo).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  };

  /** The date of the zoning shown, typed as jj/mm/aaaa whatever the browser's language
   * (an <input type="date"> would show mm/dd/yyyy in an English browser). */
  function dateControl(ctx) {
    const control = L.control({ position: "topleft" });
    control.onAdd = () => {
      const div = L.DomUtil.create("div", "cesp-date leaflet-bar");
      const disabled = ctx.config.mode === "served" ? "" : " disabled";
      div.innerHTML =
        '<label for="cesp-date-input">Zonage au</label>' +
        `<input id="cesp-date-input" type="text" inputmode="numeric" autocomplete="off" ` +
        `value="${e(C.frDate(ctx.state.date))}" placeholder="jj/mm/aaaa" size="10" maxlength="10" ` +
        `aria-describedby="cesp-date-hint"${disabled}>` +
        '<span id="cesp-date-hint" class="cesp-sr">Format jj/mm/aaaa, puis Entrée</span>';
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    control.addTo(ctx.map);
    const input = control.getContainer().querySelector("input");
    async function apply() {
      const iso = C.parseFrDate(input.value);
      if (!iso) {
        input.setAttribute("aria-invalid", "true");
        C.notify(ctx, `Date invalide « ${input.value} » : écrivez-la jj/mm/aaaa, par exemple 01/09/2026.`, "error");
        return;
      }
      input.removeAttribute("aria-invalid");
      input.value = C.frDate(iso);
      if (iso === ctx.state.date) return;
      ctx.state.date = iso;
      C.notify(ctx, `Zones en vigueur au ${C.frDate(iso)}…`);
      await ctx.emit("date", iso);
    }
    input.addEventListener("change", apply);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        apply();
      }
    });
  }

  C.register((ctx) => {
    searchControl(ctx);
    if (!ctx.config.preview) {
      dateControl(ctx);
      setupClick(ctx);
    }
  });
})();
