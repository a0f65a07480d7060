"""The library's configuration (`outillerie.yml`): read and checked like a sheet, passed to every command, and the
site that carries the hub (name, logo, colour, contact, « Proposer une modification »), its open data mapped onto
Les Bases du numérique d'intérêt général with a JSON Schema, and the words mediators read.

The exact `check` messages of bad configurations are cases of tests/data (config-*), run by tests/test_check.py."""

from __future__ import annotations

import colorsys
import csv
import io
import json
import os
import re
import struct
import subprocess
import zlib
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import jsonschema
import pytest
from click.testing import CliRunner

from outillerie.cli import cli
from outillerie.publish.export import export_site
from outillerie.sheets.colours import contrast_ratio, passing_colour
from outillerie.sheets.config import Config, Hub, read_config
from outillerie.sheets.vocabulary import load_vocabulary

from .conftest import REPO, copy_case
from .htmltree import parse

PACKAGE = REPO / "outillerie"
HUB_CONFIG = """# La configuration du Hub
name: "Les fiches du Hub normand"
description: "Des ateliers libres pour les médiateur·rice·s de Normandie."
hub:
  name: "Hub du numérique de Normandie"
  url: https://hub.exemple.fr
  email: contact@hub.exemple.fr
logo: images/logo.png
colour: "#8A1538"
repository: https://gitlab.com/hub-normand/fiches.git
branch: principale
license: CC-BY-4.0
authors: ["Hub du numérique de Normandie"]
"""


