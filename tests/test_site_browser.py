"""The exported site in Debian's Chromium (Playwright): filters, search without accents, hash URLs, file://,
keyboard, phone width, axe-core, A4 print, download counts, and no request outside the site."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any, Iterator
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from socketserver import ThreadingMixIn

import axe_playwright_python
import pytest
import requests
from playwright.sync_api import Browser, Page

from outillerie.french.analysis import STOP_WORDS, analyze
from outillerie.french.analysis import surface_words
from outillerie.counter.store import Counter
from outillerie.publish.export import export_site
from outillerie.counter.server import SiteApp

from .conftest import copy_case

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(axe_playwright_python.__file__).parent / "axe.min.js"
FIREFOX = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium (never a downloaded one), with every DNS look-up refused so nothing leaves the machine."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium de Debian est introuvable (/usr/bin/chromium). Pour corriger : apt-get install -y "
                    "--no-install-recommends chromium poppler-utils fonts-liberation (comme le fait .ci/run).")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM),
            "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage",
                     "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"]}


@pytest.fixture(scope="session")
def base_url() -> None:
    """No base URL: pages are opened by file:// or full http:// addresses (and pytest-base-url's own fixture warns)."""
    return None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    library = copy_case("site", tmp_path_factory.mktemp("browser") / "lib")
    output = library.parent / "site"
    export_site(library, output, keep_going=True)
    return output


def url(site: Path, page: str = "index.html") -> str:
    return (site / page).as_uri()


def visible(page: Page) -> list[str]:
    page.wait_for_function("document.documentElement.dataset.recherche !== 'en-cours'")  # ranked, then painted
    return page.eval_on_selector_all("#fiches > li:not([hidden]) h2 a",
                                     "links => links.map(a => a.getAttribute('href').split('/')[1])")


def test_filtering_by_objective_and_public_shows_exactly_the_expected_sheets(page: Page, site: Path) -> None:
    page.goto(url(site))
    assert visible(page) == ["dejouer-les-arnaques", "fiche-hostile", "projet-collectif-quartier", "elus-et-reseau"]
    page.select_option("#f-objective", "reseau")
    assert visible(page) == ["elus-et-reseau"]
    assert page.inner_text("#resultats") == "1 fiche sur 4"
    assert page.evaluate("location.hash") == "#objective=reseau"
    page.select_option("#f-objective", "")
    page.select_option("#f-public", "habitants")
    assert visible(page) == ["dejouer-les-arnaques", "projet-collectif-quartier"]
    page.select_option("#f-objective", "sensibiliser")
    assert visible(page) == ["dejouer-les-arnaques"]
    page.select_option("#f-duration", "30")
    assert visible(page) == [] and page.is_visible("#aucune")
    assert page.inner_text("#resultats") == "Aucune fiche sur 4"
    page.click("#f-reset")
    page.wait_for_function("document.querySelectorAll('#fiches > li:not([hidden])').length === 4")
    assert page.evaluate("location.hash") == ""


def test_a_word_typed_without_accents_finds_the_accented_sheet(page: Page, site: Path) -> None:
    page.goto(url(site))
    for typed, expected in (("dejouer", ["dejouer-les-arnaques"]), ("ELUS", ["elus-et-reseau"]),
                            ("élu·e·s", ["elus-et-reseau"]), ("mediatrices", ["dejouer-les-arnaques"]),
                            ("l'arnaque", ["dejouer-les-arnaques"]), ("cooperation quartier", ["projet-collectif-quartier"]),
                            ("quartiers", ["projet-collectif-quartier"]), ("secur", ["dejouer-les-arnaques"])):
        page.fill("#f-q", typed)
        assert visible(page)[:1] == expected, typed  # ranked: the body counts too, the best sheet comes first


def test_the_hash_url_restores_the_filters(page: Page, site: Path) -> None:
    page.goto(url(site) + "#objective=sensibiliser&public=habitants&q=arnaques")
    assert page.input_value("#f-objective") == "sensibiliser"
    assert page.input_value("#f-public") == "habitants"
    assert page.input_value("#f-q") == "arnaques"
    assert visible(page) == ["dejouer-les-arnaques"]
    page.evaluate("location.hash = '#level=avance'")
    page.wait_for_function("document.querySelector('#f-level').value === 'avance'")
    assert visible(page) == ["projet-collectif-quartier"]


def test_the_browser_folds_words_like_the_command_line(page: Page, site: Path) -> None:
    page.goto(url(site))
    words = ["élus", "ELUS", "élu·e·s", "élu.e.s", "Déjouer", "dejouer", "médiateur·rice·s", "médiatrices",
             "arnaques", "l'arnaque", "d’arnaques", "réseau", "reseaux", "quartier", "quartiers", "coopération",
             "sécurité", "équipes", "Les élu·e·s et les médiateur·rice·s du réseau"]
    for word in words:
        assert page.evaluate("word => window.outillerie.terms(word)", word) == analyze(word), word


