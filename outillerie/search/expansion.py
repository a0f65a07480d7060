"""What a run of typed words means to search, before any engine: each word's terms (with the accents the
library writes given back to a word typed without them), the acronyms to match exactly, and the field's
synonyms from the thesaurus, which weigh less than the words typed. The engine (engine.py) turns it into a query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from ..french.analysis import analyze
from ..french.thesaurus import Entry, Thesaurus, is_acronym

SYNONYM_WEIGHT = 0.5  # a synonym's match counts half of the word typed: exact matches rank first


@dataclass(frozen=True)
class Expansion:
    """Typed words that go together: every word must match (through any of its alternative terms), or any synonym
    must; an acronym typed in capitals also matches its exact written form."""

    words: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...]  # per word: the terms it may match (one of them)
    acronyms: tuple[str, ...] = ()
    synonyms: tuple[Entry, ...] = ()


def expand(words: Sequence[str], restore: Callable[[str], Sequence[str]], thesaurus: Thesaurus | None,
           expand_synonyms: bool = True) -> list[Expansion]:
    """The expansions of consecutive typed words, in order; words that are only stop words are left out.

    `restore(word)` gives the written forms the library knows for a word (itself first).
    """
    kept: list[tuple[str, tuple[str, ...]]] = []
    for word in words:
        terms: dict[str, None] = {}
        for form in restore(word):
            terms.update(dict.fromkeys(analyze(form)))
        if terms:
            kept.append((word, tuple(terms)))
    found: list[Expansion] = []
    primary = [terms[0] for _, terms in kept]
    start = 0
    while start < len(kept):
        match = thesaurus.match(primary, start) if thesaurus is not None and expand_synonyms else None
        size = len(match[1].terms) if match else 1
        span = kept[start:start + size]
        typed = tuple(word for word, _ in span)
        acronyms = tuple(word for word in typed if is_acronym(word))
        synonyms = thesaurus.synonyms(*match) if match and thesaurus is not None else ()
        found.append(Expansion(typed, tuple(terms for _, terms in span), acronyms, synonyms))
        start += size
    return found
