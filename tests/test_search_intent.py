"""The duration pattern is compiled only for a query that holds one of its marks: no duration phrase lacks one."""

from __future__ import annotations

import json

from outillerie.french.analysis import fold
from outillerie.search.intent import DURATION_MARKS, duration_pattern, read_intent
from outillerie.sheets.vocabulary import load_vocabulary

from .conftest import REPO

PHRASES = ["1h", "2 heures", "1 h 30", "1h30", "90 min", "45mn", "quarante-cinq minutes", "une demi-heure",
           "moins d'une heure", "plus de 2 h", "au moins 3h", "une demi-journée", "1 demi journee", "une journée",
           "journée entière", "en 30 min", "pas plus d'1h", "2h maximum", "une heure et demie", "deux heures ou plus"]


def test_every_duration_the_pattern_finds_holds_a_mark() -> None:
    queries = [item["query"] for item in json.loads((REPO / "tests/data/relevance.json").read_text())["queries"]]
    found = 0
    for text in [*PHRASES, *queries, *(f"atelier {phrase} pour les élus" for phrase in PHRASES)]:
        folded = fold(text)
        for match in duration_pattern().finditer(folded):
            found += 1
            assert any(mark in match.group() for mark in DURATION_MARKS), match.group()
    assert found >= len(PHRASES) * 2


def test_a_query_without_a_mark_keeps_its_words_and_has_no_bounds() -> None:
    intent = read_intent("médiation numérique 2", load_vocabulary())
    assert (intent.text, intent.min_duration, intent.max_duration, intent.durations) == \
        ("médiation numérique 2", None, None, ())
    assert read_intent("médiation numérique 2 h", load_vocabulary()).max_duration == 120
