"""A re-export updates the previous site (its reserve, its search parts) instead of making everything again, and
gives the same bytes as a fresh export of the edited library: after each edit, every file of the site is compared
with an export into a new folder with an empty cache."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from outillerie.publish.export import export_site

from .conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402  (the benchmarks' realistic sheets)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    generate(tmp_path / "lib", 24, seed=3)
    return tmp_path / "lib"


def sheet(library: Path, number: int) -> Path:
    return sorted((library / "resources").iterdir())[number] / "index.md"


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_each_re_export_after_an_edit_equals_a_fresh_export(library: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    export_site(library, site, keep_going=True)
    edits = [
        # new words in a summary (new forms and new terms in the whole site), as bench/export_bench.py edits
        lambda: replace(sheet(library, 1), 'summary: "', 'summary: "Révision zorglubesque des chaussettes. '),
        # the same sheet again: those words go away, others come
        lambda: replace(sheet(library, 1), "Révision zorglubesque des chaussettes. ", "Kamishibaï et CNIL. "),
        # two sheets at once, one losing its whole body but its outline
        lambda: (replace(sheet(library, 5), "## Variantes", "## Variantes\n\nUn quiz sur la RGPD et les cookies."),
                 sheet(library, 9).write_text(sheet(library, 9).read_text(encoding="utf-8").split("## Variantes")[0],
                                              encoding="utf-8")),
        # a term that appears in the whole site through one sheet (« zorglubexement » → zorglubex) while another
        # sheet's form (« zorglube ») reaches the same word-table key (« zorglubex », its variant), then goes away
        lambda: replace(sheet(library, 3), "## Variantes", "## Variantes\n\nUn zorglube."),
        lambda: replace(sheet(library, 4), "## Variantes", "## Variantes\n\nLe zorglubexement."),
        lambda: replace(sheet(library, 4), "Le zorglubexement.", "Le chapeau."),
        # a title that moves the sheet in the catalogue's order: every number changes
        lambda: replace(sheet(library, 2), 'title: "', 'title: "Aardvark : '),
        # a sheet removed
        lambda: subprocess.run(["rm", "-r", str(sheet(library, 7).parent)], check=True),
    ]
    for number, edit in enumerate(edits):
        edit()
        report = export_site(library, site, keep_going=True)
        fresh = tmp_path / f"fresh-{number}"
        export_site(library, fresh, keep_going=True, cache_dir=tmp_path / f"cache-{number}")
        assert files(site) == files(fresh), f"edit {number}"
        written, kept = report.search_parts
        if number < 6:  # same sheets in the same order: only the parts the edit touches are written
            assert written < kept, (number, written, kept)


def test_the_search_parts_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """The word tables are built from sets of forms: two processes with different hash seeds give the same bytes."""
    script = ("from outillerie.publish.searchindex import thesaurus_words; import json; "
              "print(json.dumps(thesaurus_words(), ensure_ascii=False))")
    outputs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}).stdout for seed in ("1", "2", "3")}
    assert len(outputs) == 1
