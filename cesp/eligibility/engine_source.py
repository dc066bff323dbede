"""Which source files shape a stored zoning index, found by following imports.

A stored index is valid only for the code that built it. Instead of a list of modules
kept by hand (which silently goes stale when the build starts reading a new module),
the engine's source is every module of ``cesp.eligibility`` and every ``cesp`` module
they import, directly or not (``from cesp.x import y`` and ``import cesp.x``
statements, found by a regular expression over the source: a few milliseconds, no
import executed). The digest of those files, with the package version, is part of
every index file's key (``cesp.eligibility.index_cache``).

The closure is larger than what the build strictly needs (the bulk CSV writer is in
it): a change there costs one rebuild, never a stale index.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import cesp

ROOT = Path(cesp.__file__).resolve().parent.parent
ENGINE_PACKAGE = "cesp.eligibility"
_FROM = re.compile(r"^\s*from\s+(cesp(?:\.\w+)*)\s+import\s+(\([^)]*\)|[^\n#]*)", re.M)
_IMPORT = re.compile(r"^\s*import\s+(cesp(?:\.\w+)*)", re.M)


def module_file(root: Path, module: str) -> Path | None:
    """The source file of ``module`` under ``root`` (a module or a package), if any."""
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported(root: Path, source: str) -> set[str]:
    found = {m.group(1) for m in _IMPORT.finditer(source)}
    for match in _FROM.finditer(source):
        module = match.group(1)
        found.add(module)
        for name in re.findall(r"\w+", match.group(2)):
            if module_file(root, f"{module}.{name}") is not None:
                found.add(f"{module}.{name}")  # from cesp.eligibility import index
    return found


def engine_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the engine package and every ``cesp`` module it imports, with
    its file (packages' ``__init__`` included: importing ``cesp.a.b`` runs them)."""
    package = root.joinpath(*ENGINE_PACKAGE.split("."))
    pending = [ENGINE_PACKAGE]
    pending += [f"{ENGINE_PACKAGE}.{p.stem}" for p in package.glob("*.py") if p.stem != "__init__"]
    found: dict[str, Path] = {}
    while pending:
        module = pending.pop()
        if module in found:
            continue
        path = module_file(root, module)
        if path is None:
            continue
        found[module] = path
        parts = module.split(".")
        pending += [".".join(parts[:i]) for i in range(1, len(parts))]
        pending += sorted(_imported(root, path.read_text(encoding="utf-8")))
    return dict(sorted(found.items()))


def source_digest(root: Path = ROOT) -> str:
    """A digest of the package version and of the engine's source files."""
    digest = hashlib.sha256(f"cesp={cesp.__version__}".encode())
    for module, path in engine_modules(root).items():
        digest.update(module.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
