"""The map as people meet it, in a real browser: no control hidden by another at four
screen sizes (panel open too), every control clickable, the choice made with the
keyboard alone, axe-core finding no serious or critical violation, the wishes confirmed
before they are sent, commune names drawn from our own data, the date typed jj/mm/aaaa
in an English browser, and the exported page's name key equal to the service's.
"""

from typing import Any

import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from cesp.geo.names import name_key
from cesp.zones.decrees import Decree
from tests.api.live_server import LiveServer
from tests.maps.browser import chromium, screenshot, wait_ready, wait_until
from tests.maps.conftest import seed_posts
from tests.maps.test_browser_choice import _interns, _sign_in

SIZES = {
    "1366x768": {"width": 1366, "height": 768},
    "1280x720": {"width": 1280, "height": 720},
    "1920x1080": {"width": 1920, "height": 1080},
    "390x780": {"width": 390, "height": 780},
}

# Boxes of every visible control (and of the sheets that rise from a control on a
# phone), and the pairs that overlap (a box never counts against its own ancestors).
OVERLAPS = """() => {
  const blocks = [...document.querySelectorAll('.leaflet-control, .cesp-sheet')]
    .filter(el => el.offsetParent !== null || getComputedStyle(el).position === 'fixed')
    .filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0
      && getComputedStyle(el).display !== 'none' && !el.closest('[hidden]'); });
  const name = el => el.id || el.className.split(' ').slice(0, 2).join('.');
  const pairs = [];
  for (let i = 0; i < blocks.length; i++) for (let j = i + 1; j < blocks.length; j++) {
    const a = blocks[i], b = blocks[j];
    if (a.contains(b) || b.contains(a)) continue;
    const r = a.getBoundingClientRect(), s = b.getBoundingClientRect();
    const apart = r.right - 1 <= s.left || s.right - 1 <= r.left
      || r.bottom - 1 <= s.top || s.bottom - 1 <= r.top;
    if (!apart) pairs.push(name(a) + ' / ' + name(b));
  }
  const outside = blocks.filter(el => { const r = el.getBoundingClientRect();
    return r.left < -1 || r.top < -1 || r.right > innerWidth + 1 || r.bottom > innerHeight + 1; })
    .map(name);
  return {pairs, outside};
}"""
CONTROLS = (
    ".leaflet-control-container button:visible, .leaflet-control-container input:visible,"
    " .leaflet-control-container select:visible, .leaflet-control-container summary:visible,"
    " .leaflet-control-container a[role=button]:visible, .leaflet-control-zoom a:visible"
)


def _check_layout(page: Page, label: str) -> None:
    """No two controls overlap, none leaves the screen, and each can be clicked (the
    browser's own hit test: nothing else receives the click at its centre)."""
    boxes: dict[str, Any] = page.evaluate(OVERLAPS)
    assert boxes["pairs"] == [], f"{label}: controls overlap: {boxes['pairs']}"
    assert boxes["outside"] == [], f"{label}: controls off screen: {boxes['outside']}"
    controls = page.locator(CONTROLS)
    assert controls.count() >= 5, label
    for i in range(controls.count()):
        control = controls.nth(i)
        if control.is_disabled():
            continue
        control.click(trial=True, timeout=5_000)


def _serious(page: Page, context: Any = None) -> list[str]:
    """axe-core's serious and critical violations on the page (WCAG 2.1 A and AA)."""
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    results = Axe().run(page, context=context, options=options)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _open_panel(page: Page) -> None:
    if page.get_attribute(".cesp-panel-toggle", "aria-expanded") != "true":
        page.click(".cesp-panel-toggle")


