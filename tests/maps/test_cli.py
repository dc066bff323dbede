"""``cesp map export`` and ``cesp map preview``: offline pages with nothing to fetch."""

import re
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from cesp.cli.main import app
from cesp.zones.decrees import Decree

runner = CliRunner()


def _run(url: str, data_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--database-url", url, "--data-dir", str(data_dir), *args])
    return result.exit_code, result.output


def test_export_writes_a_page_with_everything_inside(
    scratch_url: str, data_dir: Path, decree: Decree, tmp_path: Path
) -> None:
    out = tmp_path / "carte" / "idf.html"
    code, output = _run(scratch_url, data_dir, "map", "export", "-o", str(out), "--region", "11")
    assert code == 0, output
    assert "Carte écrite" in output and "5 zones" in " ".join(output.split())
    html = out.read_text(encoding="utf-8")
    assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="(?!data:)', html)
    assert "Leaflet 1.9" in html and "markerClusterGroup" in html
    assert "data:image/png;base64," in html  # the layer-control icon of leaflet.css
    assert '"mode":"standalone"' in html and "Bobigny" in html and "Aubervilliers" in html
    assert out.stat().st_size < 3_000_000


def test_export_refuses_bad_input(
    scratch_url: str, data_dir: Path, decree: Decree, tmp_path: Path
) -> None:
    out = tmp_path / "x.html"
    code, output = _run(scratch_url, data_dir, "map", "export", "-o", str(out), "--region", "île")
    assert code == 2 and "région" in output
    code, output = _run(scratch_url, data_dir, "map", "export", "-o", str(out), "--date", "hier")
    assert code == 2 and "AAAA-MM-JJ" in output
    assert not out.exists()
    # A page goes to a .html file: a folder (a traceback once the page was built) or
    # another name is refused, for the export and the preview alike.
    for command in (("export",), ("preview", str(decree.id))):
        code, output = _run(scratch_url, data_dir, "map", *command, "-o", str(tmp_path))
        assert code == 2 and "est un dossier" in output and "is a folder" in output, output
        text = tmp_path / "carte.txt"
        code, output = _run(scratch_url, data_dir, "map", *command, "-o", str(text))
        assert code == 2 and "doit finir par .html" in output and not text.exists(), output


def test_preview_of_the_published_decree_against_nothing(
    scratch_url: str, data_dir: Path, decree: Decree, map_engine: sa.Engine, tmp_path: Path
) -> None:
    out = tmp_path / "apercu.html"
    code, output = _run(scratch_url, data_dir, "map", "preview", str(decree.id), "-o", str(out))
    assert code == 0, output
    assert "5 commune(s) entrent, 0 sortent" in " ".join(output.split())
    html = out.read_text(encoding="utf-8")
    assert '"entering":5' in html and '"leaving":0' in html and "Leaflet 1.9" in html
