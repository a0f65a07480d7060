"""`outillerie search` as people use it: results, filters, facets, the query language, formats, junk input."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from outillerie.cli import cli
from outillerie.sheets.snapshot import take_snapshot

from .conftest import copy_commons

EXE = Path(sys.executable).parent / "outillerie"


@pytest.fixture(scope="module")
def commons(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_commons(tmp_path_factory, index=True)


def search(library: Path, *args: str, happy: bool = True):
    return CliRunner().invoke(cli, ["--library", str(library), "search", *args], catch_exceptions=not happy)


def slugs(library: Path, *args: str) -> list[str]:
    result = search(library, *args, "--format", "json", "--limit", "100")
    return [hit["slug"] for hit in json.loads(result.stdout)["hits"]]


def test_a_result_shows_title_slug_objective_duration_public_and_a_snippet(commons: Path) -> None:
    result = search(commons, "hameçonnage", "--limit", "1")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "1. Repérer les arnaques en ligne et savoir réagir"
    assert lines[1] == ("   reperer-les-arnaques-en-ligne · Sensibiliser · 45 min · Habitants, Agents d'accueil, "
                        "Acteurs associatifs et bénévoles")
    assert lines[2].startswith("   « …") and "hameçonnage" in lines[2].lower() and lines[2].endswith("… »")
    assert "\x1b[" not in result.stdout  # piped: plain text
    assert result.stderr == "Les 1 fiches les plus pertinentes (--limit pour en voir plus).\n" or \
        result.stderr == "1 fiche trouvée.\n"


def _run_in_terminal(args: list[str], env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    process = subprocess.Popen([str(EXE), *args], stdin=follower, stdout=follower, stderr=subprocess.DEVNULL,
                               close_fds=True, env=env)
    os.close(follower)
    seen = b""
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], 20)
            if not ready:
                break
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        process.wait(timeout=20)
        os.close(leader)
    return seen.decode()


def test_matched_words_are_bold_on_a_terminal_unless_no_color(commons: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    args = ["--library", str(commons), "search", "hameçonnage", "--limit", "1"]
    shown = _run_in_terminal(args, env)
    assert "\x1b[1mRepérer les arnaques en ligne et savoir réagir\x1b[0m" in shown
    assert "\x1b[1mhameçonnage\x1b[0m" in shown.lower() or "\x1b[1mHameçonnage\x1b[0m" in shown
    plain = _run_in_terminal(args, {**env, "NO_COLOR": "1"})
    assert "Repérer les arnaques" in plain and "\x1b[" not in plain


@pytest.mark.parametrize("options, expected", [
    (["--objective", "réseau", "--max-duration", "1h"], ["cafe-de-la-mediation", "se-connaitre-entre-metiers"]),
    (["--objective", "Travailler en réseau", "--max-duration", "60"], ["cafe-de-la-mediation", "se-connaitre-entre-metiers"]),
    (["--public", "elus", "--public", "habitants", "--max-duration", "1h30"],
     ["comprendre-exclusion-numerique", "impact-environnemental-du-numerique", "reperer-les-arnaques-en-ligne"]),
    (["--min-duration", "3h"], ["cartographier-acteurs-inclusion", "diagnostic-partage-territoire",
                                "feuille-de-route-inclusion-numerique", "lancer-projet-collectif-local"]),
    (["--level", "debutant", "--theme", "usage-securise-du-numerique"],
     ["donnees-personnelles-accompagnement", "reperer-les-arnaques-en-ligne"]),
    (["--tag", "Lecteur d'écran"], ["accessibilite-numerique-mise-en-situation"]),
    (["--tag", "aidants connect", "--objective", "sensibiliser", "--public", "agents-accueil"],
     ["demarche-en-ligne-jeu-de-role", "donnees-personnelles-accompagnement"]),
])
def test_filters_combine_and_a_query_of_filters_lists_the_sheets_by_title(commons: Path, options: list[str],
                                                                          expected: list[str]) -> None:
    found = slugs(commons, *options)
    assert sorted(found) == expected
    sheets = {sheet.slug: sheet for sheet in take_snapshot(commons, None).sheets()}
    titles = [sheets[slug].title for slug in found]
    assert titles == sorted(titles, key=lambda title: title.lower().replace("é", "e").replace("'", "'"))


def test_the_licence_filter_and_words_with_filters(commons: Path) -> None:
    licences = {sheet.license for sheet in take_snapshot(commons, None).sheets()}
    for licence in licences:
        expected = sorted(s.slug for s in take_snapshot(commons, None).sheets() if s.license == licence)
        assert sorted(slugs(commons, "--license", licence)) == expected
    assert slugs(commons, "orientation", "--objective", "reseau", "--public", "agents-accueil") == [
        "orienter-vers-le-bon-interlocuteur"]


def test_facets_count_every_result_with_the_labels_of_the_vocabulary(commons: Path) -> None:
    data = json.loads(search(commons, "numérique", "--facets", "--format", "json", "--limit", "1").stdout)
    matching = [s for s in take_snapshot(commons, None).sheets() if s.slug in set(slugs(commons, "numérique"))]
    assert data["total"] == len(matching) > 1
    assert {slug: v["count"] for slug, v in data["facets"]["objective"].items()} == {
        o: sum(s.objective == o for s in matching) for o in {s.objective for s in matching}}
    assert {slug: v["count"] for slug, v in data["facets"]["public"].items()} == {
        p: sum(p in s.public for s in matching) for p in {p for s in matching for p in s.public}}
    assert sum(v["count"] for v in data["facets"]["duration"].values()) == len(matching)
    assert data["facets"]["objective"]["reseau"]["label"] == "Travailler en réseau"
    text = search(commons, "numérique", "--facets", "--limit", "1").stdout
    assert f"Répartition des {len(matching)} fiches trouvées :" in text
    assert "  Objectif : Sensibiliser (" in text and "  Durée : " in text and "  Thème : " in text


@pytest.mark.parametrize("query, expected", [
    ('"mise en situation"', {"accessibilite-numerique-mise-en-situation", "comprendre-exclusion-numerique"}),
    ("arnaques OU mécénat", {"reperer-les-arnaques-en-ligne", "financer-un-projet-collectif"}),
    ("arnaques OR mécénat", {"reperer-les-arnaques-en-ligne", "financer-un-projet-collectif"}),
    ("rgpd ET aidants", {"donnees-personnelles-accompagnement"}),
    ("rgpd AND aidants", {"donnees-personnelles-accompagnement"}),
])
def test_query_operators(commons: Path, query: str, expected: set[str]) -> None:
    assert expected <= set(slugs(commons, query))
    assert set(slugs(commons, query)) <= expected | set(slugs(commons, query.split()[0].strip('"')))


def test_exclusion_in_french_and_english(commons: Path) -> None:
    every = set(slugs(commons, "aidants"))
    without = every - set(slugs(commons, "rgpd"))
    assert "donnees-personnelles-accompagnement" in every
    assert set(slugs(commons, "aidants SAUF rgpd")) == without
    assert set(slugs(commons, "aidants NOT rgpd")) == without
    assert set(slugs(commons, "aidants -rgpd")) == without
    assert set(slugs(commons, "aidants", "-rgpd")) == without


def test_a_query_that_only_excludes_says_what_to_add(commons: Path) -> None:
    result = search(commons, "-rgpd")
    assert result.exit_code == 1
    assert result.stderr == ("Erreur : « -rgpd » ne fait qu'exclure des mots. Pour corriger : ajoutez un mot à "
                             "chercher, par exemple outillerie search aidants -rgpd, ou listez les fiches avec des "
                             "filtres.\n")
    assert search(commons, "le la les").stderr.startswith("Erreur : « le la les » ne contient aucun mot à chercher")


def test_all_words_must_match_and_a_phrase_is_stricter(commons: Path) -> None:
    both = set(slugs(commons, "jeu rôle"))
    assert both == set(slugs(commons, "jeu")) & set(slugs(commons, "rôle"))
    assert set(slugs(commons, '"jeu de rôle"')) <= both


def test_a_prefix_finds_words_with_or_without_accents(commons: Path) -> None:
    assert set(slugs(commons, "numér*")) == set(slugs(commons, "numer*")) >= set(slugs(commons, "numérique"))
    assert "reperer-les-arnaques-en-ligne" in slugs(commons, "hameç*")
    assert "cafe-de-la-mediation" in slugs(commons, "médiation*")


@pytest.mark.parametrize("query", ["*", "a*", "ab*", "?", "n?", "-*", "*ion"])
def test_short_wildcards_get_a_french_message_not_a_scan(commons: Path, query: str) -> None:
    result = search(commons, query)
    assert result.exit_code == 1
    assert "un joker * doit suivre au moins 3 lettres" in result.stderr
    assert "Pour corriger : écrivez le début d'un mot, par exemple numér*" in result.stderr


def test_a_mistyped_word_shows_the_sheets_of_the_closest_word_and_says_so(commons: Path) -> None:
    result = search(commons, "mediaton numérique", "--limit", "1")
    assert result.exit_code == 0 and result.stdout.startswith("1. ")
    assert result.stderr.splitlines()[0] == ("Aucune fiche ne correspond à « mediaton numérique » : voici les fiches "
                                             "pour « médiation numérique ».")
    assert "voici les fiches pour « accessibilité »." in search(commons, "acessibilite").stderr
    assert "voici les fiches pour « illectronisme »." in search(commons, "illectronism").stderr
    # A word in no sheet but in the thesaurus: corrected to it, then expanded to its synonyms.
    data = json.loads(search(commons, "smarphone", "--format", "json").stdout)
    assert data["corrected"] == "smartphone" and data["hits"]
    # Two words the sheets write as one.
    assert json.loads(search(commons, "chat gpt", "--format", "json").stdout)["corrected"] == "chatgpt"


def test_nothing_found_exits_1_and_names_the_words_in_no_sheet(commons: Path) -> None:
    plain = search(commons, "xqzwvk")
    assert (plain.exit_code, plain.stdout) == (1, "")
    assert plain.stderr == ("Aucune fiche ne correspond à « xqzwvk ». « xqzwvk » ne figure dans aucune fiche. "
                            "Pour élargir : essayez un autre mot, ou moins de mots.\n")
    filtered = search(commons, "hameçonnage", "--objective", "reseau")
    assert filtered.exit_code == 1
    assert filtered.stderr == ("Aucune fiche ne correspond à « hameçonnage » avec ces filtres. "
                               "Pour élargir : retirez un filtre.\n")
    known = search(commons, "AAH")  # in the thesaurus, in no sheet: said, never « corrected » into another word
    assert known.exit_code == 1 and "« AAH » ne figure dans aucune fiche." in known.stderr
    assert "voici les fiches pour" not in known.stderr
    both = search(commons, '"mot de passe" xqzwvk zzyzx')  # a phrase: no loosening
    assert both.exit_code == 1
    assert "« xqzwvk » et « zzyzx » ne figurent dans aucune fiche." in both.stderr


def test_when_no_sheet_has_every_word_the_sheets_with_the_most_come_and_the_word_in_none_is_named(
        commons: Path) -> None:
    result = search(commons, "arnaques xqzwvk", "--limit", "1")
    assert result.exit_code == 0
    assert result.stdout.startswith("1. Repérer les arnaques en ligne")
    assert result.stderr.splitlines()[0] == ("« xqzwvk » ne figure dans aucune fiche : voici les fiches qui "
                                             "contiennent le plus de ces mots.")


def test_an_acronym_in_capitals_finds_the_sheets_that_write_it_before_the_coffee_ones(commons: Path) -> None:
    writes_caf = {path.parent.name for path in (commons / "resources").glob("*/*.md")  # sheets and supports
                  if re.search(r"\bCAF\b", path.read_text(encoding="utf-8"))}
    assert len(writes_caf) >= 3
    found = slugs(commons, "CAF")
    assert set(found[:len(writes_caf)]) == writes_caf
    assert "cafe-de-la-mediation" not in found[:len(writes_caf)]


def test_a_duration_in_words_becomes_the_filter_and_stderr_says_so(commons: Path) -> None:
    result = search(commons, "arnaques moins d'une heure", "--format", "json")
    data = json.loads(result.stdout)
    assert [hit["slug"] for hit in data["hits"]] == ["reperer-les-arnaques-en-ligne"]
    assert all(hit["duration"] <= 59 for hit in data["hits"])
    assert result.stderr.splitlines()[0] == "« moins d'une heure » est lu comme une durée : fiches d'au plus 59 min."
    half_day = search(commons, "une demi-journée", "--format", "json")
    assert {hit["duration"] for hit in json.loads(half_day.stdout)["hits"]} <= set(range(121, 211))
    assert half_day.stderr.startswith("« une demi-journée » est lu comme une durée : fiches de plus de 2 h et au plus")
    assert slugs(commons, "2 heures") == slugs(commons, "--max-duration", "120")
    assert "« 1h » est lu comme une durée" in search(commons, "1h").stderr


def test_a_public_or_level_typed_as_a_word_is_searched_and_the_filter_suggested(commons: Path) -> None:
    result = search(commons, "débutants")
    assert result.exit_code == 0 and result.stdout.startswith("1. ")
    assert "« débutants » : pour ne garder que les fiches de niveau « Débutant », ajoutez --level debutant." \
        in result.stderr
    elected = search(commons, "atelier pour les élus")
    assert "ajoutez --public elus." in elected.stderr and elected.stdout.startswith("1. ")


def test_words_typed_without_accents_find_the_accented_words_of_the_sheets(commons: Path) -> None:
    for typed, written in (("elus", "élus"), ("mediatrices", "médiatrices"), ("beneficiaires", "bénéficiaires")):
        assert slugs(commons, typed) == slugs(commons, written), typed


def test_a_synonym_finds_the_sheet_and_ranks_below_the_word_itself(library: Path) -> None:
    sheet = SHEET_FOR_SYNONYMS
    for slug, word in (("avec-le-mot", "smartphone"), ("avec-un-synonyme", "téléphone portable")):
        folder = library / "resources" / slug
        folder.mkdir()
        (folder / "index.md").write_text(sheet.format(title=slug.replace("-", " ").capitalize(), word=word),
                                         encoding="utf-8")
    assert slugs(library, "smartphone") == ["avec-le-mot", "avec-un-synonyme"]
    assert slugs(library, "téléphone portable") == ["avec-un-synonyme", "avec-le-mot"]
    assert slugs(library, '"smartphone"') == ["avec-le-mot"]  # a phrase in quotes is taken as typed


def test_when_the_words_typed_fill_two_pages_their_synonyms_are_not_looked_for(library: Path) -> None:
    words = {f"avec-le-mot-{n}": "smartphone" for n in range(1, 5)} | {"avec-un-synonyme": "téléphone portable"}
    for slug, word in words.items():
        folder = library / "resources" / slug
        folder.mkdir()
        title = slug.replace("-", " ").capitalize()
        (folder / "index.md").write_text(SHEET_FOR_SYNONYMS.format(title=title, word=word), encoding="utf-8")

    def found(limit: str) -> tuple[list[str], int]:
        result = json.loads(search(library, "smartphone", "--format", "json", "--limit", limit).stdout)
        return [hit["slug"] for hit in result["hits"]], result["total"]

    hits, total = found("2")  # 4 sheets with the word: two pages of 2
    assert len(hits) == 2 and "avec-un-synonyme" not in hits and total == 4
    hits, total = found("3")  # not two pages of 3: the synonym is looked for too
    assert len(hits) == 3 and "avec-un-synonyme" not in hits and total == 5  # found, ranked below the word itself
    assert found("10")[0][-1] == "avec-un-synonyme"  # however rare the synonym and common the word


def test_the_word_typed_comes_first_even_when_many_synonyms_score_higher(library: Path) -> None:
    """One sheet writes « smartphone » once in its body; five have « téléphone portable » in title and body."""
    sheets = {"avec-le-mot": ("Atelier de prise en main", "smartphone")}
    sheets |= {f"avec-un-synonyme-{n}": (f"Téléphone portable {n}", "téléphone portable") for n in range(1, 6)}
    for slug, (title, word) in sheets.items():
        folder = library / "resources" / slug
        folder.mkdir()
        (folder / "index.md").write_text(SHEET_FOR_SYNONYMS.format(title=title, word=word), encoding="utf-8")
    for limit in ("1", "2", "10"):
        result = json.loads(search(library, "smartphone", "--format", "json", "--limit", limit).stdout)
        assert result["hits"][0]["slug"] == "avec-le-mot", limit


def test_a_sheet_found_by_one_synonym_is_scored_on_its_own_words_not_another_sheets(library: Path) -> None:
    """« arnaque » is in neither sheet: one writes « fraude » once, the next (in the index's order) « escroquerie »
    in its title and body. Whoosh's DisjunctionMax gave the first the second's higher score (search/dismax.py)."""
    for slug, (title, word) in {"a-fraude": ("Atelier de prévention", "fraude"),
                                "b-escroquerie": ("Escroquerie en ligne", "escroquerie")}.items():
        folder = library / "resources" / slug
        folder.mkdir()
        (folder / "index.md").write_text(SHEET_FOR_SYNONYMS.format(title=title, word=word), encoding="utf-8")
    hits = json.loads(search(library, "arnaque", "--format", "json").stdout)["hits"]
    scores = {hit["slug"]: hit["score"] for hit in hits}
    assert [hit["slug"] for hit in hits] == ["b-escroquerie", "a-fraude"]
    assert scores["a-fraude"] < scores["b-escroquerie"] / 2


SHEET_FOR_SYNONYMS = """---
title: "{title}"
summary: "Une fiche de test."
objective: sensibiliser
public: [habitants]
duration: 60
license: CC-BY-SA-4.0
authors: ["Collectif outillerie"]
---

## Objectifs

Prendre en main son {word}.

## Matériel et préparation

Rien.

## Déroulé

### Accueil (10 min)

Bonjour.

### Activité (50 min)

Travail.

## Variantes

Aucune.

## Pour aller plus loin

Rien.
"""


JUNK = ['"', '"""', "(((", ")))", "title:", "AND OR", "ET OU SAUF", "NOT", "-", "+", "x" * 10_000,
        "\x00\x01\x1b[31mrouge\x7f", "duration:[a TO)", "*:*", "médiation~2", "numérique^", "title:médiation^3",
        "l'", "’’’", "( médiation", "médiation )", "\u200b", "🙂", "le la les de", "[a TO b]", "{}", "\\",
        "objective:reseau", "a" * 600 + "*"]


