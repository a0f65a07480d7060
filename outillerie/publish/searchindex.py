"""The site's full-text index: what `outillerie search` indexes (title, summary, tags, materials, body, supports'
text, labels, acronyms), with the CLI's analyzer, cut into parts the catalogue loads on demand as script files.

The first load holds only what ranks and filters every sheet (facets, quantised field lengths, averages, the
thesaurus); each part `recherche/mots-XX.js` holds the words and postings of the terms that start with XX, and
each part `recherche/fiches-N.js` what a card shows for a slice of sheets. catalogue.js scores with BM25F like
Whoosh (same field weights, idf, length quantisation), so the site and the terminal rank alike.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import re
from collections import Counter
from typing import Any, Iterable, Mapping, Sequence

from ..french import analysis
from ..french.thesaurus import is_acronym, load_thesaurus
from ..sheets.durations import DAY, DURATION_WORDS, HALF_DAY, NUMBER_WORDS, format_duration
from ..sheets.sheet import Sheet
from ..sheets.supports import supports_text
from ..sheets.vocabulary import Vocabulary

# The same fields and weights as search/engine.py (tests/test_site_search.py keeps them equal).
FIELDS = ("title", "summary", "tags", "materials", "body", "supports", "labels", "acronyms")
BOOSTS = (4.0, 2.0, 2.5, 1.0, 1.0, 0.5, 1.0, 1.0)
ACRONYM_FIELD = FIELDS.index("acronyms")
ACRONYM_BOOST = 6.0
SYNONYM_WEIGHT = 0.5
PHRASE = "~"  # the postings of a thesaurus phrase: "~term term", the fields where its terms follow each other
CARDS_PER_PART = 500
LIGHT_LIST = 500  # sheets the catalogue lists without JavaScript; the others on liste-2.html, liste-3.html…
SPELLING = 3  # title, summary, tags: the words `search` proposes for a mistyped one (search/engine.py)
_LENGTHS = [int(round((1.033 ** n - 1) * 27)) for n in range(256)]  # Whoosh's one-byte field lengths
_WORD = re.compile(r"[^\W_]+")
_VARIANT_ENDINGS = ("s", "e", "es", "x")


def quantised(length: int) -> int:
    """A field length as Whoosh reads it back from its one-byte store."""
    return 255 if length >= _LENGTHS[-1] else _LENGTHS[bisect.bisect_left(_LENGTHS, length)]


def field_texts(sheet: Sheet, vocabulary: Vocabulary) -> list[str]:
    """The text of each ranked field, as search/documents.py gives them to the index (`sheet` has its body)."""
    labels = [vocabulary.label("objectives", sheet.objective), *(vocabulary.label("audiences", s) for s in sheet.public),
              *(vocabulary.label("themes", s) for s in sheet.themes)]
    if sheet.level:
        labels.append(vocabulary.label("levels", sheet.level))
    return [sheet.title, sheet.summary, " ; ".join(sheet.tags), " ; ".join(sheet.materials), sheet.body,
            supports_text(sheet), " ; ".join(labels)]


def sheet_search_entry(sheet: Sheet, vocabulary: Vocabulary) -> dict[str, Any]:
    """What the export remembers of one sheet for the index: postings {term: [field, tf, …]}, exact field lengths,
    and its written forms (the word table's keys)."""
    texts = field_texts(sheet, vocabulary)
    postings: dict[str, list[int]] = {}
    lengths = []
    forms: set[str] = set()
    for number, text in enumerate(texts):
        tokens = _terms_and_forms(text, forms)
        terms = [term for _, term in tokens]
        lengths.append(len(terms))
        for term, count in sorted(Counter(terms).items()):
            postings.setdefault(term, []).extend((number, count))
        for phrase in sorted(_phrases_in(tokens)):
            postings.setdefault(PHRASE + " ".join(phrase), []).extend((number, 1))
    every = "\n".join(texts[:6])
    acronyms = list(dict.fromkeys(w for w in _WORD.findall(every) if len(w) <= 10 and not w[1:].islower() and is_acronym(w)))
    for term in acronyms:
        postings.setdefault("@" + term, []).extend((ACRONYM_FIELD, 1))
    lengths.append(len(acronyms))
    spelling = [sorted({t.text for t in analysis.tokens(text, stem=False)}) for text in texts[:SPELLING]]
    return {"post": postings, "len": lengths, "forms": sorted(forms), "spell": spelling}


def _terms_and_forms(text: str, forms: set[str]) -> list[tuple[int, str]]:
    """`analysis.tokens(text)` as (position, term) and, added to `forms`, `analysis.written_forms(text)`, in one reading
    of the text (the body was read twice). Every word gives at least one term when stop words are kept; the positions
    are those `tokens` gives without them (a word of stop words only takes none)."""
    kept: list[tuple[int, str]] = []
    position = -1
    for number, (written, terms) in enumerate(analysis.word_terms(text)):
        forms.update(written)
        counted = False
        for term, stopped in terms:
            if stopped:
                continue
            if not counted:
                position, counted = (number if position < 0 else position + 1), True
            kept.append((position, term))
    return kept


@functools.lru_cache(maxsize=1)
def _thesaurus_phrases() -> dict[str, tuple[tuple[str, ...], ...]]:
    """The synonyms of several words, by their first term: `search` matches them as phrases."""
    found: dict[str, set[tuple[str, ...]]] = {}
    for group in load_thesaurus().groups:
        for entry in group:
            if len(entry.terms) > 1:
                found.setdefault(entry.terms[0], set()).add(tuple(entry.terms))
    return {first: tuple(sorted(phrases)) for first, phrases in found.items()}


def _phrases_in(tokens: Sequence[tuple[int, str]]) -> set[tuple[str, ...]]:
    """The thesaurus' phrases a field holds, their terms at following positions (as Whoosh's Phrase matches)."""
    wanted = _thesaurus_phrases()
    starts = [(position, text) for position, text in tokens if text in wanted]
    if not starts:
        return set()
    at: dict[int, set[str]] = {}
    for position, text in tokens:
        at.setdefault(position, set()).add(text)
    found = set()
    for position, text in starts:
        for phrase in wanted[text]:
            if all(term in at.get(position + i, ()) for i, term in enumerate(phrase)):
                found.add(phrase)
    return found


def part_name(term: str) -> str:
    """The part holding a term or a word: its first two folded characters, spelled safely for a file name."""
    key = analysis.fold(term.lstrip("@~"))[:2].lower().ljust(2, "_")
    return "".join(c if c.isascii() and c.isalnum() or c == "_" else f"-{ord(c):x}" for c in key)


def keys_of(form: str) -> Iterable[tuple[str, list[str]]]:
    """The table entries of a written form: its folded key with its own terms, then the terms of its accented
    spelling (what `search` gives back to a word typed without accents), and its plural/singular variants."""
    folded = analysis.fold(form)
    restored = analysis.analyze(form) if analysis.accent_key(form) and len(folded) >= 3 else []
    yield folded, [*analysis.analyze(folded), *restored]
    for ending in _VARIANT_ENDINGS:
        for variant in (folded + ending, folded[: -len(ending)] if folded.endswith(ending) and len(folded) > len(ending) + 2 else ""):
            if variant:
                yield variant, analysis.analyze(variant)


def build_search_index(sheets: Sequence[Sheet], entries: Sequence[Mapping[str, Any]], vocabulary: Vocabulary,
                       facets: Mapping[str, list[str]]) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    """The first-load index (embedded in the catalogue), the parts {file name: script text}, and the site-wide
    counts that let the next export update these parts instead of building them again (searchparts.py)."""
    postings: dict[str, list[int]] = {}
    for number, entry in enumerate(entries):
        for term, pairs in entry["post"].items():
            target = postings.setdefault(term, [])
            for i in range(0, len(pairs), 2):
                target.extend((number * 8 + pairs[i], pairs[i + 1]))
    forms: Counter[str] = Counter(form for entry in entries for form in entry["forms"])
    candidates = {form: [[key, list(terms)] for key, terms in keys_of(form)] for form in sorted(forms)}
    words = _word_table(candidates, postings)
    shards: dict[str, dict[str, Any]] = {}
    for term, values in postings.items():
        shards.setdefault(part_name(term), {"w": {}, "p": {}})["p"][term] = values
    for word, terms in words.items():
        shards.setdefault(part_name(word), {"w": {}, "p": {}})["w"][word] = terms
    parts = {f"mots-{name}.js": script("mots", name, shard) for name, shard in sorted(shards.items())}
    parts["orthographe.js"] = script("orthographe", "", spelling_words(entries, postings))
    parts.update(card_parts(sheets, vocabulary))
    digests = {name: hashlib.sha256(text.encode("utf-8")).hexdigest() for name, text in parts.items()}
    fixed = fixed_rules()
    first = first_load(sheets, [entry["len"] for entry in entries], facets, sorted(shards), digests, fixed)
    spell = [dict(Counter(word for entry in entries for word in entry.get("spell", [[]] * SPELLING)[field]))
             for field in range(SPELLING)]
    return first, parts, {"terms": sorted(postings), "forms": dict(forms), "candidates": candidates, "spell": spell,
                          "fixed": fixed}


def card_parts(sheets: Sequence[Sheet], vocabulary: Vocabulary) -> dict[str, str]:
    """The parts `fiches-N.js`: what the cards of each slice of sheets show."""
    return {f"fiches-{start // CARDS_PER_PART}.js": script("fiches", str(start // CARDS_PER_PART),
                                                          [card_data(s, vocabulary) for s in sheets[start:start + CARDS_PER_PART]])
            for start in range(0, len(sheets), CARDS_PER_PART)}


def first_load(sheets: Sequence[Sheet], lengths: Sequence[Sequence[int]], facets: Mapping[str, list[str]],
               shards: list[str], digests: Mapping[str, str], fixed: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What the catalogue embeds: each sheet's facets and quantised field lengths, the averages, the parts' names,
    the thesaurus and duration rules (`fixed`, as `fixed_rules` gives them: the previous export's when the code is
    the same); `version` is a digest of every part."""
    count = len(sheets)
    totals = [sum(column) for column in zip(*lengths)] if lengths else [0] * len(FIELDS)
    objective, public, level, theme = ({value: n for n, value in enumerate(facets[name])}
                                       for name in ("objective", "public", "level", "theme"))
    rows = [[objective[sheet.objective], [public[s] for s in sheet.public], sheet.duration,
             level[sheet.level] if sheet.level else -1, [theme[s] for s in sheet.themes], [_QUANTISED(n) for n in length]]
            for sheet, length in zip(sheets, lengths)]  # a loop of 10,000 sheets at each export: kept plain
    version = hashlib.sha256("".join(f"{name}:{digests[name]}\n" for name in sorted(digests)).encode()).hexdigest()
    return {"n": count, "boosts": list(BOOSTS), "acronymBoost": ACRONYM_BOOST, "synonymWeight": SYNONYM_WEIGHT,
            "avg": [(t / count if count else 0) or 1 for t in totals], "rows": rows, "perPart": CARDS_PER_PART,
            "parts": shards, **(fixed or fixed_rules()), "version": version[:12]}


def fixed_rules() -> dict[str, Any]:
    """What the first load holds whatever the sheets: the thesaurus analysed (a third of a second) and the rules of
    durations typed in words."""
    return {"thesaurus": thesaurus_groups(), "thesaurusWords": thesaurus_words(), "durations": duration_rules()}


_QUANTISED = functools.lru_cache(maxsize=None)(quantised)  # few distinct lengths, 80,000 of them at 10,000 sheets


def _word_table(candidates: Mapping[str, list[list[Any]]], postings: Mapping[str, Any]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for form in sorted(candidates):  # sorted: a key reached from several forms lists their terms in one order
        for key, terms in candidates[form]:
            kept = [t for t in terms if t in postings]
            if kept:
                current = table.setdefault(key, [])
                current.extend(t for t in kept if t not in current)
    return table


def spelling_words(entries: Sequence[Mapping[str, Any]], postings: Mapping[str, list[int]]) -> dict[str, Any]:
    """What `search` corrects a word with when a query finds nothing: per spelling field, its folded words, each
    with its frequency as a term of that field (Whoosh ranks close words by it); and the thesaurus' words."""
    fields = []
    for field in range(SPELLING):
        words = sorted({word for entry in entries for word in entry.get("spell", [[]] * SPELLING)[field]})
        frequency = {}
        for word in words:
            values = postings.get(word, [])
            total = sum(values[i + 1] for i in range(0, len(values), 2) if values[i] & 7 == field)
            frequency[word] = total
        fields.append(frequency)
    thesaurus = sorted({analysis.fold(form) for group in load_thesaurus().groups for entry in group
                        for form in analysis.written_forms(entry.text)})
    return {"fields": fields, "thesaurus": thesaurus}


def card_data(sheet: Sheet, vocabulary: Vocabulary) -> list[Any]:
    """What a card shows: slug, title, summary, objective, publics' labels, minutes, level's label."""
    return [sheet.slug, sheet.title, sheet.summary, sheet.objective,
            [vocabulary.label("audiences", s) for s in sheet.public], sheet.duration,
            vocabulary.label("levels", sheet.level) if sheet.level else "", format_duration(sheet.duration)]


@functools.lru_cache(maxsize=1)  # the packaged thesaurus only; the caller embeds it, never changes it
def thesaurus_words() -> dict[str, list[str]]:
    """The terms of every word the thesaurus writes (and its variants), even those no sheet holds: a typed word
    finds its group by them, as `search` finds it by analysing the word."""
    forms = {form for group in load_thesaurus().groups for entry in group for form in analysis.written_forms(entry.text)}
    table: dict[str, list[str]] = {}
    for form in sorted(forms):  # sorted: the first form to reach a key gives its terms, whatever the hash seed
        for key, terms in keys_of(form):
            if terms:
                table.setdefault(key, terms)
    return dict(sorted(table.items()))


def duration_rules() -> dict[str, Any]:
    """How `search` reads a duration typed in words (sheets/durations.py), for the page: the pattern in
    JavaScript's syntax for named groups, the number words, the half-day band and the day's lower bound."""
    return {"pattern": DURATION_WORDS.replace("(?P<", "(?<"), "numbers": NUMBER_WORDS, "halfDay": list(HALF_DAY),
            "day": DAY}


def thesaurus_groups() -> list[list[list[Any]]]:
    """The thesaurus, analysed: per group, [text, terms] of each entry."""
    return [[[entry.text, list(entry.terms)] for entry in group] for group in load_thesaurus().groups]


def script(kind: str, name: str, data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    text = text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"outillerieIndex({json.dumps(kind)},{json.dumps(name)},{text});\n"
