/* Posts of the open campaign: clustered markers (filled posts greyed), a popup with
 * specialty, mode, structure, places left and whether the post still qualifies, and
 * filters by specialty and mode. The choice itself is in map-choice.js, which adds its
 * buttons to the popup through CespMap.postActions.
 */
(function () {
  "use strict";
  const C = window.CespMap;
  const e = C.escape;
  const MODES = { liberal: "libéral", salarie: "salarié", mixte: "mixte" };
  const PAGE = 1000;

  /** Buttons under a post's popup (replaced by map-choice.js). */
  C.postActions = function () {
    return "";
  };

  /** What a pin says: "filled", "open" (a place to take; for a practice site, one
   * that opens the CESP) or "out" (a practice site that does not open it). Intern posts
   * carry no zoning verdict: the zoning rule is for practice sites. */
  function postState(post) {
    if (post.status !== "open" || post.places_left <= 0) return "filled";
    if (post.kind === "internat") return "open";
    return post.qualifies ? "open" : "out";
  }
  C.postState = postState;

  const STATE_FR = {
    open: "ouvert",
    out: "n'ouvre pas droit au CESP",
    filled: "pourvu",
  };

  /** The zoning line of a practice site, in words an intern understands. */
  function zoningText(post) {
    const since = post.out_of_zone_since ? C.frDate(post.out_of_zone_since) : "";
    if (post.qualification === "in_zone") {
      return '<span class="cesp-ok">Ouvre droit au CESP</span> : le lieu est en zone déficitaire.';
    }
    if (post.qualification === "grandfathered") {
      const until = post.kept_until ? ` jusqu'au ${C.frDate(post.kept_until)}` : "";
      return (
        `<span class="cesp-ok">Ouvre droit au CESP${until}</span> : le lieu n'est plus en zone ` +
        `déficitaire depuis le ${since}, mais il l'était au cours des trois dernières années ` +
        "(règle des trois ans, code de l'éducation, art. L.632-6)."
      );
    }
    if (since) {
      return (
        '<span class="cesp-ko">N\'ouvre plus droit au CESP</span> : le lieu est hors zone ' +
        `déficitaire depuis le ${since}.`
      );
    }
    return (
      '<span class="cesp-ko">N\'ouvre pas droit au CESP</span> : le lieu n\'est dans aucune ' +
      "zone déficitaire."
    );
  }

  /** The popup of a post (with the answer of the last action on it, if any). */
  C.postHtml = function (ctx, post) {
    const status =
      post.status === "filled" || post.places_left <= 0
        ? "Pourvu"
        : post.status === "withdrawn"
          ? "Retiré"
          : "Ouvert";
    const zoning = post.kind === "internat" ? "" : `<dt>Zonage</dt><dd>${zoningText(post)}</dd>`;
    const answer = (ctx.state.answers || {})[post.id];
    return (
      `<div class="cesp-popup cesp-post" data-post="${post.id}">` +
      `<h3>${e(post.specialty)}</h3>` +
      `<dl><dt>Mode</dt><dd>${e(MODES[post.mode] || post.mode)}</dd>` +
      `<dt>Structure</dt><dd>${e(post.structure)}</dd>` +
      `<dt>Adresse</dt><dd>${e(post.address || "")} ${e(post.commune_name)} (${e(post.departement)})</dd>` +
      `<dt>Places restantes</dt><dd class="cesp-places">${post.places_left} / ${post.places}</dd>` +
      `<dt>Statut</dt><dd>${status}</dd>` +
      zoning +
      "</dl>" +
      C.postActions(ctx, post) +
      (answer ? `<p class="cesp-action-answer cesp-action-answer--${answer.kind}">${e(answer.text)}</p>` : "") +
      `</div>`
    );
  };

  /** A cluster's icon: a ring split by the states of the posts it holds (the legend's
   * colours), the count in the middle, and the same counts in words for its title. */
  C.clusterIcon = function (cluster) {
    const counts = { open: 0, out: 0, filled: 0 };
    cluster.getAllChildMarkers().forEach((m) => {
      counts[m.options.cespState || "open"] += 1;
    });
    const total = counts.open + counts.out + counts.filled;
    const colours = { open: "#0b4f9c", out: "#e69f00", filled: "#8c8c8c" };
    let at = 0;
    const stops = [];
    for (const state of ["open", "out", "filled"]) {
      if (!counts[state]) continue;
      const end = at + (360 * counts[state]) / total;
      stops.push(`${colours[state]} ${at}deg ${end}deg`);
      at = end;
    }
    const div = document.createElement("div");
    div.className = "cesp-cluster";
    div.style.background = `conic-gradient(${stops.join(", ")})`;
    const span = document.createElement("span");
    span.textContent = String(total);
    div.appendChild(span);
    const words = ["open", "out", "filled"]
      .filter((s) => counts[s])
      .map((s) => `${counts[s]} ${STATE_FR[s]}`)
      .join(", ");
    div.title = `${total} postes : ${words}`;
    const size = total < 10 ? 34 : total < 100 ? 40 : 46;
    return L.divIcon({ html: div, className: "cesp-cluster-icon", iconSize: L.point(size, size) });
  };

  function matches(ctx, post) {
    const f = ctx.state.filters;
    return (!f.specialty || post.specialty === f.specialty) && (!f.mode || post.mode === f.mode);
  }

  /** Draw the markers of the posts passing the filters; keep the open popup's post open. */
  C.drawPosts = function (ctx) {
    const group = ctx.layers.posts;
    group.clearLayers();
    ctx.state.markers = {};
    const markers = ctx.state.posts.filter((p) => matches(ctx, p)).map((post) => {
      const state = postState(post);
      const icon = L.divIcon({
        className: `cesp-pin cesp-pin--${state}`,
        html: "",
        iconSize: [20, 20],
        iconAnchor: [10, 10],
        popupAnchor: [0, -10],
      });
      const marker = L.marker([post.lat, post.lon], {
        icon,
        title: `${post.specialty} – ${post.structure}, ${post.commune_name} : ${STATE_FR[state]}`,
        cespState: state,
      });
      marker.bindPopup(() => C.postHtml(ctx, post), C.popupOptions());
      ctx.state.markers[post.id] = marker;
      return marker;
    });
    group.addLayers(markers);
    C.refreshPostList && C.refreshPostList(ctx);
  };

  /** Replace a post by its newer version after the intern acted in its popup, redraw
   * it and open its popup again with the answer: always, since the cluster layer may
   * have closed the popup while the request was out (it does when it re-clusters). */
  C.updatePost = function (ctx, post) {
    const index = ctx.state.posts.findIndex((p) => p.id === post.id);
    if (index >= 0) ctx.state.posts[index] = post;
    // The popup the intern acted in goes away with its marker: unless they have moved
    // elsewhere meanwhile, the focus follows into the new one.
    const follow = C.focusLost();
    C.drawPosts(ctx);
    const fresh = ctx.state.markers[post.id];
    if (fresh) {
      ctx.layers.posts.zoomToShowLayer(fresh, () => {
        fresh.openPopup();
        if (follow || C.focusLost()) focusPopup(fresh);
      });
    }
  };

  /** Keyboard users land in a post's popup: on its button if any, else on its text
   * (so that Escape closes it and Tab goes on from there). */
  function focusPopup(marker) {
    const popup = marker.getPopup() && marker.getPopup().getElement();
    if (!popup) return;
    C.focusOn(popup.querySelector(".cesp-action") || popup.querySelector(".leaflet-popup-content"));
  }

  /** Open a post's popup (from the list of the panel). */
  C.showPost = function (ctx, postId) {
    const marker = ctx.state.markers[postId];
    if (C.phone() && C.setPanelOpen) C.setPanelOpen(false);
    if (marker) {
      ctx.state.popupOpener = document.activeElement;
      ctx.layers.posts.zoomToShowLayer(marker, () => {
        marker.openPopup();
        focusPopup(marker);
      });
    }
  };

  /** A popup closed with the focus in it (Escape, its close button): the focus goes back
   * to what opened it (the list's button), else to the map, not to the page's body. */
  function returnFocus(ctx, event) {
    const popup = event.popup.getElement();
    const active = document.activeElement;
    const inside = !active || active === document.body || (popup && popup.contains(active));
    if (!inside) return;
    window.setTimeout(() => {
      const now = document.activeElement;
      // Another popup (a post re-drawn) or control has it already.
      if (now && now !== document.body && !(popup && popup.contains(now))) return;
      let opener = ctx.state.popupOpener;
      ctx.state.popupOpener = null;
      if (opener && !opener.isConnected && opener.dataset && opener.dataset.post) {
        // The list was re-drawn meanwhile: the same post's button.
        opener = document.querySelector(`#cesp-post-list button[data-post="${opener.dataset.post}"]`);
      }
      if (opener && opener.isConnected && opener.offsetParent !== null && opener.focus) opener.focus();
      else ctx.map.getContainer().focus();
    }, 0);
  }

  function fillFilters(ctx) {
    const select = document.getElementById("cesp-filter-specialty");
    if (!select) return;
    const specialties = [...new Set(ctx.state.posts.map((p) => p.specialty))].sort((a, b) =>
      a.localeCompare(b, "fr")
    );
    select.innerHTML =
      '<option value="">Toutes les spécialités</option>' +
      specialties.map((s) => `<option value="${e(s)}">${e(s)}</option>`).join("");
    select.value = ctx.state.filters.specialty || "";
  }

  /** Load the posts of a campaign ({year, kind}), every page of them. */
  C.loadPosts = async function (ctx, campaign) {
    const posts = [];
    for (let offset = 0; ; offset += PAGE) {
      const params = new URLSearchParams({
        campaign: String(campaign.year),
        kind: campaign.kind,
        limit: String(PAGE),
        offset: String(offset),
      });
      const answer = await C.request(ctx.config, `/api/v1/posts?${params}`);
      if (!answer.ok) {
        C.notify(ctx, `Postes indisponibles : ${C.errorText(answer)}`, "error");
        break;
      }
      posts.push(...answer.data.items);
      if (posts.length >= answer.data.total || answer.data.items.length === 0) break;
    }
    ctx.state.posts = posts;
    ctx.state.campaign = campaign;
    C.sortPosts(ctx);
    fillFilters(ctx);
    C.drawPosts(ctx);
    await ctx.emit("posts", campaign);
    return posts;
  };

  /** Posts of the intern's training region first, then by département and specialty. */
  C.sortPosts = function (ctx) {
    const home = ctx.state.me ? ctx.state.me.training_region : ctx.config.region;
    ctx.state.posts.sort(
      (a, b) =>
        Number(b.region === home) - Number(a.region === home) ||
        a.departement.localeCompare(b.departement) ||
        a.specialty.localeCompare(b.specialty, "fr") ||
        a.id - b.id
    );
  };

  /** The posts part of the legend, for the kind of list shown. */
  function legendRows(ctx) {
    const body = ctx.legend && C.legendBody(ctx);
    const extra = body && body.querySelector(".cesp-legend-extra");
    if (!extra) return;
    const campaign = ctx.state.campaign;
    const intern = campaign && campaign.kind === "internat";
    const rows = intern
      ? [["open", "Poste ouvert"], ["filled", "Pourvu"]]
      : [["open", "Ouvre droit au CESP (en zone ou règle des trois ans)"], ["out", "N'ouvre pas droit au CESP"], ["filled", "Pourvu"]];
    extra.innerHTML =
      `<h2>Postes${intern ? " d'internat" : ""}</h2><ul>` +
      rows.map(([s, text]) => `<li><span class="cesp-pin cesp-pin--${s} cesp-pin--key"></span>${text}</li>`).join("") +
      `<li><span class="cesp-cluster cesp-cluster--key${intern ? " cesp-cluster--key-intern" : ""}"></span>` +
      "Groupe de postes (anneau aux couleurs de leurs états)</li></ul>";
  }

  C.register(async (ctx) => {
    ctx.state.posts = [];
    ctx.state.markers = {};
    ctx.state.answers = {};
    ctx.state.filters = { specialty: ctx.config.specialty || "", mode: "" };
    if (ctx.config.preview || ctx.config.mode !== "served") return;
    ctx.layers.posts.options.iconCreateFunction = C.clusterIcon;
    ctx.map.on("popupclose", (event) => returnFocus(ctx, event));
    ctx.on("filters", () => C.drawPosts(ctx));
    ctx.on("posts", () => legendRows(ctx));
    const answer = await C.request(ctx.config, "/api/v1/campaigns");
    if (!answer.ok) {
      C.notify(ctx, "Les listes de postes ne sont pas disponibles.", "error");
      return;
    }
    const campaigns = Array.isArray(answer.data) ? answer.data : answer.data.items || [];
    ctx.state.campaigns = campaigns;
    const wanted = campaigns.find((c) => c.id === ctx.config.campaign);
    const open = campaigns.filter((c) => c.status === "open");
    const campaign = wanted || open[0] || null;
    C.fillCampaigns && C.fillCampaigns(ctx);
    if (!campaign) {
      C.notify(ctx, "Aucune campagne de choix ouverte.");
      return;
    }
    await C.loadPosts(ctx, campaign);
  });
})();
