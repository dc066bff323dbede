"""Decree versioning: publication closes the previous decree; history is never rewritten."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from cesp.audit import Actor
from cesp.errors import InvalidInputError, NotFoundError
from cesp.zones.decrees import decrees_in_force, get_decree, list_decrees
from cesp.zones.diff import diff_decrees
from cesp.zones.importer import import_decree
from cesp.zones.publication import publish_decree
from tests.zones.helpers import counts, request

FIRST = date(2012, 5, 24)
SECOND = date(2018, 1, 1)
# A: La Courneuve, Aubervilliers, Pierrefitte; B: La Courneuve (ZIP), Bobigny (ZAC).
FILE_A = "code_insee;nom_zone\n93027;La Courneuve\n93001;Aubervilliers\n93059;Pierrefitte\n"
FILE_B = "code_insee;nom_zone;categorie\n93027;La Courneuve;ZIP\n93008;Bobigny;ZAC\n"

TEST_ACTOR = Actor("test", "admin")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _second(**overrides):
    fields = {"reference": "17-1000", "signed": date(2017, 12, 15), "effective_from": SECOND}
    return request(**(fields | overrides))


@pytest.fixture
def decree_a(idf_engine, tmp_path: Path):
    path = _write(tmp_path, "a.csv", FILE_A)
    return import_decree(idf_engine, path, request(publish=True), actor="test").decree


def _references(conn: sa.Connection, on: date) -> list[str]:
    return [d.reference for d in list_decrees(conn, on=on)]


def test_publishing_a_newer_decree_supersedes_the_previous(idf_engine, decree_a, tmp_path):
    assert decree_a.status == "published" and decree_a.effective_to is None
    path = _write(tmp_path, "b.csv", FILE_B)
    report = import_decree(idf_engine, path, _second(publish=True), actor="test")

    assert report.status == "published"
    assert [d.id for d in report.superseded] == [decree_a.id]
    with idf_engine.connect() as conn:
        a = get_decree(conn, decree_a.id)
        assert a.status == "superseded"
        assert a.effective_to == date(2017, 12, 31)
        assert a.superseded_by == report.decree.id
        assert _references(conn, date(2017, 12, 31)) == ["12-209"]
        assert _references(conn, date(2018, 1, 1)) == ["17-1000"]
        assert _references(conn, date(2015, 1, 1)) == ["12-209"]
        assert _references(conn, FIRST) == ["12-209"]
        assert _references(conn, FIRST - timedelta(days=1)) == []
        assert _references(conn, date(2030, 1, 1)) == ["17-1000"]
        in_force = decrees_in_force(conn, date(2017, 12, 31), "medecin", "11")
        assert [d.reference for d in in_force] == ["12-209"]
        assert decrees_in_force(conn, date(2018, 1, 1), "chirurgien-dentiste", "11") == []
        assert decrees_in_force(conn, date(2018, 1, 1), "medecin", "84") == []
        assert [d.reference for d in list_decrees(conn, status="superseded")] == ["12-209"]
        diff = diff_decrees(conn, decree_a.id, report.decree.id)
    assert [c.code for c in diff.entering] == ["93008"]
    assert [c.code for c in diff.leaving] == ["93001", "93059"]
    assert diff.kept == 1


def test_drafts_are_not_in_force(idf_engine, tmp_path: Path):
    path = _write(tmp_path, "a.csv", FILE_A)
    report = import_decree(idf_engine, path, request(), actor="test")
    assert report.status == "imported" and report.decree.status == "draft"
    with idf_engine.connect() as conn:
        assert _references(conn, FIRST) == []
    with idf_engine.begin() as conn:
        published, superseded = publish_decree(conn, report.decree.id, TEST_ACTOR)
    assert published.status == "published" and published.published_at is not None
    assert superseded == []
    with idf_engine.connect() as conn:
        assert _references(conn, FIRST) == ["12-209"]


def test_older_draft_cannot_be_published_over_a_newer_decree(idf_engine, decree_a, tmp_path):
    path = _write(tmp_path, "b.csv", FILE_B)
    newer = import_decree(idf_engine, path, _second(publish=True), actor="test").decree
    older = _write(tmp_path, "c.csv", "code_insee\n93006\n")
    in_2015 = request(reference="15-001", signed=date(2015, 1, 1), effective_from=date(2015, 1, 1))
    draft = import_decree(idf_engine, older, in_2015, actor="test").decree
    assert draft.status == "draft"

    with pytest.raises(InvalidInputError) as caught, idf_engine.begin() as conn:
        publish_decree(conn, draft.id, TEST_ACTOR)
    assert caught.value.field == "effective_from"
    assert "17-1000" in caught.value.message and "2018-01-01" in caught.value.message
    with idf_engine.connect() as conn:
        assert get_decree(conn, draft.id).status == "draft"
        assert get_decree(conn, newer.id).status == "published"
        assert get_decree(conn, newer.id).effective_to is None
        assert get_decree(conn, decree_a.id).effective_to == date(2017, 12, 31)


def test_import_with_publish_of_an_older_decree_writes_nothing(idf_engine, decree_a, tmp_path):
    import_decree(idf_engine, _write(tmp_path, "b.csv", FILE_B), _second(publish=True), actor="t")
    before = counts(idf_engine)
    older = _write(tmp_path, "c.csv", "code_insee\n93006\n")
    in_2015 = request(
        reference="15-001", signed=date(2015, 1, 1), effective_from=date(2015, 1, 1), publish=True
    )
    with pytest.raises(InvalidInputError, match="cannot be published over it"):
        import_decree(idf_engine, older, in_2015, actor="test")
    assert counts(idf_engine) == before


def test_same_file_twice_is_a_no_op(idf_engine, decree_a, tmp_path: Path):
    before = counts(idf_engine)
    again = _write(tmp_path, "copie.csv", FILE_A)
    report = import_decree(idf_engine, again, request(publish=True), actor="test")
    assert report.status == "unchanged"
    assert report.decree is not None and report.decree.id == decree_a.id
    assert "fichier déjà importé" in report.notes[0]
    assert counts(idf_engine) == before


def test_same_reference_from_another_file_is_refused(idf_engine, decree_a, tmp_path: Path):
    before = counts(idf_engine)
    other = _write(tmp_path, "corrige.csv", FILE_A + "93008;Bobigny\n")
    with pytest.raises(InvalidInputError) as caught:
        import_decree(idf_engine, other, request(), actor="test")
    assert caught.value.field == "reference"
    assert "already imported" in caught.value.message and "another file" in caught.value.message
    assert counts(idf_engine) == before


def test_dry_run_previews_the_diff_and_writes_nothing(idf_engine, decree_a, tmp_path: Path):
    before = counts(idf_engine)
    path = _write(tmp_path, "b.csv", FILE_B)
    report = import_decree(idf_engine, path, _second(dry_run=True, publish=True), actor="test")

    assert report.status == "preview" and report.decree is None
    assert report.compared_with is not None and report.compared_with.id == decree_a.id
    assert [(c.code, c.name) for c in report.diff.entering] == [("93008", "Bobigny")]
    assert [c.code for c in report.diff.leaving] == ["93001", "93059"]
    assert report.diff.kept == 1
    assert report.diff.population_entering == 56927  # Bobigny
    assert report.diff.population_leaving == 88365  # Aubervilliers (Pierrefitte: unknown)
    assert {z.name: z.category for z in report.zones} == {"La Courneuve": "ZIP", "Bobigny": "ZAC"}
    assert counts(idf_engine) == before
    with idf_engine.connect() as conn:
        assert get_decree(conn, decree_a.id).status == "published"


def test_dry_run_without_decree_in_force_lists_every_commune(idf_engine, tmp_path: Path):
    path = _write(tmp_path, "a.csv", FILE_A)
    report = import_decree(idf_engine, path, request(dry_run=True), actor="test")
    assert report.compared_with is None
    assert [c.code for c in report.diff.entering] == ["93001", "93027", "93059"]
    assert report.diff.leaving == []
    assert counts(idf_engine) == {"decrees": 0, "zones": 0, "zone_communes": 0}


def test_publishing_twice_and_unknown_ids_are_refused(idf_engine, decree_a):
    with (
        pytest.raises(InvalidInputError, match="only a draft can be published") as twice,
        idf_engine.begin() as conn,
    ):
        publish_decree(conn, decree_a.id, TEST_ACTOR)
    assert "est déjà publié : seul un projet se publie" in twice.value.message_fr
    with pytest.raises(NotFoundError), idf_engine.connect() as conn:
        get_decree(conn, decree_a.id + 100)
    with pytest.raises(InvalidInputError, match="status='gone'"), idf_engine.connect() as conn:
        list_decrees(conn, status="gone")
