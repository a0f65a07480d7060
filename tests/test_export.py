"""`outillerie export`: the site's files, reproducible bytes, the swap, kits, open data, JSON-LD, feeds, git credits."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from outillerie.french.analysis import analyze
from outillerie.cli import cli
from outillerie.publish.export import export_site

from .conftest import copy_case
from .htmltree import parse

PUBLISHED = ["dejouer-les-arnaques", "elus-et-reseau", "fiche-hostile", "projet-collectif-quartier"]
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return copy_case("site", tmp_path / "lib")


@pytest.fixture
def site(library: Path, tmp_path: Path) -> Path:
    export_site(library, tmp_path / "site", keep_going=True)
    return tmp_path / "site"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_site_has_the_agreed_layout(site: Path) -> None:
    for name in ("index.html", "404.html", "a-propos/index.html", "catalogue.json", "catalogue.csv", "sitemap.xml",
                 "flux.atom", "kits.json", "static/style.css", "static/catalogue.js", "static/sheet.js"):
        assert (site / name).is_file(), name
    assert sorted(p.name for p in (site / "fiches").iterdir()) == PUBLISHED
    assert sorted(p.name for p in (site / "telechargements").iterdir()) == [f"{s}.zip" for s in PUBLISHED]
    sheet = site / "fiches" / "elus-et-reseau"
    assert sorted(files(sheet)) == ["carte.png", "grille.html", "grille.md", "index.html", "index.md"]
    assert (sheet / "index.md").read_bytes() == (site.parent / "lib/resources/elus-et-reseau/index.md").read_bytes()
    kits = json.loads(read(site / "kits.json"))
    assert sorted(kits) == PUBLISHED
    assert kits["elus-et-reseau"] == {"path": "telechargements/elus-et-reseau.zip",
                                      "filename": "Réunir les élu·e·s autour de l'inclusion numérique.zip",
                                      "title": "Réunir les élu·e·s autour de l'inclusion numérique",
                                      "pages": ["fiches/elus-et-reseau/index.html", "fiches/elus-et-reseau/grille.html"]}
    assert kits["fiche-hostile"]["filename"] == "Fiche - script - script - alert('titre') - script - & « guillemets ».zip"
    assert "404" not in read(site / "404.html") and "Page introuvable" in read(site / "404.html")


def test_drafts_are_not_published(site: Path) -> None:
    assert not (site / "fiches" / "brouillon-en-cours").exists()
    assert "brouillon" not in read(site / "catalogue.json")


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


def test_every_link_inside_the_site_is_relative_and_leads_to_a_file(site: Path) -> None:
    for page in html_pages(site):
        tree = parse(read(page))
        assert tree.find("html").get("lang") == "fr", page
        for element in tree.iter():
            for attribute in ("href", "src"):
                target = element.get(attribute)
                if target is None or target.startswith(("#", "mailto:", "tel:")):
                    continue
                if target.startswith(("http://", "https://")):
                    assert element.tag == "a", f"{page}: <{element.tag} {attribute}={target}> would load from outside"
                    continue
                assert not target.startswith("/"), f"{page}: {target} is not relative"
                path = unquote(urlsplit(target).path)
                assert (page.parent / path).resolve().is_file(), f"{page}: {target} leads nowhere"


def test_exporting_twice_gives_the_same_bytes_kits_included(library: Path, tmp_path: Path) -> None:
    export_site(library, tmp_path / "one", keep_going=True)
    export_site(library, tmp_path / "two", keep_going=True)
    first = files(tmp_path / "one")
    assert first == files(tmp_path / "two")
    report = export_site(library, tmp_path / "one", keep_going=True)  # again in place, reusing the kits
    assert report.reused == len(PUBLISHED)
    assert files(tmp_path / "one") == first


def test_editing_one_sheet_renders_only_that_sheet_again(library: Path, tmp_path: Path) -> None:
    export_site(library, tmp_path / "site", keep_going=True)
    index = library / "resources" / "dejouer-les-arnaques" / "index.md"
    index.write_text(read(index).replace("Un quiz en équipes", "Un jeu en équipes"), encoding="utf-8")
    report = export_site(library, tmp_path / "site", keep_going=True)
    assert (report.exported, report.reused) == (4, 3)
    page = parse(read(tmp_path / "site" / "fiches" / "dejouer-les-arnaques" / "index.html"))
    assert page.find("p", class_="resume").text.startswith("Un jeu en équipes")
    export_site(library, tmp_path / "fresh", keep_going=True)
    assert files(tmp_path / "site") == files(tmp_path / "fresh")


def test_an_interrupted_export_leaves_the_previous_site_whole(library: Path, tmp_path: Path) -> None:
    export_site(library, tmp_path / "site", keep_going=True)
    before = files(tmp_path / "site")
    (library / "resources" / "projet-collectif-quartier").rename(library / "resources" / "projet-renomme")

    def interrupt(label: str, done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export_site(library, tmp_path / "site", keep_going=True, progress=interrupt)
    assert files(tmp_path / "site") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib", "site"]  # no temporary folder left behind


def test_an_existing_folder_that_is_not_an_export_is_never_replaced(library: Path, tmp_path: Path) -> None:
    precious = tmp_path / "documents"
    precious.mkdir()
    (precious / "rapport.odt").write_text("important", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--library", str(library), "export", "--output", str(precious)])
    assert result.exit_code == 1
    assert "n'est pas un site exporté par outillerie" in result.stderr and "Pour corriger" in result.stderr
    assert (precious / "rapport.odt").read_text(encoding="utf-8") == "important"
    result = CliRunner().invoke(cli, ["--library", str(library), "export", "--output", str(library / "resources")])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_an_invalid_sheet_is_reported_left_out_and_fails_unless_keep_going(library: Path, tmp_path: Path) -> None:
    broken = library / "resources" / "fiche-cassee"
    broken.mkdir()
    (broken / "index.md").write_text(read(library / "resources/dejouer-les-arnaques/index.md")
                                     .replace("title: \"Déjouer les arnaques en ligne\"", "title: \"Cassée\"")
                                     .replace("duration: 60", "duration: longtemps"), encoding="utf-8")
    line = "resources/fiche-cassee/index.md:6: erreur : « duration » : « longtemps » n'est pas une durée comprise."
    args = ["--library", str(library), "export", "--output", str(tmp_path / "site")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert line in result.stderr
    assert "1 fiche(s) invalide(s) laissée(s) de côté" in result.stderr and "--keep-going" in result.stderr
    assert sorted(p.name for p in (tmp_path / "site" / "fiches").iterdir()) == PUBLISHED
    result = CliRunner().invoke(cli, [*args, "--keep-going"], catch_exceptions=False)
    assert result.exit_code == 0
    assert line in result.stderr
    assert result.stdout.startswith(f"Site exporté dans {tmp_path / 'site'} : 4 fiche(s)")
    assert "1 fiche(s) invalide(s) laissée(s) de côté" in result.stdout


def test_hostile_markdown_is_escaped_everywhere(site: Path) -> None:
    text = read(site / "fiches" / "fiche-hostile" / "index.html")
    tree = parse(text)
    scripts = tree.find_all("script")
    assert [s.get("src") or s.get("type") for s in scripts] == ["application/ld+json", "../../static/sheet.js",
                                                                 "../../static/composer.js"]
    assert tree.find_all("iframe") == [] and tree.find_all("img") == []
    assert all(not name.startswith("on") for element in tree.iter() for name in element.attrs)
    assert tree.find("h1").text == "Fiche </script><script>alert('titre')</script> & «\u00a0guillemets\u00a0»"
    hrefs = [a.get("href") or "" for a in tree.find_all("a")]
    assert not any(h.lower().startswith(("javascript:", "data:")) for h in hrefs)
    json_ld = json.loads(scripts[0].text)
    assert json_ld["name"] == "Fiche </script><script>alert('titre')</script> & « guillemets »"
    catalogue = parse(read(site / "index.html"))
    embedded = catalogue.find("script", id="index-fiches")
    assert "</script>" not in embedded.text
    assert json.loads(embedded.text)["n"] == 4 and len(json.loads(embedded.text)["rows"]) == 4
    assert catalogue.find_all("img") == []


def test_sheet_page_shows_facts_timed_steps_licence_citation_and_downloads(site: Path) -> None:
    tree = parse(read(site / "fiches" / "elus-et-reseau" / "index.html"))
    facts = {div.find("dt").text: div.find("dd").text for div in tree.find("section", class_="faits").find_all("div")}
    assert facts["Objectif"] == "Travailler en réseau"
    assert facts["Public"] == "Élus et décideurs, Agents des collectivités"
    assert facts["Durée"] == "1 h 30" and facts["Participants"] == "de 6 à 20" and facts["Niveau"] == "Intermédiaire"
    rows = [[td.text for td in tr.find_all("td")] for tr in tree.find("section", class_="minutage").find_all("tr")[1:]]
    assert rows == [["9\u00a0h\u00a000", "0:00", "Accueil", "15 min"],
                    ["9\u00a0h\u00a015", "0:15", "Cartographie des acteurs", "45 min"],
                    ["10\u00a0h\u00a000", "1:00", "Décisions", "30 min"],
                    ["10\u00a0h\u00a030", "1:30", "Fin de l'atelier", ""]]
    step_link = tree.find("section", class_="minutage").find("a")
    assert tree.find(id=step_link.get("href")[1:]).tag == "h3"
    assert tree.find("a", rel="license").get("href") == "https://creativecommons.org/licenses/by-sa/4.0/deed.fr"
    citation = tree.find("textarea", id="citation").text
    assert citation.startswith("«\u00a0Réunir les élu·e·s autour de l'inclusion numérique\u00a0», Collectif outillerie, "
                               "Camille Martin, 2026, sous licence CC BY-SA 4.0")
    kit = tree.find("a", class_="bouton")
    assert kit.get("href") == "../../telechargements/elus-et-reseau.zip"
    assert kit.get("download") == "Réunir les élu·e·s autour de l'inclusion numérique.zip"
    counter = tree.find("p", class_="download-count")
    assert counter.get("data-slug") == "elus-et-reseau" and "hidden" in counter.attrs
    links = {a.text: a.get("href") for a in tree.find("div", class_="corps").find_all("a")}
    assert links["la grille des acteurs"] == "grille.html"
    assert links["fiche sur les arnaques"] == "../dejouer-les-arnaques/index.html"
    assert "Créée le 15 janvier 2026" in tree.find("ul", class_="dates").text
    headings = [int(h.tag[1]) for h in tree.iter() if h.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
    assert headings[0] == 1 and headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(headings, headings[1:]))


@pytest.mark.parametrize("counter_url, expected", [
    (None, "../../telechargements/dejouer-les-arnaques.zip"),
    ("", "/telecharger/dejouer-les-arnaques"),
    ("https://compteur.exemple.fr/", "https://compteur.exemple.fr/telecharger/dejouer-les-arnaques"),
])
def test_download_buttons_go_through_the_counter_when_asked(library: Path, tmp_path: Path, counter_url: str | None,
                                                            expected: str) -> None:
    export_site(library, tmp_path / "site", counter_url=counter_url, keep_going=True)
    tree = parse(read(tmp_path / "site" / "fiches" / "dejouer-les-arnaques" / "index.html"))
    assert tree.find("a", class_="bouton").get("href") == expected


def test_kits_hold_the_sheet_its_supports_the_licence_and_credits(site: Path, library: Path) -> None:
    with zipfile.ZipFile(site / "telechargements" / "elus-et-reseau.zip") as kit:
        names = kit.namelist()
        sheet_page = "Fiche - Réunir les élu·e·s autour de l'inclusion numérique.html"  # without PDFs: HTML to print
        assert names == [f"elus-et-reseau/{n}" for n in (
            "LISEZMOI.txt", "CREDITS.txt", sheet_page, "LICENCE.txt", "Support - Grille des acteurs.html",
            "sources/grille.md", "sources/index.md", "supports/carte.png")]
        assert {info.date_time for info in kit.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert kit.read("elus-et-reseau/sources/index.md") == (library / "resources/elus-et-reseau/index.md").read_bytes()
        assert kit.read("elus-et-reseau/supports/carte.png") == (library / "resources/elus-et-reseau/carte.png").read_bytes()
        licence = kit.read("elus-et-reseau/LICENCE.txt").decode()
        assert licence.startswith("Creative Commons Attribution-ShareAlike 4.0 International")
        assert "Section 3 – License Conditions." in licence
        credits = kit.read("elus-et-reseau/CREDITS.txt").decode()
        assert "Auteurs : Collectif outillerie, Camille Martin" in credits
        assert "Comment citer cette fiche :" in credits and "CC BY-SA 4.0" in credits
        printable = parse(kit.read(f"elus-et-reseau/{sheet_page}").decode())
        assert printable.find("h1").text == "Réunir les élu·e·s autour de l'inclusion numérique"
        assert printable.find_all("link") == [] and printable.find_all("script") == []
        assert printable.find("img").get("src") == "carte.png"
    with zipfile.ZipFile(site / "telechargements" / "dejouer-les-arnaques.zip") as kit:
        assert "Attribution 4.0 International" in kit.read("dejouer-les-arnaques/LICENCE.txt").decode()
        assert "dejouer-les-arnaques/Support - Cartes du quiz.html" in kit.namelist()


def test_a_support_named_with_spaces_and_accents_is_linked_quoted(site: Path) -> None:
    tree = parse(read(site / "fiches" / "dejouer-les-arnaques" / "index.html"))
    assert tree.find("div", class_="corps").find("a").get("href") == "cartes%20quiz%20n%C2%B01.html"
    support = parse(read(site / "fiches" / "dejouer-les-arnaques" / "cartes quiz n°1.html"))
    assert support.find("h1").text == "Cartes du quiz"
    text = support.find("div", class_="corps support").text
    assert "«\u00a0Votre colis est bloqué\u00a0: payez" in text and "vrai ou faux\u202f?" in text


def test_catalogue_json_and_csv_list_every_field_and_the_urls(library: Path, tmp_path: Path) -> None:
    export_site(library, tmp_path / "site", base_url="https://fiches.exemple.fr", keep_going=True)
    data = json.loads(read(tmp_path / "site" / "catalogue.json"))
    assert data["count"] == 4 and [s["slug"] for s in data["sheets"]] == [
        "dejouer-les-arnaques", "fiche-hostile", "projet-collectif-quartier", "elus-et-reseau"]
    sheet = data["sheets"][-1]
    assert sheet["page_url"] == "https://fiches.exemple.fr/fiches/elus-et-reseau/"
    assert sheet["kit_url"] == "https://fiches.exemple.fr/telechargements/elus-et-reseau.zip"
    assert sheet["markdown_url"] == "https://fiches.exemple.fr/fiches/elus-et-reseau/index.md"
    assert sheet["public"] == ["elus", "agents-collectivites"] and sheet["duration"] == 90
    assert sheet["participants"] == {"min": 6, "max": 20}
    assert sheet["steps"][1] == {"title": "Cartographie des acteurs", "minutes": 45}
    for key in ("title", "summary", "objective", "level", "themes", "tags", "materials", "license", "license_url",
                "authors", "status", "created", "updated", "supports", "contributors"):
        assert key in sheet, key
    rows = list(csv.DictReader(io.StringIO(read(tmp_path / "site" / "catalogue.csv"))))
    assert len(rows) == 4
    row = rows[-1]
    assert row["slug"] == "elus-et-reseau" and row["public"] == "elus | agents-collectivites"
    assert row["steps"] == "Accueil (15 min) | Cartographie des acteurs (45 min) | Décisions (30 min)"
    assert row["page_url"] == sheet["page_url"] and row["participants_min"] == "6"


def test_json_ld_describes_a_learning_resource(library: Path, tmp_path: Path) -> None:
    export_site(library, tmp_path / "site", base_url="https://fiches.exemple.fr/", keep_going=True)
    tree = parse(read(tmp_path / "site" / "fiches" / "elus-et-reseau" / "index.html"))
    data = json.loads(tree.find("script", type="application/ld+json").text)
    assert data["@type"] == "LearningResource" and data["inLanguage"] == "fr"
    assert data["educationalUse"] == "Travailler en réseau"
    assert data["timeRequired"] == "PT1H30M"
    assert data["license"] == "https://creativecommons.org/licenses/by-sa/4.0/deed.fr"
    assert data["audience"] == [{"@type": "Audience", "audienceType": "Élus et décideurs"},
                                {"@type": "Audience", "audienceType": "Agents des collectivités"},
                                {"@type": "Audience", "audienceType": "Acteurs publics", "identifier": "ActeursPublics",
                                 "description": "Secteur professionnel selon Les Bases du numérique d'intérêt général"}]
    assert data["author"] == [{"@type": "Organization", "name": "Collectif outillerie"},
                              {"@type": "Person", "name": "Camille Martin"}]
    assert [(p["name"], p["timeRequired"]) for p in data["hasPart"]] == [
        ("Accueil", "PT15M"), ("Cartographie des acteurs", "PT45M"), ("Décisions", "PT30M")]
    assert data["url"] == "https://fiches.exemple.fr/fiches/elus-et-reseau/"


def test_sitemap_and_atom_feed(library: Path, tmp_path: Path) -> None:
    export_site(library, tmp_path / "site", base_url="https://fiches.exemple.fr", keep_going=True)
    sitemap = ET.parse(tmp_path / "site" / "sitemap.xml").getroot()
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [url.find(f"{namespace}loc").text for url in sitemap]
    assert locs[:2] == ["https://fiches.exemple.fr/", "https://fiches.exemple.fr/a-propos/"]
    assert "https://fiches.exemple.fr/fiches/elus-et-reseau/" in locs and len(locs) == 6
    feed = ET.parse(tmp_path / "site" / "flux.atom").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "Monter un projet collectif de quartier", "Réunir les élu·e·s autour de l'inclusion numérique",
        "Déjouer les arnaques en ligne"]  # the hostile sheet has no date: it cannot say when it changed
    assert entries[0].find(f"{ATOM}updated").text == "2026-04-20T00:00:00Z"
    assert feed.find(f"{ATOM}updated").text == "2026-04-20T00:00:00Z"
    assert entries[1].find(f"{ATOM}link").get("href") == "https://fiches.exemple.fr/fiches/elus-et-reseau/"


def git(folder: Path, *args: str, author: str = "Camille Martin") -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "a@exemple.fr",
           "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": "a@exemple.fr",
           "GIT_AUTHOR_DATE": "2026-05-04T10:00:00+02:00", "GIT_COMMITTER_DATE": "2026-05-04T10:00:00+02:00",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, env=env)


def test_contributors_come_from_git_log_of_the_sheet_folder(library: Path, tmp_path: Path) -> None:
    git(library, "init", "-q", "-b", "main")
    git(library, "add", ".")
    git(library, "commit", "-q", "-m", "Premières fiches")
    sheet = library / "resources" / "dejouer-les-arnaques" / "index.md"
    for author in ("Dominique Leroy", "Dominique Leroy"):
        sheet.write_text(read(sheet) + "\nUne ligne de plus.\n", encoding="utf-8")
        git(library, "commit", "-q", "-am", "Améliore la fiche", author=author)
    git(library, "remote", "add", "origin", "https://github.com/exemple/fiches.git")
    export_site(library, tmp_path / "site", keep_going=True)
    tree = parse(read(tmp_path / "site" / "fiches" / "dejouer-les-arnaques" / "index.html"))
    people = [li.text for li in tree.find("ul", class_="contributeurs").find_all("li")]
    assert people == ["Dominique Leroy (2 modifications)", "Camille Martin (1 modification)"]
    assert "4 mai 2026" in tree.find("ul", class_="dates").text
    edit = [a for a in tree.find_all("a") if a.text == "Proposer une modification"][0]
    assert edit.get("href") == "https://github.com/exemple/fiches/edit/main/resources/dejouer-les-arnaques/index.md"
    other = parse(read(tmp_path / "site" / "fiches" / "projet-collectif-quartier" / "index.html"))
    assert [li.text for li in other.find("ul", class_="contributeurs").find_all("li")] == ["Camille Martin (1 modification)"]
    with zipfile.ZipFile(tmp_path / "site" / "telechargements" / "dejouer-les-arnaques.zip") as kit:
        assert "- Dominique Leroy (2 modifications)" in kit.read("dejouer-les-arnaques/CREDITS.txt").decode()
    record = json.loads(read(tmp_path / "site" / "catalogue.json"))["sheets"][0]
    assert record["contributors"] == ["Dominique Leroy", "Camille Martin"]


def test_without_git_the_authors_are_the_credits(site: Path) -> None:
    tree = parse(read(site / "fiches" / "dejouer-les-arnaques" / "index.html"))
    assert tree.find_all("ul", class_="contributeurs") == []
    assert "Réseau des médiathèques" in tree.find("section", class_="licence").text


def test_the_browser_index_holds_the_cli_terms(site: Path) -> None:
    from outillerie.french.analysis import fold
    from outillerie.publish.searchindex import part_name

    def part(word: str) -> dict:  # recherche/mots-XX.js: outillerieIndex("mots", "XX", {"p": postings, "w": words});
        text = read(site / "recherche" / f"mots-{part_name(word)}.js")
        return json.loads(text[text.index("{"):text.rindex(")")])

    for word in ("élus", "elus", "Déjouer", "médiatrices", "arnaque", "réseau", "quartiers"):
        folded = analyze(word)
        assert len(folded) == 1, word
        assert folded[0] in part(folded[0])["p"], word
        assert folded[0] in part(word)["w"][fold(word)], word
    assert analyze("élus")[0] in part("elus")["w"]["elus"]


def test_catalogue_lists_every_sheet_without_javascript(site: Path) -> None:
    tree = parse(read(site / "index.html"))
    cards = tree.find("ol", id="fiches").find_all("li")
    assert [c.find("a").get("href") for c in cards] == [
        "fiches/dejouer-les-arnaques/index.html", "fiches/fiche-hostile/index.html",
        "fiches/projet-collectif-quartier/index.html", "fiches/elus-et-reseau/index.html"]
    assert "hidden" in tree.find("form", id="filtres").attrs  # shown by the script, useless without it
    assert tree.find("p", id="resultats").get("aria-live") == "polite"


def test_export_command_help_and_summary(library: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--library", str(library), "export", "--output", str(tmp_path / "out"),
                                      "--base-url", "https://fiches.exemple.fr"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == f"Site exporté dans {tmp_path / 'out'} : 4 fiche(s).\n"
    result = CliRunner().invoke(cli, ["--library", str(library), "export", "--output", str(tmp_path / "out"),
                                      "--base-url", "fiches.exemple.fr"])
    assert result.exit_code == 1
    assert "--base-url « fiches.exemple.fr » n'est pas une adresse web" in result.stderr


def test_support_files_are_copied_even_when_the_output_was_removed(library: Path, tmp_path: Path) -> None:
    export_site(library, tmp_path / "site", keep_going=True)
    shutil.rmtree(tmp_path / "site" / "fiches" / "elus-et-reseau")
    report = export_site(library, tmp_path / "site", keep_going=True)
    assert report.exported == 4  # from the reserve (the site before last, in the cache) or rendered again
    assert (tmp_path / "site" / "fiches" / "elus-et-reseau" / "carte.png").is_file()
    export_site(library, tmp_path / "fresh", keep_going=True)
    assert files(tmp_path / "site") == files(tmp_path / "fresh")


def test_french_typography_puts_non_breaking_spaces_before_high_punctuation(site: Path) -> None:
    """No ordinary space before : ; ? ! » or after « in what a person reads (code and scripts aside)."""
    wrong: list[str] = []

    def walk(element, page: str) -> None:  # type: ignore[no-untyped-def]
        for child in element.children:
            if isinstance(child, str):
                wrong.extend(f"{page}: {m.group()!r}" for m in re.finditer(r".{0,20}[ \t\n][:;?!»]|«[ \t\n].{0,20}", child))
            elif child.tag not in ("script", "style", "code", "pre", "textarea"):
                walk(child, page)

    for page in sorted(site.rglob("*.html")):
        walk(parse(read(page)), page.relative_to(site).as_posix())
    assert wrong == []
    assert "qui fait quoi\u202f?" in read(site / "fiches" / "elus-et-reseau" / "index.html")


def test_an_output_that_cannot_be_written_gets_a_french_message(library: Path, tmp_path: Path) -> None:
    (tmp_path / "fichier").write_text("pas un dossier", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--library", str(library), "export", "--output", str(tmp_path / "fichier" / "site")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Erreur : le site ne peut pas être écrit dans « {tmp_path / 'fichier' / 'site'} »")
    assert "Pour corriger" in result.stderr and "Traceback" not in result.output


def test_the_export_finds_the_same_errors_as_check_from_files_or_from_its_memory(library: Path, tmp_path: Path) -> None:
    from outillerie.sheets.check import check_paths
    from outillerie.sheets.paths import LibraryPaths
    from outillerie.sheets.snapshot import take_snapshot

    twin = library / "resources" / "jumelle"
    twin.mkdir()
    (twin / "index.md").write_text(read(library / "resources/projet-collectif-quartier/index.md"), encoding="utf-8")
    broken = library / "resources" / "cassee"
    broken.mkdir()
    (broken / "index.md").write_text("---\ntitle: Cassée\n---\n", encoding="utf-8")
    expected = [p for p in check_paths(LibraryPaths(library)).problems if p.is_error]
    # Same title, same date: the first by name keeps it (« jumelle »), the other is left out and named.
    assert {p.path for p in expected} == {"resources/cassee/index.md", "resources/projet-collectif-quartier/index.md"}
    report = export_site(library, tmp_path / "site", keep_going=True)
    assert "jumelle" in json.loads(read(tmp_path / "site" / "kits.json"))
    assert list(report.problems) == expected
    export_site(library, tmp_path / "site", keep_going=True)  # now from memory
    loaded = take_snapshot(library, LibraryPaths(library).index_dir)
    assert loaded.fresh == {}  # nothing read again: every sheet came from the snapshot's memory
    assert set(loaded.states) == {"dejouer-les-arnaques", "elus-et-reseau", "fiche-hostile", "projet-collectif-quartier",
                                  "jumelle", "brouillon-en-cours", "cassee"}
    assert list(loaded.errors) == expected
    shutil.rmtree(twin)
    report = export_site(library, tmp_path / "site", keep_going=True)
    assert {p.path for p in report.problems} == {"resources/cassee/index.md"}
    assert "projet-collectif-quartier" in json.loads(read(tmp_path / "site" / "kits.json"))


def test_editing_a_support_renders_its_sheet_again(library: Path, tmp_path: Path) -> None:
    export_site(library, tmp_path / "site", keep_going=True)
    grid = library / "resources" / "elus-et-reseau" / "grille.md"
    grid.write_text(read(grid).replace("Une ligne par structure.", "Deux lignes par structure."), encoding="utf-8")
    report = export_site(library, tmp_path / "site", keep_going=True)
    assert report.reused == 3
    assert "Deux lignes par structure." in read(tmp_path / "site" / "fiches" / "elus-et-reseau" / "grille.html")
    with zipfile.ZipFile(tmp_path / "site" / "telechargements" / "elus-et-reseau.zip") as kit:
        assert b"Deux lignes" in kit.read("elus-et-reseau/sources/grille.md")


def test_a_new_commit_renders_the_credits_again(library: Path, tmp_path: Path) -> None:
    git(library, "init", "-q", "-b", "main")
    git(library, "add", ".")
    git(library, "commit", "-q", "-m", "Premières fiches")
    export_site(library, tmp_path / "site", keep_going=True)
    sheet = library / "resources" / "fiche-hostile" / "index.md"
    before = sheet.stat()
    original = sheet.read_bytes()
    sheet.write_bytes(original + b"\nEssai.\n")
    git(library, "commit", "-q", "-am", "Essai", author="Alix Durand")
    sheet.write_bytes(original)
    git(library, "commit", "-q", "-am", "Retour", author="Alix Durand")
    os.utime(sheet, ns=(before.st_atime_ns, before.st_mtime_ns))  # same bytes, same stamp: only the history moved
    report = export_site(library, tmp_path / "site", keep_going=True)
    assert report.reused == 3
    tree = parse(read(tmp_path / "site" / "fiches" / "fiche-hostile" / "index.html"))
    assert [li.text for li in tree.find("ul", class_="contributeurs").find_all("li")] == [
        "Alix Durand (2 modifications)", "Camille Martin (1 modification)"]


def test_every_licence_of_the_vocabulary_ships_its_text_and_an_unknown_one_says_where_to_read_it() -> None:
    from outillerie.publish.kits import licence_text
    from outillerie.sheets.vocabulary import load_vocabulary

    vocabulary = load_vocabulary()
    for license_id in vocabulary.licenses:
        assert len(licence_text(license_id, vocabulary)) > 5000, license_id
    fallback = licence_text("Licence-Inconnue-1.0", vocabulary)
    assert "n'est pas fourni dans ce kit" in fallback and "Licence-Inconnue-1.0" in fallback
