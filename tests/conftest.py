"""Shared fixtures: a library in tmp_path built from the files of tests/data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .postgresql import pg_url, postgresql_server  # noqa: F401  (a real PostgreSQL, one per test session)

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent


@pytest.fixture(autouse=True)
def _no_watcher_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The library watcher starts only in the tests that ask for it (tests/test_watcher.py), so that none outlives
    its test."""
    monkeypatch.setenv("OUTILLERIE_WATCHER", "off")


@pytest.fixture
def valid_sheet_text() -> str:
    """The text of a valid sheet, to derive defects from."""
    return (DATA / "valid" / "resources" / "fiche-test" / "index.md").read_text(encoding="utf-8")


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """An empty library (a folder holding resources/)."""
    (tmp_path / "lib" / "resources").mkdir(parents=True)
    return tmp_path / "lib"


def copy_case(name: str, target: Path) -> Path:
    """Copy tests/data/<name> (a small library) into target and return it."""
    shutil.copytree(DATA / name, target, symlinks=True)
    return target


def copy_commons(factory: pytest.TempPathFactory, index: bool = False) -> Path:
    """A library holding a copy of the shipped commons (the repository's index/ is left alone), indexed if asked."""
    library = factory.mktemp("communs")
    shutil.copytree(REPO / "resources", library / "resources")
    if index:
        from click.testing import CliRunner

        from outillerie.cli import cli

        CliRunner().invoke(cli, ["--library", str(library), "index"], catch_exceptions=False)
    return library
