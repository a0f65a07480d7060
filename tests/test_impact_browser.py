"""« J'ai animé cet atelier » and « Les chiffres du commun » in Debian's Chromium: the form with and without
JavaScript, the live statistics page, and axe-core on every new page."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path
from typing import Any, Iterator
from wsgiref.simple_server import make_server

import pytest
from playwright.sync_api import Browser, BrowserContext

from outillerie.counter.database import reading
from outillerie.counter.schema import privacy_receipt
from outillerie.counter.server import SiteApp
from outillerie.counter.store import Counter
from outillerie.counter.uses import form_choices
from outillerie.counter.usestats import read_uses
from outillerie.publish.export import export_site
from outillerie.publish.served import ServedPages

from .conftest import REPO
from .test_site_browser import (  # noqa: F401  (browser_type_launch_args, base_url: fixtures)
    FIREFOX, _QuietHandler, _ThreadingServer, axe_violations, base_url, browser_type_launch_args)

SHEET = "fiches/cafe-de-la-mediation/index.html"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The commons as `outillerie serve` shows it: exported with the form, served by the real WSGI app."""
    site, db = tmp_path / "site", tmp_path / "compteur.sqlite3"
    export_site(REPO, site, counter_url="", keep_going=True,
                impact={"choices": form_choices(), "receipt": privacy_receipt()})
    counter = Counter(db)
    server = make_server("127.0.0.1", 0, SiteApp(site, counter, db, ServedPages(site)),
                         server_class=_ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/", db
    server.shutdown()
    server.server_close()
    counter.close()


@pytest.fixture
def visitor(browser: Browser) -> Iterator[BrowserContext]:
    """A person's browser: headless Chromium says « HeadlessChrome », a robot to COUNTER, so it says Firefox."""
    context = browser.new_context(user_agent=FIREFOX["User-Agent"], bypass_csp=True)
    yield context
    context.close()


def fill(page: Any, public: bool = True) -> None:
    page.select_option("#declarer-mois", "02")
    page.select_option("#declarer-departement", "29")
    page.get_by_label("6 à 12").check()
    page.get_by_label("Beaucoup").check()
    if public:
        page.get_by_label("Habitants").check()


def uses(db: Path) -> Any:
    with reading(db) as reader:
        return read_uses(reader)


def test_declaring_with_javascript_stays_on_the_sheet_and_says_thanks(visitor: BrowserContext,
                                                                       served: tuple[str, Path]) -> None:
    url, db = served
    page = visitor.new_page()
    page.goto(url + SHEET)
    fill(page, public=False)  # the browser itself asks for the month, the département and the two choices
    page.get_by_role("button", name="Envoyer ma déclaration").click()
    assert page.inner_text(".declaration-etat") == "Cochez au moins un public touché."
    page.get_by_label("Habitants").check()
    page.get_by_role("button", name="Envoyer ma déclaration").click()
    page.wait_for_selector(".declaration-etat.message-ok")
    assert page.inner_text(".declaration-etat").startswith("Merci ! Votre animation est comptée.")
    assert page.url == url + SHEET
    assert uses(db)["total"] == "moins de 3"  # one declaration: counted, never published as such


def test_declaring_without_javascript_is_a_form_answered_by_a_page(browser: Browser, served: tuple[str, Path]) -> None:
    url, db = served
    context = browser.new_context(user_agent=FIREFOX["User-Agent"], java_script_enabled=False)
    page = context.new_page()
    page.goto(url + SHEET)
    fill(page)
    page.get_by_role("button", name="Envoyer ma déclaration").click()
    page.wait_for_load_state()
    assert page.url == url + "declarer/cafe-de-la-mediation"
    assert page.inner_text("h1") == "Merci !", page.inner_text("main")
    page.get_by_role("link", name="Voir « Les chiffres du commun »").click()
    assert page.inner_text("h1") == "Les chiffres du commun"
    context.close()
    with reading(db) as reader:
        assert reader.rows("SELECT departement, participants, recommend, declarations FROM uses") == [
            ("29", "6-12", "beaucoup", 1)]


def test_axe_finds_no_violation_on_the_form_the_answers_the_figures_and_the_receipt(
        visitor: BrowserContext, served: tuple[str, Path]) -> None:
    url, _ = served
    page = visitor.new_page()
    for n in range(3):  # enough declarations for the figures to show a région
        other = visitor.browser.new_context(user_agent=FIREFOX["User-Agent"].replace("128.0", f"{130 + n}.0"))
        form = other.new_page()
        form.goto(url + SHEET)
        fill(form)
        form.get_by_role("button", name="Envoyer ma déclaration").click()
        form.wait_for_selector(".declaration-etat.message-ok")
        other.close()
    found = {}
    for name in (SHEET, "declarer/cafe-de-la-mediation", "chiffres/", "a-propos/index.html"):
        page.goto(url + name)
        if axe_violations(page):
            found[name] = axe_violations(page)
    page.goto(url + "chiffres/")
    assert page.locator("svg.graphique").count() >= 4
    assert page.locator("table.donnees-graphique").count() == page.locator("svg.graphique").count()
    assert found == {}
    printed = Path(served[1]).parent / "chiffres.pdf"
    page.pdf(path=str(printed), format="A4")
    info = subprocess.run(["pdfinfo", str(printed)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    words = subprocess.run(["pdftotext", str(printed), "-"], capture_output=True, text=True, check=True).stdout
    assert "Animations déclarées par région : les chiffres" in words and "Bretagne" in words
    assert "Catalogue des fiches" not in words  # the menu is not printed
