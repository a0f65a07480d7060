"""The French analyzer shared by indexing and queries: words, elisions, inclusive writing,
folded accents, stop words and Snowball stems, so that `elus`, `élus` and `élu·e·s` meet.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.analysis import Analyzer, Filter, Token, Tokenizer
from whoosh.lang import stopwords_for_language
from whoosh.lang.snowball.french import FrenchStemmer

# Bump when a change here gives different terms: index.py stores it in its format stamp,
# so an index built with older rules is rebuilt instead of silently missing matches.
ANALYZER_VERSION = 1

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

# Frequent function words missing from Whoosh's French list. Never the query operators
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


STOP_WORDS = frozenset(
    fold(word) for word in (*stopwords_for_language("fr"), *_MORE_STOP_WORDS.split())
)


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


_STEMMER = FrenchStemmer()


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
    return _STEMMER.stem(word)


class FrenchTokenizer(Tokenizer):
    """Splits text into words, dropping elisions and keeping aujourd'hui and élu·e·s whole."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        """Yield one reused Token per word, as Whoosh tokenizers do."""
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        words = _words(value) if tokenize else iter([(value, 0, len(value))])
        for number, (text, start, end) in enumerate(words):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            token.wordno = number  # lets later filters know which tokens came from one word
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + number
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class FoldFilter(Filter):
    """Folds case and accents before anything else looks at the word."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = fold(token.text)
            yield token


class InclusiveFilter(Filter):
    """Replaces an inclusive form by its full words, all at the same position and chars."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            if "·" not in token.text:
                yield token
                continue
            for form in _expand_inclusive(token.text):
                token.text = form
                yield token


class FrenchStopFilter(Filter):
    """Drops stop words and single letters, renumbering positions word by word.

    Whoosh's StopFilter would give the two forms of `élu·e·s` two positions.
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        position: int | None = None
        last_word: int | None = None
        for token in tokens:
            text = token.text
            if text in STOP_WORDS or (len(text) < 2 and not text.isdigit()):
                if not token.removestops:
                    token.stopped = True
                    yield token
                continue
            if token.positions:
                if position is None:
                    position = token.pos
                elif token.wordno != last_word:
                    position += 1
                token.pos = position
            last_word = token.wordno
            token.stopped = False
            yield token


class FrenchStemFilter(Filter):
    """Stems with Snowball French, after the plural and ending rules of `_stem`."""

    is_morph = True

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = _stem(token.text)
            yield token


class DuplicateFilter(Filter):
    """Drops a form already given by the same word (élus and élues both stem to elu)."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        last_word: int | None = None
        seen: set[str] = set()
        for token in tokens:
            if token.wordno != last_word:
                last_word = token.wordno
                seen = set()
            elif token.text in seen:
                continue
            seen.add(token.text)
            yield token


def french_analyzer() -> Analyzer:
    """The analyzer of text fields and their queries; module-level parts, as Whoosh pickles it."""
    return (
        FrenchTokenizer()
        | FoldFilter()
        | InclusiveFilter()
        | FrenchStopFilter()
        | FrenchStemFilter()
        | DuplicateFilter()
    )


def analyze(text: str) -> list[str]:
    """The terms of a text, in order, as the index stores them."""
    return [token.text for token in french_analyzer()(text)]
