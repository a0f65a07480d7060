"""Programmes: reading and checking (tests/data/programme-*), clock times across sessions and dates, shortened
sheets, automatic breaks, merged materials, licence mixes, `programme show` and `programme new`, the export's
pages and kit, and the .ics read back with icalendar."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zipfile
import zoneinfo
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from outillerie.cli import cli
from outillerie.publish.export import export_site
from outillerie.sheets.agenda import build_agenda, long_runs, scale_steps
from outillerie.sheets.clock import parse_clock
from outillerie.sheets.programme_materials import merged_materials, quantity_rule
from outillerie.sheets.programmes import read_programme
from outillerie.sheets.snapshot import take_snapshot

from .conftest import REPO, copy_case

PROGRAMME = Path("programmes/programme-test/index.md")


def run(*args: str) -> "CliRunner.invoke":
    return CliRunner().invoke(cli, list(args))


def write_programme(library: Path, slug: str, front: str) -> Path:
    path = library / "programmes" / slug / "index.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n\nNotes.\n", encoding="utf-8")
    return path


HEAD = ('title: "Essai"\nsummary: "Un essai."\nobjective: sensibiliser\npublic: [mediateurs-numeriques]\n'
        'license: CC-BY-SA-4.0\nauthors: ["Moi"]\n')


def test_the_programmes_of_the_commons_pass_check_strict() -> None:
    result = run("--library", str(REPO), "check", "--strict", *(str(p) for p in sorted((REPO / "programmes").iterdir())))
    assert result.stdout == ""
    assert result.stderr == "0 fiche et 3 programmes vérifiés : aucun problème.\n"
    assert result.exit_code == 0


def test_check_without_path_counts_sheets_and_programmes_and_a_path_checks_one(tmp_path: Path) -> None:
    library = copy_case("programme-unknown-sheet", tmp_path / "lib")
    whole = run("--library", str(library), "check")
    assert whole.stderr == "3 fiches et 1 programme vérifiés : 1 erreur, 0 avertissement.\n"
    one = run("--library", str(library), "check", str(library / "programmes" / "programme-test"))
    assert one.stdout == whole.stdout and one.exit_code == 1
    sheet = run("--library", str(library), "check", str(library / "resources" / "atelier-a"))
    assert sheet.stdout == "" and sheet.exit_code == 0


def test_a_sheet_that_becomes_a_draft_breaks_the_programme_at_the_next_check(tmp_path: Path) -> None:
    library = copy_case("programme-valid", tmp_path / "lib")
    assert run("--library", str(library), "check").exit_code == 0
    sheet = library / "resources" / "atelier-b" / "index.md"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("status: publiee", "status: brouillon"), encoding="utf-8")
    result = run("--library", str(library), "check")
    assert result.exit_code == 1
    assert "programmes/programme-test/index.md:16: erreur : la fiche « atelier-b » est un brouillon" in result.stdout


def test_french_keys_are_read_as_their_english_names(tmp_path: Path) -> None:
    library = copy_case("programme-valid", tmp_path / "lib")
    path = write_programme(library, "francais", HEAD + 'sessions:\n  - début: "14h"\n    items:\n'
                           '      - {titre: "Accueil", duree: "15 min"}\n      - {fiche: atelier-c}\n'
                           '      - {pause: 10}\n      - {repas: "1h"}\n')
    programme, warnings = read_programme(path, library)
    assert warnings == []
    session = programme.sessions[0]
    assert session.start == 14 * 60
    assert [(i.kind, i.minutes, i.title, i.sheet) for i in session.items] == [
        ("slot", 15, "Accueil", None), ("sheet", None, "", "atelier-c"), ("break", 10, "", None), ("meal", 60, "", None)]


@pytest.mark.parametrize("text, minutes", [("9:30", 570), ("09:30", 570), ("9h30", 570), ("9 h 30", 570), ("18h", 1080),
                                           ("0:00", 0), ("23:59", 1439)])
def test_clock_times_as_people_write_them(text: str, minutes: int) -> None:
    assert parse_clock(text) == minutes


@pytest.mark.parametrize("text", ["24:00", "9:75", "9:", "neuf heures", ""])
def test_times_that_are_not_times(text: str) -> None:
    with pytest.raises(ValueError):
        parse_clock(text)


def test_a_shortened_sheet_keeps_its_pause_and_scales_the_rest_to_five_minutes() -> None:
    lengths, breaks = [15, 25, 30, 10, 35, 30, 20, 15], [False, False, False, True, False, False, False, False]
    fitted = scale_steps(lengths, breaks, 130)
    assert fitted == [10, 20, 20, 10, 25, 20, 15, 10]
    assert sum(fitted) == 130 and all(m % 5 == 0 for m in fitted) and fitted[3] == 10
    assert scale_steps([10, 40, 10], [False] * 3, 83) == [15, 50, 18]  # the remainder (3) goes to the last step
    assert sum(scale_steps([10, 30, 10, 30, 10], [False, False, True, False, False], 25)) == 25  # too short: still adds up


def test_clock_times_run_across_sessions_dates_and_a_seven_hour_day(tmp_path: Path) -> None:
    library = copy_case("programme-valid", tmp_path / "lib")
    path = write_programme(library, "journee", HEAD + (
        'sessions:\n  - date: 2027-06-03\n    start: "9:00"\n    items:\n      - atelier-a\n      - {break: 15}\n'
        '      - atelier-b\n      - {meal: 60}\n      - {sheet: atelier-b, duration: 60}\n      - {break: 10}\n'
        '      - {title: "Synthèse", duration: 75}\n  - date: 2027-06-10\n    start: "18:30"\n    items: [atelier-c]\n'))
    programme, _ = read_programme(path, library)
    sheets = {s.slug: s for s in take_snapshot(library, None).sheets()}
    agenda = build_agenda(programme, sheets)
    day, evening = agenda.sessions
    assert [(i.start, i.minutes) for i in day.items] == [(540, 60), (600, 15), (615, 90), (705, 60), (765, 60),
                                                         (825, 10), (835, 75)]
    assert (day.start, day.end, day.minutes) == (540, 910, 370)
    assert [(s.start, s.minutes) for s in day.items[4].steps] == [(765, 5), (770, 20), (790, 10), (800, 20), (820, 5)]
    assert (evening.date, evening.start, evening.end) == (dt.date(2027, 6, 10), 1110, 1155)
    assert agenda.total == 370 + 45
    assert agenda.activity == 415 - 15 - 60 - 10 - 10 - 10  # breaks, the meal and both sheets' own pauses
    assert long_runs(day) == [] and long_runs(evening) == []


def test_programme_show_prints_every_item_and_step_with_its_clock_time(tmp_path: Path) -> None:
    library = copy_case("programme-valid", tmp_path / "lib")
    result = run("--library", str(library), "programme", "show", "programme-test")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "Séance 1 : jeudi 4 mars 2027, de 9 h 30 à 11 h 50 (2 h 20)" in lines
    assert "  10 h 50  Fiche « Atelier B » (1 h, raccourcie : 1 h 30 dans la fiche)" in lines
    assert "           10 h 55  Première partie (20 min ; 30 dans la fiche)" in lines
    assert "           11 h 15  Pause (10 min)" in lines
    assert "  11 h 50  Fin de la séance" in lines
    assert "Durée totale : 2 h 20, dont 2 h en activité (hors pauses et repas)." in lines
    missing = run("--library", str(library), "programme", "show", "programme-tst")
    assert missing.exit_code == 1 and "Vouliez-vous dire « programme-test » ?" in missing.stderr


def test_programme_new_writes_a_programme_that_check_accepts(tmp_path: Path) -> None:
    library = copy_case("programme-valid", tmp_path / "lib")
    result = run("--library", str(library), "programme", "new", "Une matinée", "--sheet", "atelier-a", "--sheet",
                 "atelier-c", "--start", "9h30", "--date", "2027-04-01")
    assert result.exit_code == 0, result.output
    text = (library / "programmes" / "une-matinee" / "index.md").read_text(encoding="utf-8")
    assert "start: '9:30'" in text and "items: [atelier-a, atelier-c]" in text and "date: 2027-04-01" in text
    checked = run("--library", str(library), "check", str(library / "programmes" / "une-matinee"))
    assert checked.exit_code == 0  # valid; without --pauses auto, 105 min in a row is only a warning
    assert checked.stdout.endswith("enchaîne 105 min d'activité sans pause à partir de 9 h 30 (90 min au plus). Pour "
                                   "corriger : ajoutez une pause, par exemple {break: 10}, avant cet élément ou plus tôt.\n")
    again = run("--library", str(library), "programme", "new", "Une matinée", "--sheet", "atelier-a")
    assert again.exit_code == 1 and "existe déjà" in again.stderr
    typo = run("--library", str(library), "programme", "new", "Autre", "--sheet", "atelier-x")
    assert typo.exit_code == 1 and "« atelier-x » n'existe pas." in typo.stderr
    assert not (library / "programmes" / "autre").exists()


def test_automatic_pauses_add_welcome_closing_breaks_and_a_meal_for_a_long_day(tmp_path: Path) -> None:
    library = copy_case("programme-valid", tmp_path / "lib")
    slugs = ["atelier-a", "atelier-c", "atelier-b", "atelier-a", "atelier-c", "atelier-b"]
    result = run("--library", str(library), "programme", "new", "Une journée", "--start", "9:00", "--pauses", "auto",
                 *(arg for slug in slugs for arg in ("--sheet", slug)))
    assert result.exit_code == 0, result.output
    path = library / "programmes" / "une-journee" / "index.md"
    text = path.read_text(encoding="utf-8")
    assert "Accueil et tour de table (ajouté automatiquement)" in text
    assert "Tour de clôture (ajouté automatiquement)" in text
    assert "{meal: 60, title: Repas (ajouté automatiquement)}" in text
    programme, _ = read_programme(path, library)
    agenda = build_agenda(programme, {s.slug: s for s in take_snapshot(library, None).sheets()})
    session = agenda.sessions[0]
    meal = next(item for item in session.items if item.kind == "meal")
    assert 12 * 60 <= meal.start <= 14 * 60
    assert session.minutes >= 6 * 60 and long_runs(session) == []
    assert [i.title for i in session.items].count("Pause (ajoutée automatiquement)") >= 2
    assert run("--library", str(library), "check", "--strict", str(path.parent)).exit_code == 0


@pytest.mark.parametrize("item, expected", [
    ("Cartes d'engagement imprimées (une par personne)", (1, 1, 0)),
    ("Gommettes (cinq par personne)", (5, 1, 0)),
    ("Guide imprimé pour chaque participant·e", (1, 1, 0)),
    ("Scénario imprimé (un jeu par groupe de quatre)", (1, 4, 0)),
    ("Enveloppes (une par groupe)", (1, 4, 0)),
    ("Situations découpées (un jeu par trio)", (1, 3, 0)),
    ("Cartes métier (une par personne, deux de réserve)", (1, 1, 2)),
    ("Une enveloppe par personne", (1, 1, 0)),
    ("Paperboard et feutres", None),
    ("Accord imprimé en deux exemplaires (un par témoin)", None),
])
def test_quantity_rules_read_from_the_materials(item: str, expected: tuple[int, int, int] | None) -> None:
    rule = quantity_rule(item)
    assert (None if rule is None else (rule.count, rule.per, rule.reserve)) == expected


def test_merged_materials_are_deduplicated_folded_with_quantities(tmp_path: Path) -> None:
    library = copy_case("programme-valid", tmp_path / "lib")
    sheets = {s.slug: s for s in take_snapshot(library, None).sheets()}
    merged = merged_materials([sheets["atelier-a"], sheets["atelier-b"], sheets["atelier-c"]], 14)
    assert [(m.text, m.sheets, m.quantity) for m in merged] == [
        ("Post-it", ("Atelier A", "Atelier B"), None),
        ("Gommettes (trois par personne)", ("Atelier A",), 42),
        ("Un dé par groupe", ("Atelier B",), 4),
        ("Feutres", ("Atelier C",), None),
    ]


@pytest.mark.parametrize("licences, programme_licence, message", [
    (("CC-BY-SA-4.0", "LAL-1.3"), "CC-BY-SA-4.0", None),
    (("CC-BY-SA-4.0", "LAL-1.3"), "LAL-1.3", None),
    (("CC-BY-4.0", "CC0-1.0"), "CC0-1.0", None),
    (("CC-BY-4.0", "etalab-2.0"), "CC-BY-SA-4.0", None),
    (("ODbL-1.0", "CC-BY-4.0"), "CC-BY-SA-4.0", "écrivez license: ODbL-1.0."),
    (("LAL-1.3", "ODbL-1.0"), "LAL-1.3", "ne peuvent pas être partagées en un seul document"),
])
def test_licence_mixes(tmp_path: Path, licences: tuple[str, str], programme_licence: str, message: str | None) -> None:
    library = copy_case("programme-valid", tmp_path / "lib")
    for slug, licence in zip(("atelier-a", "atelier-b"), licences):
        sheet = library / "resources" / slug / "index.md"
        sheet.write_text(sheet.read_text(encoding="utf-8").replace("CC-BY-SA-4.0", licence), encoding="utf-8")
    programme = library / PROGRAMME
    programme.write_text(programme.read_text(encoding="utf-8").replace("license: CC-BY-SA-4.0",
                                                                       f"license: {programme_licence}"), encoding="utf-8")
    result = run("--library", str(library), "check")
    if message is None:
        assert result.stdout == "" and result.exit_code == 0
    else:
        assert message in result.stdout and result.exit_code == 1


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    library = copy_case("programme-valid", tmp_path_factory.mktemp("programme") / "lib")
    export_site(library, library.parent / "site", keep_going=True, pdf=True)
    return library.parent / "site"


def test_the_export_writes_the_page_the_printables_and_a_kit(exported: Path) -> None:
    folder = exported / "programmes" / "programme-test"
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "Programme de test" in page and "10\u00a0h\u00a055" in page and "Gommettes (trois par personne)" in page
    assert "<strong>36</strong>" in page  # three per person, for the 12 the programme allows at most
    catalogue = (exported / "index.html").read_text(encoding="utf-8")
    assert 'href="programmes/programme-test/index.html"' in catalogue and 'id="f-kind"' in catalogue
    with zipfile.ZipFile(exported / "telechargements" / "programmes" / "programme-test.zip") as kit:
        names = set(kit.namelist())
        assert {"programme-test/agenda-participants.pdf", "programme-test/regie.pdf", "programme-test/materiel.txt",
                "programme-test/programme.ics", "programme-test/programme.md", "programme-test/LICENCE.txt",
                "programme-test/CREDITS.txt"} <= names
        assert any(name.startswith("programme-test/fiches/atelier-b/") for name in names)
        credits = kit.read("programme-test/CREDITS.txt").decode()
        assert "Atelier A" in credits and "Atelier B" in credits and "CC-BY-SA-4.0" in credits
        agenda = folder.parent.parent.parent / "agenda.pdf"
        agenda.write_bytes(kit.read("programme-test/agenda-participants.pdf"))
    info = subprocess.run(["pdfinfo", str(agenda)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M) and "(A4)" in info
    text = subprocess.run(["pdftotext", "-layout", str(agenda), "-"], capture_output=True, text=True, check=True).stdout
    for time in ("9 h 30", "9 h 40", "10 h 40", "10 h 50", "11 h 50"):
        assert time in text.replace("\u00a0", " "), time


def test_the_kit_is_the_same_bytes_at_each_export(exported: Path, tmp_path: Path) -> None:
    library = copy_case("programme-valid", tmp_path / "lib")
    export_site(library, tmp_path / "site", keep_going=True, pdf=True)
    kit = Path("telechargements/programmes/programme-test.zip")
    assert (tmp_path / "site" / kit).read_bytes() == (exported / kit).read_bytes()


def test_the_calendar_reads_back_in_paris_time(exported: Path) -> None:
    calendar = icalendar.Calendar.from_ical((exported / "programmes" / "programme-test" / "programme.ics").read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    assert events[0]["dtstart"].dt == dt.datetime(2027, 3, 4, 9, 30, tzinfo=paris)
    assert events[0]["dtend"].dt == dt.datetime(2027, 3, 4, 11, 50, tzinfo=paris)
    assert str(events[0]["summary"]) == "Programme de test"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
