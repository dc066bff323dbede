"""API keys on their typed table: times come back aware whatever wrote the row."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from cesp.audit import Actor
from cesp.keys import authenticate, create_key, hash_key, list_keys, revoke_key
from cesp.storage.engine import write_transaction

ADMIN = Actor("test", "admin")


def test_a_key_is_created_found_by_its_token_and_revoked(scratch_engine: sa.Engine) -> None:
    with write_transaction(scratch_engine) as conn:
        key, token = create_key(conn, "CNG", "cng", None, ADMIN)
    with scratch_engine.connect() as conn:
        found = authenticate(conn, token)
        assert found is not None and found.id == key.id and found.region_code is None
        assert found.created_at.tzinfo is not None and found.revoked_at is None
        assert authenticate(conn, token + "x") is None
    with write_transaction(scratch_engine) as conn:
        revoked = revoke_key(conn, "CNG", ADMIN)
    with scratch_engine.connect() as conn:
        assert authenticate(conn, token) is None
        (listed,) = [k for k in list_keys(conn) if k.id == revoked.id]
        assert listed.revoked_at is not None and listed.revoked_at >= listed.created_at


def test_a_key_row_written_by_the_earlier_sql_reads_back_aware(scratch_engine: sa.Engine) -> None:
    """Rows of earlier versions were written with bound text SQL (an aware datetime as
    the driver renders it); they read back as the same instant, aware."""
    at = datetime(2025, 3, 26, 9, 30, 5, 123456, tzinfo=UTC)
    with write_transaction(scratch_engine) as conn:
        conn.execute(
            sa.text(
                "INSERT INTO api_keys (name, role, region_code, key_prefix, key_hash, "
                "created_at, created_by) VALUES ('old', 'ars', '11', 'cesp_abcdef', :h, :at, 'x')"
            ),
            {"h": hash_key("cesp_old"), "at": at},
        )
    with scratch_engine.connect() as conn:
        key = authenticate(conn, "cesp_old")
    assert key is not None and key.created_at == at and key.created_at.tzinfo is not None
    assert key.actor.region == "11"
