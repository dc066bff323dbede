"""The choice of post on the map, in a real browser, through the posts API.

Two interns of an internat campaign (rank order): the second is refused while the
first has not chosen ("not your turn"); the first chooses a post from its popup and
sees its places left go from 2 to 1; then the second chooses the last place of another
post, whose marker turns grey.
"""

import sqlalchemy as sa
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from cesp.audit import Actor
from cesp.keys import create_key
from cesp.posts.beneficiaries import add_beneficiaries, link_key
from cesp.posts.campaigns import set_candidates, set_status
from tests.api.live_server import LiveServer
from tests.maps.browser import LAPTOP, chromium, screenshot, wait_ready, wait_until
from tests.maps.conftest import seed_posts

CNG = Actor("test-cng", "cng")


def _interns(engine: sa.Engine, campaign_id: int) -> list[str]:
    """Two interns of Île-de-France ranked 1 and 2 in the campaign, then the campaign
    opened; returns their key tokens in rank order."""
    rows = [
        (
            i + 2,
            {
                "reference": f"B{i}",
                "name": f"Interne {i}",
                "profession": "medecin",
                "specialty": "médecine générale",  # the posts' (wishes must match it)
                "training_region": "11",
                "requested_on": "2020-09-01",
                "signed_on": "2020-10-01",
                "months_paid": "48",
            },
        )
        for i in (1, 2)
    ]
    tokens = []
    with engine.begin() as conn:
        ids = add_beneficiaries(conn, rows, CNG)
        for b in ids:
            _key, token = create_key(conn, f"interne-{b}", "intern", None, CNG)
            link_key(conn, b, f"interne-{b}", CNG)
            tokens.append(token)
        set_candidates(conn, campaign_id, {ids[0]: 1, ids[1]: 2}, CNG)
        set_status(conn, campaign_id, "open", CNG)
    return tokens


def _sign_in(page: Page, token: str) -> None:
    if page.locator("#cesp-signout").count():
        page.click("#cesp-signout")
    page.fill("#cesp-key", token)
    page.click("#cesp-signin-form button")
    page.wait_for_selector(".cesp-me", timeout=30_000)
    # The page redraws the posts and moves to the intern's region after the sign-in.
    wait_until(page, "CespMap.context.state.settled === true", timeout=30_000)


def _choose(page: Page, post_id: int, expected: str, rank: int) -> str:
    """Open a post's popup, press its choose button, check the confirmation (post,
    campaign, rank, final), confirm, and return the popup's text once it shows the
    service's answer (``expected``)."""
    page.evaluate(f"CespMap.context.map.closePopup(); CespMap.showPost(CespMap.context, {post_id})")
    button = page.locator(f'.leaflet-popup-content [data-action="choose"][data-post="{post_id}"]')
    button.wait_for(timeout=30_000)
    button.click()
    dialog = page.locator("dialog.cesp-dialog[open]")
    dialog.wait_for(timeout=10_000)
    summary = dialog.inner_text()
    assert "Ce choix est définitif" in summary and f"rang {rank}" in summary, summary
    assert "2026" in summary and "internat" in summary and "Centre de santé" in summary
    dialog.locator(".cesp-confirm").click()
    try:
        wait_until(
            page,
            "text => { const p = document.querySelector("
            "'.leaflet-popup-content .cesp-action-answer');"
            " return p !== null && p.textContent.includes(text); }",
            arg=expected,
            timeout=30_000,
        )
    except PlaywrightTimeout as error:  # say what the page showed instead
        shown = page.evaluate(
            "[document.getElementById('cesp-choice-message').textContent,"
            " [...document.querySelectorAll('.leaflet-popup-content')].map(p => p.textContent)]"
        )
        raise AssertionError(f"{expected!r} not shown; panel and popups: {shown}") from error
    # The replaced popup fades out for 200 ms beside the new one: read the new one.
    return page.locator(".leaflet-popup-content:has(.cesp-action-answer)").inner_text()


def test_intern_chooses_a_post_from_its_popup(
    server: LiveServer, keys: dict[str, str], map_engine: sa.Engine
) -> None:
    campaign, (bobigny, courneuve) = seed_posts(server, keys, kind="internat")
    first, second = _interns(map_engine, campaign["id"])
    with chromium() as browser:
        page = browser.page(LAPTOP)
        page.goto(f"{server.base}/map?region=11&campaign={campaign['id']}")
        wait_ready(page)
        assert "2026 – internat" in page.locator("#cesp-campaign").inner_text()

        _sign_in(page, second)
        refused = _choose(page, bobigny["id"], "Choix refusé", 2)
        assert "Choix refusé" in refused and "votre tour" in refused
        assert "2 / 2" in refused
        screenshot(page, "choice-not-your-turn")

        _sign_in(page, first)
        wait_until(
            page,
            "document.querySelector('.cesp-me').textContent.includes('rang 1')",
            timeout=30_000,
        )
        taken = _choose(page, bobigny["id"], "Poste choisi", 1)
        assert "Poste choisi" in taken and "1 / 2" in taken
        assert "Places restantes : 1" in page.inner_text("#cesp-choice-message")
        # The choice is final: no control offers to choose again, on any post.
        assert "Vous avez choisi ce poste" in taken
        # (the replaced popup fades out for 200 ms first)
        wait_until(page, "!document.querySelector('[data-action=\"choose\"]')")
        show = "CespMap.context.map.closePopup(); CespMap.showPost(CespMap.context, %s)"
        page.evaluate(show % courneuve["id"])
        page.wait_for_selector(".leaflet-popup-content .cesp-post", timeout=10_000)
        assert "déjà fait votre choix" in page.locator(".leaflet-popup-content").last.inner_text()
        # (the replaced popup fades out for 200 ms first)
        wait_until(page, "!document.querySelector('[data-action=\"choose\"]')")
        screenshot(page, "choice-taken")

        _sign_in(page, second)
        last = _choose(page, courneuve["id"], "Poste choisi", 2)
        assert "Poste choisi" in last and "0 / 1" in last
        page.evaluate("CespMap.context.map.closePopup()")
        page.evaluate("CespMap.context.map.setView([48.915, 2.41], 13, {animate: false})")
        page.wait_for_timeout(400)
        assert page.locator(".leaflet-marker-pane .cesp-pin--filled").count() == 1
        screenshot(page, "choice-filled")
        assert page.evaluate("sessionStorage.getItem('cesp.key')") == second

    # Chromium logs the refused choice (HTTP 409) as a failed resource: expected.
    assert [e for e in browser.console_errors if "409" not in e] == []
    assert browser.outside_requests() == []