def png(width: int = 2, height: int = 1) -> bytes:
    """A real PNG image (red pixels), made here so that the test needs no file of its own."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def hub_library(tmp_path: Path, config: str = HUB_CONFIG) -> Path:
    library = copy_case("site", tmp_path / "lib")
    (library / "images").mkdir()
    (library / "images" / "logo.png").write_bytes(png())
    (library / "outillerie.yml").write_text(config, encoding="utf-8")
    return library


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def run(*args: str) -> "CliRunner.invoke":
    return CliRunner().invoke(cli, list(args))


def git(folder: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Camille Martin", "GIT_AUTHOR_EMAIL": "c@exemple.fr",
           "GIT_COMMITTER_NAME": "Camille Martin", "GIT_COMMITTER_EMAIL": "c@exemple.fr",
           "GIT_AUTHOR_DATE": "2026-03-12T10:00:00+01:00", "GIT_COMMITTER_DATE": "2026-03-12T10:00:00+01:00",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, env=env)


# --- Colours ------------------------------------------------------------------------------------------------


def test_contrast_ratios_are_wcag_ones() -> None:
    assert contrast_ratio("#000000") == pytest.approx(21)
    assert contrast_ratio("#ffffff") == pytest.approx(1)
    assert contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes AA on white
    assert contrast_ratio("#777777") < 4.5


@pytest.mark.parametrize("colour", ["#f5a623", "#00a1de", "#e8308a", "#7fba00", "#ffff00"])
def test_the_colour_proposed_is_the_lightest_of_the_same_hue_that_passes(colour: str) -> None:
    better = passing_colour(colour)
    assert contrast_ratio(better) >= 4.5 > contrast_ratio(colour)
    hue, lightness, saturation = colorsys.rgb_to_hls(*(int(better[i:i + 2], 16) / 255 for i in (1, 3, 5)))
    original_hue = colorsys.rgb_to_hls(*(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)))[0]
    assert hue == pytest.approx(original_hue, abs=0.02)
    lighter = colorsys.hls_to_rgb(hue, lightness + 0.01, saturation)
    assert contrast_ratio("#" + "".join(f"{round(c * 255):02x}" for c in lighter)) < 4.5
    assert passing_colour("#0b4f9c") == "#0b4f9c"


# --- Reading ------------------------------------------------------------------------------------------------


def test_a_library_without_configuration_works_as_before(tmp_path: Path) -> None:
    library = copy_case("site", tmp_path / "lib")
    assert read_config(library) == (Config(), ())
    site = tmp_path / "site"
    export_site(library, site, keep_going=True)
    assert parse(read(site / "index.html")).find("p", class_="nom-site").text == "Fiches ateliers de l'inclusion numérique"
    assert not (site / "static" / "identite.css").exists()


def test_every_key_is_read_and_normalised(tmp_path: Path) -> None:
    config, problems = read_config(hub_library(tmp_path))
    assert problems == ()
    assert config == Config(name="Les fiches du Hub normand",
                            description="Des ateliers libres pour les médiateur·rice·s de Normandie.",
                            hub=Hub("Hub du numérique de Normandie", "https://hub.exemple.fr", "contact@hub.exemple.fr"),
                            logo="images/logo.png", colour="#8a1538", repository="https://gitlab.com/hub-normand/fiches",
                            branch="principale", license="CC-BY-4.0", authors=("Hub du numérique de Normandie",))
    assert config.edit_link("resources/x/index.md") == \
        "https://gitlab.com/hub-normand/fiches/-/edit/principale/resources/x/index.md"


@pytest.mark.parametrize("lines, expected", [
    ("repository: https://github.com/hub/fiches", "https://github.com/hub/fiches/edit/main/resources/x/index.md"),
    ("repository: https://framagit.org/hub/fiches/", "https://framagit.org/hub/fiches/-/edit/main/resources/x/index.md"),
    ("repository: https://codeberg.org/hub/fiches", "https://codeberg.org/hub/fiches/_edit/main/resources/x/index.md"),
    ("repository: https://forge.hub.fr/hub/fiches\nedit_url: https://forge.hub.fr/hub/fiches/-/edit/main/{path}",
     "https://forge.hub.fr/hub/fiches/-/edit/main/resources/x/index.md"),
    ("edit_url: https://github.com/hub/fiches/edit/main/fiches/{path}",
     "https://github.com/hub/fiches/edit/main/fiches/resources/x/index.md"),
    ("repository: https://forge.hub.fr/hub/fiches", None),
])
def test_edit_links_of_gitlab_github_and_the_forges_outillerie_knows(tmp_path: Path, lines: str,
                                                                     expected: str | None) -> None:
    (tmp_path / "resources").mkdir()
    (tmp_path / "outillerie.yml").write_text(lines + "\n", encoding="utf-8")
    config, _ = read_config(tmp_path)
    assert config.edit_link("resources/x/index.md") == expected


def test_hostile_yaml_in_the_configuration_is_refused_like_in_a_sheet(tmp_path: Path) -> None:
    (tmp_path / "resources").mkdir()
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a]\nname: *b\n'
    (tmp_path / "outillerie.yml").write_text(bomb, encoding="utf-8")
    config, problems = read_config(tmp_path)
    assert config == Config() and [(p.line, p.severity) for p in problems] == [(1, "erreur")]
    assert "une ancre YAML « &a »" in problems[0].message
    (tmp_path / "outillerie.yml").write_text("# rien que des commentaires\n", encoding="utf-8")
    assert read_config(tmp_path) == (Config(), ())


# --- Every command ------------------------------------------------------------------------------------------


def test_the_site_carries_the_hub(tmp_path: Path) -> None:
    library = hub_library(tmp_path)
    result = run("--library", str(library), "export", "--output", str(tmp_path / "site"), "--no-pdf", "--keep-going")
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    home = parse(read(site / "index.html"))
    assert home.find("title").text.endswith("Les fiches du Hub normand")
    assert home.find("meta", name="description").attrs["content"].startswith(
        "Des ateliers libres pour les médiateur·rice·s de Normandie.")
    header = home.find("p", class_="nom-site")
    assert header.text.strip() == "Les fiches du Hub normand"
    assert header.find("img").attrs["src"] == "static/logo.png" and header.find("img").attrs["alt"] == ""
    assert (site / "static" / "logo.png").read_bytes() == (library / "images" / "logo.png").read_bytes()
    assert "../static/identite.css" in [l.attrs["href"] for l in parse(read(site / "a-propos" / "index.html")).find_all("link")]
    assert "--accent: #8a1538" in read(site / "static" / "identite.css")
    publisher = home.find("p", class_="editeur")
    assert publisher.text == "Publié par Hub du numérique de Normandie · contact@hub.exemple.fr"
    assert publisher.find("a").attrs["href"] == "https://hub.exemple.fr"
    page = parse(read(site / "fiches" / "elus-et-reseau" / "index.html"))
    edit = [a for a in page.find_all("a") if a.text == "Proposer une modification"]
    assert [a.attrs["href"] for a in edit] == [
        "https://gitlab.com/hub-normand/fiches/-/edit/principale/resources/elus-et-reseau/index.md"]
    data = json.loads(page.find("script", type="application/ld+json").text)
    assert data["publisher"] == {"@type": "Organization", "name": "Hub du numérique de Normandie",
                                 "url": "https://hub.exemple.fr", "email": "contact@hub.exemple.fr"}
    catalogue = json.loads(read(site / "catalogue.json"))
    assert catalogue["name"] == "Les fiches du Hub normand" and catalogue["publisher"]["name"] == "Hub du numérique de Normandie"
    about = parse(read(site / "a-propos" / "index.html")).find("h2", id="contribuer").parent
    assert "https://gitlab.com/hub-normand/fiches" in [a.attrs["href"] for a in about.find_all("a")]


def test_without_a_repository_the_proposal_is_a_prepared_email(tmp_path: Path) -> None:
    library = hub_library(tmp_path, 'name: "Fiches"\nhub:\n  name: "Le Hub"\n  email: contact@hub.exemple.fr\n')
    export_site(library, tmp_path / "site", base_url="https://fiches.exemple.fr/", keep_going=True)
    page = parse(read(tmp_path / "site" / "fiches" / "elus-et-reseau" / "index.html"))
    href = next(a.attrs["href"] for a in page.find_all("a") if a.text == "Proposer une modification")
    parts = urlsplit(href)
    assert parts.scheme == "mailto" and parts.path == "contact@hub.exemple.fr" and "+" not in parts.query
    fields = parse_qs(parts.query)
    assert fields["subject"] == ["Proposition de modification : Réunir les élu·e·s autour de l'inclusion numérique"]
    assert "https://fiches.exemple.fr/fiches/elus-et-reseau/" in fields["body"][0]
    assert "Ce que je propose de changer :" in unquote(href)


def test_the_git_remote_is_the_fallback_when_the_configuration_names_no_repository_nor_address(tmp_path: Path) -> None:
    library = hub_library(tmp_path, 'name: "Fiches"\n')
    git(library, "init", "-q", "-b", "main")
    git(library, "add", ".")
    git(library, "commit", "-q", "-m", "Fiches")
    git(library, "remote", "add", "origin", "git@github.com:hub/fiches.git")
    export_site(library, tmp_path / "site", keep_going=True)
    page = parse(read(tmp_path / "site" / "fiches" / "elus-et-reseau" / "index.html"))
    assert next(a.attrs["href"] for a in page.find_all("a") if a.text == "Proposer une modification") == \
        "https://github.com/hub/fiches/edit/main/resources/elus-et-reseau/index.md"
    assert "Mis à jour le 12 mars 2026" in page.find("ul", class_="dates").text  # the last commit, after `updated`


def test_command_line_options_override_the_configuration(tmp_path: Path) -> None:
    library = hub_library(tmp_path, 'site_url: https://fiches.hub.fr\ncounter_url: https://compteur.hub.fr/\n')
    site = tmp_path / "site"

    def first_address(*options: str) -> str:
        result = run("--library", str(library), "export", "--output", str(site), "--no-pdf", "--keep-going", *options)
        assert result.exit_code == 0, result.output
        return re.findall(r"<loc>(.*?)</loc>", read(site / "sitemap.xml"))[0]

    assert first_address() == "https://fiches.hub.fr/"
    assert first_address("--base-url", "https://autre.exemple.fr") == "https://autre.exemple.fr/"

    def kit_button(**options: str) -> str:
        export_site(library, site, keep_going=True, **options)
        return parse(read(site / "fiches" / "elus-et-reseau" / "index.html")).find("a", class_="bouton").attrs["href"]

    assert kit_button() == "https://compteur.hub.fr/telecharger/elus-et-reseau"
    assert kit_button(counter_url="https://c.exemple.fr") == "https://c.exemple.fr/telecharger/elus-et-reseau"
    assert kit_button(counter_url="") == "/telecharger/elus-et-reseau"  # `outillerie serve`: its own counter


def test_new_takes_the_licence_and_authors_of_the_configuration_unless_told(tmp_path: Path) -> None:
    library = hub_library(tmp_path, 'license: "CC BY 4.0"\nauthors: ["Hub du numérique de Normandie"]\n')
    common = ["--library", str(library), "new", "--objective", "reseau", "--public", "elus", "--duration", "60"]
    assert run(*common, "Première fiche").exit_code == 0
    text = read(library / "resources" / "premiere-fiche" / "index.md")
    assert "license: CC-BY-4.0\n" in text and "authors: [Hub du numérique de Normandie]\n" in text
    assert run(*common, "Seconde fiche", "--license", "CC0-1.0", "--author", "Camille").exit_code == 0
    text = read(library / "resources" / "seconde-fiche" / "index.md")
    assert "license: CC0-1.0\n" in text and "authors: [Camille]\n" in text


def test_an_error_in_the_configuration_stops_export_and_new_with_its_line_and_fix(tmp_path: Path) -> None:
    library = hub_library(tmp_path, 'name: "Fiches"\n# orange\ncolour: "#f5a623"\n')
    for args in (["export", "--output", str(tmp_path / "site"), "--no-pdf"],
                 ["new", "Titre", "--objective", "reseau", "--public", "elus", "--duration", "60", "--author", "A"]):
        result = run("--library", str(library), *args)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert result.stderr.startswith("Erreur : outillerie.yml:3: erreur : la couleur « #f5a623 » n'a qu'un contraste "
                                        "de 2,02:1 sur fond blanc")
        assert "Pour corriger : prenez « #a56a08 »" in result.stderr
    assert not (tmp_path / "site").exists() and not (library / "resources" / "titre").exists()


def test_a_change_of_configuration_is_seen_by_every_command(tmp_path: Path) -> None:
    library = hub_library(tmp_path, 'name: "Premier nom"\n')
    site = tmp_path / "site"
    assert export_site(library, site, keep_going=True).reused == 0
    assert export_site(library, site, keep_going=True).reused == 4  # nothing changed: every page reused
    (library / "outillerie.yml").write_text('name: "Second nom"\n', encoding="utf-8")
    assert export_site(library, site, keep_going=True).reused == 0  # the pages carry the name: all made again
    assert "Second nom" in parse(read(site / "fiches" / "elus-et-reseau" / "index.html")).find("title").text
    assert "outillerie.yml" not in run("--library", str(library), "check").stdout
    (library / "outillerie.yml").write_text('name: "Second nom"\nsite_url: fiches.hub.fr\n', encoding="utf-8")
    assert run("--library", str(library), "check").stdout.startswith("outillerie.yml:2: erreur : « site_url »")
    assert run("--library", str(library), "search", "arnaques").exit_code == 0


# --- Les Bases, open data -----------------------------------------------------------------------------------


def test_the_vocabulary_maps_themes_and_audiences_onto_les_bases_known_codes() -> None:
    raw = json.loads(read(PACKAGE / "data" / "vocabulary.json"))
    labels = raw["les_bases"]["labels"]
    for slug, term in raw["themes"].items():
        assert set(term["les_bases"]) <= set(labels["themes"]), slug
    for slug, term in raw["audiences"].items():
        assert set(term["les_bases"]["professional_sectors"]) <= set(labels["professional_sectors"]), slug
        assert set(term["les_bases"]["beneficiaries"]) <= set(labels["beneficiaries"]), slug
    assert raw["les_bases"]["resource_type"] in labels["resource_types"]
    assert raw["themes"]["inclusion-numerique"]["les_bases"] == []  # a theme may map to none of theirs
    assert not (PACKAGE / "data" / "les-bases.json").exists()  # one vocabulary file
    assert load_vocabulary().les_bases.of_sheet(["donnees-personnelles"], ["elus", "habitants"]) == {
        "themes": ["Donnees", "RisquesCyberEtProtection"], "theme_labels": ["Données", "Risques cyber et protection"],
        "professional_sectors": ["ActeursPublics"], "professional_sector_labels": ["Acteurs publics"],
        "beneficiaries": ["TousPublics"], "beneficiary_labels": ["Tous publics"],
        "resource_type": "ResourcePedagogique",
        "resource_type_label": "Ressources pédagogiques (tutoriels, supports d'ateliers, jeux, formations)"}


@pytest.fixture
def adapting(tmp_path: Path) -> Path:
    """The test library, where « Monter un projet collectif » adapts « Réunir les élu·e·s » and « Déjouer les
    arnaques » adapts a sheet published elsewhere."""
    library = copy_case("site", tmp_path / "lib")
    for slug, origin in (("projet-collectif-quartier", "elus-et-reseau"),
                         ("dejouer-les-arnaques", "https://ailleurs.exemple.org/fiches/arnaques/")):
        path = library / "resources" / slug / "index.md"
        path.write_text(read(path).replace("\nlicense:", f"\nbased_on: {origin}\nlicense:", 1), encoding="utf-8")
    return library


def test_catalogue_json_validates_against_the_schema_published_beside_it(adapting: Path, tmp_path: Path) -> None:
    export_site(adapting, tmp_path / "site", base_url="https://fiches.exemple.fr/", keep_going=True)
    schema = json.loads(read(tmp_path / "site" / "catalogue.schema.json"))
    data = json.loads(read(tmp_path / "site" / "catalogue.json"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert data["$schema"] == schema["$id"] == "https://fiches.exemple.fr/catalogue.schema.json"
    jsonschema.Draft202012Validator(schema).validate(data)
    for damage in ({"objective": "inconnu"}, {"les_bases": {**data["sheets"][0]["les_bases"], "themes": ["Inconnu"]}},
                   {"duration": "90"}):
        broken = {**data, "sheets": [{**data["sheets"][0], **damage}]}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.Draft202012Validator(schema).validate(broken)


def test_open_data_and_json_ld_carry_les_bases_the_time_and_the_adapted_sheet(adapting: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    export_site(adapting, site, base_url="https://fiches.exemple.fr/", keep_going=True)
    sheets = {s["slug"]: s for s in json.loads(read(site / "catalogue.json"))["sheets"]}
    project = sheets["projet-collectif-quartier"]
    assert project["les_bases"]["themes"] == ["CitoyenneteEtEngagement"]  # financement-de-projets maps to none
    assert project["les_bases"]["professional_sectors"] == ["ActeursPrivesEtAssociatifs", "AidantsEtMediateursNumeriques"]
    assert project["les_bases"]["beneficiaries"] == ["TousPublics"] and project["time_required"] == "PT3H"
    assert project["based_on"] == "elus-et-reseau"
    assert project["based_on_url"] == "https://fiches.exemple.fr/fiches/elus-et-reseau/"
    assert sheets["dejouer-les-arnaques"]["based_on_url"] == "https://ailleurs.exemple.org/fiches/arnaques/"
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(read(site / "catalogue.csv")))}
    assert rows["projet-collectif-quartier"]["les_bases_themes"] == "CitoyenneteEtEngagement"
    assert rows["projet-collectif-quartier"]["les_bases_resource_type"] == "ResourcePedagogique"
    assert rows["projet-collectif-quartier"]["based_on_url"] == project["based_on_url"]
    page = parse(read(site / "fiches" / "projet-collectif-quartier" / "index.html"))
    data = json.loads(page.find("script", type="application/ld+json").text)
    assert {"@type": "DefinedTerm", "name": "Citoyenneté & engagement", "termCode": "CitoyenneteEtEngagement",
            "inDefinedTermSet": "Les Bases du numérique d'intérêt général : thématiques"} in data["about"]
    assert data["learningResourceType"][0] == "fiche atelier"
    assert data["learningResourceType"][1]["termCode"] == "ResourcePedagogique"
    assert {"@type": "Audience", "audienceType": "Tous publics", "identifier": "TousPublics",
            "description": "Public bénéficiaire selon Les Bases du numérique d'intérêt général"} in data["audience"]
    assert data["timeRequired"] == "PT3H"
    assert data["isBasedOn"] == {"@type": "LearningResource", "name": "Réunir les élu·e·s autour de l'inclusion numérique",
                                 "url": "https://fiches.exemple.fr/fiches/elus-et-reseau/"}
    adapted = page.find("p", class_="adaptation")
    assert adapted.find("a").attrs["href"] == "../elus-et-reseau/index.html"
    other = parse(read(site / "fiches" / "dejouer-les-arnaques" / "index.html"))
    assert json.loads(other.find("script", type="application/ld+json").text)["isBasedOn"] == \
        "https://ailleurs.exemple.org/fiches/arnaques/"


# --- Words for mediators ------------------------------------------------------------------------------------


def visible_text(html: str) -> str:
    """What a person reads on a page: no script, no style, no attribute."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]*>", " ", html)


