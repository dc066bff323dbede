"""The choice of post with the keyboard alone: the focus is never lost to the page.

After each action the popup or the form is drawn again; the focus must land on a
control of the new drawing (not on the page's body, where Escape no longer closes the
popup and Tab starts over from the top), the confirmation dialog keeps Tab inside it,
and the popup's close button speaks French.
"""

import sqlalchemy as sa
from playwright.sync_api import Page

from tests.api.live_server import LiveServer
from tests.maps.browser import LAPTOP, chromium, screenshot, wait_ready, wait_until
from tests.maps.conftest import seed_posts
from tests.maps.test_browser_choice import _interns

FOCUS = """() => { const a = document.activeElement; return a === document.body ? 'BODY'
  : [a.id, a.className, a.dataset.action || '', a.closest('.leaflet-popup') ? 'popup' : '']
    .join('|'); }"""


def _focus(page: Page) -> str:
    return str(page.evaluate(FOCUS))


def _sign_in_by_keyboard(page: Page, token: str) -> None:
    page.focus("#cesp-key")
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    page.wait_for_selector(".cesp-me", timeout=30_000)
    wait_until(page, "CespMap.context.state.settled === true", timeout=30_000)
    assert _focus(page).startswith("cesp-signout|"), "focus on the button that replaced it"


def _open_from_list(page: Page, post_id: int) -> None:
    if not page.evaluate("document.querySelector('.cesp-panel-body details').open"):
        page.focus(".cesp-panel-body summary")
        page.keyboard.press("Enter")
    page.focus(f'#cesp-post-list button[data-post="{post_id}"]')
    page.keyboard.press("Enter")
    wait_until(page, "document.activeElement.closest('.leaflet-popup') !== null", timeout=30_000)


def test_focus_follows_each_action_of_a_choice(
    server: LiveServer, keys: dict[str, str], map_engine: sa.Engine
) -> None:
    campaign, (bobigny, _courneuve) = seed_posts(server, keys, kind="internat")
    first, _second = _interns(map_engine, campaign["id"])
    with chromium() as browser:
        page = browser.page(LAPTOP)
        page.goto(f"{server.base}/map?region=11&campaign={campaign['id']}")
        wait_ready(page)
        _sign_in_by_keyboard(page, first)
        _open_from_list(page, bobigny["id"])
        assert _focus(page).endswith("|choose|popup")
        close = page.locator(".leaflet-popup-close-button")
        assert close.get_attribute("aria-label") == "Fermer la fenêtre"

        page.keyboard.press("Enter")  # asks for confirmation
        dialog = page.locator("dialog.cesp-dialog[open]")
        dialog.wait_for()
        assert _focus(page) == "|cesp-cancel||"
        page.keyboard.press("Tab")
        assert _focus(page) == "|cesp-confirm||"
        page.keyboard.press("Tab")  # round, not out of the dialog
        assert _focus(page) == "|cesp-cancel||"
        page.keyboard.press("Shift+Tab")
        assert _focus(page) == "|cesp-confirm||"
        page.keyboard.press("Escape")  # cancels: the popup is drawn again
        dialog.wait_for(state="detached")
        wait_until(page, "document.activeElement.dataset.action === 'choose'")
        assert _focus(page).endswith("|choose|popup")

        page.keyboard.press("Escape")  # closes the popup: back to the list's button
        page.wait_for_selector(".leaflet-popup", state="detached")
        wait_until(page, f"document.activeElement.dataset.post === '{bobigny['id']}'")

        page.keyboard.press("Enter")  # the same post again, and this time confirmed
        wait_until(page, "document.activeElement.dataset.action === 'choose'", timeout=30_000)
        page.keyboard.press("Enter")
        dialog.wait_for()
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        wait_until(
            page,
            "document.getElementById('cesp-choice-message').textContent.includes('Poste choisi')",
            timeout=30_000,
        )
        wait_until(page, "document.activeElement.closest('.leaflet-popup-content') !== null")
        assert "Vous avez choisi ce poste" in page.evaluate(
            "document.activeElement.closest('.leaflet-popup').textContent"
        )
        screenshot(page, "keyboard-choice-done")
        page.keyboard.press("Escape")
        page.wait_for_selector(".leaflet-popup", state="detached")
        assert _focus(page) != "BODY"
    assert browser.outside_requests() == []


def test_focus_follows_a_wish_and_the_sign_out(
    server: LiveServer, keys: dict[str, str], map_engine: sa.Engine
) -> None:
    campaign, (bobigny, _courneuve) = seed_posts(server, keys, kind="exercice")
    first, _second = _interns(map_engine, campaign["id"])
    with chromium() as browser:
        page = browser.page(LAPTOP)
        page.goto(f"{server.base}/map?region=11&campaign={campaign['id']}")
        wait_ready(page)
        _sign_in_by_keyboard(page, first)
        _open_from_list(page, bobigny["id"])
        assert _focus(page).endswith("|wish|popup")
        page.keyboard.press("Enter")  # "Ajouter à mes vœux": the popup is drawn again
        wait_until(
            page,
            "document.activeElement.closest('.leaflet-popup') !== null"
            " && document.activeElement.closest('.leaflet-popup').textContent"
            ".includes('Dans vos vœux')",
        )
        page.keyboard.press("Escape")
        page.wait_for_selector(".leaflet-popup", state="detached")
        assert _focus(page) != "BODY"
        page.focus("#cesp-signout")
        page.keyboard.press("Enter")
        assert _focus(page).startswith("cesp-key|")
    assert browser.outside_requests() == []