@pytest.mark.parametrize("query", JUNK, ids=range(len(JUNK)))
def test_junk_input_never_shows_a_traceback(commons: Path, query: str) -> None:
    result = search(commons, query, happy=False)
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        message = result.stderr
        assert message.startswith(("Erreur : ", "Aucune fiche")), message
        assert "Pour corriger" in message or "Pour élargir" in message or "Vouliez-vous dire" in message


def test_a_very_long_query_is_refused_with_the_fix(commons: Path) -> None:
    result = search(commons, "médiation " * 1000)
    assert result.exit_code == 1
    assert result.stderr.startswith("Erreur : la recherche fait 9999 caractères, plus que la limite de 500.")


def test_json_carries_what_a_script_needs(commons: Path) -> None:
    data = json.loads(search(commons, "arnaques", "--format", "json").stdout)
    hit = data["hits"][0]
    assert set(hit) >= {"slug", "title", "summary", "objective", "objective_label", "public", "public_labels",
                        "duration", "level", "level_label", "themes", "theme_labels", "tags", "license", "status",
                        "path", "score", "snippet", "highlights"}
    assert hit["slug"] == "reperer-les-arnaques-en-ligne" and hit["path"] == "resources/reperer-les-arnaques-en-ligne/index.md"
    assert hit["duration"] == 45 and hit["score"] > 0 and "arnaques" in [h.lower() for h in hit["highlights"]]
    assert (data["query"], data["total"], data["ranked"]) == ("arnaques", len(data["hits"]), True)


