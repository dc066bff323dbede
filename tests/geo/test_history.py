"""Reconciliation rules on small synthetic histories (no database, no files)."""

from datetime import date

import pytest

from cesp.errors import ReferenceDataError
from cesp.geo.cog import Movement
from cesp.geo.history import reconcile


def mv(
    mod: int,
    when: str,
    before: str,
    name_before: str,
    after: str,
    name_after: str,
    type_before: str = "COM",
    type_after: str = "COM",
) -> Movement:
    return Movement(
        mod,
        date.fromisoformat(when),
        type_before,
        before,
        name_before,
        type_after,
        after,
        name_after,
    )


def test_merger_after_vintage_unions_polygons_and_keeps_former_units_exact() -> None:
    moves = [
        mv(32, "2019-01-01", "91222", "Estouches", "91390", "Le Mérévillois"),
        mv(32, "2019-01-01", "91390", "Méréville", "91390", "Le Mérévillois"),
        mv(32, "2019-01-01", "91390", "Méréville", "91390", "Méréville", type_after="COMD"),
    ]
    result = reconcile(moves, {"91222", "91390"}, {"91390"})
    assert result.current["91390"].parts == {"91222", "91390"}
    assert not result.current["91390"].approximate
    assert result.current_since["91390"] == date(2019, 1, 1)
    former = {(f.code, f.name): f for f in result.former}
    assert former[("91222", "Estouches")].territory.parts == {"91222"}
    assert former[("91390", "Méréville")].territory.parts == {"91390"}
    assert former[("91390", "Méréville")].valid_to == date(2019, 1, 1)
    assert all(not f.territory.approximate for f in former.values())


def test_merger_before_vintage_is_approximated_by_the_absorbing_commune() -> None:
    moves = [
        mv(32, "2015-01-01", "77166", "Écuelles", "77316", "Orvanne"),
        mv(32, "2015-01-01", "77316", "Moret-sur-Loing", "77316", "Orvanne"),
    ]
    result = reconcile(moves, {"77316"}, {"77316"})
    ecuelles = next(f for f in result.former if f.code == "77166")
    assert ecuelles.territory.parts == {"77316"}
    assert ecuelles.territory.approximate
    assert "before the 2018 geometry vintage" in (ecuelles.territory.approximate_reason or "")
    moret = next(f for f in result.former if f.code == "77316")
    assert moret.name == "Moret-sur-Loing" and moret.valid_to == date(2015, 1, 1)


def test_reestablished_commune_without_polygon_shares_the_parent_flagged() -> None:
    moves = [
        mv(21, "2024-01-01", "85084", "Essarts en Bocage", "85084", "Essarts-en-Bocage"),
        mv(21, "2024-01-01", "85084", "Essarts en Bocage", "85165", "L'Oie"),
    ]
    result = reconcile(moves, {"85084"}, {"85084", "85165"})
    child, parent = result.current["85165"], result.current["85084"]
    assert child.parts == parent.parts == {"85084"}
    assert child.approximate and parent.approximate
    assert set(child.candidates) == {"85084", "85165"}
    assert child.geometry_code == "85084"


def test_reestablished_commune_that_had_a_polygon_gets_it_back_exactly() -> None:
    moves = [
        mv(32, "2019-01-01", "60054", "Beaumont-les-Nonains", "60054", "Les Hauts-Talican"),
        mv(32, "2019-01-01", "60455", "La Neuville-Garnier", "60054", "Les Hauts-Talican"),
        mv(32, "2019-01-01", "60694", "Villotran", "60054", "Les Hauts-Talican"),
        mv(21, "2024-01-01", "60054", "Les Hauts-Talican", "60054", "Beaumont-les-Nonains"),
        mv(21, "2024-01-01", "60054", "Les Hauts-Talican", "60694", "Les Hauts-Talican"),
    ]
    result = reconcile(moves, {"60054", "60455", "60694"}, {"60054", "60694"})
    assert result.current["60054"].parts == {"60054"}
    assert result.current["60694"].parts == {"60455", "60694"}
    assert not result.current["60054"].approximate
    assert not result.current["60694"].approximate


def test_code_change_keeps_the_polygon_under_the_new_code() -> None:
    moves = [mv(50, "2024-03-04", "12076", "Conques-en-Rouergue", "12218", "Conques-en-Rouergue")]
    result = reconcile(moves, {"12076"}, {"12218"})
    assert result.current["12218"].parts == {"12076"}
    assert not result.current["12218"].approximate
    old = result.former[0]
    assert (old.code, old.successors, old.event) == ("12076", ("12218",), "code change")


def test_renaming_is_not_a_territorial_change() -> None:
    moves = [mv(10, "2020-01-01", "01001", "Old", "01001", "New")]
    result = reconcile(moves, {"01001"}, {"01001"})
    assert result.former == []
    assert "01001" not in result.current_since


def test_inconsistent_files_are_refused() -> None:
    with pytest.raises(ReferenceDataError, match="no polygon"):
        reconcile([], {"01001"}, {"01001", "01002"})
