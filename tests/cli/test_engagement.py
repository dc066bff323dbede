"""``cesp engagement penalty``: the contract rules from the shell, without a database."""

import json
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from cesp.cli.main import app

runner = CliRunner()


def _penalty(tmp_path: Path, signed: str, rupture: str, months: str, *extra: str) -> Result:
    """Run the real command with a database URL that must never be opened."""
    url = f"sqlite:///{tmp_path / 'never-created.sqlite'}"
    args = ["--signed", signed, "--rupture", rupture, "--months-paid", months, *extra]
    return runner.invoke(app, ["--database-url", url, "engagement", "penalty", *args])


def test_json_gives_penalty_rule_and_engagement_months_without_a_database(
    tmp_path: Path,
) -> None:
    result = _penalty(
        tmp_path, "2014-10-01", "2017-04-01", "30", "--net-monthly", "1034,50", "--json"
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["penalty_eur"] == 6000
    assert body["engagement_months"] == 30
    assert "arrêté du 24 juin 2011" in body["rule"] and "2013-11-08" in body["rule"]
    assert body["allowances_due_eur"] == 31035.0 and body["total_due_eur"] == 37035.0
    assert not (tmp_path / "never-created.sqlite").exists()


def test_human_output_in_french_shows_the_2000_minimum_of_the_arrete(tmp_path: Path) -> None:
    result = _penalty(tmp_path, "2012-11-01", "2013-05-01", "6")
    assert result.exit_code == 0, result.output
    assert "Pénalité" in result.stdout and "2 000 €" in result.stdout
    assert "20 000" not in result.stdout
    assert "Texte appliqué" in result.stdout and "24 mois" in result.stdout


def test_after_des_radiation_owes_20000_and_death_owes_nothing(tmp_path: Path) -> None:
    after = _penalty(
        tmp_path, "2012-10-01", "2019-01-01", "60", "--after-des", "--cause", "radiation", "--json"
    )
    assert after.exit_code == 0, after.output
    assert json.loads(after.stdout)["penalty_eur"] == 20000
    death_args = ("--cause", "deces", "--net-monthly", "1000", "--json")
    death = _penalty(tmp_path, "2012-10-01", "2019-01-01", "60", *death_args)
    body = json.loads(death.stdout)
    assert body["penalty_eur"] == 0 and body["total_due_eur"] == 0
    assert "2010-735" in body["rule"]


def test_practice_start_shows_service_done_less_suspensions(tmp_path: Path) -> None:
    result = _penalty(
        tmp_path, "2014-10-01", "2020-01-15", "40", "--after-des",
        "--practice-start", "2018-11-01", "--suspended-months", "2",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any("Service accompli" in line and " 12 mois" in line for line in lines)
    assert any("Report, suspension" in line and " 0, 2 mois" in line for line in lines)
    assert "20 000 €" in result.stdout


def test_rupture_before_the_2011_arrete_is_refused(tmp_path: Path) -> None:
    result = _penalty(tmp_path, "2010-11-01", "2011-06-30", "8")
    assert result.exit_code == 2
    assert "02/07/2011" in result.output


def test_bad_input_exits_2_with_a_french_message(tmp_path: Path) -> None:
    cases = [
        (("2014-10-01", "2019-02-30", "4"), "AAAA-MM-JJ"),
        (("2014-10-01", "2019-02-03", "-4"), "négatif"),
        (("2014-10-01", "2019-02-03", "4", "--cause", "fuite"), "Cause de rupture inconnue"),
        (("2014-10-01", "2019-02-03", "4", "--net-monthly", "mille"), "Montant invalide"),
        (("2014-10-01", "2014-09-03", "4"), "précède la signature"),
        (("2025-10-01", "2026-09-03", "4", "--profession", "sage-femme"), "2026-4"),
    ]
    for args, message in cases:
        result = _penalty(tmp_path, *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
    assert not (tmp_path / "never-created.sqlite").exists()


def test_a_practice_start_without_after_des_is_priced_after_the_diploma(tmp_path: Path) -> None:
    result = _penalty(
        tmp_path, "2014-10-01", "2020-01-15", "40", "--practice-start", "2018-11-01", "--json"
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["after_des"] is True and body["penalty_eur"] == 20000


def test_a_fulfilled_engagement_owes_nothing_from_the_shell(tmp_path: Path) -> None:
    result = _penalty(
        tmp_path, "2014-10-01", "2022-08-01", "40",
        "--practice-start", "2018-11-01", "--net-monthly", "1000", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["total_due_eur"] == 0 and body["rule_key"] == "l632-6-engagement-accompli"


def test_the_r631_24_16_formula_replaces_the_maximum_once_practising(tmp_path: Path) -> None:
    result = _penalty(
        tmp_path, "2015-10-01", "2022-05-01", "40",
        "--practice-start", "2019-11-01", "--net-monthly", "1085",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "30 850,00 €" in result.stdout and "63 400" not in result.stdout
    assert "Gestionnaire national" in result.stdout and "CNG" in result.stdout


def test_impossible_inputs_are_refused_in_french_and_english(tmp_path: Path) -> None:
    months = _penalty(tmp_path, "2020-10-01", "2021-08-01", "30")
    said = " ".join(months.output.split())
    assert months.exit_code == 2 and "au plus 11" in said and "at most 11" in said
    before = _penalty(
        tmp_path, "2014-10-01", "2020-01-15", "40", "--practice-start", "2018-11-01", "--before-des"
    )
    assert before.exit_code == 2 and "commence au diplôme" in " ".join(before.output.split())