def test_csv_has_a_header_and_one_row_per_hit(commons: Path) -> None:
    result = search(commons, "--objective", "reseau", "--format", "csv", "--limit", "3")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["slug", "title", "objective", "public", "duration", "level", "themes", "tags", "license",
                       "score", "path", "snippet"]
    assert len(rows) == 4 and all(row[2] == "reseau" for row in rows[1:])
    assert rows[1][3].count("|") >= 1


def test_limit_and_the_line_that_says_there_is_more(commons: Path) -> None:
    result = search(commons, "numérique", "--limit", "2")
    assert result.stdout.count("\n1. ") + result.stdout.startswith("1. ") == 1 and "\n2. " in result.stdout
    assert result.stderr == "Les 2 fiches les plus pertinentes (--limit pour en voir plus).\n"
    assert search(commons, "numérique", "--limit", "0").exit_code == 2


def test_search_imports_no_heavy_library(commons: Path) -> None:
    code = ("import sys\nfrom outillerie.cli import main\n"
            f"sys.argv = ['outillerie', '--library', {str(commons)!r}, 'search', 'arnaques']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "heavy = {'jinja2', 'markdown_it', 'mdit_py_plugins', 'weasyprint', 'waitress', 'requests', 'yaml', 'frontmatter'}\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
            "others = ('outillerie.publish', 'outillerie.counter', 'outillerie.sheets.config', 'outillerie.cli.site', "
            "'outillerie.cli.sheet', 'outillerie.cli.counter', 'outillerie.cli.programme', 'outillerie.cli.library')\n"
            "print(sorted(m for m in sys.modules if m.startswith(others)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-2:] == ["[]", "[]"]  # nor the other commands' code


def test_an_empty_library_says_so(library: Path) -> None:
    result = search(library, "numérique")
    assert result.exit_code == 1
    assert "Aucune fiche ne correspond à « numérique »" in result.stderr
