"""`outillerie search` in its plain forms is read without click (cli/quick.py): the same options, the same output
as through click, and click for everything else."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from outillerie.cli import cli, quick

from .conftest import copy_commons

EXE = Path(sys.executable).parent / "outillerie"


@pytest.fixture(scope="module")
def commons(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_commons(tmp_path_factory, index=True)


def _console(*args: str) -> subprocess.CompletedProcess[str]:
    """The console script, as a person runs it (its streams are pipes: UTF-8 text)."""
    env = {**os.environ, "OUTILLERIE_WATCHER": "off", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)


def test_the_options_read_without_click_are_the_search_commands() -> None:
    import outillerie.cli.search_commands  # noqa: F401  (its decorators add `search` to the group)

    options = {param.opts[0]: param for param in cli.commands["search"].params if isinstance(param, click.Option)}
    assert set(options) == set(quick.VOCABULARY_OPTIONS) | set(quick.OTHER_OPTIONS)
    assert {name: getattr(options[name].type, "kind", None) for name in quick.VOCABULARY_OPTIONS} == \
        quick.VOCABULARY_OPTIONS
    assert [name for name, option in options.items() if option.multiple] == ["--public"]
    assert [name for name, option in options.items() if option.is_flag] == ["--facets"]
    assert options["--limit"].default == quick.LIMIT
    assert tuple(options["--format"].type.choices) == quick.FORMATS  # type: ignore[attr-defined]
    assert quick.bold("mot") == click.style("mot", bold=True)


@pytest.mark.parametrize("args", [
    ["numérique"],
    ["médiation", "--objective", "réseau", "numérique"],
    ["numérique", "--public", "elus", "--public", "habitants", "--max-duration", "1h30", "--format", "json"],
    ["arnaques", "--format", "csv", "--limit", "2"],
    ["numérique", "--facets", "--level", "debutant", "--theme", "usage-securise-du-numerique"],
    ["zorglub"],  # nothing found: exit code 1, the word named
    ["atelier", "1h", "élus", "--tag", "quiz", "--license", "CC-BY-SA-4.0"],  # a duration and a public in the words
    ["a*"],  # a query refused: « Erreur : … »
    ["--objective", "sensibiliser", "--limit", "3", "--min-duration", "45"],  # no words: by title
])
def test_both_doors_print_the_same(commons: Path, args: list[str]) -> None:
    argv = ["--library", str(commons), "search", *args]
    assert quick.plain_options(argv) is not None  # read without click
    typed = _console(*argv)
    through_click = CliRunner().invoke(cli, argv, prog_name="outillerie")
    assert (typed.stdout, typed.stderr, typed.returncode) == \
        (through_click.stdout, through_click.stderr, through_click.exit_code)
    assert typed.stdout or typed.stderr


@pytest.mark.parametrize("args, said", [
    (["numérique", "--objective", "nimporte"], "« nimporte » n'est pas une valeur connue."),
    (["numérique", "--bogus"], "Option inconnue : '--bogus'."),
    (["numérique", "--limit", "0"], "n'est pas dans l'intervalle"),
    (["numérique", "--limit=2"], "Les 2 fiches les plus pertinentes"),
    (["numérique", "-rgpd"], "Les 10 fiches les plus pertinentes"),
    (["-h"], "Cherche des fiches par mots et par filtres"),
])
def test_any_other_form_is_read_by_click(commons: Path, args: list[str], said: str) -> None:
    argv = ["--library", str(commons), "search", *args]
    assert quick.plain_options(argv) is None
    typed = _console(*argv)
    assert said in typed.stdout + typed.stderr
    if args != ["-h"]:  # the help is wrapped to the width of the terminal, which differs
        through_click = CliRunner().invoke(cli, argv, prog_name="outillerie")
        assert (typed.stdout, typed.stderr, typed.returncode) == \
            (through_click.stdout, through_click.stderr, through_click.exit_code)


def test_a_plain_search_does_not_load_click(commons: Path) -> None:
    code = ("import sys\nfrom outillerie.cli import main\n"
            f"sys.argv = ['outillerie', '--library', {str(commons)!r}, 'search', 'arnaques'] + sys.argv[1:]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('click' in sys.modules)")
    plain = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    other = subprocess.run([sys.executable, "-c", code, "--limit=3"], capture_output=True, text=True, check=True)
    assert plain.stdout.splitlines()[-1] == "False"
    assert other.stdout.splitlines()[-1] == "True"
