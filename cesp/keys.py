"""API keys: created once (shown once), stored only as SHA-256 hashes, revocable.

A key is 256 random bits (``secrets.token_urlsafe``): a fast hash is enough, there is
nothing to brute-force. Roles: ``intern`` (their own choice), ``ars`` (decrees and posts
of one region), ``cng`` (all regions, relocations, campaigns), ``admin``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from cesp.audit import Actor, record
from cesp.errors import InvalidInputError, NotFoundError

ROLES = ("intern", "ars", "cng", "admin")
PREFIX = "cesp_"


@dataclass(frozen=True)
class ApiKey:
    """A key's public facts (never the key itself)."""

    id: int
    name: str
    role: str
    region_code: str | None
    key_prefix: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def actor(self) -> Actor:
        """The key as the author of writes."""
        return Actor(self.name, self.role, self.region_code)


def hash_key(token: str) -> str:
    """SHA-256 of a token, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def _key(row: sa.Row[Any]) -> ApiKey:
    values = dict(row._mapping)
    for field in ("created_at", "revoked_at"):
        if values[field] is not None and not isinstance(values[field], datetime):
            values[field] = datetime.fromisoformat(str(values[field]))
    return ApiKey(**values)


_COLUMNS = "id, name, role, region_code, key_prefix, created_at, revoked_at"


def create_key(
    conn: sa.Connection, name: str, role: str, region: str | None, created_by: Actor
) -> tuple[ApiKey, str]:
    """Create a key; returns it and the secret token (to show once)."""
    name = name.strip()
    if not name or len(name) > 120:
        raise InvalidInputError(
            "name must be 1 to 120 characters", message_fr="Nom de clé invalide.", field="name"
        )
    if role not in ROLES:
        raise InvalidInputError(
            f"role={role!r} must be one of {', '.join(ROLES)}",
            message_fr=f"Rôle inconnu : {role}",
            field="role",
        )
    if role == "ars" and not region:
        raise InvalidInputError(
            "an ars key needs --region (the ARS's region code, e.g. 11)",
            message_fr="Une clé ARS doit indiquer sa région (--region).",
            field="region",
        )
    if (
        region
        and not conn.execute(
            sa.text("SELECT 1 FROM regions WHERE code = :c"), {"c": region}
        ).first()
    ):
        raise InvalidInputError(
            f"unknown region {region}", message_fr=f"Région inconnue : {region}", field="region"
        )
    if conn.execute(sa.text("SELECT 1 FROM api_keys WHERE name = :n"), {"n": name}).first():
        raise InvalidInputError(
            f"a key named {name!r} already exists",
            message_fr=f"Une clé « {name} » existe déjà.",
            field="name",
        )
    token = PREFIX + secrets.token_urlsafe(32)
    conn.execute(
        sa.text(
            "INSERT INTO api_keys (name, role, region_code, key_prefix, key_hash, created_at, "
            "created_by) VALUES (:name, :role, :region, :prefix, :hash, :at, :by)"
        ),
        {
            "name": name,
            "role": role,
            "region": region if role != "admin" and role != "cng" else None,
            "prefix": token[: len(PREFIX) + 6],
            "hash": hash_key(token),
            "at": datetime.now(UTC),
            "by": created_by.name,
        },
    )
    key = _key(
        conn.execute(sa.text(f"SELECT {_COLUMNS} FROM api_keys WHERE name = :n"), {"n": name}).one()
    )
    record(
        conn,
        created_by,
        "key.create",
        "api_key",
        key.id,
        f"key {name!r} ({role}{' ' + region if region else ''})",
        region=region,
    )
    return key, token


def revoke_key(conn: sa.Connection, name: str, revoked_by: Actor) -> ApiKey:
    """Revoke a key by name (idempotent refusal if already revoked)."""
    row = conn.execute(
        sa.text(f"SELECT {_COLUMNS} FROM api_keys WHERE name = :n"), {"n": name}
    ).first()
    if row is None:
        raise NotFoundError(
            f"no key named {name!r}", message_fr=f"Aucune clé « {name} ».", field="name"
        )
    key = _key(row)
    if key.revoked_at is not None:
        raise InvalidInputError(
            f"key {name!r} was already revoked on {key.revoked_at}",
            message_fr=f"La clé « {name} » est déjà révoquée.",
            field="name",
        )
    conn.execute(
        sa.text("UPDATE api_keys SET revoked_at = :at WHERE id = :id"),
        {"at": datetime.now(UTC), "id": key.id},
    )
    record(conn, revoked_by, "key.revoke", "api_key", key.id, f"key {name!r} revoked")
    return key


def list_keys(conn: sa.Connection) -> list[ApiKey]:
    """All keys, revoked included."""
    return [_key(r) for r in conn.execute(sa.text(f"SELECT {_COLUMNS} FROM api_keys ORDER BY id"))]


def authenticate(conn: sa.Connection, token: str) -> ApiKey | None:
    """The live key of a token, or None."""
    row = conn.execute(
        sa.text(f"SELECT {_COLUMNS} FROM api_keys WHERE key_hash = :h AND revoked_at IS NULL"),
        {"h": hash_key(token)},
    ).first()
    return _key(row) if row is not None else None