def test_no_control_hidden_at_four_sizes_and_wishes_are_confirmed(
    server: LiveServer, keys: dict[str, str], map_engine: sa.Engine
) -> None:
    campaign, (bobigny, courneuve) = seed_posts(server, keys, kind="exercice")
    first, _second = _interns(map_engine, campaign["id"])
    with chromium() as browser:
        for name, size in SIZES.items():
            page = browser.page(size)
            page.goto(f"{server.base}/map?region=11&campaign={campaign['id']}")
            wait_ready(page)
            _check_layout(page, f"{name}, at rest")
            screenshot(page, f"layout-{name}")
            _open_panel(page)
            _sign_in(page, first)
            _open_panel(page)
            page.evaluate("CespMap.layout(CespMap.context)")
            _check_layout(page, f"{name}, panel open, signed in")
            screenshot(page, f"layout-{name}-panel")
            if name == "390x780":
                # One sheet at a time: the legend's button comes back once the panel
                # is closed, and opening the panel again closes the legend.
                page.click(".cesp-panel-toggle")
                page.click(".cesp-legend-toggle")
                _check_layout(page, f"{name}, legend open")
                screenshot(page, f"layout-{name}-legend")
                page.click(".cesp-panel-toggle")
                assert page.get_attribute(".cesp-legend-toggle", "aria-expanded") == "false"
            else:
                assert _serious(page) == [], f"axe at {name}"
            page.close()

        page = browser.page(SIZES["1366x768"])
        page.goto(f"{server.base}/map?region=11&campaign={campaign['id']}")
        wait_ready(page)
        _sign_in(page, first)
        for post in (courneuve, bobigny):
            page.evaluate(
                f"CespMap.context.map.closePopup(); CespMap.showPost(CespMap.context, {post['id']})"
            )
            page.locator(
                f'.leaflet-popup-content [data-action="wish"][data-post="{post["id"]}"]'
            ).click()
            page.wait_for_selector(f"#cesp-wishes li:nth-child({1 if post is courneuve else 2})")
        page.click("#cesp-wishes [data-wish-up='1']")  # Bobigny first
        assert "pas encore envoyés" in page.inner_text("#cesp-wishes")
        page.click("#cesp-send-wishes")
        dialog = page.locator("dialog.cesp-dialog[open]")
        text = dialog.inner_text()
        assert text.index("Bobigny") < text.index("Courneuve") and "clôture" in text, text
        assert _serious(page) == [], "axe on the wishes dialog"
        screenshot(page, "wishes-confirm")
        dialog.locator(".cesp-confirm").click()
        wait_until(
            page,
            "document.getElementById('cesp-choice-message').textContent"
            ".includes('Vœux enregistrés')",
        )
        mine = page.evaluate(
            f"fetch('/api/v1/campaigns/{campaign['id']}/applications/mine', {{headers: "
            "{Authorization: 'Bearer ' + sessionStorage.getItem('cesp.key')}}).then(r => r.json())"
        )
        assert [w["post_id"] for w in mine["wishes"]] == [bobigny["id"], courneuve["id"]]
    assert [e for e in browser.console_errors if "409" not in e] == []
    assert browser.outside_requests() == []


