/* The choice of post on the map: the panel (filters, campaign, intern sign-in, wishes)
 * and the actions of a post's popup.
 *
 * An intern's API key is kept in sessionStorage (gone when the tab closes) and sent as
 * "Authorization: Bearer". In a rank-order campaign (internat) the intern chooses one
 * post when their turn comes (POST /campaigns/{id}/choices); in an applications
 * campaign (exercice) they rank up to five wishes (POST /campaigns/{id}/applications).
 * The service's answer (taken, refused and why, not your turn yet) is shown as is.
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
        '<div id="cesp-panel-body" class="cesp-panel-body">' +
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
    };
    toggle.addEventListener("click", () => setOpen(body.hidden));
    if (window.innerWidth < 700) setOpen(false);
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
    list.innerHTML = shown
      .map(
        (p) =>
          `<li><button type="button" data-post="${p.id}">${e(p.specialty)} – ${e(p.commune_name)} ` +
          `(${e(p.departement)}) – ${p.places_left} place(s)</button></li>`
      )
      .join("");
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
    if (campaign.procedure === "rank_order") {
      const disabled = full ? " disabled" : "";
      return `<button type="button" class="cesp-action" data-action="choose" data-post="${post.id}"${disabled}>Choisir ce poste</button>`;
    }
    const wishes = ctx.state.wishes || [];
    if (wishes.includes(post.id)) {
      return `<p class="cesp-hint">Vœu n°${wishes.indexOf(post.id) + 1}.</p>`;
    }
    const disabled = full || wishes.length >= MAX_WISHES ? " disabled" : "";
    return `<button type="button" class="cesp-action" data-action="wish" data-post="${post.id}"${disabled}>Ajouter à mes vœux</button>`;
  };

  async function choose(ctx, postId) {
    const campaign = ctx.state.campaign;
    const answer = await C.request(ctx.config, `/api/v1/campaigns/${campaign.id}/choices`, {
      method: "POST",
      body: { post_id: postId },
      auth: true,
    });
    if (answer.ok) {
      const post = answer.data.post;
      const text = `Poste choisi : ${post.specialty} à ${post.commune_name}. Places restantes : ${post.places_left}.`;
      ctx.state.answers[postId] = { kind: "ok", text };
      say(ctx, text, "ok");
      C.updatePost(ctx, post);
    } else {
      const text = `Choix refusé : ${C.errorText(answer)}`;
      ctx.state.answers[postId] = { kind: "error", text };
      say(ctx, text, "error");
      const fresh = await C.request(ctx.config, `/api/v1/posts/${postId}`);
      const post = fresh.ok ? fresh.data : ctx.state.posts.find((p) => p.id === postId);
      if (post) C.updatePost(ctx, post);
    }
  }

  async function sendWishes(ctx, wishes) {
    const campaign = ctx.state.campaign;
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
    say(ctx, `Vœux enregistrés (${ctx.state.wishes.length}).`, "ok");
    drawWishes(ctx);
    return true;
  }

  async function wish(ctx, postId) {
    const wishes = [...(ctx.state.wishes || []), postId];
    const done = await sendWishes(ctx, wishes);
    ctx.state.answers[postId] = done
      ? { kind: "ok", text: `Ajouté à vos vœux (n°${wishes.length}).` }
      : { kind: "error", text: document.getElementById("cesp-choice-message").textContent };
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
    const byId = Object.fromEntries(ctx.state.posts.map((p) => [p.id, p]));
    const items = (ctx.state.wishes || []).map((id, i) => {
      const p = byId[id];
      const name = p ? `${p.specialty} – ${p.commune_name}` : `Poste ${id}`;
      return (
        `<li>${e(name)} <button type="button" data-wish-up="${i}" aria-label="Monter"${i ? "" : " disabled"}>↑</button>` +
        `<button type="button" data-wish-remove="${i}" aria-label="Retirer">✕</button></li>`
      );
    });
    div.innerHTML =
      `<h3>Mes vœux (${items.length}/${MAX_WISHES})</h3>` +
      (items.length ? `<ol>${items.join("")}</ol>` : "<p>Aucun vœu : ajoutez des postes depuis la carte.</p>");
    div.querySelectorAll("[data-wish-up]").forEach((b) =>
      b.addEventListener("click", () => {
        const w = [...ctx.state.wishes];
        const i = Number(b.dataset.wishUp);
        [w[i - 1], w[i]] = [w[i], w[i - 1]];
        sendWishes(ctx, w);
      })
    );
    div.querySelectorAll("[data-wish-remove]").forEach((b) =>
      b.addEventListener("click", () => {
        const w = ctx.state.wishes.filter((_id, i) => i !== Number(b.dataset.wishRemove));
        if (w.length) sendWishes(ctx, w);
        else say(ctx, "Gardez au moins un vœu (ou remplacez-le par un autre).", "info");
      })
    );
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
    drawWishes(ctx);
  }

  function drawSignIn(ctx) {
    const div = document.getElementById("cesp-signin");
    const me = ctx.state.me;
    if (me) {
      const rank = me.rank ? `, rang ${me.rank}` : "";
      div.innerHTML =
        `<p class="cesp-me">Connecté : <strong>${e(me.name)}</strong>${rank}, ` +
        `région de formation ${e(me.training_region)}</p>` +
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
      button.disabled = true;
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
