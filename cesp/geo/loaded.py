"""What the loaded reference data covers, and what to say about a code it does not hold.

``cesp geo load --departements 69`` loads the communes of some départements only, while
every load writes the full list of départements of the COG (``departements``). A valid
code of a département whose communes are not loaded is therefore not an "unknown code":
the answer says which département is missing and gives the command that loads it.
This is the one place that wording lives; the decree import, ``check --insee``, the API
and the posts lists all use it.
"""

from __future__ import annotations

import sqlalchemy as sa

from cesp.errors import NotFoundError
from cesp.geo.boundaries import departement_of
from cesp.geo.tables import commune_units, departements


class NotLoadedError(NotFoundError):
    """A valid INSEE code whose département's communes are not in the database."""

    code = "departement_not_loaded"


def load_command(departement: str) -> str:
    """The CLI command that loads the communes of ``departement``."""
    return f"cesp geo load --departements {departement}"


def missing_code_messages(conn: sa.Connection, code: str) -> tuple[str, str, bool]:
    """English and French messages for a code no commune unit holds, and whether it is
    only a département not loaded (True) rather than a code unknown to the COG."""
    departement = departement_of(code)
    d, u = departements, commune_units
    loaded = sa.select(sa.literal(1)).where(u.c.departement_code == d.c.code).limit(1)
    row = conn.execute(
        sa.select(d.c.name, loaded.scalar_subquery()).where(d.c.code == departement)
    ).first()
    if row is None or row[1] is not None:
        return (
            f"unknown INSEE code {code}: no commune of that code in the reference data",
            f"code INSEE inconnu {code} : aucune commune de ce code dans le référentiel",
            False,
        )
    command = load_command(departement)
    return (
        f"INSEE code {code} is in département {departement} ({row[0]}), whose communes are "
        f"not loaded: load them with '{command}'",
        f"le code INSEE {code} relève du département {departement} ({row[0]}), dont les "
        f"communes ne sont pas chargées : chargez-les avec « {command} »",
        True,
    )


def missing_code_error(conn: sa.Connection, code: str, field: str = "code") -> NotFoundError:
    """The error for a code no commune unit holds (``NotLoadedError`` when its
    département is only not loaded)."""
    message, message_fr, not_loaded = missing_code_messages(conn, code)
    kind = NotLoadedError if not_loaded else NotFoundError
    return kind(message, message_fr=message_fr[0].upper() + message_fr[1:] + ".", field=field)
