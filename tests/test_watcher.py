"""The library watcher: a command skips the walk of every sheet folder when the watcher vouches that nothing moved,
stats only the folders it names otherwise, and never serves a stale result (edits in place included).

Real watcher processes (`python -m outillerie.sheets.watcher`), real inotify, a real index; each test stops its
watcher.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from outillerie.search.index import update_index
from outillerie.sheets import watching
from outillerie.sheets.freshness import STAMP_FILE, current_id, read_stamp, vouched_id
from outillerie.sheets.snapshot import take_snapshot

from .test_index import _edit_in_place, slugs_for, write_sheet

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify: Linux only")

LISTED: list[str] = []


def _listings(event: str, args: tuple[object, ...]) -> None:
    if event in ("os.scandir", "os.listdir") and LISTED and LISTED[0] == "on":
        LISTED.append(str(args[0]))


sys.addaudithook(_listings)


@pytest.fixture
def watched(library: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Three sheets, indexed, followed by a watcher that the stamp already trusts."""
    monkeypatch.setenv("OUTILLERIE_WATCHER", "on")
    write_sheet(library, "cafe-numerique", "Café numérique", "Parler du smartphone autour d'un café.")
    write_sheet(library, "jeu-des-arnaques", "Le jeu des arnaques", "Repérer un hameçonnage.")
    write_sheet(library, "reseau-local", "Animer un réseau local", "Réunir les médiateur·rice·s.", objective="reseau")
    update_index(library, library / "index")  # starts the watcher
    try:
        _wait_for_watcher(library)
        update_index(library, library / "index")  # the first snapshot taken while it watches: the stamp trusts it
        yield library
    finally:
        watching.stop(library / "index")


def _wait_for_watcher(library: Path) -> watching.Answer:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        answer = watching.ask(library / "index")
        if answer is not None:
            return answer
        time.sleep(0.05)
    raise AssertionError("the watcher never answered")


def _refusal_once_gone(library: Path) -> object:
    """Wait until the watcher has left (10 s at most), then what it wrote of why."""
    deadline = time.monotonic() + 10
    while watching.ask(library / "index") is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert watching.ask(library / "index") is None
    return json.loads((library / "index" / watching.REFUSED).read_text(encoding="utf-8"))


