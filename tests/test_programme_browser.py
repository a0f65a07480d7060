"""The composer and the programme pages in Debian's Chromium: a programme composed from three sheets by mouse and by
keyboard, printed on A4 (every clock time read back with pdftotext), downloaded as index.md that `outillerie check`
accepts as is; axe-core finds nothing on the programme pages and the composer."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Page

from outillerie.cli import cli
from outillerie.publish.export import export_site

from .conftest import copy_case
from .test_site_browser import axe_violations, base_url, browser_type_launch_args  # noqa: F401  (fixtures)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    library = copy_case("programme-valid", tmp_path_factory.mktemp("composer") / "lib")
    export_site(library, library.parent / "site", keep_going=True)
    return library


def url(library: Path, page: str) -> str:
    return (library.parent / "site" / page).as_uri()


def times(page: Page) -> list[str]:
    return [t.replace("\u00a0", " ") for t in page.eval_on_selector_all(
        "#c-seances .element .ligne .heure, #c-seances .fin-seance .heure", "nodes => nodes.map(n => n.textContent)")]


def titles(page: Page) -> list[str]:
    return page.eval_on_selector_all("#c-seances .element .titre", "nodes => nodes.map(n => n.textContent)")


def printed(page: Page, button: str, target: Path) -> str:
    """Press a print button; the browser's print dialog cannot be driven, so the page is printed as it would be."""
    page.evaluate("() => { window.printRequests = 0; window.print = () => { window.printRequests += 1; }; }")
    page.click(button)
    assert page.evaluate("window.printRequests") == 1
    page.pdf(path=str(target), format="A4")
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True).stdout
    return text.replace("\u00a0", " ")


def test_a_programme_composed_by_mouse_prints_and_downloads_a_file_that_check_accepts(page: Page, library: Path,
                                                                                   tmp_path: Path) -> None:
    for slug in ("atelier-a", "atelier-b", "atelier-c"):
        page.goto(url(library, f"fiches/{slug}/index.html"))
        page.click("text=Ajouter au programme")
    assert page.inner_text("#ajout-etat") == "Fiche ajoutée au programme (3 éléments)."
    page.click("text=Voir le programme")
    assert titles(page) == ["Fiche : Atelier A", "Fiche : Atelier B", "Fiche : Atelier C"]
    page.click("text=Ajouter une pause (10 min)")
    page.click('#c-seances li[data-index="3"] >> text=Monter')
    page.click('#c-seances li[data-index="2"] >> text=Monter')
    assert titles(page) == ["Fiche : Atelier A", "Pause", "Fiche : Atelier B", "Fiche : Atelier C"]
    page.click('#c-seances li[data-index="1"] >> text=Descendre')
    assert titles(page) == ["Fiche : Atelier A", "Fiche : Atelier B", "Pause", "Fiche : Atelier C"]
    page.click('#c-seances li[data-index="2"] >> text=Monter')
    assert titles(page) == ["Fiche : Atelier A", "Pause", "Fiche : Atelier B", "Fiche : Atelier C"]
    page.fill("#c-titre", "Une matinée composée")
    page.fill("#c-debut-1", "9 h 30")
    page.fill("#c-date-1", "2027-03-04")
    page.fill("#c-duree-0-2", "60")
    assert times(page) == ["9 h 30", "10 h 30", "10 h 40", "11 h 40", "12 h 25"]
    steps = page.eval_on_selector_all('[data-steps="0-2"] .heure', "nodes => nodes.map(n => n.textContent)")
    assert [s.replace("\u00a0", " ") for s in steps] == ["10 h 40", "10 h 45", "11 h 05", "11 h 15", "11 h 35"]
    assert page.inner_text("#c-bilan") == "Durée totale : 2\u00a0h\u00a055, dont 2\u00a0h\u00a035 en activité."
    page.reload()  # the programme is kept by the browser
    assert times(page) == ["9 h 30", "10 h 30", "10 h 40", "11 h 40", "12 h 25"]

    agenda = printed(page, "#c-imprimer-agenda", tmp_path / "agenda.pdf")
    for time in ("9 h 30", "10 h 30", "10 h 40", "11 h 40", "12 h 25"):
        assert time in agenda, time
    assert "Une matinée composée" in agenda and "Composer un programme" not in agenda
    regie = printed(page, "#c-imprimer-regie", tmp_path / "regie.pdf")
    for time in ("10 h 45", "11 h 05", "11 h 15", "11 h 35", "12 h 15"):
        assert time in regie, time
    assert "À préparer avant" in regie

    with page.expect_download() as materials:
        page.click("text=Télécharger la liste du matériel")
    listing = Path(materials.value.path()).read_text(encoding="utf-8")
    assert "- Gommettes (trois par personne) — quantité : 36 (Atelier A)" in listing
    with page.expect_download() as download:
        page.click("text=Télécharger le programme (index.md)")
    assert download.value.suggested_filename == "index.md"
    target = library / "programmes" / "une-matinee-composee" / "index.md"
    target.parent.mkdir(parents=True)
    download.value.save_as(target)
    result = CliRunner().invoke(cli, ["--library", str(library), "check", "--strict", str(target.parent)])
    assert result.stdout == "" and result.exit_code == 0, result.output

    page.click("#c-effacer")
    assert titles(page) == [] and page.evaluate("localStorage.getItem('outillerie-programme')") is None
    page.reload()
    assert titles(page) == []


