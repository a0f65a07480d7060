"""The site's search ranks like `outillerie search`: the relevance queries of the suite run in the exported site (in
Chromium, from file://) and in the terminal's engine give the same top 3 for at least 90 % of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from outillerie.publish.export import export_site
from outillerie.publish.searchindex import BOOSTS, FIELDS, quantised
from outillerie.search.engine import FIELD_BOOSTS, SYNONYM_FIELDS, TEXT_FIELDS
from outillerie.search.query import EXACT_PAGES, FEW, Filters, search_library

from .conftest import copy_commons
from .test_search import SHEET_FOR_SYNONYMS
from .test_site_browser import base_url, browser_type_launch_args  # noqa: F401  (Debian's Chromium, no DNS)

JUDGED = Path(__file__).parent / "data" / "relevance.json"
DURATIONS = (30, 60, 90, 120, 180, 210, 420)


@pytest.fixture(scope="module")
def commons(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    library = copy_commons(tmp_path_factory)
    export_site(library, library / "site", keep_going=True)
    return library, library / "site"


def test_the_site_weighs_the_fields_like_the_command_line() -> None:
    assert FIELDS[:-1] == TEXT_FIELDS and dict(zip(FIELDS, BOOSTS)) | {"acronyms": 1.0} == FIELD_BOOSTS | {"acronyms": 1.0}
    from whoosh.util.numeric import byte_to_length, length_to_byte  # what the index stores of a field's length

    assert all(quantised(n) == byte_to_length(length_to_byte(n)) for n in range(0, 5000))


def criteria(item: dict[str, Any]) -> dict[str, str]:
    """A relevance query as the catalogue's form would hold it."""
    filters = item["filters"]
    return {"q": item["query"], "objective": filters.get("objective", ""), "public": (filters.get("public") or [""])[0],
            "level": filters.get("level", ""), "theme": filters.get("theme", ""),
            "duration": str(filters.get("max_duration", "")), "min": str(filters.get("min_duration", ""))}


def site_top(page: Page, query: str, filters: dict[str, Any]) -> list[str]:
    criteria = {"q": query, "objective": filters.get("objective", ""), "public": (filters.get("public") or [""])[0],
                "level": filters.get("level", ""), "theme": filters.get("theme", ""),
                "duration": str(filters.get("max_duration", "")), "min": str(filters.get("min_duration", ""))}
    return page.evaluate("c => window.outillerie.slugs(c)", criteria)[:3]


def test_a_query_gives_the_same_sheets_whatever_was_asked_before(page: Page, commons: tuple[Path, Path]) -> None:
    """The page keeps the parts and terms it has read: the relevance queries asked in order, then in the reverse
    order in a fresh page, and each typed letter by letter (every prefix asked at once, as the input event does)."""
    library, site = commons
    items = json.loads(JUDGED.read_text(encoding="utf-8"))["queries"]
    page.goto((site / "index.html").as_uri())
    forward = [page.evaluate("c => window.outillerie.slugs(c)", criteria(item)) for item in items]
    page.goto((site / "index.html").as_uri())
    backward = [page.evaluate("c => window.outillerie.slugs(c)", criteria(item)) for item in reversed(items)][::-1]
    assert forward == backward
    page.goto((site / "index.html").as_uri())
    for item, expected in list(zip(items, forward))[::7]:
        typed = page.evaluate("""c => Promise.all(Array.from({length: c.q.length},
            (_, i) => window.outillerie.slugs(Object.assign({}, c, {q: c.q.slice(0, i + 1)})))).then(a => a[a.length - 1])""",
                              criteria(item))
        assert typed == expected, item["query"]


def test_the_site_and_the_terminal_give_the_same_top_three(page: Page, commons: tuple[Path, Path]) -> None:
    library, site = commons
    page.goto((site / "index.html").as_uri())
    queries = json.loads(JUDGED.read_text(encoding="utf-8"))["queries"]
    same, differ = 0, []
    for item in queries:
        filters = {k: tuple(v) if isinstance(v, list) else v for k, v in item["filters"].items()}
        terminal = [hit.slug for hit in search_library(library, library / "index", item["query"], Filters(**filters),
                                                       limit=3).hits]
        browser = site_top(page, item["query"], item["filters"])
        if browser == terminal:
            same += 1
        else:
            differ.append((item["query"], terminal, browser))
    print(f"\n{same}/{len(queries)} requêtes : même trio de tête")
    for line in differ:
        print(line)
    assert same >= 0.9 * len(queries), differ


