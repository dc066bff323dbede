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

import sqlalchemy as sa

from cesp.audit import Actor, record
from cesp.errors import InvalidInputError, NotFoundError
from cesp.geo.tables import regions
from cesp.storage.tables import api_keys

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


_PUBLIC = sa.select(
    api_keys.c.id,
    api_keys.c.name,
    api_keys.c.role,
    api_keys.c.region_code,
    api_keys.c.key_prefix,
    api_keys.c.created_at,
    api_keys.c.revoked_at,
)
"""A key's public columns (``UTCDateTime``: its times come back aware on both backends)."""


def _key(row: sa.RowMapping) -> ApiKey:
    return ApiKey(**row)


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
        and not conn.execute(sa.select(regions.c.code).where(regions.c.code == region)).first()
    ):
        raise InvalidInputError(
            f"unknown region {region}", message_fr=f"Région inconnue : {region}", field="region"
        )
    if conn.execute(sa.select(api_keys.c.id).where(api_keys.c.name == name)).first():
        raise InvalidInputError(
            f"a key named {name!r} already exists",
            message_fr=f"Une clé « {name} » existe déjà.",
            field="name",
        )
    token = PREFIX + secrets.token_urlsafe(32)
    conn.execute(
        api_keys.insert().values(
            name=name,
            role=role,
            region_code=region if role != "admin" and role != "cng" else None,
            key_prefix=token[: len(PREFIX) + 6],
            key_hash=hash_key(token),
            created_at=datetime.now(UTC),
            created_by=created_by.name,
        )
    )
    key = _key(conn.execute(_PUBLIC.where(api_keys.c.name == name)).mappings().one())
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
    row = conn.execute(_PUBLIC.where(api_keys.c.name == name)).mappings().first()
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
        api_keys.update().where(api_keys.c.id == key.id).values(revoked_at=datetime.now(UTC))
    )
    record(conn, revoked_by, "key.revoke", "api_key", key.id, f"key {name!r} revoked")
    return key


def list_keys(conn: sa.Connection) -> list[ApiKey]:
    """All keys, revoked included."""
    return [_key(r) for r in conn.execute(_PUBLIC.order_by(api_keys.c.id)).mappings()]


def authenticate(conn: sa.Connection, token: str) -> ApiKey | None:
    """The live key of a token, or None."""
    row = (
        conn.execute(
            _PUBLIC.where(api_keys.c.key_hash == hash_key(token), api_keys.c.revoked_at.is_(None))
        )
        .mappings()
        .first()
    )
    return _key(row) if row is not None else None
