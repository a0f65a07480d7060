"""The site search's entry of a sheet reads each field once for its terms and its written forms: it must give what
the analyzer gives when asked for each separately (the terms `search` indexes, the words it restores accents from)."""

from __future__ import annotations

from outillerie.french import analysis
from outillerie.publish.searchindex import _terms_and_forms

TRICKY = ("L'élu·e·s et les médiateur·rice·s d'aujourd’hui qu'il a vu·e·s ; le rock'n'roll de Google's « CNIL » : "
          "ÉLU.E.S, usager.ère.s, 1.10 et fin.Début — il·elle, ceux·celles, de la et le, aujourd''hui, "
          "presqu'île, l’atelier numérique, la lutte contre la fracture numérique. Un a b c.")


def test_one_reading_gives_the_analyzers_terms_positions_and_forms() -> None:
    for text in (TRICKY, "", "le la les", "de la médiation numérique et de l'inclusion numérique"):
        forms: set[str] = set()
        found = _terms_and_forms(text, forms)
        assert found == [(term.position, term.text) for term in analysis.tokens(text)], text
        assert forms == set(analysis.written_forms(text)), text