def test_keyboard_only_choice_is_confirmed_and_announced(
    server: LiveServer, keys: dict[str, str], map_engine: sa.Engine
) -> None:
    campaign, (bobigny, _courneuve) = seed_posts(server, keys, kind="internat")
    first, _second = _interns(map_engine, campaign["id"])
    with chromium() as browser:
        page = browser.page(SIZES["1366x768"])
        page.goto(f"{server.base}/map?region=11&campaign={campaign['id']}")
        wait_ready(page)
        page.focus("#cesp-key")
        page.keyboard.type(first)
        page.keyboard.press("Enter")
        page.wait_for_selector(".cesp-me", timeout=30_000)
        wait_until(page, "CespMap.context.state.settled === true", timeout=30_000)
        page.focus(".cesp-panel-body summary")
        page.keyboard.press("Enter")  # opens the list of posts
        page.focus(f'#cesp-post-list button[data-post="{bobigny["id"]}"]')
        page.keyboard.press("Enter")  # opens the post's popup, focus on its button
        wait_until(
            page,
            "document.activeElement && document.activeElement.dataset.action === 'choose'",
            timeout=30_000,
        )
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
        page.keyboard.press("Enter")  # asks for confirmation
        dialog = page.locator("dialog.cesp-dialog[open]")
        dialog.wait_for()
        assert "rang 1" in dialog.inner_text() and "définitif" in dialog.inner_text()
        assert page.evaluate("document.activeElement.className") == "cesp-cancel"
        assert _serious(page) == [], "axe on the choice dialog"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "cesp-confirm"
        page.keyboard.press("Enter")
        wait_until(
            page,
            "document.getElementById('cesp-choice-message').textContent.includes('Poste choisi')",
            timeout=30_000,
        )
        message = page.locator("#cesp-choice-message")
        assert message.get_attribute("role") == "status"
        # (the replaced popup fades out for 200 ms first)
        wait_until(page, "!document.querySelector('[data-action=\"choose\"]')")
        me = page.evaluate(
            "fetch('/api/v1/me', {headers: {Authorization: 'Bearer '"
            " + sessionStorage.getItem('cesp.key')}}).then(r => r.json())"
        )
        assert me["rank"] == 1 and me["has_chosen"] and me["chosen_post_id"] == bobigny["id"]
        screenshot(page, "choice-keyboard")
        page.locator(".leaflet-container").first.focus()
        page.evaluate("CespMap.context.map.closePopup()")
        page.keyboard.press("Enter")  # the map's own keyboard check, at its centre
        page.wait_for_selector(".leaflet-popup-content .cesp-answer", timeout=30_000)
        wait_until(
            page,
            "document.getElementById('cesp-live').textContent.includes('éligib')"
            " || document.getElementById('cesp-live').textContent.includes('Éligib')",
            timeout=10_000,
        )
    assert browser.outside_requests() == []


def test_preview_names_english_browser_and_name_key(server: LiveServer, decree: Decree) -> None:
    names = [
        "St-Denis",
        "L'Haÿ-les-Roses",
        "La Courneuve",
        "Œuilly",
        "SAINTE-MARIE",
        "Le Blanc-Mesnil",
    ]
    with chromium(locale="en-US") as browser:
        page = browser.page(SIZES["1366x768"])
        page.goto(f"{server.base}/map?region=11&date=2026-09-01")
        wait_ready(page)
        date_input = page.locator("#cesp-date-input")
        assert date_input.input_value() == "01/09/2026"
        assert page.locator("label[for=cesp-date-input]").is_visible()
        date_input.fill("15/03/2011")
        date_input.press("Enter")
        wait_until(page, "CespMap.context.state.date === '2011-03-15'")
        date_input.fill("2011-03-15")
        date_input.press("Enter")
        assert date_input.get_attribute("aria-invalid") == "true"
        assert "jj/mm/aaaa" in page.inner_text("#cesp-status")
        keys = page.evaluate("names => names.map(CespMap.nameKey)", names)
        assert keys == [name_key(n) for n in names]

        page.fill("#cesp-date-input", "01/09/2026")
        page.press("#cesp-date-input", "Enter")
        page.evaluate("CespMap.context.map.setView([48.90, 2.42], 13, {animate: false})")
        wait_until(
            page,
            "[...document.querySelectorAll('.cesp-label')].some(l => l.textContent === 'Bobigny')",
            timeout=30_000,
        )
        boundaries = page.evaluate(
            """(() => {
              const map = CespMap.context.map, pane = map.getPane('cesp-communes');
              const z = (p) => Number(getComputedStyle(p).zIndex);
              const over = map.getPane('overlayPane');
              return [pane.querySelectorAll('path').length, z(pane) > z(over)];
            })()"""
        )
        assert boundaries[0] > 0 and boundaries[1], "commune boundaries over the land's fill"
        page.evaluate("CespMap.context.map.setView([48.892, 2.345], 14, {animate: false})")
        wait_until(
            page,
            "[...document.querySelectorAll('.cesp-label--arrondissement')]"
            ".some(l => l.textContent.includes('18'))",
            timeout=30_000,
        )
        screenshot(page, "names")
        assert _serious(page) == [], "axe on the map"

        page.goto(f"{server.base}/map/preview?decree={decree.id}")
        wait_ready(page)
        assert _serious(page) == [], "axe on the preview"
        screenshot(page, "preview")
    assert browser.outside_requests() == []
