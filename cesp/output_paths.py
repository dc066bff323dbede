"""Where a command may write its output: one rule for every file a command writes.

A command that builds a file (an export, a map page, bulk answers) checks its output
name before the work, so that a mistake costs a message rather than a traceback after
minutes of work, and says how to fix it in French and English (field ``output``).
"""

from __future__ import annotations

import os
from pathlib import Path

from cesp.errors import InvalidInputError


def _or(extensions: tuple[str, ...], word: str) -> str:
    return f" {word} ".join(extensions) if len(extensions) < 3 else ", ".join(extensions)


def output_file(path: Path, extensions: tuple[str, ...] = (), example: str = "") -> str:
    """The lower-case extension of ``path``, an output file to write; refused when it
    is a folder or (with ``extensions``) does not end with one of them. ``example`` is
    a file name the messages suggest (``zones.gpkg``)."""
    suggested = example or f"sortie{extensions[0] if extensions else '.csv'}"
    if path.is_dir():
        raise InvalidInputError(
            f"{path}: is a folder: give a file name ({suggested})",
            message_fr=f"{path} est un dossier : donnez un nom de fichier ({suggested}).",
            field="output",
        )
    suffix = path.suffix.lower()
    if extensions and suffix not in extensions:
        raise InvalidInputError(
            f"{path.name}: the output must end in {_or(extensions, 'or')}",
            message_fr=f"{path.name} : le fichier de sortie doit finir par "
            f"{_or(extensions, 'ou')}.",
            field="output",
        )
    return suffix


def new_file_mode() -> int:
    """The mode ``open()`` gives a new file here: 0o666 less the umask.

    An answer written to a temporary file (``tempfile.mkstemp``: mode 0o600) and renamed
    into place would otherwise stay unreadable by the colleagues sharing the folder."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    mask = os.umask(0o022)  # no /proc: read it by setting it (and back at once)
    os.umask(mask)
    return 0o666 & ~mask
