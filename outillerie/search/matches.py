"""The results of a search as the engine gives them, and the filters as index terms; no engine type here, so the
rest of search never depends on Whoosh (engine.py hands its results over).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Iterable, Iterator


@dataclass(frozen=True)
class Criteria:
    """The filters as index terms: each (field, values) means any of the values; all pairs must hold."""

    any_of: tuple[tuple[str, tuple[str, ...]], ...] = ()
    min_duration: int | None = None
    max_duration: int | None = None


class Matches:
    """The results of one search: the shown hits, and on demand the total and facet counts."""

    def __init__(self, reader: Any, results: Any, parsed: Any | None, shown: int | None = None,
                 first: Any | None = None) -> None:
        self.reader = reader
        self.results = results
        self.parsed = parsed
        self.shown = shown  # the hits shown, when fewer than the results ranked
        self.first = first  # every sheet with the words typed, ranked: shown before those found by a synonym only

    def hits(self) -> Iterator[tuple[dict[str, Any], float | None]]:
        ranked: Iterable[Any] = self.results
        if self.first is not None:  # each tier in the engine's order
            typed = {hit.docnum for hit in self.first}
            ranked = itertools.chain(self.first, (hit for hit in self.results if hit.docnum not in typed))
        for number, hit in enumerate(ranked):
            if self.shown is not None and number >= self.shown:
                break
            yield hit["meta"], (hit.score if self.parsed is not None else None)

    def typed_first(self, exact: Matches) -> Matches:
        """These results with every sheet of `exact` (the words typed, without synonyms, all ranked) first."""
        return Matches(self.reader, self.results, self.parsed, self.shown, exact.results)

    def found(self, at_least: int = 1) -> bool:
        """True when at least `at_least` sheets matched (without counting them all)."""
        return self.count(at_least) >= at_least

    def count(self, up_to: int) -> int:
        """How many sheets matched, counted up to `up_to` at most (cheap: the scored ones only)."""
        return min(self.results.scored_length(), up_to)

    def total(self) -> int:
        return len(self.results)

    def counts(self, fieldname: str) -> dict[str, int]:
        """How many matching sheets have each value of a keyword field."""
        docs = self.results.docs()
        reader = self.reader
        counts: dict[str, int] = {}
        for term in reader.field_terms(fieldname):
            number = sum(1 for doc in reader.postings(fieldname, term).all_ids() if doc in docs)
            if number:
                counts[term.decode("utf-8") if isinstance(term, bytes) else term] = number
        return counts

    def durations(self) -> list[int]:
        """The duration of every matching sheet, for duration bands."""
        column = self.reader.column_reader("duration")
        return [column[doc] for doc in sorted(self.results.docs())]


