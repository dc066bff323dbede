"""The database of the OGC tests, built once per test module: Paris and the petite
couronne with decree 12-209 (2012, codes) and the drawn decree 17-1000 (2018)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from cesp.audit import Actor
from cesp.eligibility.index import build_index
from cesp.posts.store import add_posts
from cesp.storage import schema
from cesp.storage.engine import create_engine, write_transaction
from cesp.zones.decrees import Decree
from cesp.zones.importer import import_decree
from tests.posts.conftest import post_row
from tests.zones.helpers import (
    PETITE_COURONNE,
    cached_template,
    fill_from,
    publish_codes,
    publish_drawn_2018,
    request,
)

DRAFT_CODES = "code_insee;nom_zone\n93008;Bobigny\n"


def zoned_database(
    database_url: str, data_dir: Path, factory: pytest.TempPathFactory
) -> tuple[str, Decree, Decree]:
    """URL of a fresh database holding 75, 92, 93, both published decrees and a draft
    (19-draft, which no collection may show), two posts (a practice site in La Courneuve,
    an intern post in Boulogne-Billancourt), and the two published decrees.

    SpatiaLite: a new file; PostGIS: the ``<db>_2`` scratch database, emptied (tests of one
    module run one after the other, so the module owns it while it runs).
    """
    work = factory.mktemp("ogc")
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{work / 'ogc.sqlite'}"
    else:
        parsed = make_url(database_url)
        url = parsed.set(database=f"{parsed.database}_2").render_as_string(hide_password=False)
    engine = create_engine(url)
    schema.downgrade(engine, "base")
    schema.upgrade(engine)
    template = cached_template(database_url, data_dir, factory, PETITE_COURONNE)
    fill_from(engine, url, data_dir, template, PETITE_COURONNE).dispose()
    engine = create_engine(url)
    decree_2012 = publish_codes(engine, work / "12-209.csv")
    decree_2018 = publish_drawn_2018(engine, work / "17-1000.geojson")
    draft = work / "draft.csv"
    draft.write_text(DRAFT_CODES, encoding="utf-8")
    unpublished = request(
        reference="19-draft",
        signed=date(2019, 6, 1),
        effective_from=date(2019, 7, 1),
        category="ZIP",
    )
    report = import_decree(engine, draft, unpublished, actor="test")
    assert report.decree is not None and report.decree.status == "draft", report
    with write_transaction(engine) as conn:
        add_posts(
            conn,
            build_index(engine),
            [
                (None, post_row(engine, "93027", "OGC-E1")),
                (None, post_row(engine, "92012", "OGC-I1", kind="internat", mode="salarie")),
            ],
            2026,
            Actor("test", "admin"),
            date(2026, 1, 15),
        )
    engine.dispose()
    return url, decree_2012, decree_2018
