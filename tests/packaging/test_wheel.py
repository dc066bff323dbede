"""The package as a user installs it: a wheel, away from the checkout."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cesp.storage.settings import REPO_ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(REPO_ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("cesp_zones-*.whl")
    return built


def test_the_wheel_carries_the_bundled_decree_migrations_and_map_assets(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "cesp/zones/authored/idf-12-209-medecin.csv" in names
    assert "cesp/storage/migrations/env.py" in names
    assert any(n.startswith("cesp/storage/migrations/versions/0001") for n in names)
    assert any(n.startswith("cesp/maps/static/") for n in names)


def test_an_installed_wheel_finds_its_decree_and_keeps_its_data_per_user(
    wheel: Path, tmp_path: Path
) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    script = (
        "import cesp, csv\n"
        "from cesp.zones.bundled import BUNDLED\n"
        "from cesp.storage.settings import Settings\n"
        f"assert cesp.__file__.startswith({str(target)!r}), cesp.__file__\n"
        "text = BUNDLED[0].resource.read_text('utf-8')\n"
        "rows = list(csv.reader(text.splitlines(), delimiter=';'))\n"
        "s = Settings()\n"
        "print(len(rows), s.home, s.database_url)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CESP_")}
    env |= {"PYTHONPATH": str(target), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    rows, home, url = done.stdout.split()
    assert int(rows) > 10
    assert home == str(tmp_path / "xdg" / "cesp-zones")
    assert url == f"sqlite:///{tmp_path / 'xdg' / 'cesp-zones' / 'cesp.sqlite'}"
