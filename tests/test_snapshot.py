"""The one view of the library: every command agrees on which sheets are valid, even after the rules change."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from outillerie.sheets.freshness import current_id
from outillerie.sheets.snapshot import take_snapshot

from .conftest import REPO, copy_case

PACKAGE = REPO / "outillerie"


def _add_sheet(library: Path, slug: str, title: str, theme: str) -> None:
    text = (library / "resources" / "fiche-test" / "index.md").read_text(encoding="utf-8")
    text = text.replace('title: "Atelier de test"', f'title: "{title}"\nthemes: [{theme}]')
    (library / "resources" / slug).mkdir()
    (library / "resources" / slug / "index.md").write_text(text, encoding="utf-8")


def _upgraded_package(target: Path, drop_theme: str) -> Path:
    """A copy of outillerie whose vocabulary no longer knows one theme: what an upgrade that changes a rule does."""
    shutil.copytree(PACKAGE, target / "outillerie", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", "commons"))
    vocabulary_file = target / "outillerie" / "data" / "vocabulary.json"
    vocabulary = json.loads(vocabulary_file.read_text(encoding="utf-8"))
    del vocabulary["themes"][drop_theme]
    vocabulary_file.write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
    return target


def _run(package_parent: Path | None, library: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package_parent)} if package_parent else dict(os.environ)
    code = "import sys; from outillerie.cli import main; sys.argv[0] = 'outillerie'; main()"
    return subprocess.run([sys.executable, "-c", code, "--library", str(library), *args], capture_output=True,
                          text=True, env=env, cwd=library, timeout=120)


def test_a_rule_change_is_seen_by_check_search_and_export_at_once(tmp_path: Path) -> None:
    library = copy_case("valid", tmp_path / "lib")
    _add_sheet(library, "cafe-reseau", "Café du réseau", "animation-de-reseau")
    assert _run(None, library, "check").returncode == 0
    assert "cafe-reseau" in _run(None, library, "search", "café", "--format", "json").stdout
    assert _run(None, library, "export", "--output", str(tmp_path / "site")).returncode == 0
    assert (tmp_path / "site" / "fiches" / "cafe-reseau" / "index.html").is_file()

    upgraded = _upgraded_package(tmp_path / "upgrade", drop_theme="animation-de-reseau")
    check = _run(upgraded, library, "check")
    assert check.returncode == 1
    assert "resources/cafe-reseau/index.md:" in check.stdout and "animation-de-reseau" in check.stdout
    search = _run(upgraded, library, "search", "café", "--format", "json")  # no --rebuild, same index folder
    assert "cafe-reseau" not in search.stdout
    assert "1 fiche non valide n’est pas dans l'index" in search.stderr
    export = _run(upgraded, library, "export", "--output", str(tmp_path / "site"), "--keep-going")
    assert export.returncode == 0, export.stderr
    assert not (tmp_path / "site" / "fiches" / "cafe-reseau").exists()
    assert (tmp_path / "site" / "fiches" / "fiche-test" / "index.html").is_file()
    assert "cafe-reseau" not in (tmp_path / "site" / "catalogue.json").read_text(encoding="utf-8")


def test_the_snapshot_reads_again_only_what_moved(tmp_path: Path) -> None:
    library = copy_case("valid", tmp_path / "lib")
    _add_sheet(library, "deuxieme", "Deuxième atelier", "inclusion-numerique")
    cache = tmp_path / "cache"
    first = take_snapshot(library, cache)
    assert set(first.fresh) == {"fiche-test", "deuxieme"}
    assert current_id(library, cache) == first.id
    again = take_snapshot(library, cache)
    assert again.fresh == {} and again.id == first.id
    path = library / "resources" / "deuxieme" / "index.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Deuxième atelier", "Second atelier"), encoding="utf-8")
    assert current_id(library, cache) is None
    moved = take_snapshot(library, cache)
    assert set(moved.fresh) == {"deuxieme"} and moved.id != first.id
    assert [(s.slug, s.title) for s in moved.sheets()] == [("deuxieme", "Second atelier"), ("fiche-test", "Atelier de test")]


def test_a_title_shared_by_two_sheets_is_one_finding_of_the_snapshot(tmp_path: Path) -> None:
    library = copy_case("valid", tmp_path / "lib")
    _add_sheet(library, "copie", "Atelier de test", "inclusion-numerique")
    snapshot = take_snapshot(library, None)
    shared = [p for p in snapshot.problems if "est déjà celui de la fiche" in p.message]
    assert [p.path for p in shared] == ["resources/fiche-test/index.md"] and all(p.is_error for p in shared)
    assert [s.slug for s in snapshot.sheets()] == ["copie"]  # « copie » comes first in slug order: it keeps the title


def test_a_cache_that_cannot_be_written_only_costs_a_full_read(tmp_path: Path) -> None:
    library = copy_case("valid", tmp_path / "lib")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    snapshot = take_snapshot(library, blocker / "cache")
    assert [s.slug for s in snapshot.sheets()] == ["fiche-test"]
