"""Beneficiaries of the CESP in the database, and the intern key that speaks for one.

An intern's API key (role ``intern``) is linked to exactly one beneficiary through
``beneficiaries.key_name``: the key's holder can choose or wish only for that person.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from cesp.audit import Actor, record
from cesp.conventions import parse_day
from cesp.errors import (
    CespError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    Problem,
    ValidationFailedError,
)
from cesp.posts.model import Beneficiary
from cesp.posts.tables import beneficiaries
from cesp.zones.professions import parse_profession

COLUMNS = tuple(beneficiaries.c)
"""The columns of a ``Beneficiary``, in its fields' order."""


def beneficiary_of(row: sa.Row[Any]) -> Beneficiary:
    """A ``Beneficiary`` from a row selected with ``COLUMNS``."""
    return Beneficiary(**row._mapping)


def get_beneficiary(conn: sa.Connection, beneficiary_id: int) -> Beneficiary:
    """One beneficiary, or ``NotFoundError``."""
    row = conn.execute(sa.select(*COLUMNS).where(beneficiaries.c.id == beneficiary_id)).first()
    if row is None:
        raise NotFoundError(
            f"no beneficiary {beneficiary_id}",
            message_fr=f"Aucun bénéficiaire n°{beneficiary_id}.",
            field="beneficiary_id",
        )
    return beneficiary_of(row)


def beneficiary_for(conn: sa.Connection, actor: Actor) -> Beneficiary:
    """The beneficiary an intern key speaks for."""
    row = conn.execute(sa.select(*COLUMNS).where(beneficiaries.c.key_name == actor.name)).first()
    if row is None:
        raise ForbiddenError(
            f"key {actor.name!r} is linked to no beneficiary",
            message_fr="Cette clé n'est rattachée à aucun bénéficiaire du CESP.",
        )
    return beneficiary_of(row)


def parse_beneficiary(raw: dict[str, Any]) -> dict[str, Any]:
    """Typed fields of one beneficiary, or the first error naming the field."""

    def required(name: str, label: str) -> str:
        text = str(raw.get(name) or "").strip()
        if not text:
            raise InvalidInputError(
                f"{name} is missing", message_fr=f"{label} : valeur manquante.", field=name
            )
        return text

    def day(name: str, label: str, optional: bool = False) -> date | None:
        text = str(raw.get(name) or "").strip()
        if not text and optional:
            return None
        parsed = parse_day(text)  # YYYY-MM-DD or DD/MM/YYYY (cesp.conventions)
        if parsed is None:
            raise InvalidInputError(
                f"{name} must be a date YYYY-MM-DD or DD/MM/YYYY, not {text!r}",
                message_fr=(
                    f"{label} : « {text} » n'est pas une date ; écrivez-la JJ/MM/AAAA ou "
                    "AAAA-MM-JJ."
                ),
                field=name,
            )
        return parsed

    def months(name: str) -> int:
        text = str(raw.get(name) or "0").strip()
        if not text.isdigit():
            raise InvalidInputError(
                f"{name} must be a whole number of months >= 0, not {text!r}",
                message_fr=f"{name} : nombre de mois entier et positif attendu.",
                field=name,
            )
        return int(text)

    requested = day("requested_on", "Date de demande")
    assert requested is not None
    profession = parse_profession(required("profession", "Profession"), requested)
    region = required("training_region", "Région de formation")
    return {
        "reference": required("reference", "Référence"),
        "name": required("name", "Nom"),
        "profession": profession.value,
        "specialty": str(raw.get("specialty") or "").strip() or None,
        "training_region": region,
        "requested_on": requested,
        "signed_on": day("signed_on", "Date de signature"),
        "months_paid": months("months_paid"),
        "suspended_months": months("suspended_months"),
        "deferral_months": months("deferral_months"),
        "des_obtained_on": day("des_obtained_on", "Date du DES", optional=True),
        "practice_started_on": day("practice_started_on", "Début d'exercice", optional=True),
        "key_name": str(raw.get("key_name") or "").strip() or None,
    }


def add_beneficiaries(
    conn: sa.Connection,
    rows: Sequence[tuple[int | None, dict[str, Any]]],
    actor: Actor,
    *,
    sample: bool = False,
) -> list[int]:
    """Check every row, then insert them all (inside the caller's transaction)."""
    parsed, problems = [], []
    for row, raw in rows:
        try:
            parsed.append(parse_beneficiary(raw))
        except CespError as error:
            problems.append(Problem(row, error.message, error.message_fr, error.field))
    if problems:
        raise ValidationFailedError(problems)
    ids = []
    for fields in parsed:
        ids.append(
            int(
                conn.execute(
                    sa.insert(beneficiaries)
                    .values({**fields, "sample": sample})
                    .returning(beneficiaries.c.id)
                ).scalar_one()
            )
        )
    record(conn, actor, "beneficiary.create", "beneficiary", None, f"{len(ids)} beneficiaries")
    return ids


def link_key(conn: sa.Connection, beneficiary_id: int, key_name: str, actor: Actor) -> None:
    """Let an intern key speak for a beneficiary (one key per beneficiary)."""
    get_beneficiary(conn, beneficiary_id)
    conn.execute(
        sa.update(beneficiaries)
        .where(beneficiaries.c.id == beneficiary_id)
        .values(key_name=key_name)
    )
    record(
        conn,
        actor,
        "beneficiary.link_key",
        "beneficiary",
        beneficiary_id,
        f"intern key {key_name} linked",
    )
