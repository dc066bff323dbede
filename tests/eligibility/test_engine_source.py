"""The key of a stored index follows the engine's source without a list kept by hand."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cesp.eligibility.engine_source import ROOT, engine_modules, source_digest


@pytest.fixture
def source_copy(tmp_path: Path) -> Path:
    """A copy of the ``cesp`` source tree, to edit."""
    shutil.copytree(ROOT / "cesp", tmp_path / "cesp", ignore=shutil.ignore_patterns("*.pyc"))
    return tmp_path


@pytest.mark.parametrize(
    "module",
    ["cesp/eligibility/segments.py", "cesp/geo/crs.py", "cesp/zones/decrees.py"],
)
def test_an_edited_engine_module_changes_the_key(source_copy: Path, module: str):
    before = source_digest(source_copy)
    with (source_copy / module).open("a", encoding="utf-8") as handle:
        handle.write("\nSOME_NEW_CONSTANT = 1\n")
    assert source_digest(source_copy) != before, f"{module} changed, the key must too"


def test_a_module_the_engine_starts_importing_joins_the_key(source_copy: Path):
    (source_copy / "cesp" / "newrule.py").write_text("LIMIT = 3\n", encoding="utf-8")
    before = source_digest(source_copy)
    assert "cesp.newrule" not in engine_modules(source_copy)
    grid = source_copy / "cesp" / "eligibility" / "grid.py"
    grid.write_text(
        grid.read_text(encoding="utf-8").replace(
            "import shapely\n", "import shapely\n\nfrom cesp.newrule import LIMIT\n", 1
        ),
        encoding="utf-8",
    )
    assert "cesp.newrule" in engine_modules(source_copy)
    after = source_digest(source_copy)
    (source_copy / "cesp" / "newrule.py").write_text("LIMIT = 4\n", encoding="utf-8")
    assert len({before, after, source_digest(source_copy)}) == 3


def test_a_module_outside_the_engine_leaves_the_key_alone(source_copy: Path):
    before = source_digest(source_copy)
    with (source_copy / "cesp" / "api" / "app.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# the web layer is not part of the index\n")
    assert source_digest(source_copy) == before


def test_every_module_a_build_and_a_load_run_is_in_the_key():
    """Whatever the engine imports, at import or at run time (lazy imports), is hashed:
    a fresh process imports the cache, builds, stores and loads an index; the ``cesp``
    modules it loaded meanwhile (the test's own database set-up apart) are all in the
    key's set."""
    script = (
        "import sys, tempfile\n"
        "from pathlib import Path\n"
        "import cesp.eligibility.index_cache as index_cache\n"
        "engine_side = {m for m in sys.modules if m.split('.')[0] == 'cesp'}\n"
        "from cesp.storage.engine import create_engine\n"
        "from cesp.storage import schema\n"
        "with tempfile.TemporaryDirectory() as tmp:\n"
        "    engine = create_engine(f'sqlite:///{tmp}/empty.sqlite')\n"
        "    schema.upgrade(engine)\n"
        "    set_up = set(sys.modules)\n"
        "    index_cache.IndexCache(Path(tmp) / 'cache').load_or_build(engine)\n"
        "    index_cache.IndexCache(Path(tmp) / 'cache').load_or_build(engine)\n"
        "    engine_side |= {m for m in set(sys.modules) - set_up if m.split('.')[0] == 'cesp'}\n"
        "print('\\n'.join(sorted(engine_side)))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout.split()
    assert "cesp.eligibility.index" in loaded
    outside = sorted(set(loaded) - set(engine_modules()))
    assert outside == [], f"modules the index build runs but its key ignores: {outside}"
