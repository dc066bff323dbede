"""``cesp data fetch`` end to end: a local mirror of the publishers, then ``cesp geo load``
reading what was fetched, as a deployment does on its first day."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cesp.cli.main import app
from cesp.geo.sources import Manifest, load_manifest
from tests.geo.publisher_mirror import Fault, PublisherMirror, mirror_files, url_path

runner = CliRunner()
TVS_PATH = "territoires-de-vie-sante-correspondance-communale.csv"


def _cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, " ".join(result.output.split())  # rich wraps long lines


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return load_manifest()


@pytest.fixture(scope="module")
def files(manifest: Manifest, data_dir: Path) -> dict[str, bytes]:
    return mirror_files(manifest, data_dir, manifest.sources)


@pytest.fixture(scope="module")
def fetched(files: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("reference")
    with PublisherMirror(files) as mirror:
        code, out = _cli("data", "fetch", "--dest", str(dest), "--base-url", mirror.base_url)
    assert code == 0, out
    assert "108 fichier(s) téléchargé(s)" in out and "0 en échec" in out
    # The TVS correspondence is not in the shared data: said, and nothing fails.
    assert "tvs/tvs-communes.csv (facultatif) non obtenu" in out
    assert "cesp data load-tvs" in out
    return dest


def test_geo_load_reads_the_fetched_directory(
    fetched: Path, scratch_url: str, scratch_engine: sa.Engine
) -> None:
    code, out = _cli(
        "--database-url", scratch_url, "--data-dir", str(fetched), "geo", "load",
        "--departements", "75",
    )  # fmt: skip
    assert code == 0, out
    assert "Chargé (75) : 1 communes, 20 arrondissements" in out
    with scratch_engine.connect() as conn:
        paris = conn.execute(
            sa.text("SELECT name FROM commune_units WHERE code = '75056' AND valid_to IS NULL")
        ).scalar_one()
    assert paris == "Paris"


def test_a_second_fetch_downloads_nothing(fetched: Path, files: dict[str, bytes]) -> None:
    with PublisherMirror(files) as mirror:
        code, out = _cli("data", "fetch", "--dest", str(fetched), "--base-url", mirror.base_url)
    assert code == 0, out
    assert "0 fichier(s) téléchargé(s) (0.0 Mo), 108 déjà présent(s)" in out
    assert [r.path for r in mirror.requests] == ["/data-gouv/" + TVS_PATH]


def test_a_refused_file_exits_non_zero_and_is_not_left_in_place(
    tmp_path: Path, manifest: Manifest, files: dict[str, bytes]
) -> None:
    regions = next(s for s in manifest.sources if s.name == "cog/regions.csv")
    path = url_path(manifest, regions)
    broken = files[path].replace(b"Bretagne", b"Bretagnx")
    with PublisherMirror(files, {path: Fault(body=broken)}) as mirror:
        code, out = _cli(
            "data", "fetch", "--dest", str(tmp_path), "--base-url", mirror.base_url,
            "--only", "cog",
        )  # fmt: skip
    assert code == 1
    assert "cog/regions.csv : la somme de contrôle SHA-256 ne correspond pas" in out
    assert "5 fichier(s) téléchargé(s)" in out and "1 en échec" in out
    assert not (tmp_path / "cog" / "regions.csv").exists()
    assert (tmp_path / "cog" / "communes.csv").is_file()


def test_only_selects_files_and_rejects_unknown_names(
    tmp_path: Path, files: dict[str, bytes]
) -> None:
    with PublisherMirror(files) as mirror:
        code, out = _cli(
            "data", "fetch", "--dest", str(tmp_path), "--base-url", mirror.base_url,
            "--only", "cog/regions.csv,communes/75-*", "--only", "paris-arrondissements.geojson",
        )  # fmt: skip
        assert code == 0, out
        assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.*")) == [
            "cog/regions.csv",
            "communes/75-paris.geojson",
            "paris-arrondissements.geojson",
        ]
        code, out = _cli("data", "fetch", "--dest", str(tmp_path), "--only", "cog/regions.xlsx")
    assert code == 2 and "Aucun fichier de référence ne correspond" in out
    assert len(mirror.requests) == 3


def test_an_unreachable_publisher_fails_with_a_message(tmp_path: Path) -> None:
    code, out = _cli(
        "data", "fetch", "--dest", str(tmp_path), "--base-url", "http://127.0.0.1:9",
        "--only", "cog/regions.csv", "--attempts", "1",
    )  # fmt: skip
    assert code == 1
    assert "cog/regions.csv : échec du téléchargement de http://127.0.0.1:9/" in out
    assert not (tmp_path / "cog" / "regions.csv").exists()


def test_a_mirror_url_must_be_http(tmp_path: Path) -> None:
    code, out = _cli("data", "fetch", "--dest", str(tmp_path), "--base-url", "ftp://mirror")
    assert code == 2 and "http:// ou https://" in out
    assert list(tmp_path.iterdir()) == []


def test_without_dest_it_fills_cesp_data_dir(tmp_path: Path, files: dict[str, bytes]) -> None:
    with PublisherMirror(files) as mirror:
        code, out = _cli(
            "data", "fetch", "--base-url", mirror.base_url, "--only", "cog/regions.csv",
            env={"CESP_DATA_DIR": str(tmp_path)},
        )  # fmt: skip
    assert code == 0, out
    assert (tmp_path / "cog" / "regions.csv").is_file()
    assert f"CESP_DATA_DIR={tmp_path} cesp geo load" in out
