"""C0 control characters in stored text: refused at the door, stripped on the way out.

Why: a NUL or a form feed in a post's structure or a zone's name is invisible on screen
but breaks what reads it later. openpyxl refuses to write such a cell (every XLSX
export of the list then answered 500 for everyone), PostgreSQL refuses NUL in ``text``
(the write itself failed with a 500), and terminals and log viewers interpret them.

The set is the one XML 1.0 forbids (so the one openpyxl refuses): U+0000-U+0008,
U+000B, U+000C, U+000E-U+001F. Tab, line feed and carriage return stay allowed: they
are ordinary in multi-line notes. Every face checks its input with
``refuse_control_characters``; exports run ``strip_control_characters`` as a second line
of defence for rows stored before the check existed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cesp.errors import InvalidInputError

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def refuse_control_characters(value: str, field: str) -> str:
    """Return ``value`` unchanged, or raise ``InvalidInputError`` naming ``field``.

    Examples
    --------
    >>> refuse_control_characters("Centre de santé", "structure")
    'Centre de santé'
    """
    found = CONTROL_CHARACTERS.search(value)
    if found is None:
        return value
    code = f"U+{ord(found.group()):04X}"
    raise InvalidInputError(
        f"{field} holds the control character {code} at position {found.start()}: "
        "remove it (control characters are not accepted in text)",
        message_fr=(
            f"Le champ « {field} » contient un caractère de contrôle invisible ({code}, "
            f"position {found.start()}) : supprimez-le."
        ),
        field=field,
    )


def refuse_in_values(values: Mapping[str, Any] | list[Any] | Any, field: str) -> None:
    """Check every string inside ``values`` (nested dicts and lists), naming the path
    (``sites.3.id``) of the first one at fault."""
    if isinstance(values, str):
        refuse_control_characters(values, field)
    elif isinstance(values, Mapping):
        for key, value in values.items():
            refuse_in_values(value, f"{field}.{key}" if field else str(key))
    elif isinstance(values, list | tuple):
        for position, value in enumerate(values):
            refuse_in_values(value, f"{field}.{position}" if field else str(position))


def strip_control_characters(value: object) -> object:
    """``value`` without its control characters when it is a string, else unchanged."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value)
    return value
