"""``cesp.output_paths``: an output name is checked before the work, with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from cesp.errors import InvalidInputError
from cesp.output_paths import output_file


def test_a_folder_or_a_wrong_extension_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as folder:
        output_file(tmp_path, (".html", ".htm"), "carte.html")
    assert "est un dossier" in folder.value.message_fr and "carte.html" in folder.value.message_fr
    assert "is a folder" in str(folder.value) and folder.value.field == "output"
    with pytest.raises(InvalidInputError) as named:
        output_file(tmp_path / "liste.pdf", (".csv", ".xlsx"))
    assert "doit finir par .csv ou .xlsx" in named.value.message_fr
    assert "must end in .csv or .xlsx" in str(named.value)


def test_a_file_name_gives_its_extension(tmp_path: Path) -> None:
    assert output_file(tmp_path / "Liste.XLSX", (".csv", ".xlsx")) == ".xlsx"
    assert output_file(tmp_path / "reponses") == ""  # no extension asked for
