"""The lock files pin every dependency that pyproject.toml asks for, within its ranges."""

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from cesp.storage.settings import REPO_ROOT

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"{path.name}: {line!r} is not pinned to one version"
            pins[canonicalize_name(name)] = version.strip()
    return pins


BASE = _pins(REPO_ROOT / "requirements" / "base.txt")
TEST = _pins(REPO_ROOT / "requirements" / "test.txt")


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        (BASE, PYPROJECT["project"]["dependencies"]),
        (TEST, PYPROJECT["project"]["dependencies"]),
        (TEST, PYPROJECT["project"]["optional-dependencies"]["test"]),
    ],
    ids=["runtime", "test-runtime", "test-tools"],
)
def test_every_dependency_is_pinned_within_its_range(
    lock: dict[str, str], requirements: list[str]
) -> None:
    for text in requirements:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in lock, f"{name} missing from the lock: run bash scripts/lock"
        assert requirement.specifier.contains(lock[name], prereleases=True), (
            f"{name}=={lock[name]} is outside {requirement.specifier}: run bash scripts/lock"
        )


def test_the_test_lock_agrees_with_the_runtime_lock() -> None:
    differing = {name: (v, TEST[name]) for name, v in BASE.items() if TEST.get(name) != v}
    assert differing == {}, "production and CI must run the same versions"
