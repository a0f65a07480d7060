"""Snippets: the passage where the query's words meet, found in time linear in the text."""

from __future__ import annotations

import time

from outillerie.french.analysis import analyze
from outillerie.search.snippets import highlight, passage


def test_a_snippet_marks_the_words_of_the_query_in_their_written_form() -> None:
    text = "Au début, rien. Plus loin, les élu·e·s parlent de médiation numérique avec les habitants."
    pieces = highlight(text, frozenset(analyze("élus médiation")))
    assert [piece for piece, matched in pieces if matched] == ["élu·e·s", "médiation"]
    assert "".join(piece for piece, _ in pieces) in text


def test_the_passage_is_where_most_distinct_words_meet() -> None:
    filler = "Un texte sans rapport qui parle d'autre chose. " * 40
    text = filler + "Ici les élus et la médiation se rencontrent enfin. " + filler
    found = passage(text, frozenset(analyze("élus médiation")))
    assert "élus et la médiation" in found and len(found) < len(text) // 4


def test_a_megabyte_of_one_repeated_phrase_is_cut_quickly() -> None:
    text = "médiation numérique " * 50_000  # 1 MB: comparing every match with every other took minutes
    terms = frozenset(analyze("médiation numérique"))
    started = time.process_time()
    snippet = highlight(passage(text, terms), terms)
    spent = time.process_time() - started
    assert snippet and any(matched for _, matched in snippet)
    assert spent < 5, f"{spent:.1f} s of CPU for one snippet"


def test_markdown_that_once_hung_the_export_renders_in_bounded_time() -> None:
    from outillerie.publish.markdown import render_markdown

    started = time.process_time()
    spaces = render_markdown("# a" + " " * 200_000 + "b\n")
    brackets = render_markdown("[" * 300_000)
    steps = render_markdown("## Déroulé\n" + "### Étape (5 min)\n\ntexte\n\n" * 20_000)
    spent = time.process_time() - started
    assert spaces.headings[0].anchor == "a-b"
    assert brackets.html.startswith("<p>[[[") and "<a" not in brackets.html  # shown as text, never a link
    assert [h.anchor for h in steps.headings[-2:]] == ["etape-19999", "etape-20000"]
    assert spent < 20, f"{spent:.1f} s of CPU"


def test_a_heading_keeps_its_anchor_without_its_time() -> None:
    from outillerie.publish.markdown import render_markdown

    rendered = render_markdown("## Accueil (15 min)\n\n## Accueil (10 min)\n\n## A (b (c))\n")
    assert [h.anchor for h in rendered.headings] == ["accueil", "accueil-2", "a-b-c"]
