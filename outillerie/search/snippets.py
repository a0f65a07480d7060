"""Snippets: the passage of a long text where the query's terms meet, and its matched words marked.

Plain Python over french.analysis, in time linear in the text (a sheet may be a megabyte of one repeated word).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Iterable, Sequence

from ..french.analysis import tokens

_MARKS = re.compile("[\u0300-\u036f]")


def _densest_start(spots: Sequence[tuple[int, int, str]], width: int) -> int:
    """The index of the spot that starts the `width` characters holding the most distinct terms (the first such):
    one pass with two pointers, where comparing every spot with every other took minutes on a long text."""
    best, best_count = 0, 0
    seen: Counter[str] = Counter()
    last = 0
    for first, (start, _, _) in enumerate(spots):
        while last < len(spots) and spots[last][0] < start + width:
            seen[spots[last][2]] += 1
            last += 1
        if len(seen) > best_count:
            best, best_count = first, len(seen)
        seen[spots[first][2]] -= 1
        if not seen[spots[first][2]]:
            del seen[spots[first][2]]
    return best


def _fragments(spots: Sequence[tuple[int, int, str]], width: int) -> list[list[tuple[int, int, str]]]:
    """The matches cut into consecutive groups spanning at most `width` characters each (greedy, in order)."""
    groups: list[list[tuple[int, int, str]]] = []
    for spot in spots:
        if groups and spot[1] - groups[-1][0][0] <= width:
            groups[-1].append(spot)
        else:
            groups.append([spot])
    return groups


def passage(text: str, terms: frozenset[str], width: int = 220) -> str:
    """The part of a long text where most of the terms meet, so only it is cleaned and analysed for a snippet
    (found on folded text: a stem starts its words)."""
    if len(text) <= 3 * width or not terms:
        return text if len(text) <= 6 * width else text[: 6 * width]
    folded = _MARKS.sub("", unicodedata.normalize("NFD", text.lower()))  # fold() in C: offsets stay put
    if len(folded) != len(text):
        folded = text.lower()
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + ")")
    spots = [(match.start(), match.end(), match.group()) for match in pattern.finditer(folded)]
    if not spots:
        return text[: 6 * width]
    best = spots[_densest_start(spots, width)][0]
    # Cut at spaces, looked for no further than `width` away: a line without spaces still gives a short passage.
    low, high = max(0, best - width // 2), best + width + width // 2
    space = text.rfind(" ", max(0, low - width), low)
    start = space + 1 if space >= 0 else low
    space = text.find(" ", high, high + width)
    return text[start: space if space >= 0 else high]


def highlight(text: str, terms: Iterable[str], width: int = 220) -> list[tuple[str, bool]]:
    """The best passage of `text` for these index terms, as (piece, matched) pairs; [] when no term is in it."""
    termset = frozenset(terms)
    if not termset:
        return []
    spots = [(term.start, term.end, term.text) for term in tokens(text) if term.text in termset]
    if not spots:
        return []
    # The group with the most distinct terms, then the most matches, then the first; shown with some context
    # before it, `width` characters in all (cut at spaces), as Whoosh's context fragments were.
    surround = width // 3
    chosen = max(_fragments(spots, width - surround), key=lambda group: (len({spot[2] for spot in group}), len(group)))
    start = max(0, chosen[0][0] - surround)
    end = min(len(text), max(start + width, chosen[-1][1]))
    if start > 0:
        space = text.find(" ", start, chosen[0][0])
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", chosen[-1][1], end)
        end = space if space >= 0 else end
    pieces: list[tuple[str, bool]] = []
    cursor = start
    for spot_start, spot_end, _ in (spot for spot in spots if start <= spot[0] and spot[1] <= end):
        if spot_start < cursor:
            continue
        if spot_start > cursor:
            pieces.append((text[cursor:spot_start], False))
        pieces.append((text[spot_start:spot_end], True))
        cursor = spot_end
    if cursor < end:
        pieces.append((text[cursor:end], False))
    return pieces
