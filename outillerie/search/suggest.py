"""When a query finds nothing: which typed words are in no sheet, and the query with those words corrected (a
close word of the titles, summaries and tags, or of the thesaurus; two words that the library writes as one).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable

from ..french.analysis import analyze, fold, written_forms
from ..french.thesaurus import is_acronym

if TYPE_CHECKING:
    from ..french.thesaurus import Thesaurus
    from .engine import IndexSearcher

OPERATORS = frozenset({"ET", "OU", "SAUF", "AND", "OR", "NOT", "ANDNOT"})
WORD = re.compile(r"(?<![\w-])[^\W\d_][\w'’·.-]*")
_SYNTAX = re.compile(r"[\"()+]|(?:^|\s)-\S|(?:^|\s)(?:ET|OU|SAUF|AND|OR|NOT|ANDNOT)(?:\s|$)")


def typed_words(text: str) -> list[re.Match[str]]:
    """The words of a query a person may have mistyped: no operator, no prefix*, no excluded -word, no stop word."""
    return [m for m in WORD.finditer(text) if m.group() not in OPERATORS and "*" not in m.group()
            and not text[:m.start()].endswith("-") and analyze(m.group())]


def missing_words(searcher: IndexSearcher, text: str) -> tuple[str, ...]:
    """The typed words that no sheet holds (with or without accents, singular or plural)."""
    return tuple(dict.fromkeys(m.group() for m in typed_words(text) if not searcher.known(m.group())))


def relaxable(text: str) -> bool:
    """True for plain words, which may then match « the more the better »; never for a query with operators,
    phrases, groups, + or -: those say exactly what they want."""
    return not _SYNTAX.search(text) and len(typed_words(text)) > 1


def corrected(searcher: IndexSearcher, text: str, thesaurus: Thesaurus | None) -> str | None:
    """The query with each unknown word replaced by a close known one (or joined to its neighbour when the two
    make one known word: « chat gpt » → « chatgpt »), or None when no word could be corrected."""
    words = typed_words(text)
    extra = thesaurus.words if thesaurus is not None else frozenset()
    replaced: list[tuple[int, int, str]] = []
    skip = -1
    for number, match in enumerate(words):
        if number <= skip or searcher.known(match.group()) or fold(match.group().lower()) in extra or \
                is_acronym(match.group()):  # a word of the thesaurus, or a sigle, is no typo: none of the sheets has it
            continue
        joined = _joined(searcher, text, words, number)
        if joined is not None:
            replaced.append(joined[:3])
            skip = joined[3]
            continue
        close = searcher.suggest(match.group(), extra)
        if close:
            replaced.append((match.start(), match.end(), close))
    return _replace(text, replaced) if replaced else None


def _joined(searcher: IndexSearcher, text: str, words: list[re.Match[str]],
            number: int) -> tuple[int, int, str, int] | None:
    """An unknown word glued to the next or the previous word, when the whole is a known word."""
    for first, last in ((number, number + 1), (number - 1, number)):
        if first < 0 or last >= len(words) or text[words[first].end():words[last].start()].strip():
            continue
        whole = words[first].group() + words[last].group()
        if searcher.known(whole):
            return words[first].start(), words[last].end(), fold(whole), last
    return None


def _replace(text: str, pieces: list[tuple[int, int, str]]) -> str:
    for start, end, word in sorted(pieces, reverse=True):
        text = text[:start] + word + text[end:]
    return text


def as_written(text: str, typed: str, sources: Iterable[str]) -> str:
    """The corrected query with each corrected word given back its accents, as the sheet found (or the thesaurus)
    writes it (« mediation » → « médiation »); the words typed stay as typed."""
    written = {fold(form): form for source in sources for form in written_forms(source)}
    kept = {fold(m.group()) for m in WORD.finditer(typed)}
    return WORD.sub(lambda m: m.group() if fold(m.group()) in kept else written.get(fold(m.group()), m.group()), text)
