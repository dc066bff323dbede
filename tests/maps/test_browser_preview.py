"""The preview of a draft across a merger of communes, as its reader sees it: the
legend and the popups tell what the map draws (former Pierrefitte stays, former
Saint-Denis enters) and say a population is unknown rather than show 0."""

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from tests.api.live_server import LiveServer
from tests.maps.browser import LAPTOP, chromium, screenshot, wait_ready
from tests.zones.helpers import import_codes
from tests.zones.test_ground_diff import DRAFT_2027


def test_preview_legend_across_a_merger(
    server: LiveServer, map_engine: sa.Engine, tmp_path: Path
) -> None:
    report = import_codes(
        map_engine,
        tmp_path / "draft.csv",
        DRAFT_2027,
        reference="27-001",
        signed=date(2026, 11, 2),
        effective_from=date(2027, 1, 1),
    )
    with chromium() as browser:
        page = browser.page(LAPTOP)
        page.goto(f"{server.base}/map/preview?decree={report.decree.id}")
        wait_ready(page)
        legend = page.inner_text(".cesp-legend-body")
        assert "Entrent : 1 commune(s), population inconnue" in legend, legend
        assert "Sortent : 3 commune(s)" in legend and "Restent : 2 commune(s)" in legend
        assert " 0 hab." not in legend
        popups = page.evaluate(
            "(() => { const out = {}; for (const k of ['entering', 'leaving'])"
            " CespMap.context.layers[k].eachLayer(g => g.eachLayer(l =>"
            " { out[k] = l.getPopup().getContent(); })); return out; })()"
        )
        assert "Pierrefitte" not in popups["leaving"]
        assert (
            "ancienne commune" in popups["entering"] and "Saint-Denis (93066)" in popups["entering"]
        )
        screenshot(page, "preview-merger")
    assert browser.outside_requests() == []
