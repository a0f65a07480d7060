"""Reading sheets: durations, aliases, steps and supports become normalised values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from outillerie.errors import SheetError
from outillerie.sheets.paths import LibraryPaths, bundled_root, find_library
from outillerie.sheets.sheet import format_duration, parse_duration, read_sheet
from outillerie.sheets.snapshot import take_snapshot
from outillerie.sheets.vocabulary import load_vocabulary

from .conftest import REPO, copy_case


@pytest.mark.parametrize(
    ("value", "minutes"),
    [(90, 90), ("90", 90), ("90 min", 90), ("45min", 45), ("1h30", 90), ("1 h 30", 90), ("2 h", 120),
     ("2h", 120), ("1 heure", 60), ("1 journée", 420), ("une journée", 420), ("une demi-journée", 210)],
)
def test_durations_as_people_write_them(value: object, minutes: int) -> None:
    assert parse_duration(value) == minutes


@pytest.mark.parametrize("value", [True, None, 1.5, "une heure", "-5", 0, "1:30", [90]])
def test_durations_that_are_not_understood(value: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(value)


@pytest.mark.parametrize(("minutes", "text"), [(45, "45 min"), (60, "1 h"), (90, "1 h 30"), (425, "7 h 05")])
def test_durations_shown_as_people_read_them(minutes: int, text: str) -> None:
    assert format_duration(minutes) == text


@pytest.mark.parametrize(
    ("written", "slug"),
    [("réseau", "reseau"), ("Travailler en réseau", "reseau"), ("projets collectifs", "projets-collectifs"),
     ("Initier des projets collectifs locaux", "projets-collectifs"), ("Sensibiliser", "sensibiliser"),
     ("reseau", "reseau")],
)
def test_objective_aliases_are_normalised(written: str, slug: str, tmp_path: Path, valid_sheet_text: str) -> None:
    library = copy_case("valid", tmp_path / "lib")
    path = library / "resources" / "fiche-test" / "index.md"
    path.write_text(valid_sheet_text.replace("objective: sensibiliser", f'objective: "{written}"'), encoding="utf-8")
    assert read_sheet(path, library).objective == slug


def test_a_sheet_becomes_normalised_values(tmp_path: Path, valid_sheet_text: str) -> None:
    library = copy_case("valid", tmp_path / "lib")
    path = library / "resources" / "fiche-test" / "index.md"
    text = valid_sheet_text.replace("duration: 60", 'duration: "1 h"').replace(
        "level: debutant",
        'level: Intermédiaire\nparticipants: "6-20"\nthemes: [Accessibilité numérique]\ntags: [Cartes, jeu]\n'
        "created: 2026-01-31",
    ).replace("public: [mediateurs-numeriques]", "public: [Élus et décideurs, travailleurs-sociaux]")
    path.write_text(text, encoding="utf-8")
    (path.parent / "cartes.md").write_text("# Cartes\n", encoding="utf-8")
    sheet = read_sheet(path, library)
    assert (sheet.slug, sheet.duration, sheet.level, sheet.participants) == ("fiche-test", 60, "intermediaire", (6, 20))
    assert sheet.public == ("elus", "travailleurs-sociaux")
    assert sheet.themes == ("accessibilite",)
    assert sheet.tags == ("cartes", "jeu")
    assert sheet.created == dt.date(2026, 1, 31)
    assert [(s.title, s.minutes, s.line) for s in sheet.steps] == [("Accueil", 10, 26), ("Activité", 40, 30), ("Bilan", 10, 34)]
    assert sheet.supports == ("cartes.md",)
    assert sheet.status == "publiee"


def test_reading_collects_every_problem_at_once(tmp_path: Path, valid_sheet_text: str) -> None:
    library = copy_case("valid", tmp_path / "lib")
    path = library / "resources" / "fiche-test" / "index.md"
    path.write_text(valid_sheet_text.replace("objective: sensibiliser", "objective: x").replace("duration: 60", "duration: y"),
                    encoding="utf-8")
    with pytest.raises(SheetError) as caught:
        read_sheet(path, library)
    assert [p.line for p in caught.value.problems] == [4, 6]


def test_the_snapshot_keeps_good_sheets_and_problems_of_bad_ones(tmp_path: Path) -> None:
    library = copy_case("valid", tmp_path / "lib")
    (library / "resources" / "cassee").mkdir()
    (library / "resources" / "cassee" / "index.md").write_text("", encoding="utf-8")
    loaded = take_snapshot(library, None)
    assert [s.slug for s in loaded.sheets()] == ["fiche-test"]
    assert [p.path for p in loaded.problems] == ["resources/cassee/index.md"]


def test_vocabulary_has_what_the_commons_needs() -> None:
    vocabulary = load_vocabulary()
    assert {k: t.label for k, t in vocabulary.objectives.items()} == {
        "sensibiliser": "Sensibiliser", "reseau": "Travailler en réseau",
        "projets-collectifs": "Initier des projets collectifs locaux"}
    assert 8 <= len(vocabulary.audiences) <= 12
    assert 10 <= len(vocabulary.themes) <= 20
    assert list(vocabulary.levels) == ["debutant", "intermediaire", "avance"]
    assert all(t.url.startswith("https://") for t in vocabulary.licenses.values())


def test_library_found_in_the_documented_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = copy_case("valid", tmp_path / "premiere")
    second = copy_case("valid", tmp_path / "seconde")
    inside = second / "resources" / "fiche-test"
    assert find_library(first, str(second), inside).root == first.resolve()
    assert find_library(None, str(second), tmp_path).root == second.resolve()
    assert find_library(None, None, inside) == LibraryPaths(root=second)
    assert find_library(None, None, tmp_path) == LibraryPaths(root=bundled_root(), bundled=True)


def test_bundled_library_indexes_into_the_user_cache(tmp_path: Path) -> None:
    paths = LibraryPaths(root=bundled_root(), bundled=True)
    assert paths.index_dir.parts[-3] == "outillerie"
    assert LibraryPaths(root=REPO).index_dir == REPO / "index"


def test_python_frontmatter_would_misplace_body_lines_so_sheets_are_read_by_our_own_splitter(tmp_path: Path) -> None:
    import frontmatter

    text = "---\ntitle: x\n---\n\n\n## Objectifs\n"
    assert frontmatter.loads(text).content == "## Objectifs"  # two blank lines gone: the body would start on line 4
    library = tmp_path / "lib"
    (library / "resources" / "a").mkdir(parents=True)
    (library / "resources" / "a" / "index.md").write_text(text, encoding="utf-8")
    with pytest.raises(SheetError):
        read_sheet(library / "resources" / "a" / "index.md", library)  # incomplete, but its lines are right:
    from outillerie.sheets.fields import Collector
    from outillerie.sheets.frontmatter import split_front_matter  # noqa: PLC0415  (the splitter itself)

    split = split_front_matter(text, Collector("a"))
    assert split is not None and split.body_line == 4 and split.body.split("\n")[2] == "## Objectifs"  # line 4 + 2 = 6


def test_new_writes_front_matter_that_reads_back_the_same(tmp_path: Path) -> None:
    from outillerie.sheets.scaffold import NewSheet, write_new_sheet

    path = write_new_sheet(tmp_path / "resources", NewSheet(title="Élus : le réseau # local", objective="reseau",
                                                            public=("elus",), duration=90, authors=("Hub « Nord »",)))
    text = path.read_text(encoding="utf-8")
    assert "&id" not in text and "*id" not in text  # no YAML anchors for a person to puzzle over
    sheet = read_sheet(path, tmp_path)
    assert (sheet.title, sheet.authors, sheet.duration, sheet.public) == ("Élus : le réseau # local", ("Hub « Nord »",),
                                                                           90, ("elus",))
