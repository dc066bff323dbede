"""The TVS <-> commune correspondence as versioned reference data, on the backend under
test: both published column sets load, a vintage is replaced as a whole, the vintage
in force on a date is the one a decree uses, and bad files are refused in French and
English with nothing written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cesp.cli.main import app
from cesp.errors import InvalidInputError, ValidationFailedError
from cesp.geo.tables import tvs_communes
from cesp.geo.tvs import TvsNotLoadedError, load_tvs, tvs_key, tvs_lookup
from tests.geo.tvs_tables import CORRESPONDENCE, drees_csv, insee_com_xlsx

COMMUNES = sum(len(members) for _, _, members in CORRESPONDENCE)


def _count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(tvs_communes)).scalar_one())


def test_the_drees_column_set_loads_with_padded_codes_and_regions(
    scratch_engine: sa.Engine, tmp_path: Path
) -> None:
    report = load_tvs(scratch_engine, drees_csv(tmp_path))
    assert report.valid_from == date(2018, 1, 1)  # the year of tvs_2018.csv
    assert (report.communes, report.territories, report.regions) == (COMMUNES, 7, 2)
    assert report.padded_codes == 11
    with scratch_engine.connect() as conn:
        lookup = tvs_lookup(conn, ["9327", "9308_", "XA01"], date(2018, 3, 1))
    assert [c.commune_code for c in lookup.of("9327_")] == ["93001", "93027"]
    assert {c.region_code for c in lookup.of("XA01")} == {"11", "84"}
    assert lookup.of("9308")[0].tvs_name == "Bobigny"


def test_the_insee_com_column_set_loads_from_a_workbook_with_a_title_row(
    scratch_engine: sa.Engine, tmp_path: Path
) -> None:
    report = load_tvs(scratch_engine, insee_com_xlsx(tmp_path), date(2024, 1, 1))
    assert (report.communes, report.territories, report.regions) == (COMMUNES, 7, 0)
    assert any("en-tête trouvé ligne 2" in n for n in report.notes)
    with scratch_engine.connect() as conn:
        lookup = tvs_lookup(conn, ["9202_"], date(2024, 6, 1))
    assert [c.commune_code for c in lookup.of("9202")] == ["92002", "92004"]


def test_a_vintage_is_replaced_whole_and_the_one_in_force_is_used(
    scratch_engine: sa.Engine, tmp_path: Path
) -> None:
    load_tvs(scratch_engine, drees_csv(tmp_path), date(2018, 1, 1))
    again = load_tvs(scratch_engine, drees_csv(tmp_path), date(2018, 1, 1))
    assert again.replaced == COMMUNES and _count(scratch_engine) == COMMUNES
    later = tmp_path / "later.csv"
    later.write_text("depcom;libcom;tv;libtv;code_reg\n93027;La Courneuve;9327_;Nord;11\n")
    load_tvs(scratch_engine, later, date(2025, 1, 1))
    with scratch_engine.connect() as conn:
        old = tvs_lookup(conn, ["9327"], date(2019, 6, 1))
        new = tvs_lookup(conn, ["9327"], date(2025, 6, 1))
        before_any = tvs_lookup(conn, ["9327"], date(2010, 1, 1))
    assert len(old.of("9327")) == 2 and not old.earlier_than_any
    assert [c.tvs_name for c in new.of("9327")] == ["Nord"]
    assert before_any.vintage == date(2018, 1, 1) and before_any.earlier_than_any


def test_a_bad_file_is_refused_row_by_row_and_writes_nothing(
    scratch_engine: sa.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "tvs_2020.csv"
    path.write_text("depcom;libcom;tv;libtv\n93027;La Courneuve;9327_;Nord\n9302X;Bad;9327_;N\n")
    with pytest.raises(ValidationFailedError) as caught:
        load_tvs(scratch_engine, path)
    (problem,) = caught.value.problems
    assert problem.row == 3 and "n'est pas un code commune INSEE" in problem.message_fr
    assert _count(scratch_engine) == 0
    other = tmp_path / "communes.csv"
    other.write_text("code;nom\n93027;La Courneuve\n")
    with pytest.raises(InvalidInputError) as wrong:
        load_tvs(scratch_engine, other, date(2020, 1, 1))
    assert "depcom, libcom, tv, libtv, code_reg" in wrong.value.message_fr
    with pytest.raises(InvalidInputError) as undated:
        load_tvs(scratch_engine, other)
    assert undated.value.field == "valid_from" and "--valid-from" in undated.value.message_fr


def test_without_a_loaded_table_the_lookup_says_how_to_load_it(scratch_engine: sa.Engine) -> None:
    with scratch_engine.connect() as conn, pytest.raises(TvsNotLoadedError) as caught:
        tvs_lookup(conn, ["9327"], date(2018, 1, 1))
    assert "cesp data load-tvs" in caught.value.message_fr
    assert "cesp data load-tvs" in caught.value.message


def test_tvs_codes_compare_without_their_padding() -> None:
    assert tvs_key(" 0101_ ") == tvs_key("0101") == "0101"
    assert tvs_key("2a004") == "2A004"


def test_cli_load_tvs_reports_the_vintage_and_refuses_bad_input(
    scratch_url: str, scratch_engine: sa.Engine, data_dir: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    base = ["--database-url", scratch_url, "--data-dir", str(data_dir), "data", "load-tvs"]
    result = runner.invoke(app, [*base, str(drees_csv(tmp_path)), "--valid-from", "2018-01-01"])
    out = " ".join(result.output.split())
    assert result.exit_code == 0, out
    assert f"valable à partir du 2018-01-01 : {COMMUNES} communes, 7 territoires" in out
    assert "complétés par « _ »" in out
    bad = runner.invoke(app, [*base, str(drees_csv(tmp_path)), "--valid-from", "demain"])
    assert bad.exit_code == 2
    undated = tmp_path / "correspondance.csv"
    undated.write_text("INSEE_COM;Code_TVS;Nom_TVS\n93027;9327;Nord\n")
    refused = runner.invoke(app, [*base, str(undated)])
    out = " ".join(refused.output.split())
    assert refused.exit_code == 2 and "précisez --valid-from" in out and "give --valid-from" in out
    assert _count(scratch_engine) == COMMUNES
