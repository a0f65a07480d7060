"""The index: full and incremental builds, the stamp, the writers' lock, damaged and foreign indexes.

Every test builds a real Whoosh index in tmp_path and damages it for real when it says so.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from outillerie.cli import cli
from outillerie.errors import SearchIndexError
from outillerie.search import segments
from outillerie.search.index import update_index
from outillerie.sheets.freshness import RULES_FILE, STAMP_FILE, current_id
from outillerie.sheets.snapshot import DETAILS_FILE
from outillerie.search.index import DOCUMENTS, MANIFEST, read_manifest
from outillerie.search.query import search_library
from outillerie.sheets.check import check_paths
from outillerie.sheets.paths import LibraryPaths

from .conftest import REPO

SHEET = """---
title: "{title}"
summary: "{summary}"
objective: {objective}
public: [mediateurs-numeriques]
duration: 60
license: CC-BY-SA-4.0
authors: ["Collectif outillerie"]
---

## Objectifs

{body}

## Matériel et préparation

Rien.

## Déroulé

### Accueil (10 min)

Bonjour.

### Activité (50 min)

Travail.

## Variantes

Aucune.

## Pour aller plus loin

Rien.
"""


def write_sheet(library: Path, slug: str, title: str, body: str = "Comprendre.", objective: str = "sensibiliser",
                summary: str = "Une fiche de test.") -> Path:
    path = library / "resources" / slug / "index.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SHEET.format(title=title, body=body, objective=objective, summary=summary), encoding="utf-8")
    return path


def slugs_for(library: Path, query: str, **options: object) -> list[str]:
    result = search_library(library, library / "index", query, limit=50, **options)
    return sorted(hit.slug for hit in result.hits)


def notices(library: Path, query: str) -> list[str]:
    seen: list[str] = []
    search_library(library, library / "index", query, notify=seen.append)
    return seen


@pytest.fixture
def small(library: Path) -> Path:
    write_sheet(library, "cafe-numerique", "Café numérique", "Parler du smartphone autour d'un café.")
    write_sheet(library, "jeu-des-arnaques", "Le jeu des arnaques", "Repérer un hameçonnage.")
    write_sheet(library, "reseau-local", "Animer un réseau local", "Réunir les médiateur·rice·s.", objective="reseau")
    return library


def test_rebuild_indexes_valid_sheets_and_reports_invalid_ones_with_the_messages_of_check(small: Path) -> None:
    broken = write_sheet(small, "objectif-inconnu", "Objectif inconnu", objective="apprendre")
    write_sheet(small, "double-a", "Même titre")
    write_sheet(small, "double-b", "Même titre")
    report = update_index(small, small / "index", rebuild=True)
    expected = [p for p in check_paths(LibraryPaths(small)).problems if p.is_error]
    assert list(report.problems) == expected
    assert {p.path for p in report.problems} == {"resources/objectif-inconnu/index.md", "resources/double-b/index.md"}
    assert report.rebuilt and report.indexed == 4  # double-a keeps its title: only the later double-b is left out
    assert slugs_for(small, "fiche") == ["cafe-numerique", "double-a", "jeu-des-arnaques", "reseau-local"]
    broken.write_text(broken.read_text(encoding="utf-8").replace("apprendre", "reseau"), encoding="utf-8")
    report = update_index(small, small / "index")
    assert (report.added, report.updated, report.removed) == (1, 0, 0)
    assert "objectif-inconnu" in slugs_for(small, "fiche")


def test_incremental_update_touches_only_added_changed_and_removed_sheets(small: Path) -> None:
    update_index(small, small / "index")
    generation = read_manifest(small / "index").generation
    write_sheet(small, "cafe-numerique", "Café numérique", "Parler de la tablette autour d'un café.")
    write_sheet(small, "nouvelle", "Une nouvelle fiche", "Découvrir la visioconférence.")
    (small / "resources" / "jeu-des-arnaques" / "index.md").unlink()
    (small / "resources" / "jeu-des-arnaques").rmdir()
    report = update_index(small, small / "index")
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 1)
    assert read_manifest(small / "index").generation == generation  # no rebuild
    assert slugs_for(small, "tablette") == ["cafe-numerique"]
    assert slugs_for(small, "smartphone") == []
    assert slugs_for(small, "hameçonnage") == []
    assert slugs_for(small, "visioconference") == ["nouvelle"]


def test_a_touched_but_unchanged_sheet_is_not_rewritten(small: Path) -> None:
    update_index(small, small / "index")
    key = json.loads((small / "index" / STAMP_FILE).read_text(encoding="utf-8"))["key"]
    path = small / "resources" / "cafe-numerique" / "index.md"
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert current_id(small, small / "index") is None
    report = update_index(small, small / "index")
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 3)
    # the new stats are remembered (as a digest): the next search trusts the index without a snapshot
    assert json.loads((small / "index" / STAMP_FILE).read_text(encoding="utf-8"))["key"] != key
    assert current_id(small, small / "index") == read_manifest(small / "index").snapshot


def test_a_duplicate_title_leaves_only_the_later_sheet_out_until_it_is_renamed(small: Path) -> None:
    update_index(small, small / "index")
    write_sheet(small, "un-autre-cafe", "Café numérique", "Un autre café.")  # undated both: slug order decides
    report = update_index(small, small / "index")
    assert [p.path for p in report.problems] == ["resources/un-autre-cafe/index.md"]
    assert "le titre « Café numérique » est déjà celui de la fiche cafe-numerique, qui le garde" in report.problems[0].message
    assert report.problems[0].line == 2
    assert slugs_for(small, "cafe") == ["cafe-numerique"]  # the first one stays searchable
    write_sheet(small, "un-autre-cafe", "Un autre café", "Un autre café.")
    seen: list[str] = []
    assert sorted(h.slug for h in search_library(small, small / "index", "cafe", notify=seen.append).hits) == [
        "cafe-numerique", "un-autre-cafe"]
    assert seen == []


def test_the_index_folder_holds_the_stamp_one_generation_the_snapshot_and_nothing_else(small: Path) -> None:
    (small / "index").mkdir()
    (small / "index" / ".gitkeep").write_text("", encoding="utf-8")
    update_index(small, small / "index", rebuild=True)
    first = read_manifest(small / "index").generation
    update_index(small, small / "index", rebuild=True)
    second = read_manifest(small / "index").generation
    assert first != second
    assert slugs_for(small, "tablette") == []  # a search keeps the thesaurus and the rules' fingerprint too
    names = sorted(p.name for p in (small / "index").iterdir())
    assert names == sorted([".gitkeep", DOCUMENTS, MANIFEST, "outillerie.lock", second, STAMP_FILE, DETAILS_FILE,
                            RULES_FILE, "thesaurus.json"])
    stamp = json.loads((small / "index" / MANIFEST).read_text(encoding="utf-8"))
    assert stamp["format"]["whoosh"] and stamp["format"]["schema"] >= 1 and stamp["format"]["analyzer"] >= 1


def test_a_stamp_from_another_version_rebuilds_by_itself(small: Path) -> None:
    update_index(small, small / "index")
    old = read_manifest(small / "index").generation
    stamp_file = small / "index" / MANIFEST
    stamp = json.loads(stamp_file.read_text(encoding="utf-8"))
    stamp["format"]["whoosh"] = "1.8.4"
    stamp_file.write_text(json.dumps(stamp), encoding="utf-8")
    assert notices(small, "smartphone") == [
        "Reconstruction complète de l'index de recherche : l'index a été construit par une autre version d'outillerie ou de Whoosh."]
    assert read_manifest(small / "index").generation != old
    assert not (small / "index" / old).exists()


class Tripwire:
    """Leaves a file behind when unpickled: proof that an index was opened."""

    def __init__(self, flag: str) -> None:
        self.flag = flag

    def __setstate__(self, state: dict[str, str]) -> None:
        Path(state["flag"]).write_text("ouvert", encoding="utf-8")
        self.__dict__.update(state)


def test_an_index_we_did_not_build_is_never_opened(small: Path, tmp_path: Path) -> None:
    """A real Whoosh index whose schema unpickles a tripwire, under a stamp of another version."""
    import whoosh.index
    from whoosh.fields import STORED, Schema

    flag = tmp_path / "tripwire"
    foreign = small / "index" / "whoosh-0123456789ab"
    foreign.mkdir(parents=True)
    whoosh.index.create_in(str(foreign), Schema(trap=STORED(), content=STORED()))
    toc = next(foreign.glob("*.toc"))
    toc.write_bytes(toc.read_bytes() + pickle.dumps(Tripwire(str(flag))))
    (small / "index" / MANIFEST).write_text(json.dumps({"format": {"whoosh": "0.1"}, "generation": foreign.name,
                                                        "stats": ""}), encoding="utf-8")
    assert slugs_for(small, "smartphone") == ["cafe-numerique"]
    assert not flag.exists()
    assert not foreign.exists()


def _generation(library: Path) -> Path:
    return library / "index" / read_manifest(library / "index").generation


def _truncate_segment(library: Path) -> None:
    segment = next(_generation(library).glob("*.seg"))
    with segment.open("r+b") as file:
        file.truncate(segment.stat().st_size // 2)


def _delete_segment(library: Path) -> None:
    next(_generation(library).glob("*.seg")).unlink()


def _delete_toc(library: Path) -> None:
    next(_generation(library).glob("*.toc")).unlink()


def _empty_generation(library: Path) -> None:
    for path in _generation(library).iterdir():
        path.unlink()


def _delete_generation(library: Path) -> None:
    import shutil

    shutil.rmtree(_generation(library))


def _empty_index_folder(library: Path) -> None:
    import shutil

    shutil.rmtree(library / "index")
    (library / "index").mkdir()


def _garbage_stamp(library: Path) -> None:
    (library / "index" / MANIFEST).write_bytes(b"\x00\xff{garbage")


def _truncated_details(library: Path) -> None:
    details = library / "index" / DOCUMENTS
    details.write_bytes(details.read_bytes()[:20])
    write_sheet(library, "cafe-numerique", "Café numérique", "Parler du smartphone et de la tablette.")


def _names_as_text_in_details(library: Path) -> None:
    """documents.sqlite as a version of this session wrote it: folder names as text, not bytes."""
    import sqlite3

    connection = sqlite3.connect(library / "index" / DOCUMENTS, isolation_level=None)
    connection.execute("UPDATE documents SET slug = CAST(slug AS TEXT)")
    connection.close()
    write_sheet(library, "cafe-numerique", "Café numérique", "Parler du smartphone et de la tablette.")


@pytest.mark.parametrize("damage, notice", [
    (_names_as_text_in_details, "Reconstruction complète de l'index de recherche : le fichier documents.sqlite de "
                                "l'index est illisible."),
    (_truncate_segment, "L'index de recherche est abîmé (EOFError) : reconstruction complète."),
    (_delete_segment, "L'index de recherche est abîmé (FileNotFoundError) : reconstruction complète."),
    (_delete_toc, "L'index de recherche est abîmé (EmptyIndexError) : reconstruction complète."),
    (_empty_generation, "L'index de recherche est abîmé (EmptyIndexError) : reconstruction complète."),
    (_delete_generation, "L'index de recherche est abîmé (EmptyIndexError) : reconstruction complète."),
    (_empty_index_folder, "Construction de l'index de recherche : aucun index n'existe encore."),
    (_garbage_stamp, "Reconstruction complète de l'index de recherche : le fichier outillerie.json de l'index est illisible."),
    (_truncated_details, "Reconstruction complète de l'index de recherche : le fichier documents.sqlite de l'index est illisible."),
])
def test_a_damaged_index_gives_a_message_and_is_rebuilt(small: Path, damage, notice: str) -> None:
    update_index(small, small / "index")
    damage(small)
    result = CliRunner().invoke(cli, ["--library", str(small), "search", "smartphone"])
    assert result.exit_code == 0, result.output
    assert notice in result.stderr
    assert "Traceback" not in result.output
    assert "Café numérique" in result.stdout
    assert CliRunner().invoke(cli, ["--library", str(small), "search", "smartphone"]).stderr == \
        "1 fiche trouvée.\n"


def test_a_damaged_index_is_rebuilt_by_the_index_command_too(small: Path) -> None:
    update_index(small, small / "index")
    _truncate_segment(small)
    write_sheet(small, "cafe-numerique", "Café numérique", "Parler de la tablette.")
    result = CliRunner().invoke(cli, ["--library", str(small), "index"])
    assert result.exit_code == 0
    assert result.stderr == "L'index de recherche est abîmé (EOFError) : reconstruction complète.\n"
    assert result.stdout == "Index reconstruit : 3 fiches.\n"


HOLD_LOCK = """
import sys, time
from pathlib import Path
from outillerie.search.lock import WriteLock as _Lock
with _Lock(Path(sys.argv[1]), 1):
    print("verrouillé", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold_lock(index_dir: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process, holding the writers' lock for a while."""
    process = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(index_dir), str(seconds)],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline() == "verrouillé\n"
    return process


def test_another_writer_gives_a_clear_message_after_a_short_wait(small: Path) -> None:
    update_index(small, small / "index")
    write_sheet(small, "cafe-numerique", "Café numérique", "Parler de la tablette.")
    holder = _hold_lock(small / "index", 5)
    try:
        started = time.monotonic()
        with pytest.raises(SearchIndexError) as caught:
            search_library(small, small / "index", "tablette", wait=0.5)
        assert 0.4 < time.monotonic() - started < 3
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert str(caught.value) == (
        f"un autre processus écrit l'index de recherche ({small / 'index'}) depuis plus de 0.5 s. Pour corriger : "
        "attendez qu'il finisse (par exemple un « outillerie index --rebuild » en cours), puis relancez la commande.")
    assert slugs_for(small, "tablette") == ["cafe-numerique"]  # the lock died with its process


def test_a_writer_waits_for_another_one_that_finishes_soon(small: Path) -> None:
    holder = _hold_lock(small / "index", 0.5)
    try:
        report = update_index(small, small / "index", wait=10)
    finally:
        holder.wait()
        holder.stdout.close()
    assert report.indexed == 3


def test_search_refreshes_a_changed_sheet_without_rebuilding(small: Path) -> None:
    update_index(small, small / "index")
    generation = read_manifest(small / "index").generation
    write_sheet(small, "jeu-des-arnaques", "Le jeu des arnaques", "Repérer un faux SMS de livraison.")
    assert notices(small, "livraison") == []
    assert slugs_for(small, "livraison") == ["jeu-des-arnaques"]
    assert read_manifest(small / "index").generation == generation


def test_search_says_how_many_invalid_sheets_are_left_out(small: Path) -> None:
    update_index(small, small / "index")
    write_sheet(small, "cassee", "Cassée", objective="apprendre")
    assert notices(small, "café") == [
        "1 fiche non valide n’est pas dans l'index. Pour voir pourquoi : outillerie check"]


def test_index_command_reports_invalid_sheets_on_stderr_and_counts_on_stdout(small: Path) -> None:
    write_sheet(small, "cassee", "Cassée", objective="apprendre")
    runner = CliRunner()
    result = runner.invoke(cli, ["--library", str(small), "index"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == "Index reconstruit : 3 fiches ; 1 fiche non valide laissée de côté.\n"
    assert result.stderr == (
        "Construction de l'index de recherche : aucun index n'existe encore.\n"
        "resources/cassee/index.md:4: erreur : « apprendre » n'est pas une valeur connue pour « objective ». "
        "Pour corriger : choisissez parmi sensibiliser, reseau, projets-collectifs.\n")
    write_sheet(small, "reseau-local", "Animer un réseau local", "Réunir les élu·e·s.", objective="reseau")
    result = runner.invoke(cli, ["--library", str(small), "index"], catch_exceptions=False)
    assert result.stdout == ("Index mis à jour (0 ajoutée, 1 mise à jour, 0 retirée) : 3 fiches ; "
                             "1 fiche non valide laissée de côté.\n")
    assert result.stderr.startswith("resources/cassee/index.md:4: erreur")


def _generate(out: Path, count: int) -> None:
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(out, count, seed=3)


def test_a_large_library_is_built_on_both_cores_and_checked_by_a_child_process(tmp_path: Path) -> None:
    """1,000 generated sheets: the multi-process build, the forked staleness check, one edited sheet."""
    library = tmp_path / "grande"
    _generate(library, 1000)
    result = CliRunner().invoke(cli, ["--library", str(library), "index", "--rebuild"], catch_exceptions=False)
    assert result.stdout == "Index reconstruit : 1000 fiches.\n"
    generation = _generation(library)
    assert len(list(generation.glob("*.seg"))) >= 2  # one segment per core
    first = sorted(h.slug for h in search_library(library, library / "index", "", limit=None).hits)
    assert len(first) == 1000
    sheet = library / "resources" / "atelier-00500" / "index.md"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("## Objectifs\n", "## Objectifs\n\nZanzibar.\n"),
                     encoding="utf-8")
    assert slugs_for(library, "zanzibar") == ["atelier-00500"]
    assert _generation(library) == generation


def _edit_in_place(path: Path, old: str, new: str) -> None:
    """Rewrite the same file (same inode), same size, then put back its date and its folder's: only its change
    time (ctime), which nobody can set, tells that it moved."""
    assert len(old.encode()) == len(new.encode())
    file_before, folder_before = path.stat(), path.parent.stat()
    with open(path, "r+b") as file:
        data = file.read()
        assert old.encode() in data
        file.seek(0)
        file.write(data.replace(old.encode(), new.encode()))
    os.utime(path, ns=(file_before.st_atime_ns, file_before.st_mtime_ns))
    os.utime(path.parent, ns=(folder_before.st_atime_ns, folder_before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (file_before.st_size, file_before.st_mtime_ns,
                                                                file_before.st_ino)
    assert path.parent.stat().st_mtime_ns == folder_before.st_mtime_ns


def test_an_edit_in_place_is_seen_by_search_though_size_and_dates_are_kept(small: Path) -> None:
    assert slugs_for(small, "hameçonnage") == ["jeu-des-arnaques"]
    _edit_in_place(small / "resources" / "jeu-des-arnaques" / "index.md", "hameçonnage", "zanzibariens")
    assert slugs_for(small, "zanzibariens") == ["jeu-des-arnaques"]
    assert slugs_for(small, "hameçonnage") == []


def test_the_text_of_a_markdown_support_is_searched_and_its_edits_in_place_are_seen(small: Path) -> None:
    (small / "resources" / "jeu-des-arnaques" / "cartes.md").write_text(
        "# Cartes\n\n## Carte 1\n\nUn message promet un pangolin gratuit.\n", encoding="utf-8")
    assert slugs_for(small, "pangolin") == ["jeu-des-arnaques"]
    # A sheet that writes the word itself comes before one whose support writes it (supports weigh less).
    write_sheet(small, "pangolins", "Les pangolins", "Parler du pangolin.")
    assert [h.slug for h in search_library(small, small / "index", "pangolin").hits] == ["pangolins", "jeu-des-arnaques"]
    _edit_in_place(small / "resources" / "jeu-des-arnaques" / "cartes.md", "pangolin", "capybara")
    assert slugs_for(small, "capybara") == ["jeu-des-arnaques"]
    assert slugs_for(small, "pangolin") == ["pangolins"]


def test_a_long_life_of_small_updates_keeps_the_index_in_few_segments(small: Path) -> None:
    for number in range(20):
        write_sheet(small, f"fiche-{number:02}", f"Fiche {number}", "Comprendre.")
    update_index(small, small / "index", rebuild=True)
    for round_ in range(30):
        write_sheet(small, f"fiche-{round_ % 20:02}", f"Fiche {round_ % 20}", f"Comprendre le mot{round_}.")
        update_index(small, small / "index")
        assert len(list(_generation(small).glob("*.seg"))) <= segments.MAX_SEGMENTS
    assert slugs_for(small, "mot29") == ["fiche-09"] and slugs_for(small, "mot5") == []
    assert len(slugs_for(small, "comprendre")) == 20


def test_an_update_of_a_large_index_merges_the_small_segments_only(tmp_path: Path) -> None:
    """Past OPTIMIZE_UP_TO documents an update merges the segments its edits added, never a rebuild's large ones
    (Whoosh's own policy once merged 40 % of a 100,000-sheet index at the first edit: 149 s)."""
    from outillerie.search import engine

    folder = tmp_path / "index"
    folder.mkdir()
    engine.create(folder)
    large = [segments.write_segment(folder, ({"slug": f"g{g}-{n}"} for n in range(12))) for g in range(6)]
    segments.commit_segments(folder, large)
    ix = engine.open_index(folder)
    for n in range(8):  # eight edits, each its own small segment, merged among themselves
        writer = ix.writer()
        writer.add_document(slug=f"edit-{n}")
        writer.commit(mergetype=engine.merge_small_only(10))
    sizes = sorted(segment.doc_count_all() for segment in ix._segments())
    ix.close()
    assert sizes[-6:] == [12] * 6 and sum(sizes) == 80  # the six large segments as the rebuild wrote them
    assert len(sizes) < 6 + 8  # and fewer segments than edits: the small ones were merged
