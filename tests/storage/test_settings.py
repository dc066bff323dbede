"""Where the data lives by default: never relative to the folder a command runs from."""

from pathlib import Path

import pytest

from cesp.storage import settings as settings_module
from cesp.storage.settings import REPO_ROOT, Settings


@pytest.fixture
def no_cesp_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CESP_HOME", "CESP_DATABASE_URL", "CESP_INDEX_CACHE_DIR", "CESP_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_cesp_env")
def test_from_a_checkout_the_database_and_index_live_in_its_var_folder_wherever_we_stand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = Settings()
    monkeypatch.chdir(tmp_path)
    elsewhere = Settings()
    assert here.home == elsewhere.home == REPO_ROOT / "var"
    assert elsewhere.database_url == f"sqlite:///{REPO_ROOT / 'var' / 'cesp.sqlite'}"
    assert elsewhere.index_cache_dir == str(REPO_ROOT / "var" / "cache" / "index")
    assert here.data_dir == elsewhere.data_dir


@pytest.mark.usefixtures("no_cesp_env")
def test_an_installed_package_uses_the_per_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings_module, "checkout_root", lambda: None)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    settings = Settings()
    assert settings.home == tmp_path / "xdg" / "cesp-zones"
    assert settings.database_url == f"sqlite:///{tmp_path / 'xdg' / 'cesp-zones' / 'cesp.sqlite'}"
    assert settings.data_dir == tmp_path / "xdg" / "cesp-zones" / "reference"


@pytest.mark.usefixtures("no_cesp_env")
def test_one_setting_moves_everything_and_each_can_still_be_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CESP_HOME", str(tmp_path / "srv"))
    settings = Settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'srv' / 'cesp.sqlite'}"
    assert settings.index_cache_dir == str(tmp_path / "srv" / "cache" / "index")
    monkeypatch.setenv("CESP_INDEX_CACHE_DIR", "")
    monkeypatch.setenv("CESP_DATABASE_URL", "postgresql://u:p@h/db")
    settings = Settings()
    assert settings.index_cache_dir == "", "empty still means: keep no index on disk"
    assert settings.database_url == "postgresql+psycopg://u:p@h/db"
