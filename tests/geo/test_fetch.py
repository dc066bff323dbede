"""``fetch_reference`` against a local mirror of the publishers on 127.0.0.1.

The mirror serves the shared copies at the publishers' paths; faults are scripted per
path. No database is needed: what matters is which bytes end up under which name.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cesp.errors import InvalidInputError
from cesp.geo import cog
from cesp.geo.boundaries import (
    PARIS_ARRONDISSEMENTS,
    boundary_files,
    read_boundaries,
    read_paris_arrondissements,
)
from cesp.geo.download import DownloadError, RetryPolicy
from cesp.geo.fetch import FetchReport, FetchResult, fetch_reference
from cesp.geo.sources import Manifest, Source, load_manifest
from cesp.geo.verify import VerificationError
from tests.geo.publisher_mirror import Fault, PublisherMirror, mirror_files, url_path, zipped

FAST = RetryPolicy(attempts=3, backoff_s=0.0)
COMMUNES_CSV = "cog/communes.csv"


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return load_manifest()


def _source(manifest: Manifest, name: str) -> Source:
    return next(s for s in manifest.sources if s.name == name)


def _fetch(
    dest: Path,
    manifest: Manifest,
    mirror: PublisherMirror,
    *sources: Source,
    retry: RetryPolicy = FAST,
    waits: list[float] | None = None,
) -> FetchReport:
    return fetch_reference(
        dest,
        sources or None,
        manifest=manifest,
        base_url=mirror.base_url,
        retry=retry,
        sleep=(waits if waits is not None else []).append,
    )


def _only(report: FetchReport) -> FetchResult:
    (result,) = report.results
    return result


def _nothing_left(dest: Path, source: Source) -> bool:
    final = dest / source.name
    return not final.exists() and not final.with_name(final.name + ".part").exists()


@pytest.fixture(scope="module")
def full_fetch(
    manifest: Manifest, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, FetchReport, dict[str, bytes]]:
    dest = tmp_path_factory.mktemp("fetched")
    files = mirror_files(manifest, data_dir, manifest.sources)
    with PublisherMirror(files) as mirror:
        report = _fetch(dest, manifest, mirror)
        assert len(mirror.requests) == len(manifest.sources)
    return dest, report, files


def test_a_full_fetch_writes_the_shared_files_byte_for_byte(
    full_fetch: tuple[Path, FetchReport, dict[str, bytes]], manifest: Manifest, data_dir: Path
) -> None:
    dest, report, _ = full_fetch
    required = [s for s in manifest.sources if not s.optional]
    assert report.ok, [r.error for r in report.results if r.error]
    assert len(report.with_status("downloaded")) == len(required) == 108
    for source in required:
        assert (dest / source.name).read_bytes() == (data_dir / source.name).read_bytes()
    assert not list(dest.rglob("*.part"))
    assert report.with_status("downloaded")[-1].warnings == ()


def test_an_absent_optional_file_breaks_nothing(
    full_fetch: tuple[Path, FetchReport, dict[str, bytes]], manifest: Manifest
) -> None:
    """The TVS correspondence is not in the shared data: the mirror answers 404, the
    fetch is still ok, and the failure is reported as optional, naming its command."""
    dest, report, _ = full_fetch
    (failure,) = report.optional_failures
    assert failure.source.name == "tvs/tvs-communes.csv"
    assert failure.source.loaded_by == "cesp data load-tvs"
    assert report.ok and report.required_failures == []
    assert not (dest / failure.source.name).exists()


def test_the_fetched_directory_reads_like_the_shared_one(
    full_fetch: tuple[Path, FetchReport, dict[str, bytes]], data_dir: Path
) -> None:
    dest, _, _ = full_fetch
    assert cog.read_communes(dest) == cog.read_communes(data_dir)
    assert cog.read_movements(dest) == cog.read_movements(data_dir)
    assert cog.read_populations(dest) == cog.read_populations(data_dir)
    assert [d.code for d in cog.read_departements(dest)][-1] == "976"
    assert [f.name for f in boundary_files(dest)] == [f.name for f in boundary_files(data_dir)]
    assert set(read_boundaries(dest / "communes" / "75-paris.geojson")) == {"75056"}
    assert set(read_paris_arrondissements(dest)) == {f"751{n:02d}" for n in range(1, 21)}


def test_a_second_run_downloads_nothing(
    full_fetch: tuple[Path, FetchReport, dict[str, bytes]], manifest: Manifest
) -> None:
    dest, _, files = full_fetch
    with PublisherMirror(files) as mirror:
        report = _fetch(dest, manifest, mirror)
    assert [r.path for r in mirror.requests] == [
        url_path(manifest, s) for s in manifest.sources if s.optional
    ]
    assert len(report.with_status("present")) == len(manifest.sources) - 1
    assert report.received == 0


def test_a_cut_download_resumes_with_a_range(
    tmp_path: Path, manifest: Manifest, data_dir: Path
) -> None:
    source = _source(manifest, COMMUNES_CSV)
    path = url_path(manifest, source)
    waits: list[float] = []
    files = mirror_files(manifest, data_dir, (source,))
    with PublisherMirror(files, faults={path: Fault(cut_after=1_000_000)}) as mirror:
        result = _only(_fetch(tmp_path, manifest, mirror, source, waits=waits))
    assert result.status == "downloaded" and result.resumed
    assert [r.range for r in mirror.requests_for(path)] == [None, "bytes=1000000-"]
    assert result.received == source.size
    assert (tmp_path / COMMUNES_CSV).read_bytes() == (data_dir / COMMUNES_CSV).read_bytes()
    assert len(waits) == 1


def test_a_part_left_by_an_earlier_run_is_resumed(
    tmp_path: Path, manifest: Manifest, data_dir: Path
) -> None:
    source = _source(manifest, COMMUNES_CSV)
    real = (data_dir / COMMUNES_CSV).read_bytes()
    (tmp_path / "cog").mkdir()
    (tmp_path / "cog" / "communes.csv.part").write_bytes(real[:500_000])
    with PublisherMirror(mirror_files(manifest, data_dir, (source,))) as mirror:
        result = _only(_fetch(tmp_path, manifest, mirror, source))
    assert [r.range for r in mirror.requests] == ["bytes=500000-"]
    assert result.status == "downloaded" and result.received == len(real) - 500_000
    assert (tmp_path / COMMUNES_CSV).read_bytes() == real


def test_a_complete_but_wrong_part_is_downloaded_afresh(
    tmp_path: Path, manifest: Manifest, data_dir: Path
) -> None:
    source = _source(manifest, COMMUNES_CSV)
    (tmp_path / "cog").mkdir()
    (tmp_path / "cog" / "communes.csv.part").write_bytes(b"x" * (source.size or 0))
    with PublisherMirror(mirror_files(manifest, data_dir, (source,))) as mirror:
        result = _only(_fetch(tmp_path, manifest, mirror, source))
    assert [r.range for r in mirror.requests] == [None]
    assert result.status == "downloaded" and result.received == source.size
    assert (tmp_path / COMMUNES_CSV).read_bytes() == (data_dir / COMMUNES_CSV).read_bytes()


def test_a_server_ignoring_ranges_gets_a_fresh_download(
    tmp_path: Path, manifest: Manifest, data_dir: Path
) -> None:
    source = _source(manifest, COMMUNES_CSV)
    real = (data_dir / COMMUNES_CSV).read_bytes()
    (tmp_path / "cog").mkdir()
    (tmp_path / "cog" / "communes.csv.part").write_bytes(b"x" * 500_000)
    faults = {url_path(manifest, source): Fault(ignore_range=True)}
    with PublisherMirror(mirror_files(manifest, data_dir, (source,)), faults) as mirror:
        result = _only(_fetch(tmp_path, manifest, mirror, source))
    assert [r.range for r in mirror.requests] == ["bytes=500000-"]
    assert result.status == "downloaded" and not result.resumed
    assert (tmp_path / COMMUNES_CSV).read_bytes() == real


def test_416_on_a_complete_part_finishes_without_data(
    tmp_path: Path, manifest: Manifest, data_dir: Path
) -> None:
    # The Paris export is not pinned: its size is not trusted, so the server decides.
    source = _source(manifest, PARIS_ARRONDISSEMENTS)
    real = (data_dir / PARIS_ARRONDISSEMENTS).read_bytes()
    (tmp_path / f"{PARIS_ARRONDISSEMENTS}.part").write_bytes(real)
    with PublisherMirror(mirror_files(manifest, data_dir, (source,))) as mirror:
        result = _only(_fetch(tmp_path, manifest, mirror, source))
    assert [r.range for r in mirror.requests] == [f"bytes={len(real)}-"]
    assert result.status == "downloaded" and result.received == 0
    assert (tmp_path / PARIS_ARRONDISSEMENTS).read_bytes() == real


def test_416_on_a_stale_longer_part_restarts_from_zero(
    tmp_path: Path, manifest: Manifest, data_dir: Path
) -> None:
    source = _source(manifest, PARIS_ARRONDISSEMENTS)
    real = (data_dir / PARIS_ARRONDISSEMENTS).read_bytes()
    (tmp_path / f"{PARIS_ARRONDISSEMENTS}.part").write_bytes(real + b"stale")
    with PublisherMirror(mirror_files(manifest, data_dir, (source,))) as mirror:
        result = _only(_fetch(tmp_path, manifest, mirror, source))
    assert [r.range for r in mirror.requests] == [f"bytes={len(real) + 5}-", None]
    assert result.status == "downloaded"
    assert (tmp_path / PARIS_ARRONDISSEMENTS).read_bytes() == real


def test_same_size_wrong_bytes_are_refused_by_checksum(
    tmp_path: Path, manifest: Manifest, data_dir: Path
) -> None:
    source = _source(manifest, COMMUNES_CSV)
    real = (data_dir / COMMUNES_CSV).read_bytes()
    broken = real.replace(b"Abergement-Cl", b"Abergement-Xl", 1)
    assert len(broken) == len(real) and broken != real
    faults = {url_path(manifest, source): Fault(body=broken)}
    with PublisherMirror({}, faults) as mirror:
        result = _only(_fetch(tmp_path, manifest, mirror, source))
    assert result.status == "failed" and isinstance(result.error, VerificationError)
    assert "SHA-256" in result.error.message and "somme de contrôle" in result.error.message_fr
    assert _nothing_left(tmp_path, source)


def test_a_file_shorter_than_the_manifest_is_refused(
    tmp_path: Path, manifest: Manifest, data_dir: Path
) -> None:
    source = _source(manifest, COMMUNES_CSV)
    real = (data_dir / COMMUNES_CSV).read_bytes()
    faults = {url_path(manifest, source): Fault(body=real[: len(real) // 2])}
    with PublisherMirror({}, faults) as mirror:
        result = _only(_fetch(tmp_path, manifest, mirror, source))
    assert result.status == "failed" and result.error is not None
    assert "truncated" in result.error.message and "tronqué" in result.error.message_fr
    assert _nothing_left(tmp_path, source)


def test_a_body_shorter_than_its_content_length_is_never_accepted(
    tmp_path: Path, manifest: Manifest, data_dir: Path
) -> None:
    source = _source(manifest, COMMUNES_CSV)
    path = url_path(manifest, source)
    files = mirror_files(manifest, data_dir, (source,))
    with PublisherMirror(files, {path: Fault(cut_after=1000, cut_times=99)}) as mirror:
        result = _only(_fetch(tmp_path, manifest, mirror, source))
    assert result.status == "failed" and isinstance(result.error, DownloadError)
    assert "3 attempts" in result.error.message
    assert result.error.message_fr.startswith("cog/communes.csv : échec du téléchargement")
    assert not (tmp_path / COMMUNES_CSV).exists()
    # The received bytes stay as the resume point; a healthy server completes them.
    assert (tmp_path / "cog" / "communes.csv.part").stat().st_size == 3000
    with PublisherMirror(files) as mirror:
        result = _only(_fetch(tmp_path, manifest, mirror, source))
    assert [r.range for r in mirror.requests] == ["bytes=3000-"]
    assert (tmp_path / COMMUNES_CSV).read_bytes() == (data_dir / COMMUNES_CSV).read_bytes()


def _without_column(data: bytes, column: str) -> bytes:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    out = io.StringIO()
    fields = [f for f in rows[0] if f != column]
    writer = csv.DictWriter(out, fields, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_a_csv_without_an_expected_column_is_refused(
    tmp_path: Path, manifest: Manifest, data_dir: Path
) -> None:
    # Unpinned, so that the column check itself is what refuses the file.
    source = _source(manifest, COMMUNES_CSV).model_copy(update={"pinned": False})
    body = _without_column((data_dir / COMMUNES_CSV).read_bytes(), "COMPARENT")
    with PublisherMirror({}, {url_path(manifest, source): Fault(body=body)}) as mirror:
        result = _only(_fetch(tmp_path, manifest, mirror, source))
    assert result.status == "failed" and result.error is not None
    assert "COMPARENT" in result.error.message_fr
    assert _nothing_left(tmp_path, source)


def _paris_features(data_dir: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((data_dir / PARIS_ARRONDISSEMENTS).read_bytes())
    return loaded


def test_a_regenerated_export_is_accepted_with_a_warning(
    tmp_path: Path, manifest: Manifest, data_dir: Path
) -> None:
    source = _source(manifest, PARIS_ARRONDISSEMENTS)
    body = json.dumps(_paris_features(data_dir), indent=2).encode()
    with PublisherMirror({}, {url_path(manifest, source): Fault(body=body)}) as mirror:
        result = _only(_fetch(tmp_path, manifest, mirror, source))
    assert result.status == "downloaded" and len(result.warnings) == 2
    assert set(read_paris_arrondissements(tmp_path)) == {f"751{n:02d}" for n in range(1, 21)}


def test_an_export_missing_an_arrondissement_is_refused(
    tmp_path: Path, manifest: Manifest, data_dir: Path
) -> None:
    source = _source(manifest, PARIS_ARRONDISSEMENTS)
    collection = _paris_features(data_dir)
    features = collection["features"]
    assert isinstance(features, list)
    body = json.dumps({**collection, "features": features[1:]}).encode()
    with PublisherMirror({}, {url_path(manifest, source): Fault(body=body)}) as mirror:
        result = _only(_fetch(tmp_path, manifest, mirror, source))
    assert result.status == "failed" and result.error is not None
    assert "19 features instead of 20" in result.error.message
    assert _nothing_left(tmp_path, source)


def test_a_truncated_geojson_is_refused(tmp_path: Path, manifest: Manifest, data_dir: Path) -> None:
    source = _source(manifest, PARIS_ARRONDISSEMENTS)
    body = (data_dir / PARIS_ARRONDISSEMENTS).read_bytes()[:100_000]
    with PublisherMirror({}, {url_path(manifest, source): Fault(body=body)}) as mirror:
        result = _only(_fetch(tmp_path, manifest, mirror, source))
    assert result.status == "failed" and result.error is not None
    assert "GeoJSON" in result.error.message_fr
    assert _nothing_left(tmp_path, source)


def test_a_zip_without_the_member_is_refused(
    tmp_path: Path, manifest: Manifest, data_dir: Path
) -> None:
    source = _source(manifest, "cog/donnees_communes.csv")
    body = zipped("autre.csv", (data_dir / source.name).read_bytes())
    with PublisherMirror({}, {url_path(manifest, source): Fault(body=body)}) as mirror:
        result = _only(_fetch(tmp_path, manifest, mirror, source))
    assert result.status == "failed" and result.error is not None
    assert "donnees_communes.csv" in result.error.message_fr
    assert _nothing_left(tmp_path, source)
    assert not list(tmp_path.rglob("*.part"))


def test_transient_errors_are_retried_with_growing_waits(
    tmp_path: Path, manifest: Manifest, data_dir: Path
) -> None:
    source = _source(manifest, "cog/regions.csv")
    path = url_path(manifest, source)
    waits: list[float] = []
    files = mirror_files(manifest, data_dir, (source,))
    with PublisherMirror(files, {path: Fault(status=503, status_times=2)}) as mirror:
        result = _only(
            _fetch(tmp_path, manifest, mirror, source, retry=RetryPolicy(3, 0.5, 30), waits=waits)
        )
    assert result.status == "downloaded"
    assert len(mirror.requests) == 3 and waits == [0.5, 1.0]


def test_a_missing_file_fails_at_once(tmp_path: Path, manifest: Manifest) -> None:
    source = _source(manifest, "cog/regions.csv")
    with PublisherMirror({}) as mirror:
        result = _only(_fetch(tmp_path, manifest, mirror, source))
    assert result.status == "failed" and isinstance(result.error, DownloadError)
    assert "HTTP 404" in result.error.message and len(mirror.requests) == 1


def test_a_corrupted_file_in_place_is_replaced(
    tmp_path: Path, manifest: Manifest, data_dir: Path
) -> None:
    source = _source(manifest, "cog/regions.csv")
    (tmp_path / "cog").mkdir()
    (tmp_path / source.name).write_text("REG,LIBELLE\n11,Île-de-France\n", encoding="utf-8")
    with PublisherMirror(mirror_files(manifest, data_dir, (source,))) as mirror:
        result = _only(_fetch(tmp_path, manifest, mirror, source))
    assert result.status == "downloaded" and result.replaced
    assert (tmp_path / source.name).read_bytes() == (data_dir / source.name).read_bytes()


def test_the_manifest_covers_what_geo_load_reads(manifest: Manifest, data_dir: Path) -> None:
    names = {s.name for s in manifest.sources}
    for kind, name in cog.COG_FILES.items():
        assert cog.REQUIRED_COLUMNS[kind] <= set(_source(manifest, name).columns)
    assert PARIS_ARRONDISSEMENTS in names
    boundaries = {f"communes/{f.name}" for f in boundary_files(data_dir)}
    assert boundaries <= names and len(boundaries) == 101


def test_selection_by_name_folder_and_glob(manifest: Manifest) -> None:
    assert [s.name for s in manifest.select(["communes/75-*"])] == ["communes/75-paris.geojson"]
    assert len(manifest.select(["cog"])) == 6
    assert len(manifest.select(["communes"])) == 101
    assert len(manifest.select(None)) == 109  # 108 for the geography, the TVS table
    assert [s.name for s in manifest.select(["tvs"])] == ["tvs/tvs-communes.csv"]
    with pytest.raises(InvalidInputError) as raised:
        manifest.select(["cog/communes.xlsx"])
    assert raised.value.field == "only"
