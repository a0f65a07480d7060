"""What the output commands say and write: stats over months in French, a downloaded kit a person can share,
help texts without an English word, and system reasons in French at the command line's boundary."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from outillerie.cli import cli
from outillerie.counter.store import Counter
from outillerie.counter.views import stats_csv
from outillerie.publish.export import export_site

from .conftest import copy_case
from .test_server import EXE, Server, start_server

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
COMMANDS = ["", "search", "show", "index", "check", "new", "export", "serve", "stats", "download"]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 10, 31, 12, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Downloads on 31 October, 1 and 30 November, 1 December 2026: two visitors in November, one a day."""
    path = tmp_path / "compteur.sqlite3"
    clock = Clock()
    with Counter(path, clock=clock) as counter:
        for day, client in (("2026-10-31", "10.0.0.1"), ("2026-11-01", "10.0.0.2"), ("2026-11-30", "10.0.0.3"),
                            ("2026-12-01", "10.0.0.4")):
            clock.now = datetime.fromisoformat(f"{day}T12:00:00+00:00")
            assert counter.record("atelier", method="GET", status=200, client=client, user_agent=FIREFOX)
    return path


def stats(db: Path, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["stats", "--db", str(db), "--format", "json", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_since_and_until_take_a_month_or_a_day(db: Path) -> None:
    month = stats(db, "--since", "2026-11", "--until", "2026-11")
    assert (month["period"]["first_day"], month["period"]["last_day"]) == ("2026-11-01", "2026-11-30")
    assert month["totals"]["downloads"] == 2
    assert stats(db, "--since", "2026-11-30")["totals"]["downloads"] == 2
    assert stats(db, "--until", "2026-11-01")["totals"]["downloads"] == 2
    february = stats(db, "--since", "2028-02", "--until", "2028-02")["period"]
    assert february["last_day"] == "2028-02-29"  # a leap year's February
    december = stats(db, "--until", "2026-12")["period"]
    assert december["last_day"] == "2026-12-31"


@pytest.mark.parametrize("value", ["2026-13", "2026-1", "novembre", "2026-11-31", "26-11-05"])
def test_a_bad_date_is_explained_in_french(db: Path, value: str) -> None:
    result = CliRunner().invoke(cli, ["stats", "--db", str(db), "--since", value])
    assert result.exit_code == 2
    assert f"Valeur invalide pour '--since' : « {value} » n'est pas une date. Écrivez un jour, AAAA-MM-JJ " \
           "(2026-11-05), ou un mois, AAAA-MM (2026-11)." in result.stderr
    assert "format" not in result.stderr


def test_one_figure_when_both_bounds_of_the_visitors_agree(db: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--db", str(db), "--since", "2026-11", "--until", "2026-11"])
    assert "Sur cette période : entre 1 et 2 visiteurs distincts." in result.stdout
    one_day = CliRunner().invoke(cli, ["stats", "--db", str(db), "--since", "2026-11-01", "--until", "2026-11-01"])
    assert "Sur cette période : 1 visiteur distinct." in one_day.stdout
    assert "entre 1 et 1" not in one_day.stdout


def test_stats_csv_titles_never_start_a_formula(db: Path) -> None:
    data = stats(db)
    text = stats_csv(data, {"atelier": "=HYPERLINK(\"http://x\")"})
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_downloaded_kit_gets_the_users_usual_permissions(tmp_path: Path, umask: int, mode: int) -> None:
    exported = tmp_path / "site"
    export_site(copy_case("site", tmp_path / "lib"), exported, counter_url="", keep_going=True)
    running: Server = start_server(exported, tmp_path / "c.sqlite3", tmp_path / "s.log")
    try:
        result = subprocess.run(["sh", "-c", f"umask {umask:03o} && exec {EXE} download elus-et-reseau --server "
                                 f"{running.url} --output {tmp_path / 'recu'}"], capture_output=True, text=True, timeout=60)
    finally:
        running.stop()
    assert result.returncode == 0, result.stderr
    kit = tmp_path / "recu" / "elus-et-reseau.zip"
    assert stat.S_IMODE(kit.stat().st_mode) == mode


ENGLISH = re.compile(r"\b(TEXT|INTEGER|RANGE|TITLE|COMMAND|ARGS|SLUG|PATH|FILE|DIRECTORY|FLOAT|BOOLEAN|CHOICE)\b")


def every_command(group: click.Group = cli, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    context = click.Context(group)
    for name in group.list_commands(context):  # the commands' modules are loaded when listed
        command = group.get_command(context, name)
        found += every_command(command, (*path, name)) if isinstance(command, click.Group) else [(*path, name)]
    return found


def test_every_help_has_no_english_placeholder() -> None:
    commands = every_command()
    assert {c[0] for c in commands if c} >= set(COMMANDS[1:])
    for command in commands:
        result = CliRunner().invoke(cli, [*command, "--help"], prog_name="outillerie")
        assert result.exit_code == 0, command
        assert ENGLISH.findall(result.stdout) == [], (command, result.stdout)


def test_usage_errors_about_paths_are_french(tmp_path: Path) -> None:
    missing = tmp_path / "absent"
    result = CliRunner().invoke(cli, ["check", str(missing)])
    assert result.exit_code == 2
    assert f"« {missing} » n'existe pas." in result.stderr
    assert "Path" not in result.stderr and "Directory" not in result.stderr
    result = CliRunner().invoke(cli, ["serve", "--site", str(Path(sys.executable))])
    assert f"« {Path(sys.executable)} » est un fichier." in result.stderr
    help_text = CliRunner().invoke(cli, ["--help"]).stdout
    assert help_text.startswith("Utilisation : cli [OPTIONS] COMMANDE [ARGUMENTS]...")


def test_an_unexpected_system_error_is_explained_in_french(tmp_path: Path) -> None:
    """The command line's last boundary: an OSError no module expected still reads in French."""
    taken = tmp_path / "un-fichier"
    taken.write_text("un fichier là où un dossier devrait être", encoding="utf-8")
    result = CliRunner().invoke(cli, ["download", "atelier", "--server", "http://127.0.0.1:9",
                                      "--output", str(taken / "recu")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Erreur : opération impossible sur « {taken / 'recu'} » : un élément du chemin "
                                    "n'est pas un dossier. Pour corriger : ")
    assert "Not a directory" not in result.stderr and "Traceback" not in result.output
