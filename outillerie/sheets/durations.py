"""Durations as people write them (90, 1h30, 45 min, une demi-journée) and as we print them (1 h 30).

Apart from sheets.py so that the CLI and search results can use them without loading YAML.
"""

from __future__ import annotations

import re
from typing import Any

DAY_MINUTES = 420  # « 1 journée » : 7 heures d'atelier
# A duration typed in a query (« 1h30 », « moins d'une heure », « une demi-journée ») read as a filter.
NUMBER_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "dix": 10,
    "quinze": 15, "vingt": 20, "trente": 30, "quarante": 40, "quarante-cinq": 45, "cinquante": 50, "soixante": 60,
}
_NUMBER = rf"(?:\d{{1,3}}|{'|'.join(sorted(NUMBER_WORDS, key=len, reverse=True))})"
_AMOUNT = (
    rf"(?P<hours>{_NUMBER})\s*(?:h|heures?)(?:\s*(?P<mins>\d{{1,2}})(?:\s*(?:min|minutes?))?|(?P<half>\s+et\s+demie))?"
    rf"|(?P<minutes>{_NUMBER})\s*(?:min|mn|minutes?)"
    r"|(?:une\s+|1\s*)?(?P<halfhour>demi-?\s?heure)"
    r"|(?:une\s+|1\s*)?(?P<halfday>demi-?\s?journee)"
    r"|(?:une\s+|1\s*)?(?P<day>journee)(?:\s+(?:entiere|complete))?"
)
DURATION_WORDS = (  # read by search/intent.py, and by the site (as a JavaScript pattern)
    rf"(?<![\w'])(?P<before>(?:moins|plus)\s+d(?:e\s+|')|au\s+(?:plus|moins|maximum|minimum)\s+|en\s+|maxi?(?:mum)?\s+"
    rf"|mini?(?:mum)?\s+|pas\s+plus\s+d(?:e\s+|'))?(?:{_AMOUNT})"
    r"(?P<after>\s+(?:max(?:imum)?|maxi|au\s+plus|ou\s+moins|min(?:imum)?|au\s+moins|ou\s+plus))?(?![\w'])")
HALF_DAY = (121, 210)  # the duration facet's band « De 2 h à une demi-journée »
DAY = 211  # more than half a day: a whole day
MAX_MINUTES = 5 * 24 * 60  # 7 200: more than five days is no workshop (and the index stores 32-bit numbers)


def parse_duration(value: Any) -> int:
    """Minutes from `90`, `"90 min"`, `"1h30"`, `"2 h"`, `"1 journée"` (420) or `"une demi-journée"` (210)."""
    if isinstance(value, bool) or value is None:
        raise ValueError("attendu un nombre de minutes")
    if isinstance(value, int):
        minutes = value
    elif isinstance(value, str):
        minutes = _parse_duration_text(value)
    else:
        raise ValueError("attendu un nombre entier de minutes")
    if minutes <= 0:
        raise ValueError("la durée doit être positive")
    if minutes > MAX_MINUTES:
        raise ValueError(f"{minutes} min dépasse 5 jours ({MAX_MINUTES} min), la limite d'un atelier")
    return minutes


def _parse_duration_text(text: str) -> int:
    key = text.strip().lower().replace("\u00a0", " ")
    if len(key) > 40:  # no duration is written so long; and int() refuses numbers of thousands of digits
        raise ValueError("ce texte n'est pas une durée comprise")
    if re.fullmatch(r"\d+", key):
        return int(key)
    match = re.fullmatch(r"(\d+)\s*(?:min|mn|minutes?)\.?", key)
    if match:
        return int(match.group(1))
    match = re.fullmatch(r"(\d+)\s*(?:h|heures?)\s*(?:(\d{1,2})\s*(?:min|mn|minutes?)?)?", key)
    if match:
        return int(match.group(1)) * 60 + int(match.group(2) or 0)
    match = re.fullmatch(r"(une|1)?\s*(demi-|1/2\s*)?(?:journée|journee|jour)", key)
    if match:
        return DAY_MINUTES // 2 if match.group(2) else DAY_MINUTES
    raise ValueError(f"« {text} » n'est pas une durée comprise")


def format_duration(minutes: int) -> str:
    """A duration as people write it: 45 min, 1 h 30, 7 h."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"
