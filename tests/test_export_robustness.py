"""The export never loses valid sheets, never leaves its working folders behind, writes open data a spreadsheet
and a feed reader can trust, and says what went wrong in French."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from outillerie.cli import cli
from outillerie.errors import ExportError, reason_fr
from outillerie.publish.catalogue import spreadsheet_safe
from outillerie.publish.export import export_site

from .conftest import copy_case

EXE = str(Path(sys.executable).parent / "outillerie")
PUBLISHED = ["dejouer-les-arnaques", "elus-et-reseau", "fiche-hostile", "projet-collectif-quartier"]
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return copy_case("site", tmp_path / "lib")


def add_sheet(library: Path, slug: str, title: str, **replace: str) -> Path:
    """A valid sheet (a copy of « Déjouer les arnaques ») under another folder name and title."""
    text = (library / "resources" / "dejouer-les-arnaques" / "index.md").read_text(encoding="utf-8")
    text = text.replace('title: "Déjouer les arnaques en ligne"', f"title: {title}")
    for old, new in replace.items():
        text = text.replace(old, new)
    folder = library / "resources" / slug
    folder.mkdir()
    (folder / "index.md").write_text(text, encoding="utf-8")
    return folder


def export(library: Path, output: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, "--library", str(library), "export", "--output", str(output), *extra],
                          capture_output=True, text=True, timeout=120)


def published(site: Path) -> list[str]:
    return sorted(json.loads((site / "kits.json").read_text(encoding="utf-8")))


def without_dac_override() -> list[str]:
    """Run a command so that file permissions apply to it: root (as in CI) ignores them unless it gives up
    CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (an ordinary user needs nothing)."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--inh-caps=-all", "--"]


# --- one sheet never takes the others down -------------------------------------------------------------


def test_a_folder_name_of_254_characters_leaves_the_others_published(library: Path, tmp_path: Path) -> None:
    long_slug = "a" * 254
    add_sheet(library, long_slug, '"Un nom de dossier démesuré"')
    result = export(library, tmp_path / "site", "--keep-going")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert published(tmp_path / "site") == PUBLISHED
    named = [line for line in result.stderr.splitlines() if line.startswith(f"resources/{long_slug}")]
    assert named and ": erreur : " in named[0]
    assert "1 fiche(s) invalide(s) laissée(s) de côté" in result.stdout
    result = export(library, tmp_path / "site")  # without --keep-going: the same site, and exit code 1
    assert result.returncode == 1 and published(tmp_path / "site") == PUBLISHED


def test_an_unreadable_support_leaves_out_its_sheet_only_and_blames_the_support(library: Path, tmp_path: Path) -> None:
    support = library / "resources" / "elus-et-reseau" / "grille-secrete.pdf"
    support.write_bytes(b"%PDF-1.4\n")
    support.chmod(0)
    result = subprocess.run([*without_dac_override(), EXE, "--library", str(library), "export",
                             "--output", str(tmp_path / "site"), "--keep-going"],
                            capture_output=True, text=True, timeout=120)
    support.chmod(0o644)
    assert result.returncode == 0, result.stderr
    assert published(tmp_path / "site") == [s for s in PUBLISHED if s != "elus-et-reseau"]
    lines = [line for line in result.stderr.splitlines() if "grille-secrete.pdf" in line]
    assert lines and lines[0].startswith("resources/elus-et-reseau/grille-secrete.pdf: erreur : ")
    assert "permission refusée" in lines[0] and "Pour corriger" in lines[0]
    assert "ne peut pas être écrit dans" not in result.stderr  # the output folder is not to blame
    assert "Permission denied" not in result.stderr


def test_a_sheet_whose_files_the_disk_cannot_name_is_left_out_and_the_others_published(
        library: Path, tmp_path: Path) -> None:
    """A valid sheet (slug of 100 characters, the maximum) inside an output folder so deep that its page's path
    passes the system's limit (4,096 bytes): that sheet is left out with the reason, every other one published."""
    long_slug = "tres-long-" + "x" * 90
    add_sheet(library, long_slug, '"Une fiche au nom de dossier très long"')
    deep = tmp_path
    while len(os.fsencode(deep)) < 3_800:
        deep = deep / ("d" * 200)
    deep = deep / ("d" * (4_000 - len(os.fsencode(deep)) - 1))  # 4,000 bytes: room for short names only
    deep.mkdir(parents=True)
    output = deep / "site"
    report = export_site(library, output, keep_going=True)
    assert published(output) == PUBLISHED
    mine = [p for p in report.problems if p.path == f"resources/{long_slug}/index.md"]
    assert len(mine) == 1
    assert "nom de fichier trop long" in mine[0].message
    assert mine[0].message.endswith("Pour corriger : raccourcissez le nom du dossier de la fiche (100 caractères au "
                                    "plus) ou de ses supports, puis relancez l'export.")
    assert report.exported == len(PUBLISHED) and report.left_out == 1
    assert sorted(os.listdir(output / "fiches")) == PUBLISHED  # nothing half-written of the long one
    assert [p.name for p in deep.iterdir()] == ["site"]  # no working folder left


