"""The kit a mediator opens and the PDFs they print: Markdown as contributors write it (tables, task lists,
footnotes), cards on cut grids with mirrored backs, A4 PDFs read back with poppler, LISEZMOI.txt, names that
never collide, the same bytes at every export, and a French message when WeasyPrint cannot work."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from outillerie.publish.export import export_site
from outillerie.publish.kits import windows_name
from outillerie.publish.readme import copies

from .conftest import copy_case
from .htmltree import parse

SLUG = "atelier-cartes"
SHEET_PDF = "Fiche - Jeu de cartes - vrai ou faux.pdf"


def run(*command: str) -> str:
    if shutil.which(command[0]) is None:
        pytest.fail(f"{command[0]} est introuvable. Pour corriger : apt-get install -y poppler-utils (comme .ci/run).")
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def page_text(pdf: Path, page: int) -> str:
    return " ".join(run("pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-").split())


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The kit library exported twice with PDFs, into two folders."""
    library = copy_case("kit", tmp_path_factory.mktemp("kit") / "lib")
    for name in ("one", "two"):
        report = export_site(library, library.parent / name, pdf=True)
        assert report.problems == ()
    return library.parent / "one", library.parent / "two"


@pytest.fixture(scope="module")
def site(exported: tuple[Path, Path]) -> Path:
    return exported[0]


@pytest.fixture(scope="module")
def pdfs(site: Path) -> Path:
    return site / "telechargements" / SLUG


