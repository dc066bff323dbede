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

  function markerClass(post) {
    if (post.status !== "open" || post.places_left <= 0) return "cesp-pin cesp-pin--filled";
    return post.qualifies ? "cesp-pin cesp-pin--open" : "cesp-pin cesp-pin--out";
  }

  /** The popup of a post (with the answer of the last action on it, if any). */
  C.postHtml = function (ctx, post) {
    const status =
      post.status === "filled" || post.places_left <= 0
        ? "Pourvu"
        : post.status === "withdrawn"
          ? "Retiré"
          : "Ouvert";
    const qualifies = post.qualifies
      ? `<span class="cesp-ok">Toujours éligible</span> – ${e(post.qualification_fr)}`
      : `<span class="cesp-ko">N'ouvre plus droit au CESP</span> – ${e(post.qualification_fr)}`;
    const answer = (ctx.state.answers || {})[post.id];
    return (
      `<div class="cesp-popup cesp-post" data-post="${post.id}">` +
      `<h3>${e(post.specialty)}</h3>` +
      `<dl><dt>Mode</dt><dd>${e(MODES[post.mode] || post.mode)}</dd>` +
      `<dt>Structure</dt><dd>${e(post.structure)}</dd>` +
      `<dt>Adresse</dt><dd>${e(post.address || "")} ${e(post.commune_name)} (${e(post.departement)})</dd>` +
      `<dt>Places restantes</dt><dd class="cesp-places">${post.places_left} / ${post.places}</dd>` +
      `<dt>Statut</dt><dd>${status}</dd>` +
      `<dt>Zonage</dt><dd>${qualifies}</dd></dl>` +
      C.postActions(ctx, post) +
      (answer ? `<p class="cesp-action-answer cesp-action-answer--${answer.kind}">${e(answer.text)}</p>` : "") +
      `</div>`
    );
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
      const icon = L.divIcon({
        className: markerClass(post),
        html: `<span>${post.places_left}</span>`,
        iconSize: [26, 26],
        iconAnchor: [13, 13],
        popupAnchor: [0, -12],
      });
      const marker = L.marker([post.lat, post.lon], {
        icon,
        title: `${post.specialty} – ${post.structure}`,
        alt: post.specialty,
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
    C.drawPosts(ctx);
    const fresh = ctx.state.markers[post.id];
    if (fresh) {
      ctx.layers.posts.zoomToShowLayer(fresh, () => fresh.openPopup());
    }
  };

  /** Open a post's popup (from the list of the panel). */
  C.showPost = function (ctx, postId) {
    const marker = ctx.state.markers[postId];
    if (marker) ctx.layers.posts.zoomToShowLayer(marker, () => marker.openPopup());
  };

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

  function legendRows(ctx) {
    const extra = ctx.legend && ctx.legend.getContainer().querySelector(".cesp-legend-extra");
    if (!extra) return;
    extra.innerHTML =
      "<h2>Postes</h2><ul>" +
      '<li><span class="cesp-pin cesp-pin--open cesp-pin--key"></span>Ouvert, en zone</li>' +
      '<li><span class="cesp-pin cesp-pin--out cesp-pin--key"></span>Ouvert, hors zone</li>' +
      '<li><span class="cesp-pin cesp-pin--filled cesp-pin--key"></span>Pourvu</li></ul>';
  }

  C.register(async (ctx) => {
    ctx.state.posts = [];
    ctx.state.markers = {};
    ctx.state.answers = {};
    ctx.state.filters = { specialty: ctx.config.specialty || "", mode: "" };
    if (ctx.config.preview || ctx.config.mode !== "served") return;
    legendRows(ctx);
    ctx.on("filters", () => C.drawPosts(ctx));
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
