"""The French analyzer shared by indexing, queries and the site's index: words, elisions, inclusive writing,
stop words, Snowball stems of the written word, then folded accents, so that `élus` and `élu·e·s` meet (and
`elus`, once search has given it the accents the library writes: see `accent_key`).

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
ANALYZER_VERSION = 3  # 3: Snowball reads the written word, accents folded afterwards

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
_APOSTROPHE = re.compile(rf"[{_APOSTROPHES}]").search  # one C call per word, not a generator over the apostrophes


def _words(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield (word, start, end): elisions dropped, lexicalised forms and inclusive forms whole."""
    for match in _WORD.finditer(text):
        start = match.start()
        for piece, piece_start, piece_end in _pieces(match.group()):
            yield piece, start + piece_start, start + piece_end


def _word_texts(text: str) -> Iterator[tuple[str, int, int]]:
    """`_words` without the text's places (each word's are within the match): what an index of word positions needs,
    read by one C call per text instead of a match object per word (a fifth of a rebuild's time went to `_words`)."""
    for word in _WORD.findall(text):  # the pattern has no capturing group: whole matches
        yield from _pieces(word)


@functools.lru_cache(maxsize=1 << 15)  # pure; the frequent words come back in every sheet (~10 MB at most)
def _pieces(word: str) -> tuple[tuple[str, int, int], ...]:
    """The words one match of _WORD stands for, with their places in it: elisions dropped, a lexicalised form
    (aujourd'hui) whole; any other apostrophe (rock'n'roll, Google's) separates words, as Whoosh does."""
    if _APOSTROPHE(word) is None:
        return ((word.translate(_TO_MIDDLE_DOT), 0, len(word)),)
    pieces = [(p.group(), p.start(), p.end()) for p in _PIECE.finditer(word)]
    while len(pieces) > 1 and fold(pieces[0][0]) in ELISIONS:
        pieces.pop(0)
    joined = "'".join(p[0] for p in pieces)
    if len(pieces) > 1 and fold(joined) in LEXICALISED:
        return ((joined, pieces[0][1], pieces[-1][2]),)
    return tuple((piece.translate(_TO_MIDDLE_DOT), start, end) for piece, start, end in pieces)


# Feminine ending -> (suffix of the masculine, its replacement), tried in order; folded. A replacement that is
# the ending itself takes the ending as written (usager·ère -> usagère, with its accent).
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
    """The feminine form the (written) ending stands for, or None when the ending is a word of its own."""
    key = fold(ending)
    for suffix, replacement in _FEMININE_RULES.get(key, ()):
        if base.endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)] + (ending if replacement == key else replacement)
    if key in _KNOWN_ENDINGS or len(key) < 4:
        return base + ending  # élu·e, citoyen·ne, chef·fe
    return None  # il·elle, ceux·celles: two words


def _expand_inclusive(word: str) -> list[str]:
    """The full words a lowercase inclusive form stands for, accents kept (médiateur·rice·s → two words)."""
    base, *segments = word.split("·")
    plural = False
    feminine: str | None = None
    others: list[str] = []
    for segment in segments:
        if segment == "s":
            plural = True
            continue
        key = fold(segment)
        if key.endswith("s") and (key[:-1] in _KNOWN_ENDINGS or key[:-1] in _FEMININE_RULES):
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

# Endings Snowball French keeps apart from their singular or masculine: (suffix, replacement, shortest word,
# unless it ends so). Written and folded spellings, since a sheet or a query may lack its accents.
_ENDING_RULES = (
    ("ères", "er", 7, ""),  # conseillères → conseiller, like conseiller
    ("ère", "er", 6, ""),  # conseillère, usagère
    ("eres", "er", 7, ""),
    ("ere", "er", 6, ""),
    ("ées", "ée", 6, ""),  # sensibilisées → sensibilisée
    ("ees", "e", 6, ""),  # sensibilisees → sensibilise, like sensibiliser
    ("ee", "e", 5, ""),
    ("ers", "er", 5, "iers"),  # conseillers, usagers (Snowball keeps their s; not tiers)
    ("us", "u", 4, "ous"),  # élus → élu (Snowball keeps an s after u; not tous, nous)
)
# Plurals in -eux/-aux of words Snowball keeps apart from their singular (folded).
_IRREGULAR_PLURALS = {
    "lieux": "lieu", "milieux": "milieu", "jeux": "jeu", "enjeux": "enjeu", "feux": "feu",
    "voeux": "voeu", "cheveux": "cheveu", "neveux": "neveu", "aveux": "aveu", "travaux": "travail",
}


