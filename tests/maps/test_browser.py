"""The map in a real browser (headless Debian Chromium), served by ``cesp serve``.

At a laptop's width and at a phone's: the zones and the post markers are drawn, a
click in a zone says eligible and a click outside says not, and the page asked nothing
of any host but 127.0.0.1. Screenshots go to var/screenshots (ignored by git).
"""

import pytest
from playwright.sync_api import Page

from tests.api.live_server import LiveServer
from tests.maps.browser import LAPTOP, PHONE, chromium, screenshot, wait_ready, wait_until
from tests.maps.conftest import open_campaign, seed_posts

BOBIGNY = (48.905, 2.452)  # in zone "Bobigny" of decree 12-209, away from the posts
PARIS_7E = (48.8570, 2.3120)  # in no zone


def _click_at(page: Page, lat: float, lon: float) -> str:
    """Click the map at a point and return the text of the answer popup."""
    page.evaluate("CespMap.context.map.closePopup()")
    page.wait_for_selector(".leaflet-popup", state="detached")  # after its fade-out
    page.evaluate(f"CespMap.context.map.setView([{lat}, {lon}], 13, {{animate: false}})")
    page.wait_for_timeout(300)
    x, y = page.evaluate(
        f"(() => {{ const p = CespMap.context.map.latLngToContainerPoint([{lat}, {lon}]);"
        " return [p.x, p.y]; })()"
    )
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_selector(".leaflet-popup-content .cesp-answer", timeout=30_000)
    # For the screenshot: the popup has faded in and the map has panned to show it.
    wait_until(
        page,
        "getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
        " && !CespMap.context.map._panAnim?._inProgress",
    )
    return page.inner_text(".leaflet-popup-content")


@pytest.mark.parametrize("name,viewport", [("laptop", LAPTOP), ("phone", PHONE)])
def test_map_in_a_browser(
    server: LiveServer, keys: dict[str, str], name: str, viewport: dict[str, int]
) -> None:
    campaign, _posts = seed_posts(server, keys)
    open_campaign(server, keys, campaign["id"])
    with chromium() as browser:
        page = browser.page(viewport)
        page.goto(f"{server.base}/map?region=11")
        wait_ready(page)
        zones = page.evaluate(
            "CespMap.context.layers.zones.getLayers().flatMap(g => g.getLayers()).length"
        )
        assert zones == 5
        assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() >= 5
        assert (page.locator(".cesp-legend").text_content() or "").count("Zone déficitaire") == 1
        page.evaluate("CespMap.context.map.setView([48.88, 2.38], 12, {animate: false})")
        page.wait_for_timeout(500)
        assert page.locator(".leaflet-marker-pane .cesp-pin").count() == 2
        assert page.locator(".leaflet-marker-pane .cesp-pin--open").count() == 2
        screenshot(page, f"map-{name}")

        inside = _click_at(page, *BOBIGNY)
        assert inside.startswith("Éligible au CESP") and "Bobigny" in inside
        assert "12-209" in inside
        screenshot(page, f"map-{name}-eligible")
        outside = _click_at(page, *PARIS_7E)
        assert outside.startswith("Non éligible au CESP")
        assert "Zone éligible la plus proche" in outside
        # On a phone the legend gives way to the open popup instead of covering it.
        assert page.locator(".cesp-legend").is_visible() == (name == "laptop")
        screenshot(page, f"map-{name}-not-eligible")

        page.fill("#cesp-search-input", "courneuve")
        page.wait_for_selector(".cesp-search-results button", timeout=30_000)
        page.click(".cesp-search-results button")
        wait_until(
            page,  # La Courneuve: the map flies to it
            "(() => { const c = CespMap.context.map.getCenter();"
            " return Math.abs(c.lat - 48.93) < 0.03 && Math.abs(c.lng - 2.39) < 0.03; })()",
            timeout=30_000,
        )

        page.fill("#cesp-date-input", "01/06/2011")
        page.press("#cesp-date-input", "Enter")
        wait_until(
            page, "CespMap.context.state.zones && CespMap.context.state.zones.date === '2011-06-01'"
        )
        assert "Aucune zone en vigueur" in (page.locator(".cesp-legend").text_content() or "")

    assert browser.console_errors == []
    assert browser.outside_requests() == [], "the page must load nothing from outside"
    assert any("/api/v1/eligibility" in url for url in browser.requests)