def test_tables_task_lists_and_footnotes_are_real_html(site: Path) -> None:
    body = parse((site / "fiches" / SLUG / "index.html").read_text(encoding="utf-8")).find("div", class_="corps")
    table = body.find("table")
    assert [th.text for th in table.find_all("th")] == ["Quoi", "Pour qui", "Combien"]
    assert [th.get("class") for th in table.find_all("th")] == ["aligne-gauche", "aligne-centre", "aligne-droite"]
    assert [[td.text for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")] == [
        ["Cartes vrai ou faux", "chaque groupe", "1 jeu"], ["Mémo", "chaque personne", "10"]]
    assert all(element.get("style") is None for element in body.iter())  # the site's CSP forbids style attributes
    boxes = body.find_all("input", type="checkbox")
    assert [(box.get("checked"), box.get("disabled")) for box in boxes] == [(None, "disabled"), ("checked", "disabled")]
    assert all(box.parent.tag == "label" for box in boxes)  # each box is named by its text
    reference = body.find("sup", class_="footnote-ref").find("a")
    note = body.find("section", class_="notes").find("li")
    assert reference.get("href") == f"#{note.get('id')}" and "signalements reçus" in note.text


def test_card_supports_show_a_card_grid_with_mirrored_backs(site: Path) -> None:
    page = parse((site / "fiches" / SLUG / "cartes.html").read_text(encoding="utf-8"))
    cards = page.find("ol", class_="jeu-cartes").find_all("li", class_="carte-support")
    assert [card.find("h2").text for card in cards] == ["Carte 1 — Le colis", "Carte 2 — L'avis d'impôt",
                                                        "Carte 3 — Le conseiller"]
    assert "arnaque au colis" in cards[0].find("div", class_="verso").text
    plates = page.find("div", class_="planches planches-4 recto-verso").find_all("div")
    plates = [p for p in plates if (p.get("class") or "").startswith("planche ")]
    assert [p.get("class") for p in plates] == ["planche recto", "planche verso"]
    front = [c.text.strip()[:8] for c in plates[0].find_all("div") if "case" in (c.get("class") or "")]
    back = [(c.find_all("p")[0].text if c.find_all("p") else "") for c in plates[1].find_all("div")
            if "case" in (c.get("class") or "")]
    assert front == ["Carte 1 ", "Carte 2 ", "Carte 3 ", ""]
    assert back == ["Verso · Carte 2 — L'avis d'impôt", "Verso · Carte 1 — Le colis", "",
                    "Verso · Carte 3 — Le conseiller"]  # each row reversed: duplex along the long edge
    ids = [e.get("id") for e in page.iter() if e.get("id")]
    assert len(ids) == len(set(ids))  # the print copy of the cards repeats no id


def test_pages_offer_the_pdf_and_a_print_button(site: Path) -> None:
    sheet = parse((site / "fiches" / SLUG / "index.html").read_text(encoding="utf-8"))
    pdf = next(a for a in sheet.find_all("a") if a.text.startswith("Télécharger en PDF"))
    assert pdf.get("href") == f"../../telechargements/{SLUG}/fiche.pdf" and pdf.get("download") == SHEET_PDF
    assert (site / "fiches" / SLUG / pdf.get("href")).resolve().is_file()
    assert sheet.find("li", class_="imprimer").find("button").text == "Imprimer la fiche"
    start = sheet.find("select", id="debut")
    options = start.find_all("option")
    assert options[0].text == "6\u00a0h\u00a000" and [o.text for o in options if "selected" in o.attrs] == [
        "9\u00a0h\u00a000"]
    support = parse((site / "fiches" / SLUG / "cartes.html").read_text(encoding="utf-8"))
    link = next(a for a in support.find_all("a") if a.text.startswith("Télécharger en PDF"))
    assert link.get("download") == "Support - Cartes vrai ou faux.pdf"
    assert (site / "fiches" / SLUG / link.get("href")).resolve().is_file()
    assert support.find("li", class_="imprimer").find("button").text == "Imprimer ce support"


def test_every_pdf_is_a4_with_page_numbers_title_and_licence_in_the_footer(pdfs: Path) -> None:
    files = sorted(pdfs.rglob("*.pdf"))
    assert [p.relative_to(pdfs).as_posix() for p in files] == [
        "fiche.pdf", "supports/affiches.pdf", "supports/cartes.pdf", "supports/memo.pdf"]
    for pdf in files:
        info = run("pdfinfo", str(pdf))
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        assert "(A4)" in info
        for number in range(1, pages + 1):
            text = page_text(pdf, number)
            assert f"Page {number} / {pages}" in text and "Jeu de cartes : vrai ou faux ? · CC BY-SA 4.0" in text


def test_the_sheet_pdf_holds_the_table_in_order_the_clock_times_and_the_link_addresses(pdfs: Path) -> None:
    rows = [" ".join(line.split()) for line in run("pdftotext", "-layout", str(pdfs / "fiche.pdf"), "-").splitlines()]
    assert rows.index("Quoi Pour qui Combien") < rows.index("Cartes vrai ou faux chaque groupe 1 jeu") < rows.index(
        "Mémo chaque personne 10")  # the header row is repeated on the next page
    text = " ".join(run("pdftotext", str(pdfs / "fiche.pdf"), "-").split())
    assert "9 h 00 0:00 Accueil 10 min 9 h 10 0:10 Le jeu 40 min" in text
    assert "le site des Bases (https://lesbases.anct.gouv.fr)" in text
    assert "D'après les signalements reçus" in text
    assert "Aller au contenu" not in text and "Télécharger" not in text and "Imprimer la fiche" not in text


def test_each_card_is_whole_on_one_page_and_its_back_on_the_next(pdfs: Path) -> None:
    pdf = pdfs / "supports" / "cartes.pdf"
    assert "Pages: 4" in " ".join(run("pdfinfo", str(pdf)).split()).replace(":  ", ": ")
    assert page_text(pdf, 1).startswith("Cartes vrai ou faux · ")  # the introduction, for the facilitator
    assert "Carte 1" not in page_text(pdf, 2) and "Réponse" not in page_text(pdf, 2)  # blank: fronts on odd pages
    fronts, backs = page_text(pdf, 3), page_text(pdf, 4)
    for title in ("Carte 1 — Le colis", "Carte 2 — L'avis d'impôt", "Carte 3 — Le conseiller"):
        assert title in fronts and f"Verso · {title}" in backs  # each back says which front it belongs to
    for text in ("Un SMS demande 1,49 € pour un colis.", "Un appel d'un faux conseiller bancaire."):
        assert text in fronts and text not in backs
    for text in ("Réponse : faux, c'est une arnaque au colis.", "Réponse : faux, la banque ne demande jamais un code."):
        assert text in backs and text not in fronts


def test_one_section_per_page_prints_each_section_on_its_own_page(pdfs: Path) -> None:
    pdf = pdfs / "supports" / "affiches.pdf"
    assert "Deux affiches" in page_text(pdf, 1)
    assert page_text(pdf, 2).startswith("Vrai Le message ne demande rien.") or "Vrai Le message ne demande rien." in page_text(pdf, 2)
    assert "Faux Le message presse" in page_text(pdf, 3) and "Faux Le message" not in page_text(pdf, 2)


def test_the_kit_holds_lisezmoi_first_the_pdfs_sources_and_supports_without_collisions(site: Path) -> None:
    with zipfile.ZipFile(site / "telechargements" / f"{SLUG}.zip") as kit:
        names = kit.namelist()
        assert names == [f"{SLUG}/{name}" for name in (
            "LISEZMOI.txt", "CREDITS.txt", SHEET_PDF, "LICENCE.txt", "Support - Affiches des réponses.pdf",
            "Support - Cartes vrai ou faux.pdf", "Support - Mémo de l'atelier.pdf", "sources/affiches.md",
            "sources/cartes.md", "sources/index.md", "sources/memo.md", "supports/CREDITS.txt",
            "supports/LICENCE.txt", "supports/LISEZMOI.txt")]
        assert len({n.casefold() for n in names}) == len(names)
        assert all(not re.search(r'[:*?"<>|\\]|[. ]$', part) and len(part) <= 100 for n in names for part in n.split("/"))
        assert kit.read(f"{SLUG}/LICENCE.txt").startswith(b"Creative Commons Attribution-ShareAlike 4.0")
        assert kit.read(f"{SLUG}/supports/LICENCE.txt") == "Ceci n'est pas la licence du kit.\n".encode()
        assert kit.read(f"{SLUG}/{SHEET_PDF}") == (site / "telechargements" / SLUG / "fiche.pdf").read_bytes()
        readme = kit.read(f"{SLUG}/LISEZMOI.txt").decode("utf-8")
    assert "\r\n" in readme  # Notepad
    lines = readme.splitlines()
    assert lines[0] == "Jeu de cartes : vrai ou faux ?"
    assert f"1. {SHEET_PDF} (3 pages, A4)" in lines
    for expected in (
        "Les quantités sont comptées pour 10 participant·e·s, le plus grand groupe prévu par la fiche : adaptez-les à votre groupe.",
        "   Quantité : 3 jeux, un par groupe de 4 (d'après « Cartes vrai ou faux imprimées et découpées (un jeu par groupe de quatre) »).",
        "   Quantité : 10 exemplaires, un par participant·e (d'après « Mémo de l'atelier imprimé pour chaque participant·e »).",
        "- Carte du quartier en grand format : à apporter, il n'est pas dans ce kit",
        "- Affiches des réponses imprimées en A3 : dans ce kit, « Support - Affiches des réponses.pdf »",
        "Vous pouvez :", "À condition de :",
        "- partager vos versions modifiées sous la même licence, pour qu'elles restent libres à leur tour ;",
    ):
        assert expected in lines, expected
    assert "recto verso" in readme and "page 2 reste blanche" in readme


def test_two_exports_give_the_same_kits_and_pdfs(exported: tuple[Path, Path]) -> None:
    one, two = exported
    files = sorted(p.relative_to(one / "telechargements") for p in (one / "telechargements").rglob("*") if p.is_file())
    assert len(files) == 5
    for name in files:
        assert (one / "telechargements" / name).read_bytes() == (two / "telechargements" / name).read_bytes(), name


def test_pdfs_never_hold_the_library_s_own_path(pdfs: Path, site: Path) -> None:
    for pdf in pdfs.rglob("*.pdf"):
        assert str(site.parent).encode() not in pdf.read_bytes()


def test_without_pango_export_says_what_to_install_and_no_traceback(tmp_path: Path) -> None:
    library = copy_case("kit", tmp_path / "lib")
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "weasyprint.py").write_text("raise OSError(\"cannot load library 'libgobject-2.0-0': error 0x7e\")\n")
    env = {**os.environ, "PYTHONPATH": str(fake)}
    command = [str(Path(sys.executable).parent / "outillerie"), "--library", str(library), "export", "--output",
               str(tmp_path / "site")]
    failed = subprocess.run(command, capture_output=True, text=True, env=env)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert "une bibliothèque système manque à WeasyPrint" in failed.stderr
    assert "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0" in failed.stderr and "--no-pdf" in failed.stderr
    assert not (tmp_path / "site").exists()
    done = subprocess.run([*command, "--no-pdf"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "site" / "telechargements" / f"{SLUG}.zip") as kit:
        sheet = parse(kit.read(f"{SLUG}/Fiche - Jeu de cartes - vrai ou faux.html").decode("utf-8"))
        assert f"{SLUG}/Support - Cartes vrai ou faux.html" in kit.namelist()
    links = {a.text: a.get("href") for a in sheet.find("div", class_="corps").find_all("a")}
    assert links["les cartes"] == "Support%20-%20Cartes%20vrai%20ou%20faux.html"  # its neighbour in the kit


@pytest.mark.parametrize(("text", "suffix", "expected"), [
    ("Café : débat ?", ".pdf", "Café - débat.pdf"),
    ('a<b>c|d*e"f\\g/h', "", "a - b - c - d - e - f - g - h"),
    ("CON", ".txt", "CON_.txt"),
    ("  point final. ", ".pdf", "point final.pdf"),
    ("x" * 150, ".pdf", "x" * 96 + ".pdf"),
])
def test_kit_names_are_names_windows_accepts(text: str, suffix: str, expected: str) -> None:
    assert windows_name(text, suffix) == expected


@pytest.mark.parametrize(("item", "mode", "expected"), [
    ("Cartes quiz imprimées et découpées", "cartes", "1 jeu"),
    ("Mémo imprimé pour chaque participant·e", "document", "16 exemplaires, un par participant·e"),
    ("Scénario imprimé (un jeu par groupe de quatre)", "document", "4 exemplaires, un par groupe de 4"),
    ("Situations imprimées (un jeu par trio)", "cartes", "6 jeux, un par trio"),
    ("Accord imprimé en deux exemplaires", "document", "2 exemplaires"),
    ("Parcours imprimés (un par îlot)", "document", "un exemplaire par îlot"),
    ("Éléments de réponse imprimés pour l'animateur·rice", "document", "1 exemplaire, pour l'animateur·rice"),
    ("Cartes métier (une par personne)", "cartes", "16 cartes, une par participant·e, soit 8 jeux"),
])
def test_copies_follow_the_materials_words_and_the_group_size(item: str, mode: str, expected: str) -> None:
    assert copies(item, mode, (6, 16), cards=2) == expected


def test_a_card_too_long_for_its_cell_is_named_after_the_export(tmp_path: Path) -> None:
    library = copy_case("kit", tmp_path / "lib")
    cards = library / "resources" / SLUG / "cartes.md"
    text = cards.read_text(encoding="utf-8").replace("cards_per_page: 4", "cards_per_page: 8")
    cards.write_text(text.replace("Un SMS demande 1,49 € pour un colis.", "Un SMS demande 1,49 € pour un colis. " * 40),
                     encoding="utf-8")
    report = export_site(library, tmp_path / "site", pdf=True, base_url="https://fiches.exemple.fr/")
    assert report.notes == (f"resources/{SLUG}/cartes.md: avertissement : une carte dépasse de sa case et son texte est "
                            "coupé (page 3 du PDF). Pour corriger : raccourcissez-la, ou choisissez moins de cartes par "
                            "page (cards_per_page).",)


def test_check_sees_a_support_edited_in_place(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from outillerie.cli import cli

    library = copy_case("kit", tmp_path / "lib")
    check = lambda: CliRunner().invoke(cli, ["--library", str(library), "check"])  # noqa: E731
    assert check().exit_code == 0
    cards = library / "resources" / SLUG / "cartes.md"
    cards.write_text(cards.read_text(encoding="utf-8").replace("cards_per_page: 4", "cards_per_page: 3"),
                     encoding="utf-8")  # the folder's date and index.md do not move
    result = check()
    assert result.exit_code == 1
    assert result.stdout == (f"resources/{SLUG}/cartes.md:3: erreur : « cards_per_page » : « 3 » n'est pas possible. "
                             "Pour corriger : écrivez 1, 2, 4, 6 ou 8.\n")
