"""A decree naming a commune that has since merged into a larger one covers the former
commune's own ground only: not the rest of its successor (a wrong « éligible » there
costs a doctor the penalty)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cesp.eligibility.check import check
from cesp.eligibility.index import build_index
from cesp.eligibility.sites import CommuneSite, PointSite
from cesp.errors import InvalidInputError
from cesp.geo.communes import resolve_code
from tests.zones.helpers import publish_codes

ON = date(2026, 7, 1)
BASILICA = PointSite(2.3596, 48.9356)  # Saint-Denis, outside former Pierrefitte


def test_a_former_commune_zones_its_own_ground_not_its_successor(
    idf_engine: sa.Engine, tmp_path: Path
):
    publish_codes(
        idf_engine,
        tmp_path / "pierrefitte.csv",
        "code_insee;nom_zone;categorie\n93059;Pierrefitte;ZIP\n",
        reference="2026-PIERREFITTE",
        signed=date(2026, 5, 1),
        effective_from=date(2026, 6, 1),
    )
    with idf_engine.connect() as conn:
        former = resolve_code(conn, "93059", date(2020, 1, 1), with_geometry=True).unit
        inside = former.geometry.representative_point()
        index = build_index(idf_engine)
        in_saint_denis = check(index, conn, BASILICA, ON)
        in_former = check(index, conn, PointSite(inside.x, inside.y), ON)
        whole = check(index, conn, CommuneSite("93066"), ON)
    assert in_saint_denis.commune is not None and in_saint_denis.commune.code == "93066"
    assert in_saint_denis.status == "not_eligible"
    assert not in_saint_denis.eligible
    assert in_former.eligible and in_former.status == "eligible"
    assert [z.name for z in in_former.zones] == ["Pierrefitte"]
    assert whole.status == "partial"


def test_a_former_code_says_in_french_which_commune_it_is_part_of_now(idf_engine: sa.Engine):
    index = build_index(idf_engine)
    with idf_engine.connect() as conn, pytest.raises(InvalidInputError) as caught:
        check(index, conn, CommuneSite("93059"), ON)
    message_fr = caught.value.message_fr or ""
    assert "n'est pas une commune au 01/07/2026" in message_fr
    assert "fait désormais partie de Saint-Denis (93066)" in message_fr
    assert caught.value.field == "insee"
