"""The French analyzer shared by indexing, queries and the site's index: words, elisions, inclusive writing,
folded accents, stop words and Snowball stems, so that `elus`, `élus` and `élu·e·s` meet.

Plain Python: the search engine wraps `tokens` in its own analyzer type (search/engine.py).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

import snowballstemmer

# Bump when a change here gives different terms: search/index.py stores it in its format stamp,
# so an index built with older rules is rebuilt instead of silently missing matches.
ANALYZER_VERSION = 2

# Elided articles, pronouns and conjunctions, dropped before the word they lean on.
ELISIONS = frozenset("l d qu jusqu lorsqu puisqu quoiqu j m n s t c".split())

# Lexicalised words whose apostrophe is part of the word (folded, with a straight apostrophe).
LEXICALISED = frozenset(
    """aujourd'hui presqu'ile presqu'iles quelqu'un quelqu'une quelqu'uns quelqu'unes
    prud'homme prud'hommes prud'homal prud'homale prud'homales prud'homaux prud'homie""".split()
)

# Endings that a "." may join (élu.e.s); "·", "•", "‧" and "⋅" join any letters.
INCLUSIVE_ENDINGS = (
    "e es s rice rices trice trices ice ices euse euses ère ères ière ières"
    " ale ales le les te tes ne nes"
).split()

# Frequent function words missing from Snowball's French list. Never the query operators
# (ET, OU, SAUF): the parser reads them before analysis, and "sauf" stays searchable.
# Not "tout"/"tous"/"toute"/"toutes" either: `tou·te·s` must still give terms.
_MORE_STOP_WORDS = """
    les ils elles leurs
    ça cela ceci celui celle celles ceux cet cette ici
    dont où quoi quand comment quel quelle quels quelles
    lequel laquelle lesquels lesquelles duquel auquel auxquels auxquelles
    si ni car donc aussi ainsi alors puis déjà très peu
    sans sous vers chez entre selon afin dès depuis pendant avant après contre parmi malgré
"""

_APOSTROPHES = "'’ʼ"
_SEPARATORS = "·•‧⋅"
_MARKS = "\u0300-\u036f"  # combining accents: text pasted in NFD must not split words
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})
_TO_MIDDLE_DOT = str.maketrans({".": "·", "•": "·", "‧": "·", "⋅": "·"})


def fold(text: str) -> str:
    """Lowercase, expand œ/æ and strip accents, so a word typed without accents matches."""
    text = text.lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text.translate(_LIGATURES))
    # Only nonspacing marks (JavaScript: /\p{Mn}/gu), so the site can mirror this exactly.
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", stripped)