def test_pages_speak_to_mediators_with_french_dates(tmp_path: Path) -> None:
    library = copy_case("site", tmp_path / "lib")
    git(library, "init", "-q", "-b", "main")
    git(library, "add", ".")
    git(library, "commit", "-q", "-m", "Fiches")
    site = tmp_path / "site"
    export_site(library, site, keep_going=True)
    page = parse(read(site / "fiches" / "dejouer-les-arnaques" / "index.html"))
    texts = [a.text for a in page.find_all("a")]
    assert "Texte modifiable (Markdown)" in texts and "texte modifiable (Markdown)" in texts  # the sheet, a support
    assert [li.text for li in page.find("ul", class_="dates").find_all("li")] == [
        "Créée le 10 février 2026", "Mis à jour le 12 mars 2026"]
    for path in sorted(site.rglob("*.html")):
        text = visible_text(read(path))
        assert "source Markdown" not in text and "Dernière modification" not in text, path
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), (path, re.search(r"\b\d{4}-\d{2}-\d{2}\b", text))


@pytest.mark.parametrize("tag", ["hameconnage", "hameçonnage", "HAMEÇONNAGE"])
def test_the_tags_of_the_shipped_sheets_have_their_accents_and_match_without_them(tag: str) -> None:
    lines = [line for path in sorted((REPO / "resources").glob("*/index.md"))
             for line in read(path).splitlines() if line.startswith("tags:")]
    assert "tags: [arnaques, hameçonnage, sms, signalement, cybermalveillance]" in lines
    assert not any(word in line for line in lines for word in ("hameconnage", "reemploi", "strategie", "priorites"))
    result = run("--library", str(REPO), "search", "--tag", tag, "--format", "json")
    assert [hit["slug"] for hit in json.loads(result.stdout)["hits"]] == ["reperer-les-arnaques-en-ligne"]
