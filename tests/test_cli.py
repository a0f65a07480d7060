"""The commands `new` and `show`, help texts, the README, and errors shown without traceback."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from outillerie.cli import cli
from outillerie.cli.app import COMMAND_MODULES

from .conftest import REPO, copy_case


def run(*args: str, **kwargs: object):
    return CliRunner().invoke(cli, list(args), **kwargs)


def test_every_command_has_french_help_with_an_example_and_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    names = cli.list_commands(click.Context(cli))
    assert names, "no command registered"
    assert sorted(COMMAND_MODULES) == names  # every command is found by its name without loading the others
    for name in names:
        assert cli.commands[name].callback.__module__ == f"outillerie.cli.{COMMAND_MODULES[name]}", name
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert result.stdout.startswith(f"Utilisation : cli {name}"), name
        assert "Exemple :" in result.stdout, name
        assert f"outillerie {name}" in readme, name


def test_unknown_command_and_option_are_explained_in_french() -> None:
    result = run("chercher")
    assert result.exit_code == 2
    assert "Erreur : Commande inconnue : 'chercher'." in result.stderr
    result = run("check", "--stricte")
    assert "Option inconnue : '--stricte'" in result.stderr
    assert "Vouliez-vous dire '--strict' ?" in result.stderr


def test_show_prints_title_facts_steps_and_body(tmp_path: Path) -> None:
    library = copy_case("valid", tmp_path / "lib")
    result = run("--library", str(library), "show", "fiche-test", catch_exceptions=False)
    lines = result.stdout.splitlines()
    assert lines[:4] == ["Atelier de test", "===============", "", "Une fiche de test valide."]
    assert "Objectif : Sensibiliser" in lines
    assert "Public   : Médiateurs et conseillers numériques" in lines
    assert "Durée    : 1 h" in lines
    assert "Licence  : CC BY-SA 4.0" in lines
    assert ["  0:00  Accueil (10 min)", "  0:10  Activité (40 min)", "  0:50  Bilan (10 min)", "  1:00  Fin"] == \
        lines[lines.index("Déroulé") + 1: lines.index("Déroulé") + 5]
    assert "## Objectifs" in result.stdout


def test_show_markdown_and_json(tmp_path: Path) -> None:
    library = copy_case("valid", tmp_path / "lib")
    source = (library / "resources" / "fiche-test" / "index.md").read_text(encoding="utf-8")
    assert run("--library", str(library), "show", "fiche-test", "--format", "markdown").stdout == source
    data = json.loads(run("--library", str(library), "show", "fiche-test", "--format", "json").stdout)
    assert data["duration"] == 60 and data["objective_label"] == "Sensibiliser"
    assert data["steps"] == [{"title": "Accueil", "minutes": 10}, {"title": "Activité", "minutes": 40},
                             {"title": "Bilan", "minutes": 10}]


@pytest.mark.parametrize("slug", ["fiche-tes", "../fiche-test", "FICHE", "a" * 5000])
def test_show_unknown_slug_is_explained(slug: str, tmp_path: Path) -> None:
    library = copy_case("valid", tmp_path / "lib")
    result = run("--library", str(library), "show", slug)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Erreur : aucune fiche « {slug[:100]}")
    if slug == "fiche-tes":
        assert "Vouliez-vous dire « fiche-test » ?" in result.stderr


def test_show_broken_sheet_lists_its_problems(tmp_path: Path) -> None:
    library = copy_case("unknown-objective", tmp_path / "lib")
    result = run("--library", str(library), "show", "fiche-test")
    assert result.exit_code == 1
    assert "resources/fiche-test/index.md:4: erreur : « resaeu »" in result.stderr
    assert "Traceback" not in result.output


def test_new_writes_a_valid_sheet_whose_placeholders_are_warnings(library: Path) -> None:
    result = run("--library", str(library), "new", "Découvrir l'e-administration avec les élu·e·s",
                 "--objective", "réseau", "--public", "elus", "--public", "Travailleurs sociaux",
                 "--duration", "1h30", "--author", "Tiers-lieu de Lens", "--theme", "aide-aux-demarches-administratives",
                 catch_exceptions=False)
    path = library / "resources" / "decouvrir-l-e-administration-avec-les-elu-e-s" / "index.md"
    assert result.stdout == f"Fiche créée : {path}\n"
    checked = run("--library", str(library), "check")
    assert checked.exit_code == 0, checked.stdout  # valid: no error
    placeholders = [line for line in checked.stdout.splitlines() if "texte du modèle" in line or "À compléter" in line]
    assert placeholders and all(": avertissement : " in line for line in placeholders)
    assert f"{path.relative_to(library).as_posix()}:3: avertissement : « summary » dit encore « À compléter »" in checked.stdout
    assert run("--library", str(library), "check", "--strict").exit_code == 1  # never filled in: not ready to share
    shown = json.loads(run("--library", str(library), "show", path.parent.name, "--format", "json").stdout)
    assert (shown["objective"], shown["public"], shown["duration"], shown["status"]) == (
        "reseau", ["elus", "travailleurs-sociaux"], 90, "brouillon")
    assert sum(step["minutes"] for step in shown["steps"]) == 90


def test_new_refuses_to_overwrite(library: Path) -> None:
    args = ["--library", str(library), "new", "Atelier", "--objective", "reseau", "--public", "elus",
            "--duration", "60", "--author", "Moi"]
    assert run(*args).exit_code == 0
    before = (library / "resources" / "atelier" / "index.md").read_bytes()
    again = run(*args)
    assert again.exit_code == 1
    assert "existe déjà : outillerie new ne remplace jamais une fiche" in again.stderr
    assert (library / "resources" / "atelier" / "index.md").read_bytes() == before


def test_new_without_a_terminal_names_what_is_missing(library: Path) -> None:
    result = run("--library", str(library), "new", "Atelier", "--objective", "reseau")
    assert result.exit_code == 2
    assert "il manque --public, --duration, --author" in result.stderr
    assert not (library / "resources" / "atelier").exists()


def test_new_rejects_a_mistyped_objective_with_a_suggestion(library: Path) -> None:
    result = run("--library", str(library), "new", "Atelier", "--objective", "resaeu")
    assert result.exit_code == 2
    assert "Vouliez-vous dire « reseau » ?" in result.stderr


def test_new_asks_for_what_is_missing_in_a_terminal(library: Path) -> None:
    """Run the installed command in a real pseudo-terminal and answer its questions."""
    exe = Path(sys.executable).parent / "outillerie"
    leader, follower = pty.openpty()
    process = subprocess.Popen([str(exe), "--library", str(library), "new", "Atelier au terminal"],
                               stdin=follower, stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    answers = iter(["sensibiliser", "habitants", "45 min", "Médiathèque de Douai", "Un atelier pour essayer."])
    seen = b""
    try:
        while process.poll() is None:
            ready, _, _ = select.select([leader], [], [], 10)
            if not ready:
                break
            try:
                chunk = os.read(leader, 1024)
            except OSError:
                break
            seen += chunk
            if seen.rstrip().endswith(b":"):
                os.write(leader, (next(answers) + "\n").encode())
                seen += b"\n"
    finally:
        process.wait(timeout=10)
        os.close(leader)
    text = seen.decode()
    assert re.search(r"Objectif.*:", text) and "Durée" in text
    sheet = library / "resources" / "atelier-au-terminal" / "index.md"
    assert sheet.exists(), text
    shown = json.loads(run("--library", str(library), "show", "atelier-au-terminal", "--format", "json").stdout)
    assert (shown["objective"], shown["public"], shown["duration"], shown["authors"], shown["summary"]) == (
        "sensibiliser", ["habitants"], 45, ["Médiathèque de Douai"], "Un atelier pour essayer.")


def test_installed_command_shows_the_bundled_commons_from_any_folder(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "outillerie"
    slug = sorted(p.name for p in (REPO / "resources").iterdir() if (p / "index.md").exists())[0]
    env = {k: v for k, v in os.environ.items() if k != "OUTILLERIE_LIBRARY"}
    result = subprocess.run([str(exe), "show", slug], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "Déroulé" in result.stdout


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second() -> None:
    """The README's install-and-run command works as written; .ci/run runs its test command word for word."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    main_command, test_command = blocks[0], blocks[1]
    assert main_command == 'python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/outillerie search "réseau"'
    assert test_command == "python3 -m venv .venv && .venv/bin/pip install '.[test]' && .venv/bin/pytest"
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().splitlines()[-1] == test_command
    # the part that runs, with the command installed in this environment, from the clone's folder
    exe = Path(sys.executable).parent / "outillerie"
    result = subprocess.run([str(exe), "search", "réseau"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1. ")
    assert "Travailler en réseau" in result.stdout
