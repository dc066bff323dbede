"""``cesp keys`` and ``cesp audit``."""

from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from cesp.cli.main import app
from cesp.keys import authenticate
from cesp.storage import schema

runner = CliRunner()


def _run(url: str, data_dir: Path, *args: str):
    return runner.invoke(app, ["--database-url", url, "--data-dir", str(data_dir), *args])


def test_key_is_printed_once_on_its_own_line_and_stored_as_a_hash(
    scratch_engine: sa.Engine, scratch_url: str, data_dir: Path
) -> None:
    with scratch_engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO regions (code, name) VALUES ('11', 'Île-de-France')"))
    result = _run(
        scratch_url,
        data_dir,
        "keys",
        "create",
        "--role",
        "ars",
        "--region",
        "11",
        "--name",
        "ARS IDF",
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("cesp_") and len(token) > 40
    with scratch_engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT key_hash, key_prefix FROM api_keys")).one()
        assert token not in stored.key_hash and token.startswith(stored.key_prefix)
        assert authenticate(conn, token).name == "ARS IDF"
    listing = _run(scratch_url, data_dir, "keys", "list")
    assert "ARS IDF" in listing.stdout and token not in listing.stdout

    assert _run(scratch_url, data_dir, "keys", "revoke", "ARS IDF").exit_code == 0
    with scratch_engine.connect() as conn:
        assert authenticate(conn, token) is None
    again = _run(scratch_url, data_dir, "keys", "revoke", "ARS IDF")
    assert again.exit_code == 2 and "déjà révoquée" in again.output

    audit = _run(scratch_url, data_dir, "audit")
    assert audit.exit_code == 0
    lines = audit.stdout.splitlines()
    assert "key.revoke" in lines[0] and "key.create" in lines[1]


def test_bad_key_requests_exit_2(scratch_url: str, data_dir: Path, scratch_engine) -> None:
    assert schema.current_revision(scratch_engine) == schema.head_revision()
    missing_region = _run(scratch_url, data_dir, "keys", "create", "--role", "ars", "--name", "X")
    assert missing_region.exit_code == 2 and "région" in missing_region.output
    bad_role = _run(scratch_url, data_dir, "keys", "create", "--role", "root", "--name", "Y")
    assert bad_role.exit_code == 2 and "Rôle inconnu" in bad_role.output
