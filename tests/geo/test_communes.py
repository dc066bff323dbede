"""Commune resolution against the loaded reference geography."""

from datetime import date

import pytest
import sqlalchemy as sa

from cesp.errors import InvalidInputError, NotFoundError, OutsideTerritoryError
from cesp.geo.communes import resolve_code, resolve_point
from cesp.geo.search import search_names


@pytest.mark.parametrize(
    ("lon", "lat", "code", "arrondissement"),
    [
        (2.3522, 48.8566, "75056", "75104"),  # Hôtel de Ville
        (2.2945, 48.8584, "75056", "75107"),  # Eiffel Tower
        (2.3890, 48.9236, "93027", None),  # La Courneuve
        (2.4400, 48.9100, "93008", None),  # Bobigny
        (4.8357, 45.7640, "69123", None),  # Lyon
        (55.4500, -20.8800, "97411", None),  # Saint-Denis (La Réunion)
        (8.7369, 41.9192, "2A004", None),  # Ajaccio
    ],
)
def test_point_lookup_at_known_places(
    conn: sa.Connection, lon: float, lat: float, code: str, arrondissement: str | None
) -> None:
    result = resolve_point(conn, lon, lat)
    assert result.commune.code == code
    assert not result.approximate
    assert (result.arrondissement.code if result.arrondissement else None) == arrondissement


def test_point_in_a_reestablished_commune_is_flagged_with_candidates(
    conn: sa.Connection,
) -> None:
    # Inside the 2018 polygon of Neussargues-Moissac (15141), split in 2025.
    result = resolve_point(conn, 2.95, 45.17)
    assert result.commune.code == "15141"
    assert result.approximate
    assert {u.code for u in result.candidates} == {"15031", "15035", "15047", "15171"}


def test_point_at_a_past_date_names_the_commune_of_that_time(conn: sa.Connection) -> None:
    # Estouches (91222) merged into Le Mérévillois (91390) on 2019-01-01.
    estouches = resolve_code(conn, "91222", date(2012, 5, 24), with_geometry=True)
    assert estouches.unit.geometry is not None
    point = estouches.unit.geometry.representative_point()
    then = resolve_point(conn, point.x, point.y, date(2012, 5, 24))
    now = resolve_point(conn, point.x, point.y)
    assert (then.commune.code, then.commune.name) == ("91222", "Estouches")
    assert (now.commune.code, now.commune.name) == ("91390", "Le Mérévillois")


def test_points_outside_france_are_refused(conn: sa.Connection) -> None:
    with pytest.raises(OutsideTerritoryError):
        resolve_point(conn, -5.0, 46.5)  # Atlantic
    with pytest.raises(InvalidInputError) as info:
        resolve_point(conn, 2.0, 95.0)
    assert info.value.field == "lat"


@pytest.mark.parametrize("former", ["91390", "91222"])
def test_merged_commune_resolves_from_each_former_code(conn: sa.Connection, former: str) -> None:
    then = resolve_code(conn, former, date(2012, 5, 24))
    assert then.status == "in_force"
    assert then.unit.valid_to == date(2019, 1, 1)
    assert not then.unit.approximate
    assert [u.code for u in then.now] == ["91390"]
    assert then.now[0].name == "Le Mérévillois"


def test_former_code_today_says_where_it_lives(conn: sa.Connection) -> None:
    today = resolve_code(conn, "91222")
    assert today.status == "ended"
    assert today.unit.name == "Estouches"
    assert [(u.code, u.name) for u in today.now] == [("91390", "Le Mérévillois")]


def test_commune_merged_before_the_vintage_is_approximate(conn: sa.Connection) -> None:
    for code in ("77166", "77170", "77299"):  # Écuelles, Épisy, Montarlot
        result = resolve_code(conn, code, date(2012, 5, 24), with_geometry=True)
        assert result.status == "in_force"
        assert result.unit.approximate
        assert "77316" in (result.unit.approximate_reason or "")
        assert result.unit.geometry is not None
        assert [u.code for u in result.now] == ["77316"]


def test_reestablished_commune_by_code(conn: sa.Connection) -> None:
    today = resolve_code(conn, "15031")
    assert today.status == "in_force" and today.unit.name == "Celles"
    assert today.unit.approximate and "15141" in (today.unit.approximate_reason or "")
    in_2020 = resolve_code(conn, "15031", date(2020, 1, 1))
    assert in_2020.status == "ended"  # part of Neussargues en Pinatelle then
    assert [u.code for u in in_2020.now] == ["15031"]


def test_code_errors(conn: sa.Connection) -> None:
    with pytest.raises(NotFoundError):
        resolve_code(conn, "99999")
    with pytest.raises(InvalidInputError) as info:
        resolve_code(conn, "9302")
    assert info.value.field == "code"


@pytest.mark.parametrize("query", ["Courneuve", "LA COURNEUVE", "la-courneuve", "la courneuve"])
def test_name_search_variants(conn: sa.Connection, query: str) -> None:
    assert search_names(conn, query)[0].unit.code == "93027"


def test_homonyms_are_ranked_and_carry_their_departement(conn: sa.Connection) -> None:
    hits = search_names(conn, "saint-denis", limit=20)
    exact = [h for h in hits if h.rank == 0]
    assert len(exact) >= 3
    assert exact[0].unit.population >= exact[1].unit.population
    assert {"93066", "97411"} <= {h.unit.code for h in exact}
    in_93 = search_names(conn, "saint denis", departement="93")
    assert in_93[0].unit.code == "93066" and in_93[0].unit.departement_name == "Seine-Saint-Denis"


def test_prefix_ranks_after_exact(conn: sa.Connection) -> None:
    hits = search_names(conn, "paris", limit=5)
    assert hits[0].unit.code == "75056" and hits[0].rank == 0
    assert all(h.rank > 0 for h in hits[1:])


def test_name_search_bad_input(conn: sa.Connection) -> None:
    with pytest.raises(InvalidInputError) as info:
        search_names(conn, "-")
    assert info.value.field == "q"