def test_the_browser_splits_and_folds_words_like_the_analyzer(page: Page, site: Path) -> None:
    """Before the term table: tokens, elisions, inclusive writing, accents, stop words, the same on both sides."""
    page.goto(url(site))
    texts = ["Aujourd'hui, l'équipe d’accueil reçoit les usager·ère·s", "Œuvre, cœur et ÆSTHÉTIQUE",
             "les travailleur·euse·s sociaux·ales et les élu.e.s", "version 1.10 du fin.Début", "qu'il s'agisse",
             "rock'n'roll presqu'île Jusqu'à lorsqu’on", "Médiateur•rice•s, citoyen‧ne‧s, chef⋅fe⋅s", "ELUS élus élu"]
    for text in texts:
        expected = [form for form in surface_words(text) if form not in STOP_WORDS and (len(form) > 1 or form.isdigit())]
        groups = page.evaluate("text => window.outillerie.words(text)", text)
        assert [form for group in groups for form in group] == expected, text


def test_the_site_works_from_disk_and_asks_for_nothing_outside_it(page: Page, site: Path) -> None:
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    pages = ["index.html", "a-propos/index.html", *(p.relative_to(site).as_posix()
                                                    for p in sorted((site / "fiches").rglob("*.html")))]
    for name in pages:
        page.goto(url(site, name))
        page.wait_for_load_state("load")
    page.goto(url(site))
    page.click("text=Réunir les élu·e·s autour de l'inclusion numérique")
    page.wait_for_url("**/fiches/elus-et-reseau/index.html")
    page.click(".minutage a >> nth=1")
    assert page.evaluate("location.hash") == "#cartographie-des-acteurs"
    prefix = site.as_uri() + "/"
    outside = [address for address in asked if not address.startswith(prefix)]
    assert outside == []
    assert page.is_hidden(".download-count")  # from file:// the counter is never asked


def test_without_javascript_every_sheet_is_listed_and_links_work(browser: Browser, site: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url(site))
    assert len(visible(page)) == 4
    assert page.is_hidden("#filtres")
    page.click("text=Monter un projet collectif de quartier")
    assert page.inner_text("h1") == "Monter un projet collectif de quartier"
    assert page.is_hidden("#copier") and page.is_hidden(".horaire")  # controls that need the script stay hidden
    assert page.is_visible("#citation")
    context.close()


def test_keyboard_alone_reaches_and_uses_every_filter(page: Page, site: Path) -> None:
    page.goto(url(site))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    order = []
    for _ in range(12):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id"))
    assert ["f-q", "f-objective", "f-public", "f-duration", "f-level", "f-theme", "f-reset"] == \
        [i for i in order if i.startswith("f-")]
    page.focus("#f-objective")
    page.keyboard.press("ArrowDown")
    assert page.input_value("#f-objective") == "sensibiliser"
    assert visible(page) == ["dejouer-les-arnaques", "fiche-hostile"]
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


@pytest.mark.parametrize("width", [360, 320])
def test_usable_on_a_phone_and_at_200_percent_zoom(browser: Browser, site: Path, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 740})
    page = context.new_page()
    for name in ("index.html", "fiches/elus-et-reseau/index.html", "a-propos/index.html"):
        page.goto(url(site, name))
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    context.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]


def test_axe_finds_no_violation_on_any_page(page: Page, site: Path) -> None:
    pages = ["index.html", "a-propos/index.html", "404.html",
             *(p.relative_to(site).as_posix() for p in sorted((site / "fiches").rglob("*.html")))]
    found = {}
    for name in pages:
        page.goto(url(site, name))
        violations = axe_violations(page)
        if violations:
            found[name] = violations
    page.goto(url(site) + "#public=habitants")
    if axe_violations(page):
        found["index.html (filtré)"] = axe_violations(page)
    assert found == {}


def test_a_sheet_prints_on_a4_pages_without_navigation(page: Page, site: Path, tmp_path: Path) -> None:
    for tool in ("pdfinfo", "pdftotext", "pdftoppm"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} est introuvable. Pour corriger : apt-get install -y poppler-utils (comme le fait .ci/run).")
    page.goto(url(site, "fiches/elus-et-reseau/index.html"))
    pdf = tmp_path / "fiche.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Réunir les élu·e·s" in text and "Cartographie des acteurs" in text
    assert "Aller au contenu" not in text and "Télécharger le kit" not in text and "Catalogue des fiches" not in text
    assert "(https://lesbases.anct.gouv.fr)" in text.replace("\n", "").replace(" ", "")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 5000


