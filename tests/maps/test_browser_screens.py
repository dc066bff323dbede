"""The map at the sizes people use: what a layer, a control or a sheet shows is there.

- The commune boundaries, ticked, are drawn from zoom 10 at a laptop's width and a
  large monitor's (the page's padded box stays within what the service draws), and a
  refusal of the service is said in French, not shown as an empty layer.
- On a phone the layer list, the legend and the panel close with Escape; the page can
  be pinch-zoomed (WCAG 1.4.4); the search box's placeholder is not cut.
- On a laptop the panel shows all its controls, the legend giving up room for them.
"""

import pytest
from playwright.sync_api import Page

from tests.api.live_server import LiveServer
from tests.maps.browser import chromium, screenshot, wait_ready, wait_until
from tests.maps.conftest import open_campaign, seed_posts

PHONE = {"width": 390, "height": 844}
COMMUNES = (
    "(() => { let n = 0; CespMap.context.layers.communes.eachLayer("
    "l => { if (l.eachLayer) l.eachLayer(() => n++); else n++; }); return n; })()"
)
STATUS = "((document.getElementById('cesp-status') || {}).textContent || '')"


def _zoom(page: Page, zoom: float) -> None:
    page.evaluate(f"void CespMap.context.map.setView([48.86, 2.35], {zoom}, {{animate: false}})")


@pytest.mark.parametrize(
    "width,height", [(1366, 768), (1920, 1080), (2560, 1440)], ids=["laptop", "hd", "qhd"]
)
def test_commune_boundaries_from_zoom_10(server: LiveServer, width: int, height: int) -> None:
    with chromium() as browser:
        page = browser.page({"width": width, "height": height})
        refused: list[str] = []
        page.on("response", lambda r: r.status == 422 and refused.append(r.url))
        page.goto(f"{server.base}/map")
        wait_ready(page)
        for zoom in (10, 10.5, 11):
            _zoom(page, zoom)
            view = page.evaluate(
                "(() => { const b = CespMap.context.map.getBounds();"
                " return b.getEast() - b.getWest(); })()"
            )
            if view <= 3.0:  # the service draws communes in boxes up to 3 degrees
                wait_until(page, f"{COMMUNES} > 0", timeout=30_000)
            else:  # a very wide screen at zoom 10: the page says to zoom in
                wait_until(page, f"{STATUS}.includes('zoomez davantage')")
        screenshot(page, f"communes-zoom-{width}")
        assert refused == []

        page.route(
            "**/map/data/communes?*",
            lambda route: route.fulfill(
                status=503,
                content_type="application/json",
                body='{"detail": "down", "detail_fr": "Service indisponible."}',
            ),
        )
        _zoom(page, 12)
        wait_until(  # (the status line is shared: wait for this very message)
            page, f"{STATUS}.includes('Limites des communes non affichées : Service indisponible.')"
        )
    assert browser.outside_requests() == []


def test_phone_escape_viewport_and_placeholder(server: LiveServer) -> None:
    with chromium() as browser:
        page = browser.page(PHONE)
        page.goto(f"{server.base}/map?region=11")
        wait_ready(page)
        viewport = page.evaluate("document.querySelector('meta[name=viewport]').content")
        assert "user-scalable=no" not in viewport and "maximum-scale" not in viewport
        fits = page.evaluate(
            """(() => { const i = document.getElementById('cesp-search-input');
              const s = getComputedStyle(i);
              const pen = document.createElement('canvas').getContext('2d');
              pen.font = s.font;
              const room = i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
              return [i.placeholder, pen.measureText(i.placeholder).width + 8 <= room]; })()"""
        )
        assert fits[0].endswith("ommune…") and fits[1], f"placeholder cut: {fits}"

        expanded = "document.querySelector('.leaflet-control-layers')"
        expanded += ".classList.contains('leaflet-control-layers-expanded')"
        page.focus(".leaflet-control-layers-toggle")
        page.keyboard.press("Enter")
        assert page.evaluate(expanded)
        screenshot(page, "phone-layers-open")
        page.keyboard.press("Tab")  # on the first layer's box
        page.keyboard.press("Escape")
        assert not page.evaluate(expanded)
        assert page.evaluate("document.activeElement.className") == "leaflet-control-layers-toggle"

        for toggle, body in (
            (".cesp-legend-toggle", "#cesp-legend-body"),
            (".cesp-panel-toggle", "#cesp-panel-body"),
        ):
            page.focus(toggle)
            page.keyboard.press("Enter")
            assert page.locator(body).is_visible()
            page.keyboard.press("Tab")
            page.keyboard.press("Escape")
            assert not page.locator(body).is_visible(), f"{body} closes with Escape"
            assert page.evaluate(
                "sel => document.activeElement === document.querySelector(sel)", toggle
            )
    assert browser.outside_requests() == []


def test_laptop_panel_shows_all_its_controls(server: LiveServer, keys: dict[str, str]) -> None:
    campaign, _posts = seed_posts(server, keys)
    open_campaign(server, keys, campaign["id"])
    with chromium() as browser:
        page = browser.page({"width": 1366, "height": 768})
        page.goto(f"{server.base}/map?region=11")
        wait_ready(page)
        wait_until(page, "document.querySelector('.cesp-legend-extra h2') !== null")
        page.wait_for_timeout(300)  # the column shared again once the posts are in
        screenshot(page, "laptop-panel")
        clipped = page.evaluate(
            """(() => { const body = document.querySelector('.cesp-panel-body');
              const inner = body.getBoundingClientRect();
              const summary = body.querySelector('summary').getBoundingClientRect();
              return [body.scrollHeight - body.clientHeight, summary.bottom - inner.bottom]; })()"""
        )
        assert clipped[0] <= 1 and clipped[1] <= 0, f"panel clipped: {clipped}"
        legend = page.locator(".cesp-legend-body").bounding_box()
        panel = page.locator(".cesp-panel").bounding_box()
        assert legend is not None and panel is not None
        assert panel["y"] + panel["height"] <= legend["y"], "panel and legend apart"