def test_the_composer_is_usable_with_the_keyboard_alone(page: Page, library: Path) -> None:
    page.goto(url(library, "composer/index.html"))
    page.focus("#c-fiche")
    for key in ("Home", "ArrowDown", "ArrowDown"):
        page.keyboard.press(key)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "c-ajouter-fiche"
        page.keyboard.press("Enter")
        page.keyboard.press("Shift+Tab")
    assert titles(page) == ["Fiche : Atelier A", "Fiche : Atelier B", "Fiche : Atelier C"]
    page.focus('#c-seances li[data-index="2"] button[data-action="up"]')
    page.keyboard.press("Enter")
    assert titles(page) == ["Fiche : Atelier A", "Fiche : Atelier C", "Fiche : Atelier B"]
    assert page.evaluate("document.activeElement.closest('li').getAttribute('data-index')") == "1"
    page.keyboard.press("Enter")  # the focus followed the item: the same key moves it again
    assert titles(page) == ["Fiche : Atelier C", "Fiche : Atelier A", "Fiche : Atelier B"]
    page.keyboard.press("Alt+ArrowDown")
    assert titles(page) == ["Fiche : Atelier A", "Fiche : Atelier C", "Fiche : Atelier B"]
    assert page.inner_text("#c-etat") == "Élément déplacé en position 2 de la séance 1."
    page.focus("#c-debut-1")
    page.keyboard.press("Control+A")
    page.keyboard.type("14:00")
    assert times(page)[:2] == ["14 h 00", "15 h 00"]
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_axe_finds_no_violation_on_the_programme_pages_and_the_composer(page: Page, library: Path) -> None:
    found = {}
    for name in ("programmes/programme-test/index.html", "programmes/programme-test/agenda.html",
                 "programmes/programme-test/regie.html", "index.html", "fiches/atelier-b/index.html",
                 "composer/index.html"):
        page.goto(url(library, name))
        if name.startswith("composer"):
            page.select_option("#c-fiche", "atelier-b")
            page.click("#c-ajouter-fiche")
            page.click("text=Ajouter un repas (1 h)")
        violations = axe_violations(page)
        if violations:
            found[name] = violations
    assert found == {}


def test_the_catalogue_filters_sheets_and_programmes(page: Page, library: Path) -> None:
    page.goto(url(library, "index.html"))
    assert page.is_visible("#les-programmes") and page.is_visible("#fiches")
    page.select_option("#f-kind", "programmes")
    assert page.is_hidden("#fiches") and page.is_visible("#les-programmes")
    page.select_option("#f-kind", "fiches")
    assert page.is_visible("#fiches") and page.is_hidden("#les-programmes")
    page.select_option("#f-kind", "")
    page.select_option("#f-objective", "reseau")
    assert page.is_hidden("#programmes > li")