def test_the_start_time_moves_the_clock_times(page: Page, site: Path) -> None:
    page.goto(url(site, "fiches/elus-et-reseau/index.html"))
    start = page.get_by_label("Heure de début de l'atelier")
    assert start.evaluate("s => s.options[s.selectedIndex].text") == "9\u00a0h\u00a000"  # never « 09:00 AM »
    start.focus()
    page.keyboard.type("14")  # the keyboard alone: typing the hour jumps to it
    assert start.evaluate("s => s.options[s.selectedIndex].text") == "14\u00a0h\u00a000"
    hours = page.eval_on_selector_all(".minutage td.heure", "cells => cells.map(c => c.textContent)")
    assert hours == ["14\u00a0h\u00a000", "14\u00a0h\u00a015", "15\u00a0h\u00a000", "15\u00a0h\u00a030"]
    assert page.inner_text(".debut-affiche") == "14\u00a0h\u00a000"


def test_the_print_button_opens_the_print_dialog(page: Page, site: Path) -> None:
    for name, label in (("fiches/elus-et-reseau/index.html", "Imprimer la fiche"),
                        ("fiches/elus-et-reseau/grille.html", "Imprimer ce support")):
        page.goto(url(site, name))
        page.evaluate("() => { window.print = () => { window.printed = (window.printed || 0) + 1; }; }")  # no dialog
        page.get_by_role("button", name=label).click()
        assert page.evaluate("window.printed") == 1


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The site as `outillerie serve` exports it (counter_url=""), served by the real WSGI app on 127.0.0.1."""
    library = copy_case("site", tmp_path / "lib")
    export_site(library, tmp_path / "site", counter_url="", keep_going=True)
    counter = Counter(tmp_path / "compteur.sqlite3")
    server = make_server("127.0.0.1", 0, SiteApp(tmp_path / "site", counter, tmp_path / "compteur.sqlite3"),
                         server_class=_ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()
    counter.close()


def test_served_pages_show_the_download_count_and_count_the_button(page: Page, served: str) -> None:
    for _ in range(1):
        assert requests.get(served + "telecharger/elus-et-reseau", headers=FIREFOX, timeout=10).status_code == 200
    page.goto(served + "fiches/elus-et-reseau/index.html")
    page.wait_for_selector(".download-count:not([hidden])")
    assert page.inner_text(".download-count") == "Téléchargée 1 fois"
    assert page.get_attribute("a.bouton", "href") == "/telecharger/elus-et-reseau"
    page.goto(served + "fiches/projet-collectif-quartier/index.html")
    page.wait_for_load_state("networkidle")
    assert page.is_hidden(".download-count")  # never downloaded: nothing to say
    stats = json.loads(requests.get(served + "api/stats.json", timeout=10).text)
    assert stats["resources"]["elus-et-reseau"]["downloads"] == 1


def test_a_large_catalogue_shows_fifty_cards_at_a_time(page: Page, tmp_path: Path) -> None:
    library = copy_case("site", tmp_path / "lib")
    model = (library / "resources" / "dejouer-les-arnaques" / "index.md").read_text(encoding="utf-8")
    for number in range(1, 121):
        folder = library / "resources" / f"quiz-{number:03d}"
        folder.mkdir()
        (folder / "index.md").write_text(model.replace("Déjouer les arnaques en ligne", f"Quiz numéro {number:03d}")
                                         .replace("objective: sensibiliser", "objective: reseau"), encoding="utf-8")
    export_site(library, tmp_path / "site", keep_going=True)
    page.goto(url(tmp_path / "site"))
    assert len(visible(page)) == 50
    assert page.inner_text("#resultats") == "124 fiches (50 affichées)"
    assert page.inner_text("#plus") == "Afficher 50 fiches de plus (74 restantes)"
    page.click("#plus")
    assert len(visible(page)) == 100
    assert page.evaluate("document.activeElement.closest('li') === document.querySelectorAll('#fiches > li')[50]")
    page.click("#plus")
    assert len(visible(page)) == 124 and page.is_hidden("#plus")
    page.select_option("#f-objective", "reseau")
    assert page.inner_text("#resultats") == "121 fiches sur 124 (50 affichées)"
    assert visible(page)[:2] == ["quiz-001", "quiz-002"]
    page.fill("#f-q", "quiz 007")  # one sheet holds both words: it comes first, then those holding one (as search)
    assert visible(page)[0] == "quiz-007"


def test_axe_finds_no_violation_on_tables_task_lists_footnotes_and_cards(page: Page, tmp_path: Path) -> None:
    library = copy_case("kit", tmp_path / "lib")
    export_site(library, tmp_path / "site")
    found = {}
    for name in ("index.html", "affiches.html", "cartes.html"):
        page.goto(url(tmp_path / "site", f"fiches/atelier-cartes/{name}"))
        if axe_violations(page):
            found[name] = axe_violations(page)
    assert found == {}
    assert page.locator(".planches").is_hidden()  # the print layout of the cards never shows on screen