def _without_watcher(library: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The id of a snapshot taken by walking every folder, in a cache of its own."""
    monkeypatch.setenv("OUTILLERIE_WATCHER", "off")
    try:
        return take_snapshot(library, library.parent / "walked").id
    finally:
        monkeypatch.setenv("OUTILLERIE_WATCHER", "on")


def test_a_search_the_watcher_vouches_for_never_lists_the_sheets(watched: Path) -> None:
    assert isinstance(read_stamp(watched / "index"), dict) and "watcher" in read_stamp(watched / "index")  # type: ignore[operator]
    LISTED[:] = ["on"]
    try:
        found = vouched_id(watched, watched / "index")
    finally:
        LISTED[0] = "off"
    assert found is not None and found == current_id(watched, watched / "index")
    assert [path for path in LISTED[1:] if "resources" in path] == []
    assert slugs_for(watched, "hameçonnage") == ["jeu-des-arnaques"]


def test_edits_in_place_with_the_folder_time_kept_are_seen_at_once(watched: Path) -> None:
    sheet = watched / "resources" / "jeu-des-arnaques" / "index.md"
    for round_ in range(5):  # each search comes right after the write: the watcher reads its queue before answering
        old, new = ("hameçonnage", "zanzibariens") if round_ % 2 == 0 else ("zanzibariens", "hameçonnage")
        _edit_in_place(sheet, old, new)
        assert vouched_id(watched, watched / "index") is None
        assert slugs_for(watched, new) == ["jeu-des-arnaques"]
        assert slugs_for(watched, old) == []
        assert vouched_id(watched, watched / "index") is not None  # trusted again after one look


def test_a_snapshot_stats_only_the_folders_the_watcher_names_and_equals_a_full_walk(
        watched: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_sheet(watched, "nouvelle", "Une nouvelle fiche", "Parler du pangolin.")
    _edit_in_place(watched / "resources" / "cafe-numerique" / "index.md", "smartphone", "capybaras!")
    (watched / "resources" / "reseau-local").rename(watched / "resources" / "reseau-du-territoire")
    answer = watching.ask(watched / "index", read_stamp(watched / "index")["watcher"])  # type: ignore[index]
    assert answer is not None and answer.changed == {"resources/nouvelle", "resources/cafe-numerique",
                                                     "resources/reseau-local", "resources/reseau-du-territoire"}
    LISTED[:] = ["on"]
    try:
        snapshot = take_snapshot(watched, watched / "index")
    finally:
        LISTED[0] = "off"
    assert not [path for path in LISTED[1:] if path.rstrip("/").endswith("resources")]  # resources/ was not listed
    assert snapshot.id == _without_watcher(watched, monkeypatch)
    assert snapshot.valid_slugs() == ["cafe-numerique", "jeu-des-arnaques", "nouvelle", "reseau-du-territoire"]
    assert slugs_for(watched, "pangolin") == ["nouvelle"] and slugs_for(watched, "capybaras") == ["cafe-numerique"]
    assert slugs_for(watched, "réseau") == ["reseau-du-territoire"]


def test_the_watcher_is_not_trusted_for_remembered_rows_that_are_gone(watched: Path) -> None:
    (watched / "index" / "bibliotheque-fiches.sqlite").unlink()  # the stamp and the watcher stay
    assert take_snapshot(watched, watched / "index").valid_slugs() == ["cafe-numerique", "jeu-des-arnaques",
                                                                     "reseau-local"]


def test_a_stray_file_the_watcher_names_is_said_then_forgotten(watched: Path) -> None:
    (watched / "resources" / "notes.txt").write_text("à ranger\n", encoding="utf-8")
    said = [p for p in take_snapshot(watched, watched / "index").problems if p.path == "resources/notes.txt"]
    assert len(said) == 1 and "ce fichier est ignoré" in said[0].message
    (watched / "resources" / "notes.txt").unlink()
    assert [p for p in take_snapshot(watched, watched / "index").problems if p.path.startswith("resources/notes")] == []


def test_after_each_change_the_watchers_path_equals_a_full_walk(watched: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seeded changes of every kind, one at a time: the snapshot the watcher's path takes (only the folders named)
    has the id, the valid sheets and the findings of a snapshot taken by walking every folder, and the index finds
    the same sheets."""
    import random
    import shutil

    resources = watched / "resources"
    changes = [
        lambda: write_sheet(watched, "atelier-neuf", "Un atelier neuf", "Parler du tamanoir."),
        lambda: write_sheet(watched, "double", "Café numérique", "Un titre pris."),  # a shared title: both left out
        lambda: (resources / "notes.txt").write_text("à ranger\n", encoding="utf-8"),
        lambda: (resources / ".brouillon").mkdir(),
        lambda: (resources / "cafe-numerique" / "index.md").write_text("---\ntitle: [\n", encoding="utf-8"),
        lambda: shutil.rmtree(resources / "double", ignore_errors=True),
        lambda: (resources / "notes.txt").unlink(missing_ok=True),
        lambda: write_sheet(watched, "cafe-numerique", "Café numérique", "Parler du tamanoir au café."),
        lambda: (resources / "reseau-local").rename(resources / "reseau-renomme"),
        lambda: (resources / "vide").mkdir(),
        lambda: shutil.rmtree(resources / ".brouillon", ignore_errors=True),
    ]
    random.Random(13).shuffle(changes)
    for change in changes:
        change()
        LISTED[:] = ["on"]
        try:
            snapshot = take_snapshot(watched, watched / "index")
        finally:
            LISTED[0] = "off"
        assert not [path for path in LISTED[1:] if path.rstrip("/").endswith("resources")]  # the watcher's path
        update_index(watched, watched / "index")
        walked = _walked(watched, monkeypatch)
        assert (snapshot.id, snapshot.valid_slugs(), snapshot.problems) == walked
        assert slugs_for(watched, "tamanoir") == [slug for slug in ("atelier-neuf", "cafe-numerique")
                                                  if slug in walked[1] and "tamanoir" in
                                                  (resources / slug / "index.md").read_text(encoding="utf-8")]


def _walked(library: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[str], tuple[object, ...]]:
    monkeypatch.setenv("OUTILLERIE_WATCHER", "off")
    try:
        snapshot = take_snapshot(library, library.parent / "walked")
        return snapshot.id, snapshot.valid_slugs(), snapshot.problems
    finally:
        monkeypatch.setenv("OUTILLERIE_WATCHER", "on")


def test_a_removed_sheet_and_a_changed_configuration_are_seen(watched: Path) -> None:
    import shutil

    shutil.rmtree(watched / "resources" / "jeu-des-arnaques")
    assert slugs_for(watched, "hameçonnage") == []
    (watched / "outillerie.yml").write_text("name: Les communs du test\n", encoding="utf-8")
    assert vouched_id(watched, watched / "index") is None  # the top of the library moved: everything is walked
    assert slugs_for(watched, "café") == ["cafe-numerique"]


def test_the_watcher_leaves_at_a_symbolic_link_and_commands_walk_again(watched: Path, tmp_path: Path) -> None:
    outside = tmp_path / "ailleurs.md"
    outside.write_text("# Cartes\n\nUn ornithorynque.\n", encoding="utf-8")
    os.symlink(outside, watched / "resources" / "cafe-numerique" / "cartes.md")
    refusal = _refusal_once_gone(watched)  # gone: it cannot see an edit behind a link
    assert refusal == {"raison": "lien symbolique : resources/cafe-numerique/cartes.md"}
    _edit_in_place(watched / "resources" / "jeu-des-arnaques" / "index.md", "hameçonnage", "zanzibariens")
    assert slugs_for(watched, "zanzibariens") == ["jeu-des-arnaques"]
    time.sleep(0.5)
    assert watching.ask(watched / "index") is None  # and none is started again for a day: each would meet the link


def test_one_watcher_per_library_and_stop_ends_it(watched: Path) -> None:
    first = watching.ask(watched / "index")
    second = subprocess.run([sys.executable, "-m", "outillerie.sheets.watcher", str(watched), str(watched / "index")],
                            timeout=30)
    assert second.returncode == 0  # it could not take the name: it left at once
    assert watching.ask(watched / "index") == first
    assert watching.stop(watched / "index")
    assert watching.ask(watched / "index") is None


def test_without_a_watcher_the_stamp_is_still_checked_by_walking(watched: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTILLERIE_WATCHER", "off")  # and none is started again
    watching.stop(watched / "index")
    _edit_in_place(watched / "resources" / "jeu-des-arnaques" / "index.md", "hameçonnage", "zanzibariens")
    assert slugs_for(watched, "zanzibariens") == ["jeu-des-arnaques"]
    assert (watched / "index" / STAMP_FILE).is_file()


def test_a_small_library_starts_no_watcher_unless_asked(library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTILLERIE_WATCHER", "auto")
    write_sheet(library, "cafe-numerique", "Café numérique")
    update_index(library, library / "index")
    time.sleep(0.5)
    assert watching.ask(library / "index") is None


def test_a_file_with_a_second_name_makes_the_watcher_leave(watched: Path, tmp_path: Path) -> None:
    """A file linked from elsewhere (a hard link) can be edited under its other name, unseen in our folders."""
    outside = tmp_path / "cartes.md"
    outside.write_text("# Cartes\n\nUn ornithorynque.\n", encoding="utf-8")
    os.link(outside, watched / "resources" / "jeu-des-arnaques" / "cartes.md")
    refusal = _refusal_once_gone(watched)
    assert refusal == {"raison": "lien physique : resources/jeu-des-arnaques/cartes.md"}
    (watched / "index" / watching.REFUSED).unlink()
    watching.start(watched, watched / "index", 3)  # a new one meets it when it starts, and leaves
    deadline = time.monotonic() + 10
    while not (watched / "index" / watching.REFUSED).is_file() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (watched / "index" / watching.REFUSED).is_file()
    assert watching.ask(watched / "index") is None


def test_a_library_on_a_file_system_of_elsewhere_is_not_watched() -> None:
    from outillerie.sheets.watcher import foreign_filesystem

    assert foreign_filesystem(Path("/proc/self")) == "proc"  # as NFS or sshfs: changes made elsewhere are unseen
    assert foreign_filesystem(Path(__file__).parent) is None