def test_a_full_disk_stops_the_export_and_keeps_the_previous_site(library: Path, tmp_path: Path) -> None:
    """On a real small file system (tmpfs, mounted in a user namespace): ENOSPC concerns every sheet, so the
    export stops, in French, and the site already published stays as it was."""
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"no user namespace to mount a small disk here: {probe.stderr.strip()[:200]}")
    disk = tmp_path / "disque"
    disk.mkdir()
    script = f"""
set -u
mount -t tmpfs -o size=3m tmpfs {disk}
{EXE} --library {library} export --output {disk}/site --keep-going > {tmp_path}/1.out 2>&1; echo $? > {tmp_path}/1.rc
find {disk}/site -type f | sort | xargs md5sum > {tmp_path}/before.txt
dd if=/dev/zero of={disk}/lest bs=4k 2>/dev/null || true
touch {library}/resources/*/index.md
{EXE} --library {library} export --output {disk}/site --keep-going > {tmp_path}/2.out 2>&1; echo $? > {tmp_path}/2.rc
find {disk}/site -type f | sort | xargs md5sum > {tmp_path}/after.txt
ls -a {disk} > {tmp_path}/left.txt
"""
    subprocess.run(["unshare", "-rm", "sh", "-c", script], check=True, timeout=120)
    assert (tmp_path / "1.rc").read_text().strip() == "0", (tmp_path / "1.out").read_text()
    assert (tmp_path / "2.rc").read_text().strip() == "1"
    message = (tmp_path / "2.out").read_text(encoding="utf-8")
    assert f"Erreur : le site ne peut pas être écrit dans « {disk}/site » (plus de place sur le disque)." in message
    assert "No space" not in message and "Traceback" not in message
    assert (tmp_path / "after.txt").read_text() == (tmp_path / "before.txt").read_text()
    assert (tmp_path / "left.txt").read_text().split() == [".", "..", "lest", "site"]


# --- what killed exports leave behind -------------------------------------------------------------------


def wait_for_working_folder(parent: Path, process: subprocess.Popen[str], known: set[str]) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = {p.name for p in parent.iterdir() if p.name.startswith(".site.") and p.name.endswith(".tmp")} - known
        if found:
            return found.pop()
        assert process.poll() is None, "the export ended before its working folder was seen"
        time.sleep(0.002)
    raise AssertionError("no working folder appeared")


def test_the_next_export_removes_what_killed_exports_left_but_not_a_running_one(library: Path, tmp_path: Path) -> None:
    output = tmp_path / ("sortie-" + "x" * 60)  # a path longer than the reserve's: the exports work beside it
    output.mkdir()
    command = [EXE, "--library", str(library), "export", "--output", str(output / "site"), "--keep-going"]
    killed = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    dead = wait_for_working_folder(output, killed, set())
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    assert (output / dead).is_dir()  # what a killed export leaves
    stopped = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    alive = wait_for_working_folder(output, stopped, {dead})
    stopped.send_signal(signal.SIGSTOP)  # still running, just paused: its folder is its own
    try:
        assert export(library, output / "site", "--keep-going").returncode == 0
        assert sorted(p.name for p in output.iterdir()) == sorted([alive, "site"])
    finally:
        stopped.send_signal(signal.SIGKILL)
        stopped.wait(timeout=30)
    assert export(library, output / "site", "--keep-going").returncode == 0
    assert [p.name for p in output.iterdir()] == ["site"]


def test_only_our_own_working_folders_are_removed(library: Path, tmp_path: Path) -> None:
    keep = [".site.notes", ".site.abcdefgh.tmp.bak", ".autre.abcdefgh.tmp", "site.abcdefgh.tmp", ".site.abc.tmp"]
    for name in keep:
        (tmp_path / name).mkdir()
    (tmp_path / ".site.abcdefgh.tmp").write_text("un fichier, pas un dossier d'export", encoding="utf-8")
    export_site(library, tmp_path / "site", keep_going=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*keep, ".site.abcdefgh.tmp", "lib", "site"])


