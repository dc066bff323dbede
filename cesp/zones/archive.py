"""Safe extraction of uploaded archives.

Uploaded files come from many offices and one day from an attacker. Before anything is
extracted, every member is checked: no absolute path, no ``..``, no link, only the
expected file types, and total size and compression ratio limits against zip bombs.
Extraction goes to a temporary directory that the caller removes.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cesp.errors import InvalidInputError

SHAPEFILE_PARTS = frozenset({".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx"})
IGNORED_PARTS = frozenset({".xml", ".qmd", ".qml", ".txt", ".pdf", ".md", ".html"})


@dataclass(frozen=True)
class ArchiveLimits:
    """Limits applied to an archive before extraction."""

    max_members: int = 200
    max_total_bytes: int = 500 * 1024 * 1024
    max_ratio: float = 100.0


def _refuse(message: str, message_fr: str) -> InvalidInputError:
    return InvalidInputError(message, message_fr=message_fr, field="file")


def safe_extract(
    path: Path,
    destination: Path,
    allowed: frozenset[str] = SHAPEFILE_PARTS,
    limits: ArchiveLimits | None = None,
) -> list[Path]:
    """Check every member of the zip at ``path``, then extract the allowed ones.

    Returns the extracted paths. Members with an ignored extension (metadata, docs) are
    skipped; any other extension, and every unsafe member, refuses the whole archive.
    """
    limits = limits or ArchiveLimits()
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise _refuse(
            f"{path.name} is not a readable zip archive",
            f"{path.name} n'est pas une archive zip lisible.",
        ) from exc
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise _refuse(
                f"archive has {len(members)} members, more than {limits.max_members}",
                "L'archive contient trop de fichiers.",
            )
        total = 0
        selected = []
        for info in members:
            name = info.filename
            pure = PurePosixPath(name.replace("\\", "/"))
            if name.startswith(("/", "\\")) or pure.is_absolute() or ":" in pure.parts[0]:
                raise _refuse(
                    f"archive member {name!r} has an absolute path",
                    f"Chemin absolu interdit dans l'archive : {name}",
                )
            if ".." in pure.parts:
                raise _refuse(
                    f"archive member {name!r} climbs out of the archive with '..'",
                    f"Chemin « .. » interdit dans l'archive : {name}",
                )
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise _refuse(
                    f"archive member {name!r} is a symbolic link",
                    f"Lien symbolique interdit dans l'archive : {name}",
                )
            if info.is_dir() or pure.name.startswith(".") or "__MACOSX" in pure.parts:
                continue
            suffix = pure.suffix.lower()
            if suffix in IGNORED_PARTS:
                continue
            if suffix not in allowed:
                raise _refuse(
                    f"archive member {name!r} has an unexpected type {suffix or '(none)'}; "
                    f"expected {', '.join(sorted(allowed))}",
                    f"Type de fichier inattendu dans l'archive : {name}",
                )
            total += info.file_size
            if total > limits.max_total_bytes:
                raise _refuse(
                    f"archive expands to more than {limits.max_total_bytes} bytes",
                    "L'archive décompressée est trop volumineuse.",
                )
            if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
                raise _refuse(
                    f"archive member {name!r} has a compression ratio over "
                    f"{limits.max_ratio:.0f}: refused as a possible zip bomb",
                    "Taux de compression suspect : archive refusée.",
                )
            selected.append((info, pure))
        extracted = []
        for info, pure in selected:
            target = destination.joinpath(*pure.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                _copy_member(archive, info, target, limits.max_total_bytes)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
                # A bad CRC-32, a truncated stream or an unknown compression method.
                raise _refuse(
                    f"archive member {pure.name!r} is damaged ({exc}): make the zip again",
                    f"Fichier {pure.name} endommagé dans l'archive : refaites le zip.",
                ) from exc
            extracted.append(target)
    return extracted


def _copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limit: int) -> None:
    """Copy one member, refusing one that expands past ``limit`` whatever it declared."""
    with archive.open(info) as source, target.open("wb") as sink:
        remaining = limit
        while chunk := source.read(1 << 20):
            remaining -= len(chunk)
            if remaining < 0:
                raise _refuse("archive member larger than declared", "Archive corrompue ou piégée.")
            sink.write(chunk)
