"""The best of a word's synonyms, scored on the sheet at hand. Whoosh's `DisjunctionMaxMatcher.score` takes the
larger score of its two sides even when one of them stands on ANOTHER sheet (it does not compare their positions,
as its union does): a sheet found by one synonym took the score another sheet had for another synonym, and the
order of the sheets found by a synonym only was partly another sheet's. `scored_where_it_stands` fixes that
method (engine.py puts it in place, the one module that imports Whoosh).
"""

from __future__ import annotations

from typing import Any


def scored_where_it_stands(base: Any) -> Any:
    """Whoosh's DisjunctionMaxMatcher, whose score only counts the sides positioned on the current sheet."""

    class DisjunctionMaxMatcher(base):
        def score(self) -> float:
            a, b = self.a, self.b
            if not a.is_active():
                return float(b.score())
            if not b.is_active():
                return float(a.score())
            here_a, here_b = a.id(), b.id()
            if here_a != here_b:
                return float((a if here_a < here_b else b).score())
            return float(max(a.score(), b.score()))

    return DisjunctionMaxMatcher