@functools.lru_cache(maxsize=1 << 17)  # pure; the same words come back in every sheet
def _stem(word: str) -> str:
    """Snowball French on the written (lowercase) word after the ending rules above, then folded."""
    word = _IRREGULAR_PLURALS.get(fold(word), word)
    for suffix, replacement, floor, unless in _ENDING_RULES:
        if len(word) >= floor and word.endswith(suffix):
            if not (unless and word.endswith(unless)):
                word = word[: -len(suffix)] + replacement
            break
    return fold(str(_STEMMER.stemWord(word)))


class Term(NamedTuple):
    """One index term: its position (words, stop words skipped), its text, and the characters it came from."""

    position: int
    text: str
    start: int
    end: int
    stopped: bool = False


@functools.lru_cache(maxsize=1 << 17)
def _word_terms(word: str, stem: bool) -> tuple[tuple[str, bool], ...]:
    """The (term, is a stop word) pairs of one word as written, in order, each term once."""
    lower = word.lower()
    forms = _expand_inclusive(lower) if "·" in lower else [lower]
    found: dict[str, bool] = {}
    for form in forms:
        folded = fold(form)
        stop = folded in STOP_WORDS or (len(folded) < 2 and not folded.isdigit())
        term = _stem(form) if stem and not stop else folded
        found.setdefault(term, stop)
    return tuple(found.items())


def tokens(text: str, *, whole: bool = False, keep_stops: bool = False, stem: bool = True,
           places: bool = True) -> Iterator[Term]:
    """The terms of a text, in order: stems of the written words, folded afterwards (or the folded words, without
    `stem`, for spelling); inclusive forms expanded at one position; stop words and single letters dropped (or
    marked, with `keep_stops`); a word never gives the same term twice. The first term keeps its word's number as
    position, the next words count on from it.

    `whole` takes the text as one word (what an engine asks for a prefix or a phrase part). Without `places`, a
    term's start and end are not its place in the text (an index of positions only: faster).
    """
    words = iter([(text, 0, len(text))]) if whole else _words(text) if places else _word_texts(text)
    position: int | None = None
    for number, (word, start, end) in enumerate(words):
        first = True
        for term, stop in _word_terms(word, stem):
            if stop and not keep_stops:
                continue
            if first:
                position = number if position is None else position + 1
                first = False
            assert position is not None
            yield Term(position, term, start, end, stop)


def word_terms(text: str) -> Iterator[tuple[list[str], tuple[tuple[str, bool], ...]]]:
    """Each word of a text with its written forms (as `written_forms` gives them) and its (term, is a stop word)
    pairs (as `tokens` reads them), in one reading: for the site's search index, which needs both."""
    for word, _, _ in _word_texts(text):
        yield _forms(word), _word_terms(word, True)


def written_forms(text: str) -> list[str]:
    """The whole words of a text in lowercase, accents kept, elisions dropped and inclusive forms expanded."""
    return [form for word, _, _ in _word_texts(text) for form in _forms(word)]


def _forms(word: str) -> list[str]:
    lower = word.lower()
    return _expand_inclusive(lower) if "·" in lower else [lower]


def surface_words(text: str) -> list[str]:
    """The folded whole words of a text, elisions dropped and inclusive forms expanded (before stop words and stems)."""
    return [fold(form) for form in written_forms(text)]


def analyze(text: str) -> list[str]:
    """The terms of a text, in order, as the index stores them."""
    return [term.text for term in tokens(text)]


@functools.lru_cache(maxsize=1 << 16)
def accent_key(form: str) -> str | None:
    """For a written form whose accents change its stem (activité → activ, activite → activit), the entry
    « activite:activité » that lets a query typed without accents find it; None for any other form."""
    folded = fold(form)
    if folded == form or ":" in form or _stem(folded) == _stem(form):
        return None
    return f"{folded}:{form}"
