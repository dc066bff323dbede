"""``cesp engagement ledger`` in-process on a real database: a period and a suspension
recorded, the follow-up shown in French, the ledger exported, bad input refused."""

from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from cesp.cli.main import app
from cesp.posts.beneficiaries import add_beneficiaries
from cesp.storage.engine import write_transaction
from tests.posts.conftest import CNG
from tests.zones.helpers import publish_codes

runner = CliRunner()


def run(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--database-url", url, "engagement", "ledger", *args])
    return result.exit_code, " ".join(result.output.split())


def test_a_period_recorded_from_the_shell_shows_the_follow_up_and_exports(
    idf_engine: sa.Engine, scratch_url: str, tmp_path: Path
) -> None:
    publish_codes(idf_engine, tmp_path / "12-209.csv")
    row = {"reference": "B-C", "name": "Interne C", "profession": "medecin",
           "training_region": "11", "requested_on": "2012-09-01", "signed_on": "2012-10-01",
           "months_paid": "36", "practice_started_on": "2016-01-01"}  # fmt: skip
    with write_transaction(idf_engine) as conn:
        [who] = add_beneficiaries(conn, [(2, row)], CNG)
    code, out = run(scratch_url, "add-period", str(who), "--from", "2016-01-01", "--insee", "93027")
    assert code == 0, out
    code, out = run(scratch_url, "add-event", str(who), "--kind", "suspension",
                    "--from", "2016-06-01", "--months", "2")  # fmt: skip
    assert code == 0, out
    code, out = run(scratch_url, "show", str(who), "--date", "2017-01-15")
    assert code == 0, out
    assert "en exercice" in out and "Mois accomplis en zone" in out and "13" in out
    target = tmp_path / "suivi.xlsx"
    code, out = run(scratch_url, "show", str(who), "-o", str(target))
    assert code == 0 and target.read_bytes()[:2] == b"PK", out
    code, out = run(scratch_url, "add-period", str(who), "--from", "2016-01-01",
                    "--insee", "93027", "--mode", "bénévole")  # fmt: skip
    assert code == 2 and "Mode d'exercice" in out
