/* The choice of post on the map: the panel (filters, campaign, intern sign-in, wishes)
 * and the actions of a post's popup.
 *
 * An intern's API key is kept in sessionStorage (gone when the tab closes) and sent as
 * "Authorization: Bearer". In a rank-order campaign (internat) the intern chooses one
 * post when their turn comes (POST /campaigns/{id}/choices); in an applications
 * campaign (exercice) they rank up to five wishes (POST /campaigns/{id}/applications).
 * The service's answer (taken, refused and why, not your turn yet) is shown as is.
 *
 * Both are confirmed first, in a dialog that shows what will be sent: the post, the
 * campaign and the intern's rank for a choice ("ce choix est définitif"), the wishes in
 * order for an application (editable until the campaign closes). Once the choice is
 * made no control offers to choose again.
 */
(function () {
  "use strict";
  const C = window.CespMap;
  const e = C.escape;
  const MAX_WISHES = 5;

  function panel(ctx) {
    const control = L.control({ position: "topright" });
    control.onAdd = () => {
      const div = L.DomUtil.create("div", "cesp-panel leaflet-bar");
      div.innerHTML =
        '<button type="button" class="cesp-panel-toggle" aria-expanded="true" ' +
        'aria-controls="cesp-panel-body">Postes et choix</button>' +
        '<div id="cesp-panel-body" class="cesp-panel-body cesp-sheet" role="region" aria-label="Postes et choix">' +
        '<label for="cesp-campaign">Campagne</label><select id="cesp-campaign"></select>' +
        '<label for="cesp-filter-specialty">Spécialité</label>' +
        '<select id="cesp-filter-specialty"><option value="">Toutes les spécialités</option></select>' +
        '<label for="cesp-filter-mode">Mode d\'exercice</label><select id="cesp-filter-mode">' +
        '<option value="">Tous les modes</option><option value="liberal">Libéral</option>' +
        '<option value="salarie">Salarié</option><option value="mixte">Mixte</option></select>' +
        '<div id="cesp-signin"></div>' +
        '<div id="cesp-wishes"></div>' +
        '<p id="cesp-choice-message" class="cesp-choice-message" role="status" aria-live="polite"></p>' +
        '<details><summary>Liste des postes</summary><ol id="cesp-post-list"></ol></details>' +
        "</div>";
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    control.addTo(ctx.map);
    const root = control.getContainer();
    const toggle = root.querySelector(".cesp-panel-toggle");
    const body = root.querySelector(".cesp-panel-body");
    const setOpen = (open) => {
      body.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      toggle.textContent = C.phone() ? (open ? "Fermer les postes" : "Postes") : open ? "Masquer les postes" : "Postes et choix";
      ctx.map.getContainer().classList.toggle("cesp-panel-open", open && C.phone());
      if (open && C.phone()) {
        ctx.map.closePopup();
        if (C.setLegendOpen) C.setLegendOpen(false);
      }
      C.layout(ctx);
    };
    C.setPanelOpen = setOpen;
    toggle.addEventListener("click", () => setOpen(body.hidden));
    // On a phone the open panel is a sheet over the map: Escape closes it.
    C.closeOnEscape(document, () => C.phone() && !body.hidden, () => setOpen(false), toggle);
    setOpen(!C.phone());
    // Its content changes (sign-in, wishes, list opened): share the column again.
    new MutationObserver(() => window.requestAnimationFrame(() => C.layout(ctx))).observe(body, {
      childList: true,
      subtree: true,
    });
    root.querySelector("details").addEventListener("toggle", () => C.layout(ctx));
    root.querySelector("#cesp-filter-specialty").addEventListener("change", (event) => {
      ctx.state.filters.specialty = event.target.value;
      ctx.emit("filters");
    });
    root.querySelector("#cesp-filter-mode").addEventListener("change", (event) => {
      ctx.state.filters.mode = event.target.value;
      ctx.emit("filters");
    });
    root.querySelector("#cesp-campaign").addEventListener("change", async (event) => {
      const campaign = ctx.state.campaigns.find((c) => String(c.id) === event.target.value);
      if (campaign) await C.loadPosts(ctx, campaign);
    });
    return root;
  }

  function say(ctx, text, kind) {
    const p = document.getElementById("cesp-choice-message");
    if (p) {
      p.textContent = text;
      p.className = `cesp-choice-message cesp-choice-message--${kind || "info"}`;
    }
    // The panel may be closed (on a phone): screen readers hear the answer anyway.
    if (!p || p.offsetParent === null) C.announce(text);
  }

  C.fillCampaigns = function (ctx) {
    const select = document.getElementById("cesp-campaign");
    if (!select) return;
    const label = (c) =>
      `${c.year} – ${c.kind === "internat" ? "internat (choix au rang)" : "exercice (vœux)"}` +
      (c.status === "open" ? "" : c.status === "closed" ? " – close" : " – en préparation");
    select.innerHTML = ctx.state.campaigns
      .map((c) => `<option value="${c.id}">${e(label(c))}</option>`)
      .join("");
    const current = ctx.state.campaign || ctx.state.campaigns.find((c) => c.status === "open");
    if (current) select.value = String(current.id);
  };

  C.refreshPostList = function (ctx) {
    const list = document.getElementById("cesp-post-list");
    if (!list) return;
    const shown = ctx.state.posts.filter((p) => ctx.state.markers[p.id]).slice(0, 200);
    C.redraw(list, () => {
      list.innerHTML = shown
        .map(
          (p) =>
            `<li><button type="button" data-post="${p.id}">${e(p.specialty)} – ${e(p.commune_name)} ` +
            `(${e(p.departement)}) – ${p.places_left} place(s)</button></li>`
        )
        .join("");
    }, "#cesp-post-list button", ".cesp-panel-body summary");
    list.querySelectorAll("button").forEach((b) =>
      b.addEventListener("click", () => C.showPost(ctx, Number(b.dataset.post)))
    );
  };

  function signedIn(ctx) {
    return Boolean(ctx.state.me);
  }

  C.postActions = function (ctx, post) {
    const campaign = ctx.state.campaign;
    if (!campaign || campaign.status !== "open") return "";
    if (!signedIn(ctx)) {
      return '<p class="cesp-hint">Connectez-vous avec votre clé pour choisir ce poste.</p>';
    }
    const full = post.status !== "open" || post.places_left <= 0;
    const me = ctx.state.me;
    if (campaign.procedure === "rank_order") {
      if (me.has_chosen && me.campaign === campaign.id) {
        return me.chosen_post_id === post.id
          ? '<p class="cesp-chosen">Vous avez choisi ce poste (choix définitif).</p>'
          : '<p class="cesp-hint">Vous avez déjà fait votre choix pour cette campagne.</p>';
      }
      if (full) return '<p class="cesp-hint">Plus aucune place sur ce poste.</p>';
      return `<button type="button" class="cesp-action" data-action="choose" data-post="${post.id}">Choisir ce poste…</button>`;
    }
    const wishes = ctx.state.draft || [];
    if (wishes.includes(post.id)) {
      return `<p class="cesp-hint">Dans vos vœux (n°${wishes.indexOf(post.id) + 1}) : envoyez-les depuis le panneau.</p>`;
    }
    if (full) return '<p class="cesp-hint">Plus aucune place sur ce poste.</p>';
    if (!post.qualifies) return '<p class="cesp-hint">Ce lieu n\'ouvre pas droit au CESP : il ne peut pas être demandé.</p>';
    if (wishes.length >= MAX_WISHES) return `<p class="cesp-hint">Vous avez déjà ${MAX_WISHES} vœux.</p>`;
    return `<button type="button" class="cesp-action" data-action="wish" data-post="${post.id}">Ajouter à mes vœux</button>`;
  };

  function campaignName(campaign) {
    return `${campaign.year} – ${campaign.kind === "internat" ? "postes d'internat (choix au rang)" : "lieux d'exercice (vœux)"}`;
  }

  function postLine(post) {
    return `${e(post.specialty)} – ${e(post.structure)}, ${e(post.commune_name)} (${e(post.departement)})`;
  }

  async function choose(ctx, postId) {
    const campaign = ctx.state.campaign;
    const post = ctx.state.posts.find((p) => p.id === postId);
    const me = ctx.state.me;
    const rank = me.rank ? `rang ${me.rank}` : "rang inconnu";
    const sure = await C.confirm(
      "Confirmer votre choix de poste",
      `<dl class="cesp-summary"><dt>Poste</dt><dd>${post ? postLine(post) : `n°${postId}`}</dd>` +
        `<dt>Campagne</dt><dd>${e(campaignName(campaign))}</dd>` +
        `<dt>Votre rang</dt><dd>${e(rank)}</dd></dl>` +
        '<p class="cesp-warning"><strong>Ce choix est définitif</strong> : vous ne pourrez ni le modifier ni l\'annuler.</p>',
      "Confirmer mon choix"
    );
    if (!sure) {
      say(ctx, "Choix annulé : rien n'a été envoyé.", "info");
      if (post) C.updatePost(ctx, post);
      return;
    }
    const answer = await C.request(ctx.config, `/api/v1/campaigns/${campaign.id}/choices`, {
      method: "POST",
      body: { post_id: postId },
      auth: true,
    });
    if (answer.ok) {
      const chosen = answer.data.post;
      const text = `Poste choisi : ${chosen.specialty} à ${chosen.commune_name}. Places restantes : ${chosen.places_left}.`;
      ctx.state.me = { ...me, has_chosen: true, chosen_post_id: postId, campaign: campaign.id };
      ctx.state.answers[postId] = { kind: "ok", text };
      say(ctx, text, "ok");
      drawSignIn(ctx);
      C.updatePost(ctx, chosen);
    } else {
      const text = `Choix refusé : ${C.errorText(answer)}`;
      ctx.state.answers[postId] = { kind: "error", text };
      say(ctx, text, "error");
      const fresh = await C.request(ctx.config, `/api/v1/posts/${postId}`);
      const shown = fresh.ok ? fresh.data : post;
      if (shown) C.updatePost(ctx, shown);
    }
  }

  async function sendWishes(ctx) {
    const campaign = ctx.state.campaign;
    const wishes = ctx.state.draft || [];
    const byId = Object.fromEntries(ctx.state.posts.map((p) => [p.id, p]));
    const sure = await C.confirm(
      "Envoyer vos vœux",
      `<p>Campagne ${e(campaignName(campaign))}. Vos vœux, par ordre de préférence :</p><ol>` +
        wishes.map((id) => `<li>${byId[id] ? postLine(byId[id]) : `Poste n°${id}`}</li>`).join("") +
        "</ol><p>Ils remplacent les vœux déjà envoyés. Vous pourrez les modifier jusqu'à la " +
        "clôture de la campagne.</p>",
      "Envoyer mes vœux"
    );
    if (!sure) {
      say(ctx, "Envoi annulé : vos vœux enregistrés n'ont pas changé.", "info");
      return false;
    }
    const answer = await C.request(ctx.config, `/api/v1/campaigns/${campaign.id}/applications`, {
      method: "POST",
      body: { wishes },
      auth: true,
    });
    if (!answer.ok) {
      say(ctx, `Vœux refusés : ${C.errorText(answer)}`, "error");
      return false;
    }
    ctx.state.wishes = answer.data.wishes.map((w) => w.post_id);
    ctx.state.draft = [...ctx.state.wishes];
    say(ctx, `Vœux enregistrés (${ctx.state.wishes.length}), dans cet ordre.`, "ok");
    drawWishes(ctx);
    C.drawPosts(ctx);
    return true;
  }

  function wish(ctx, postId) {
    ctx.state.draft = [...(ctx.state.draft || []), postId];
    const text = `Ajouté à vos vœux (n°${ctx.state.draft.length}), pas encore envoyé : envoyez vos vœux depuis le panneau.`;
    ctx.state.answers[postId] = { kind: "ok", text };
    say(ctx, text, "info");
    drawWishes(ctx);
    const post = ctx.state.posts.find((p) => p.id === postId);
    if (post) C.updatePost(ctx, post);
  }

  function drawWishes(ctx) {
    const div = document.getElementById("cesp-wishes");
    const campaign = ctx.state.campaign;
    if (!div) return;
    if (!signedIn(ctx) || !campaign || campaign.procedure !== "applications") {
      div.innerHTML = "";
      return;
    }
    const open = campaign.status === "open";
    const draft = ctx.state.draft || [];
    const saved = ctx.state.wishes || [];
    const changed = draft.join(",") !== saved.join(",");
    const byId = Object.fromEntries(ctx.state.posts.map((p) => [p.id, p]));
    const items = draft.map((id, i) => {
      const p = byId[id];
      const name = p ? `${p.specialty} – ${p.commune_name}` : `Poste ${id}`;
      const controls = open
        ? `<span class="cesp-wish-buttons"><button type="button" data-wish-up="${i}" aria-label="Monter le vœu ${i + 1} : ${e(name)}"${i ? "" : " disabled"}>↑</button>` +
          `<button type="button" data-wish-down="${i}" aria-label="Descendre le vœu ${i + 1} : ${e(name)}"${i < draft.length - 1 ? "" : " disabled"}>↓</button>` +
          `<button type="button" data-wish-remove="${i}" aria-label="Retirer le vœu ${i + 1} : ${e(name)}">✕</button></span>`
        : "";
      return `<li>${e(name)} ${controls}</li>`;
    });
    const state = !open
      ? "Campagne close : vos vœux ne peuvent plus changer."
      : changed
        ? "Modifiés, pas encore envoyés."
        : saved.length
          ? "Envoyés : modifiables jusqu'à la clôture de la campagne."
          : "";
    C.redraw(div, () => {
      div.innerHTML =
        `<h3>Mes vœux (${draft.length}/${MAX_WISHES})</h3>` +
        (items.length ? `<ol class="cesp-wish-list">${items.join("")}</ol>` : "<p>Aucun vœu : ajoutez des postes depuis la carte.</p>") +
        (state ? `<p class="cesp-wish-state">${state}</p>` : "") +
        (open ? `<button type="button" id="cesp-send-wishes"${changed && draft.length ? "" : " disabled"}>Envoyer mes vœux…</button>` : "");
    }, "#cesp-choice-message");
    const move = (from, to) => {
      const w = [...ctx.state.draft];
      [w[from], w[to]] = [w[to], w[from]];
      ctx.state.draft = w;
      drawWishes(ctx);
      C.drawPosts(ctx);
      const again = div.querySelector(`[data-wish-${to < from ? "up" : "down"}="${to}"]`) || div.querySelector("#cesp-send-wishes");
      if (again) again.focus();
      C.announce(`Vœu déplacé en position ${to + 1}.`);
    };
    div.querySelectorAll("[data-wish-up]").forEach((b) =>
      b.addEventListener("click", () => move(Number(b.dataset.wishUp), Number(b.dataset.wishUp) - 1))
    );
    div.querySelectorAll("[data-wish-down]").forEach((b) =>
      b.addEventListener("click", () => move(Number(b.dataset.wishDown), Number(b.dataset.wishDown) + 1))
    );
    div.querySelectorAll("[data-wish-remove]").forEach((b) =>
      b.addEventListener("click", () => {
        const removed = Number(b.dataset.wishRemove);
        ctx.state.draft = ctx.state.draft.filter((_id, i) => i !== removed);
        drawWishes(ctx);
        C.drawPosts(ctx);
        const next = Math.min(removed, ctx.state.draft.length - 1);
        C.focusOn(div.querySelector(`[data-wish-remove="${next}"]`) || document.getElementById("cesp-choice-message"));
        C.announce("Vœu retiré (pas encore envoyé).");
      })
    );
    const send = div.querySelector("#cesp-send-wishes");
    if (send) send.addEventListener("click", () => sendWishes(ctx));
  }

  async function loadWishes(ctx) {
    ctx.state.wishes = [];
    const campaign = ctx.state.campaign;
    if (signedIn(ctx) && campaign && campaign.procedure === "applications") {
      const answer = await C.request(ctx.config, `/api/v1/campaigns/${campaign.id}/applications/mine`, {
        auth: true,
      });
      if (answer.ok) ctx.state.wishes = (answer.data.wishes || []).map((w) => w.post_id);
    }
    ctx.state.draft = [...ctx.state.wishes];
    drawWishes(ctx);
  }

  /** The sign-in form, or who is signed in; the focus, if it was there, goes to the
   * control that replaces the one used (sign-out after signing in, and back). */
  function drawSignIn(ctx) {
    const div = document.getElementById("cesp-signin");
    C.redraw(div, () => renderSignIn(ctx, div), "#cesp-signout", "#cesp-key");
  }

  function renderSignIn(ctx, div) {
    const me = ctx.state.me;
    if (me) {
      const rank = me.rank ? `, rang ${me.rank}` : "";
      const chosen = me.has_chosen ? " – choix fait" : "";
      div.innerHTML =
        `<p class="cesp-me">Connecté : <strong>${e(me.name)}</strong>${rank}, ` +
        `région de formation ${e(me.training_region)}${chosen}</p>` +
        '<button type="button" id="cesp-signout">Se déconnecter</button>';
      div.querySelector("#cesp-signout").addEventListener("click", () => signOut(ctx));
      return;
    }
    div.innerHTML =
      '<form id="cesp-signin-form"><label for="cesp-key">Clé d\'accès (interne)</label>' +
      '<input id="cesp-key" type="password" autocomplete="off" required>' +
      '<button type="submit">Se connecter</button></form>';
    div.querySelector("form").addEventListener("submit", (event) => {
      event.preventDefault();
      signIn(ctx, div.querySelector("#cesp-key").value.trim());
    });
  }

  async function signIn(ctx, key) {
    if (!key) return;
    // ``settled`` is false until the page has redrawn for the new intern (tests wait on it).
    ctx.state.settled = false;
    try {
      window.sessionStorage.setItem("cesp.key", key);
      const answer = await C.request(ctx.config, "/api/v1/me", { auth: true });
      if (!answer.ok) {
        window.sessionStorage.removeItem("cesp.key");
        say(ctx, `Connexion refusée : ${C.errorText(answer)}`, "error");
        return;
      }
      ctx.state.me = answer.data;
      say(ctx, `Bienvenue, ${answer.data.name}.`, "ok");
      drawSignIn(ctx);
      if (ctx.state.campaign) await showHome(ctx);
    } finally {
      ctx.state.settled = true;
    }
  }

  /** Fit the map to some bounds and resolve once it has stopped moving. */
  function fitAndWait(map, bounds) {
    return new Promise((resolve) => {
      const timer = window.setTimeout(resolve, 1500);
      map.once("moveend", () => {
        window.clearTimeout(timer);
        resolve();
      });
      map.fitBounds(bounds, { maxZoom: 12 });
    });
  }

  /** Redraw for the signed-in intern: their region's posts first and in view. */
  async function showHome(ctx) {
    if (!ctx.state.me) return;
    const ranked = await C.request(ctx.config, `/api/v1/me?campaign=${ctx.state.campaign.id}`, {
      auth: true,
    });
    if (ranked.ok) {
      ctx.state.me = ranked.data;
      drawSignIn(ctx);
    }
    const me = ctx.state.me;
    C.sortPosts(ctx);
    C.drawPosts(ctx);
    const home = ctx.state.posts.filter((p) => p.region === me.training_region);
    if (home.length) {
      await fitAndWait(ctx.map, L.latLngBounds(home.map((p) => [p.lat, p.lon])).pad(0.2));
    }
    await loadWishes(ctx);
  }

  function signOut(ctx) {
    window.sessionStorage.removeItem("cesp.key");
    ctx.state.me = null;
    ctx.state.wishes = [];
    ctx.state.draft = [];
    say(ctx, "Déconnecté.", "info");
    drawSignIn(ctx);
    drawWishes(ctx);
    C.drawPosts(ctx);
  }

  C.register((ctx) => {
    if (ctx.config.preview || ctx.config.mode !== "served") return null;
    const root = panel(ctx);
    drawSignIn(ctx);
    ctx.on("posts", () => showHome(ctx));
    // Capture phase: Leaflet stops clicks from bubbling out of popups.
    ctx.map.getContainer().addEventListener("click", (event) => {
      const button = event.target.closest("[data-action]");
      if (!button || button.disabled) return;
      // The popup is redrawn after the answer: stop here so that Leaflet does not take
      // the click on a detached button for a click on the map.
      event.stopPropagation();
      const postId = Number(button.dataset.post);
      if (button.dataset.action === "choose") choose(ctx, postId);
      if (button.dataset.action === "wish") wish(ctx, postId);
    }, true);
    if (C.key()) {
      const input = root.querySelector("#cesp-key");
      if (input) input.value = C.key();
      return signIn(ctx, C.key());
    }
    return null;
  });
})();
