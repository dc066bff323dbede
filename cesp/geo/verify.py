"""Check that a downloaded reference file is the one the manifest describes.

A file is accepted only if the loader can use it: the right size and SHA-256 for a pinned
source, the CSV columns the COG readers need with every row complete, or a GeoJSON that
GDAL opens with the expected fields, CRS and number of features. Checks run cheapest and
most telling first, so the message names the real fault (a truncated file is reported as
truncated, not as a checksum mismatch).
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pyogrio
from pyogrio.errors import DataSourceError

from cesp.errors import ReferenceDataError
from cesp.geo.sources import Source

CHUNK = 1 << 20


class VerificationError(ReferenceDataError):
    """A reference file is not the expected one; it must not be used."""

    code = "verification_failed"
    resumed = False
    """Set by the fetcher when the refused file had been resumed from an earlier part."""


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, hex, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _fail(source: Source, message: str, message_fr: str) -> VerificationError:
    return VerificationError(
        f"{source.name}: {message}",
        message_fr=f"{source.name} : {message_fr}",
        field=source.name,
    )


def _check_size(path: Path, source: Source, warnings: list[str]) -> None:
    if source.size is None:
        return
    actual = path.stat().st_size
    if actual == source.size:
        return
    if source.pinned:
        if actual < source.size:
            raise _fail(
                source,
                f"truncated: {actual} bytes instead of {source.size}",
                f"fichier tronqué : {actual} octets au lieu de {source.size}",
            )
        raise _fail(
            source,
            f"{actual} bytes instead of {source.size}: not the expected file",
            f"{actual} octets au lieu de {source.size} : ce n'est pas le fichier attendu",
        )
    warnings.append(f"{source.name}: {actual} bytes (the vetted copy had {source.size})")


def _check_csv(path: Path, source: Source) -> None:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=source.delimiter)
            header = next(reader, [])
            missing = [c for c in source.columns if c not in header]
            if missing:
                raise _fail(
                    source,
                    f"missing columns {missing} (found {header[:12]})",
                    f"colonnes manquantes : {', '.join(missing)}",
                )
            rows = 0
            for row in reader:
                rows += 1
                if row and len(row) != len(header):
                    raise _fail(
                        source,
                        f"line {reader.line_num} has {len(row)} fields instead of {len(header)}",
                        f"ligne {reader.line_num} incomplète ({len(row)} champs sur {len(header)})",
                    )
    except UnicodeDecodeError as exc:
        raise _fail(source, f"not UTF-8 text ({exc})", "ce n'est pas un CSV UTF-8") from exc
    except csv.Error as exc:
        raise _fail(source, f"unreadable CSV ({exc})", f"CSV illisible ({exc})") from exc
    if rows == 0:
        raise _fail(source, "no data rows", "aucune ligne de données")


def _check_geojson(path: Path, source: Source) -> None:
    try:
        info = pyogrio.read_info(path)
    except (DataSourceError, OSError, RuntimeError) as exc:
        raise _fail(
            source,
            f"GDAL cannot read it as GeoJSON ({exc})",
            "fichier GeoJSON illisible (incomplet ou corrompu ?)",
        ) from exc
    fields = [str(f) for f in info["fields"]]
    missing = [c for c in source.columns if c not in fields]
    if missing:
        raise _fail(
            source,
            f"missing fields {missing} (found {fields})",
            f"champs manquants : {', '.join(missing)}",
        )
    crs = info.get("crs")
    if crs not in (None, "EPSG:4326", "OGC:CRS84"):
        raise _fail(source, f"CRS {crs} instead of WGS84", f"système {crs} au lieu de WGS84")
    if source.features is not None and info["features"] != source.features:
        raise _fail(
            source,
            f"{info['features']} features instead of {source.features}",
            f"{info['features']} entités au lieu de {source.features}",
        )


def verify_file(path: Path, source: Source) -> list[str]:
    """Check ``path`` against ``source``; return warnings, raise if it must not be used.

    Parameters
    ----------
    path
        The file to check (usually ``NAME.part`` before it is renamed into place).
    source
        Its manifest entry.

    Returns
    -------
    list of str
        Differences that are allowed (an unpinned source whose bytes changed).

    Raises
    ------
    VerificationError
        The file is truncated, has another checksum, lacks a column or field, or
        cannot be read.
    """
    warnings: list[str] = []
    _check_size(path, source, warnings)
    if source.kind == "csv":
        _check_csv(path, source)
    else:
        _check_geojson(path, source)
    if source.sha256 is not None and sha256_of(path) != source.sha256:
        if source.pinned:
            raise _fail(
                source,
                f"SHA-256 differs from the manifest's {source.sha256[:12]}…: corrupted or "
                "another version",
                "la somme de contrôle SHA-256 ne correspond pas : fichier corrompu ou autre "
                "millésime",
            )
        warnings.append(f"{source.name}: content differs from the vetted copy")
    return warnings