def synonym_library(folder: Path, typed: int, synonyms: int) -> tuple[Path, Path]:
    """`typed` sheets write « smartphone » once in their body; `synonyms` sheets have « téléphone portable » (its
    synonym) in their title and body, and would outrank them at half weight. Exported, without PDF."""
    sheets = {f"avec-le-mot-{n}": (f"Atelier de prise en main {n}", "smartphone") for n in range(1, typed + 1)}
    sheets |= {f"avec-un-synonyme-{n}": (f"Téléphone portable {n}", "téléphone portable") for n in range(1, synonyms + 1)}
    for slug, (title, word) in sheets.items():
        (folder / "resources" / slug).mkdir(parents=True)
        (folder / "resources" / slug / "index.md").write_text(SHEET_FOR_SYNONYMS.format(title=title, word=word),
                                                              encoding="utf-8")
    export_site(folder, folder / "site", keep_going=True)
    return folder, folder / "site"


def cards_for(page: Page, query: str) -> tuple[list[str], str]:
    """The slugs of the result cards, in order, and the count line, once the query is typed in the catalogue."""
    page.fill("#f-q", query)
    page.wait_for_function("document.documentElement.dataset.recherche === 'pret'")
    slugs = page.eval_on_selector_all("#fiches > li h2 a", "links => links.map(a => a.getAttribute('href').split('/')[1])")
    return slugs, page.inner_text("#resultats")


def terminal(library: Path, query: str, limit: int = 10) -> tuple[list[str], int | None]:
    result = search_library(library, library / "index", query, limit=limit)
    return [hit.slug for hit in result.hits], result.total


def test_the_sheet_with_the_word_typed_comes_before_every_sheet_of_a_synonym(page: Page, tmp_path: Path) -> None:
    """The terminal's rule (tests/test_search.py): one sheet with « smartphone » in its body comes before five with
    « téléphone portable » in their title, whatever their scores; a phrase in quotes is taken as typed."""
    library, site = synonym_library(tmp_path, typed=1, synonyms=5)
    page.goto((site / "index.html").as_uri())
    shown, count = cards_for(page, "smartphone")
    assert shown[0] == "avec-le-mot-1" and len(shown) == 6 and count == "6 fiches sur 6"
    assert shown == terminal(library, "smartphone")[0]
    shown, count = cards_for(page, "téléphone portable")
    assert shown[-1] == "avec-le-mot-1" and shown == terminal(library, "téléphone portable")[0]
    assert cards_for(page, '"smartphone"') == (["avec-le-mot-1"], "1 fiche sur 6")
    assert cards_for(page, "smartphone -portable") == (["avec-le-mot-1"], "1 fiche sur 6")
    shown, count = cards_for(page, "portable -smartphone")  # excluding a word never excludes its synonyms
    assert count == "5 fiches sur 6" and shown == terminal(library, "portable -smartphone")[0]


def test_when_the_words_typed_fill_two_pages_the_site_shows_no_synonym(page: Page, tmp_path: Path) -> None:
    """Two pages of the terminal's default 10 results hold the word typed: its synonym is not looked for, there and
    on the site (which shows 50 cards at once)."""
    enough = EXACT_PAGES * 10
    library, site = synonym_library(tmp_path, typed=enough, synonyms=1)
    page.goto((site / "index.html").as_uri())
    shown, count = cards_for(page, "smartphone")
    assert count == f"{enough} fiches sur {enough + 1}" and "avec-un-synonyme-1" not in shown
    assert terminal(library, "smartphone")[1] == enough and enough >= FEW
    assert page.evaluate("window.outillerieSearch.synonymFields") == sorted(FIELDS.index(f) for f in SYNONYM_FIELDS)