def test_an_old_site_that_cannot_be_moved_away_stays_in_place_and_the_export_says_why(
        library: Path, tmp_path: Path) -> None:
    """A shared web folder with the sticky bit, the published site belonging to a colleague: it cannot be
    renamed; the export says so in French and leaves it where visitors find it."""
    if os.geteuid() != 0:
        pytest.skip("giving the site to another user needs root (CI runs as root)")
    shared = tmp_path / "www"
    shared.mkdir()
    export_site(library, shared / "site", keep_going=True)
    before = sorted(p.relative_to(shared).as_posix() for p in shared.rglob("*"))
    for path in [shared, shared / "site", *(shared / "site").rglob("*")]:
        os.chown(path, 65534, 65534, follow_symlinks=False)
    shared.chmod(0o1777)
    (library / "resources" / "elus-et-reseau" / "index.md").touch()
    result = subprocess.run([*without_dac_override(), EXE, "--library", str(library), "export", "--output",
                             str(shared / "site"), "--keep-going"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Erreur : l'ancien site « {shared / 'site'} » ne peut pas être remplacé "
                                    "(opération non permise) : il reste en place, inchangé, et le nouveau n'est pas "
                                    "publié. Pour corriger : ")
    assert sorted(p.relative_to(shared).as_posix() for p in shared.rglob("*")) == before  # nothing hidden aside


# --- open data -------------------------------------------------------------------------------------------


def git(folder: Path, *args: str, author: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "a@exemple.fr", "GIT_COMMITTER_NAME": author,
           "GIT_COMMITTER_EMAIL": "a@exemple.fr", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, env=env)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"])
def test_a_cell_that_a_spreadsheet_would_run_starts_with_an_apostrophe(start: str) -> None:
    assert spreadsheet_safe(f"{start}HYPERLINK(\"http://x\")") == f"'{start}HYPERLINK(\"http://x\")"


def test_catalogue_csv_cells_never_start_a_formula(library: Path, tmp_path: Path) -> None:
    add_sheet(library, "formule", '"=HYPERLINK(\\"https://exemple.org\\";\\"Cliquez\\")"',
              **{'authors: ["Réseau des médiathèques"]': 'authors: ["@admin", "+33 1 23 45 67 89"]',
                 "tags: [": 'tags: ["-2 + 3", "＝SOMME(A1)", '})
    git(library, "init", "-q", author="x")
    git(library, "add", ".", author="x")
    git(library, "commit", "-q", "-m", "import", author="=cmd|' /C calc'!A0")
    export_site(library, tmp_path / "site", keep_going=True)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "site" / "catalogue.csv").read_text(encoding="utf-8"))))
    row = next(r for r in rows if r["slug"] == "formule")
    assert row["title"] == "'=HYPERLINK(\"https://exemple.org\";\"Cliquez\")"
    assert row["authors"] == "'@admin | +33 1 23 45 67 89"
    assert row["tags"].startswith("'-2 + 3 | ＝")
    assert row["contributors"] == "'=cmd|' /C calc'!A0"
    dangerous = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
    assert [c for r in rows for c in r.values() if c.startswith(dangerous)] == []
    catalogue = json.loads((tmp_path / "site" / "catalogue.json").read_text(encoding="utf-8"))
    assert next(s for s in catalogue["sheets"] if s["slug"] == "formule")["title"].startswith("=HYPERLINK")  # JSON as is


HOSTILE_TITLES = {
    "bell": r'"Atelier \a qui sonne"', "escape": r'"Titre \e[31men rouge"', "nul": r'"Nul \0 part"',
    "form-feed": r'"Saut \f de page"', "non-character": r'"Fin \uFFFE de ligne"', "osc": r'"Titre \e]0;pirate\a"',
}


def test_every_xml_file_of_the_export_parses_with_hostile_titles(library: Path, tmp_path: Path) -> None:
    for name, title in HOSTILE_TITLES.items():
        add_sheet(library, f"titre-{name}", title)
    export_site(library, tmp_path / "site", base_url="https://fiches.exemple.fr", keep_going=True)
    site = tmp_path / "site"
    xml_files = sorted(p for p in site.rglob("*") if p.suffix in (".xml", ".atom", ".svg"))
    assert {p.name for p in xml_files} >= {"sitemap.xml", "flux.atom"}
    for path in xml_files:
        ET.parse(path)  # raises on the first character XML 1.0 forbids
    feed = ET.parse(site / "flux.atom").getroot()
    in_feed = {e.find(f"{ATOM}id").text.rstrip("/").rsplit("/", 1)[-1] for e in feed.findall(f"{ATOM}entry")}
    dated = [slug for slug in published(site) if slug.startswith("titre-")]
    assert set(dated) <= in_feed  # every hostile sheet that was published is in the feed, readable


# --- messages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "reason"), [
    (errno.ENOSPC, "plus de place sur le disque"), (errno.EACCES, "permission refusée"),
    (errno.ENOENT, "fichier introuvable"), (errno.ENAMETOOLONG, "nom de fichier trop long"),
    (errno.EROFS, "système de fichiers en lecture seule"), (errno.ELOOP, "trop de liens symboliques"),
    (errno.EADDRINUSE, "adresse déjà utilisée par un autre programme"),
])
def test_system_reasons_are_french(code: int, reason: str) -> None:
    assert reason_fr(OSError(code, os.strerror(code))) == reason


def test_an_export_into_a_read_only_place_says_why_in_french(library: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--library", str(library), "export", "--output", "/proc/sys/site"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Erreur : le site ne peut pas être écrit dans « /proc/sys/site » (")
    assert not any(english in result.stderr for english in ("denied", "No such", "Read-only", "not permitted"))
    with pytest.raises(ExportError):
        export_site(library, Path("/proc/sys/site"))
