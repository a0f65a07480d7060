"""Query words that are filters: a duration typed in words (« 1h », « 2 heures », « moins d'une heure », « une
demi-journée ») becomes the duration filter; a public or a level typed as a word (« élus », « débutants ») is still
searched, and the filter that would keep only those sheets is suggested. Plain Python, no engine.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable, NamedTuple

from ..french.analysis import fold, surface_words, written_forms
from ..sheets.durations import DAY, DURATION_WORDS, HALF_DAY, NUMBER_WORDS
from ..sheets.vocabulary import Vocabulary

# Every duration phrase holds one of these (h, heure, min, mn, minute, journée): the pattern, ~1.4 ms to compile,
# is compiled only for a query that holds one (tests/test_search_intent.py holds it to that).
DURATION_MARKS = ("h", "mn", "min", "journee")


@functools.cache
def duration_pattern() -> re.Pattern[str]:
    return re.compile(DURATION_WORDS)


class Intent(NamedTuple):  # a NamedTuple: a dataclass costs ~1 ms at import (see query.Filters)
    """A query read for its filters: the words left to search, the duration bounds, what was understood."""

    text: str
    min_duration: int | None = None
    max_duration: int | None = None
    durations: tuple[str, ...] = ()  # the phrases taken as a duration, as typed
    hints: tuple[tuple[str, str, str], ...] = ()  # (phrase typed, option, value): a filter worth suggesting


def _minutes(match: re.Match[str]) -> tuple[int | None, int | None]:
    """The (min, max) a duration phrase means: an amount alone is an upper bound, « plus de » a lower one."""
    value = match.groupdict()
    if value["halfday"]:
        low, high = HALF_DAY
        return (low, high) if not value["before"] else (None, high) if "moins" in value["before"] else (low, None)
    if value["day"]:
        return DAY, None
    if value["halfhour"]:
        amount = 30
    elif value["minutes"]:
        amount = _number(value["minutes"])
    else:
        amount = _number(value["hours"]) * 60 + (int(value["mins"]) if value["mins"] else 30 if value["half"] else 0)
    before, after = (value["before"] or "").strip(), (value["after"] or "").strip()
    if before.startswith("plus") or before in ("au moins", "au minimum") or before.startswith("min") or \
            after.startswith(("min", "au moins", "ou plus")):
        return (amount + 1 if before.startswith("plus") else amount), None
    return None, (amount - 1 if before.startswith("moins") else amount)


def _number(text: str) -> int:
    return int(text) if text.isdigit() else NUMBER_WORDS[text]


def read_intent(text: str, vocabulary: Vocabulary) -> Intent:
    """The query with its duration phrases taken out as bounds, and the public or level filters it suggests."""
    folded = fold(text)
    if len(folded) != len(text):  # œ → oe: offsets would not match the typed text; read durations on it alone
        folded = text.lower()
    low: int | None = None
    high: int | None = None
    understood: list[str] = []
    kept = []
    cursor = 0
    for match in _durations(folded):
        least, most = _minutes(match)
        if most is not None and most < 1:
            continue
        low = least if least is not None and (low is None or least > low) else low
        high = most if most is not None and (high is None or most < high) else high
        understood.append(" ".join(text[match.start():match.end()].split()))
        kept.append(text[cursor:match.start()])
        cursor = match.end()
    kept.append(text[cursor:])
    rest = " ".join(" ".join(kept).split())
    return Intent(rest, low, high, tuple(understood), _hints(rest, vocabulary))


def _durations(folded: str) -> Iterable[re.Match[str]]:
    return duration_pattern().finditer(folded) if any(mark in folded for mark in DURATION_MARKS) else ()


def _hints(text: str, vocabulary: Vocabulary) -> tuple[tuple[str, str, str], ...]:
    """Publics and levels named in the words (« élus », « débutants », « agents d'accueil »), as filters to offer.

    A label is also read in its parts (« Élus et décideurs »: « élus », « décideurs »): nobody types it whole."""
    written = written_forms(text)
    words = [fold(word) for word in written]
    found: dict[str, tuple[str, str, str]] = {}
    for kind, option in (("audiences", "--public"), ("levels", "--level")):
        for slug, term in vocabulary.terms(kind).items():
            for phrase in (slug.replace("-", " "), term.label, *term.label.split(" et ")):
                wanted = surface_words(phrase)
                size = len(wanted)
                for start in range(len(words) - size + 1):
                    if size and slug not in found and \
                            all(_same(a, b) for a, b in zip(words[start:start + size], wanted)):
                        found[slug] = (" ".join(written[start:start + size]), option, slug)
    return tuple(found.values())


def _same(typed: str, written: str) -> bool:
    """One word against a vocabulary word, singular or plural alike (élu, élus; débutant, débutants)."""
    return typed == written or (typed.rstrip("s") == written.rstrip("s") and len(written) > 2)