def _snowball_stop_words() -> list[str]:
    text = (Path(__file__).parent.parent / "data" / "stopwords-fr.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


STOP_WORDS = frozenset(fold(word) for word in (*_snowball_stop_words(), *_MORE_STOP_WORDS.split()))


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation that tries longer words first."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _word_pattern() -> re.Pattern[str]:
    """Words, with their apostrophes and inclusive separators kept inside."""
    run = rf"[^\W_](?:[^\W_]|[{_MARKS}])*"
    join = rf"[{_SEPARATORS}]{run}"
    end = rf"(?![^\W_]|[{_MARKS}])"
    # "." joins only a lowercase ending after a letter (élu.e.s), or an uppercase ending
    # after an uppercase letter (ÉLU.E.S): `1.10` and `fin.Début` stay two words.
    endings = [*INCLUSIVE_ENDINGS, *map(fold, INCLUSIVE_ENDINGS)]  # usager.ere.s too
    lower_dot = rf"(?<=[^\W\d_]|[{_MARKS}])\.(?:{_alternation(endings)}){end}"
    upper_letters = "".join(
        re.escape(c) for c in map(chr, range(0x41, 0x250)) if c.isupper()
    )
    upper_endings = _alternation(e.upper() for e in endings)
    upper_dot = rf"(?<=[{upper_letters}])\.(?:{upper_endings}){end}"
    piece = rf"{run}(?:{join}|{lower_dot}|{upper_dot})*"
    return re.compile(rf"{piece}(?:[{_APOSTROPHES}]{piece})*")


_WORD = _word_pattern()
_PIECE = re.compile(rf"[^{_APOSTROPHES}]+")


def _words(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield (word, start, end): elisions dropped, lexicalised forms and inclusive forms whole."""
    for match in _WORD.finditer(text):
        word = match.group()
        start = match.start()
        if not any(a in word for a in _APOSTROPHES):
            yield word.translate(_TO_MIDDLE_DOT), start, match.end()
            continue
        pieces = [(p.group(), start + p.start(), start + p.end()) for p in _PIECE.finditer(word)]
        while len(pieces) > 1 and fold(pieces[0][0]) in ELISIONS:
            pieces.pop(0)
        joined = "'".join(p[0] for p in pieces)
        if len(pieces) > 1 and fold(joined) in LEXICALISED:
            yield joined, pieces[0][1], pieces[-1][2]
            continue
        # Any other apostrophe (rock'n'roll, Google's) separates words, as Whoosh does.
        for piece, piece_start, piece_end in pieces:
            yield piece.translate(_TO_MIDDLE_DOT), piece_start, piece_end


# Feminine ending -> (suffix of the masculine, its replacement), tried in order; folded.
_FEMININE_RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "rice": (("eur", "rice"),),  # médiateur·rice
    "trice": (("teur", "trice"), ("eur", "trice")),  # animateur·trice
    "ice": (("eur", "rice"),),  # acteur·ice
    "euse": (("eur", "euse"), ("eux", "euse")),  # travailleur·euse
    "ere": (("er", "ere"),),  # usager·ère
    "iere": (("ier", "iere"), ("er", "iere")),  # premier·ière
    "ale": (("aux", "ale"), ("al", "ale")),  # sociaux·ales
    "se": (("x", "se"), ("eur", "euse")),  # heureux·se
    "ve": (("f", "ve"),),  # sportif·ve
    "elle": (("eau", "elle"),),  # nouveau·elle
}
# Singular endings (folded) that stand for a feminine even when no rule fits the base.
_KNOWN_ENDINGS = frozenset(fold(e) for e in INCLUSIVE_ENDINGS if not e.endswith("s"))


def _plural(word: str) -> str:
    """The regular plural: élu → élus, nouveau → nouveaux, sociaux unchanged."""
    if word.endswith(("s", "x", "z")):
        return word
    if word.endswith(("au", "eu")):
        return word + "x"
    return word + "s"


def _feminine(base: str, ending: str) -> str | None:
    """The feminine form the ending stands for, or None when the ending is a word of its own."""
    for suffix, replacement in _FEMININE_RULES.get(ending, ()):
        if base.endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)] + replacement
    if ending in _KNOWN_ENDINGS or len(ending) < 4:
        return base + ending  # élu·e, citoyen·ne, chef·fe
    return None  # il·elle, ceux·celles: two words


def _expand_inclusive(word: str) -> list[str]:
    """The full words a folded inclusive form stands for (médiateur·rice·s → two words)."""
    base, *segments = word.split("·")
    plural = False
    feminine: str | None = None
    others: list[str] = []
    for segment in segments:
        if segment == "s":
            plural = True
            continue
        if segment.endswith("s") and (
            segment[:-1] in _KNOWN_ENDINGS or segment[:-1] in _FEMININE_RULES
        ):
            plural, segment = True, segment[:-1]
        form = _feminine(base, segment)
        if form is None:
            others.append(segment)
        else:
            feminine = form
    forms = [base] + ([feminine] if feminine else []) + others
    if plural:
        forms = [_plural(f) for f in forms]
    return list(dict.fromkeys(forms))


_STEMMER = snowballstemmer.stemmer("french")


# Endings Snowball French leaves apart once accents are folded: (suffix, replacement, shortest
# word, unless it ends so). The floors keep a singular and its plural on the same side.
_ENDING_RULES = (
    ("ees", "e", 6, ""),  # sensibilisées → sensibilise, like sensibiliser
    ("ee", "e", 5, ""),  # sensibilisée
    ("eres", "er", 7, ""),  # conseillères → conseiller, like conseiller
    ("ere", "er", 6, ""),  # conseillère, usagère, première
    ("ers", "er", 5, "iers"),  # conseillers, usagers (Snowball keeps their s; not tiers)
    ("us", "u", 4, "ous"),  # élus → élu (Snowball keeps an s after u; not tous, nous)
)
# Plurals in -eux/-aux of words Snowball keeps apart from their singular.
_IRREGULAR_PLURALS = {
    "lieux": "lieu", "milieux": "milieu", "jeux": "jeu", "enjeux": "enjeu", "feux": "feu",
    "voeux": "voeu", "cheveux": "cheveu", "neveux": "neveu", "aveux": "aveu", "travaux": "travail",
}


@functools.lru_cache(maxsize=65536)  # pure function; the same words come back all the time
def _stem(word: str) -> str:
    """Snowball French on a folded word, after the plural and ending rules above."""
    word = _IRREGULAR_PLURALS.get(word, word)
    for suffix, replacement, floor, unless in _ENDING_RULES:
        if len(word) >= floor and word.endswith(suffix):
            if not (unless and word.endswith(unless)):
                word = word[: -len(suffix)] + replacement
            break
    return str(_STEMMER.stemWord(word))


class Term(NamedTuple):
    """One index term: its position (words, stop words skipped), its text, and the characters it came from."""

    position: int
    text: str
    start: int
    end: int
    stopped: bool = False


def tokens(text: str, *, whole: bool = False, keep_stops: bool = False, stem: bool = True) -> Iterator[Term]:
    """The terms of a text, in order: words folded, inclusive forms expanded at one position, stop words and
    single letters dropped (or marked, with `keep_stops`), stems (or the folded words, without `stem`, for
    spelling); a word never gives the same term twice. The first term keeps its word's number as position, the
    next words count on from it.

    `whole` takes the text as one word (what an engine asks for a prefix or a phrase part).
    """
    words = iter([(text, 0, len(text))]) if whole else _words(text)
    position: int | None = None
    for number, (word, start, end) in enumerate(words):
        folded = fold(word)
        forms = _expand_inclusive(folded) if "·" in folded else [folded]
        seen: set[str] = set()
        for form in forms:
            stop = form in STOP_WORDS or (len(form) < 2 and not form.isdigit())
            if stop and not keep_stops:
                continue
            if not seen:
                position = number if position is None else position + 1
            assert position is not None
            term = _stem(form) if stem and not stop else form
            if term in seen:
                continue
            seen.add(term)
            yield Term(position, term, start, end, stop)


def surface_words(text: str) -> list[str]:
    """The folded whole words of a text, elisions dropped and inclusive forms expanded (before stop words and stems)."""
    found: list[str] = []
    for word, _, _ in _words(text):
        folded = fold(word)
        found.extend(_expand_inclusive(folded) if "·" in folded else [folded])
    return found


def analyze(text: str) -> list[str]:
    """The terms of a text, in order, as the index stores them."""
    return [term.text for term in tokens(text)]
