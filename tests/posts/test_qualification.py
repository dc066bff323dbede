"""The three-year rule (code de l'éducation art. L.632-6) and re-flagging by a new decree.

Decree 12-209 (in force from 2012-05-24) puts Bobigny in a zone; the drawn decree
17-1000 (in force from 2018-01-01) keeps only La Courneuve and half of Drancy: a
Bobigny site is in zone until 2017-12-31, out of zone from 2018-01-01.
"""

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cesp.errors import ValidationFailedError
from cesp.posts.qualification import change_dates, qualify_sites, years_before
from cesp.posts.store import add_posts, get_post, qualifications
from cesp.storage.engine import write_transaction
from tests.posts.conftest import ARS_IDF, index_of, inside, post_row
from tests.zones.helpers import publish_codes, publish_drawn_2018

LEFT = date(2018, 1, 1)


@pytest.fixture
def history_engine(idf_engine: sa.Engine, tmp_path: Path) -> sa.Engine:
    publish_codes(idf_engine, tmp_path / "12-209.csv")
    publish_drawn_2018(idf_engine, tmp_path / "17-1000.geojson")
    return idf_engine


def test_years_before_keeps_the_calendar_day_and_folds_29_february() -> None:
    assert years_before(date(2021, 1, 1), 3) == date(2018, 1, 1)
    assert years_before(date(2024, 2, 29), 3) == date(2021, 2, 28)


def test_history_dates_are_the_decrees_starts(history_engine: sa.Engine) -> None:
    days = change_dates(index_of(history_engine), "medecin", date(2026, 1, 1))
    assert days == [date(2012, 5, 24), LEFT, date(2026, 1, 1)]


def test_bobigny_is_in_zone_before_2018_then_out_of_zone_since_2018(
    history_engine: sa.Engine,
) -> None:
    index = index_of(history_engine)
    lon, lat = inside(history_engine, "93008")
    before, after, later = (
        qualify_sites(index, [lon], [lat], ["medecin"], day)[0]
        for day in (date(2017, 12, 31), date(2019, 8, 1), date(2026, 1, 1))
    )
    assert before.status == "in_zone" and before.qualifies
    assert after.status == "grandfathered" and after.qualifies
    assert after.out_of_zone_since == LEFT and after.last_in_zone == date(2017, 12, 31)
    assert "depuis le 01/01/2018" in after.label_fr and "L.632-6" in after.label_fr
    assert later.status == "out_of_zone" and not later.qualifies
    assert later.label_fr == "Hors zone depuis le 01/01/2018"


def test_la_courneuve_stays_in_zone_through_both_decrees(history_engine: sa.Engine) -> None:
    index = index_of(history_engine)
    lon, lat = inside(history_engine, "93027")
    assert qualify_sites(index, [lon], [lat], ["medecin"], date(2026, 1, 1))[0].status == "in_zone"


def test_a_site_never_in_a_zone_says_so(history_engine: sa.Engine) -> None:
    index = index_of(history_engine)
    lon, lat = inside(history_engine, "92012")  # Boulogne-Billancourt
    q = qualify_sites(index, [lon], [lat], ["medecin"], date(2026, 1, 1))[0]
    assert q.status == "out_of_zone" and q.out_of_zone_since is None


@pytest.mark.parametrize(
    ("published", "kept"),
    [
        (date(2019, 12, 31), True),  # left 2 years before publication
        (date(2020, 12, 31), True),  # last day in zone exactly 3 years before
        (date(2021, 1, 1), False),  # one day too late
        (date(2022, 1, 1), False),  # left 4 years before publication
    ],
)
def test_three_year_rule_keeps_a_site_that_left_2_years_before_and_refuses_4_years(
    history_engine: sa.Engine, published: date, kept: bool
) -> None:
    index = index_of(history_engine)
    row = post_row(history_engine, "93008", "BOB-1")
    with write_transaction(history_engine) as conn:
        if kept:
            [post_id] = add_posts(conn, index, [(2, row)], 2026, ARS_IDF, published)
            q = qualifications(index, [get_post(conn, post_id)], published)[0]
            assert q.status == "grandfathered"
        else:
            with pytest.raises(ValidationFailedError) as error:
                add_posts(conn, index, [(2, row)], 2026, ARS_IDF, published)
            [problem] = error.value.problems
            assert problem.row == 2 and "trois années" in problem.message_fr


def test_a_new_decree_reflags_a_post_without_deleting_it(
    idf_engine: sa.Engine, tmp_path: Path
) -> None:
    publish_codes(idf_engine, tmp_path / "12-209.csv")
    index = index_of(idf_engine)
    with write_transaction(idf_engine) as conn:
        [post_id] = add_posts(
            conn,
            index,
            [(2, post_row(idf_engine, "93008", "BOB-2"))],
            2017,
            ARS_IDF,
            date(2017, 6, 1),
        )
    today = date(2026, 1, 1)
    with idf_engine.connect() as conn:
        post = get_post(conn, post_id)
    assert qualifications(index, [post], today)[0].status == "in_zone"
    publish_drawn_2018(idf_engine, tmp_path / "17-1000.geojson")
    after = qualifications(index_of(idf_engine), [post], today)[0]
    assert after.status == "out_of_zone" and after.out_of_zone_since == LEFT
    with idf_engine.connect() as conn:
        assert get_post(conn, post_id).status == "open"


def test_no_three_year_grace_before_the_law_that_made_it(history_engine: sa.Engine) -> None:
    # L.632-6's three-year rule comes from loi n°2019-774 (JORF 26 July 2019), in force
    # from 2019-07-27: a list published on 2019-07-26 keeps no site that left its zone,
    # and the list import refuses it saying why.
    index = index_of(history_engine)
    lon, lat = inside(history_engine, "93008")
    eve, first = (
        qualify_sites(index, [lon], [lat], ["medecin"], day)[0]
        for day in (date(2019, 7, 26), date(2019, 7, 27))
    )
    assert eve.status == "out_of_zone" and not eve.qualifies and eve.kept_until is None
    assert "maintenu" not in eve.label_fr and "27/07/2019" in eve.label_fr
    assert first.status == "grandfathered" and first.kept_until == date(2020, 12, 31)
    row = post_row(history_engine, "93008", "BOB-EVE")
    with (
        pytest.raises(ValidationFailedError) as error,
        write_transaction(history_engine) as conn,
    ):
        add_posts(conn, index, [(2, row)], 2019, ARS_IDF, date(2019, 7, 26))
    [problem] = error.value.problems
    assert "27/07/2019" in problem.message_fr and "2019-774" in problem.message_fr
