"""`outillerie check`: every defect of tests/data gives exactly its expected message."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from outillerie.cli import cli

from .conftest import DATA, REPO, copy_case

CASES = sorted(path.name for path in DATA.iterdir() if (path / "expected.txt").exists())


def run(*args: str) -> "CliRunner.invoke":
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("case", CASES)
def test_each_defect_gives_its_exact_message(case: str, tmp_path: Path) -> None:
    library = copy_case(case, tmp_path / case)
    result = run("--library", str(library), "check")
    expected = (DATA / case / "expected.txt").read_text(encoding="utf-8")
    assert result.stdout == expected
    has_error = ": erreur : " in expected
    assert result.exit_code == (1 if has_error else 0)
    assert "Traceback" not in result.output


def test_cases_cover_every_error_the_issue_names() -> None:
    names = set(CASES)
    for needed in ("not-utf8", "empty", "no-front-matter", "yaml-syntax", "yaml-key-no", "yaml-sexagesimal",
                   "yaml-date-title", "missing-license", "wrong-type-public", "unknown-objective", "nonfree-license",
                   "unknown-license", "bad-slug", "duplicate-title", "unknown-key", "steps-sum", "missing-section",
                   "missing-support"):
        assert needed in names


def test_cases_cover_what_the_robustness_issue_names() -> None:
    names = set(CASES)
    for needed in ("yaml-aliases", "yaml-merge-key", "yaml-duplicate-key", "yaml-python-tag", "yaml-indentation",
                   "empty-front-matter", "duration-too-long", "participants-too-many", "control-character-title",
                   "control-character-body", "support-svg", "slug-too-long", "stray-file", "duplicate-title-nfd",
                   "symlink-loop", "placeholders"):
        assert needed in names


def test_valid_sheet_says_no_problem(tmp_path: Path) -> None:
    library = copy_case("valid", tmp_path / "lib")
    result = run("--library", str(library), "check", "--strict")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "1 fiche vérifiée : aucun problème.\n"


def test_a_broken_sheet_does_not_stop_the_others(tmp_path: Path, valid_sheet_text: str) -> None:
    library = copy_case("valid", tmp_path / "lib")
    for slug, text in (("vide", ""), ("sans-licence", valid_sheet_text.replace("license: CC-BY-SA-4.0\n", "")),
                       ("autre", valid_sheet_text.replace("Atelier de test", "Autre atelier").replace("resaeu", "x"))):
        (library / "resources" / slug).mkdir()
        (library / "resources" / slug / "index.md").write_text(text, encoding="utf-8")
    result = run("--library", str(library), "check")
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["resources/sans-licence/index.md", "resources/vide/index.md"]
    assert result.stderr == "4 fiches vérifiées : 2 erreurs, 0 avertissement.\n"
    assert result.exit_code == 1


def test_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    library = copy_case("steps-sum", tmp_path / "lib")
    assert run("--library", str(library), "check").exit_code == 0
    strict = run("--library", str(library), "check", "--strict")
    assert strict.exit_code == 1
    assert "avertissement" in strict.stdout


def test_json_format_for_machines(tmp_path: Path) -> None:
    library = copy_case("unknown-objective", tmp_path / "lib")
    result = run("--library", str(library), "check", "--format", "json")
    report = json.loads(result.stdout)
    assert report["sheets"] == 1 and report["errors"] == 1 and report["warnings"] == 0
    assert report["problems"][0]["path"] == "resources/fiche-test/index.md"
    assert report["problems"][0]["line"] == 4
    assert "vouliez-vous dire « reseau »" in report["problems"][0]["message"]
    assert result.exit_code == 1


def test_paths_select_sheets_and_duplicates_still_found(tmp_path: Path) -> None:
    library = copy_case("duplicate-title", tmp_path / "lib")
    result = run("check", str(library / "resources" / "seconde-fiche"))
    assert result.stdout.splitlines() == [
        "resources/seconde-fiche/index.md:2: erreur : le titre « Atelier de test » est déjà celui de la fiche "
        "premiere-fiche, qui le garde (créée avant, ou la première par ordre alphabétique). Pour corriger : donnez à "
        "cette fiche un titre qui la distingue."
    ]
    assert result.stderr == "1 fiche vérifiée : 1 erreur, 0 avertissement.\n"
    first = run("check", str(library / "resources" / "premiere-fiche"))  # the first keeps its title, and is published
    assert first.stdout == "" and first.exit_code == 0


def test_path_outside_a_library_is_explained(tmp_path: Path) -> None:
    (tmp_path / "ailleurs").mkdir()
    result = run("check", str(tmp_path / "ailleurs"))
    assert result.exit_code == 1
    assert "n'est pas une fiche d'une bibliothèque" in result.stderr
    assert result.stderr.startswith("Erreur : ")


def test_missing_path_is_a_usage_error_in_french(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "nulle-part"))
    assert result.exit_code == 2
    assert "n'existe pas" in result.stderr


def test_symlink_outside_the_library_is_refused(tmp_path: Path, valid_sheet_text: str) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text(valid_sheet_text, encoding="utf-8")
    library = copy_case("valid", tmp_path / "lib")
    (library / "resources" / "lien").mkdir()
    os.symlink(outside, library / "resources" / "lien" / "index.md")
    os.symlink(outside, library / "resources" / "fiche-test" / "support.md")
    result = run("--library", str(library), "check")
    assert result.exit_code == 1
    assert f"resources/fiche-test/index.md: erreur : le support « support.md » est un lien symbolique vers « {outside} »" in result.stdout
    assert f"resources/lien/index.md: erreur : ce fichier est un lien symbolique vers « {outside} », hors de la bibliothèque" in result.stdout


def test_file_over_one_megabyte_is_refused(tmp_path: Path, valid_sheet_text: str) -> None:
    library = copy_case("valid", tmp_path / "lib")
    path = library / "resources" / "fiche-test" / "index.md"
    path.write_text(valid_sheet_text + "x" * 1_100_000, encoding="utf-8")
    result = run("--library", str(library), "check")
    assert result.exit_code == 1
    assert "le fichier pèse 1100 ko, plus que la limite de 1 Mo" in result.stdout


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        library = copy_case("valid", tmp_path / "lib")
        path = library / "resources" / "fiche-test" / "index.md"
        path.unlink()
        path.mkdir()  # a folder where the file should be: unreadable as a file, even for root
    else:
        library = copy_case("valid", tmp_path / "lib")
        path = library / "resources" / "fiche-test" / "index.md"
        path.chmod(0)
    result = run("--library", str(library), "check")
    assert result.exit_code == 1
    assert result.stdout.startswith("resources/fiche-test/index.md: erreur : le fichier ne peut pas être lu")


def test_shipped_commons_pass_strict_check() -> None:
    result = run("--library", str(REPO), "check", "--strict")
    assert result.stdout == ""
    assert result.exit_code == 0
