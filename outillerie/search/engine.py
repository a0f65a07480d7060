"""The search engine: the ONLY module that imports Whoosh. The schema and its French analyzer, opening and
writing an index, the writers' lock, the query parser, and the few operations search needs (run, terms,
facets, spelling). Nothing of Whoosh's types leaks out, so the engine can be swapped here alone.
"""

from __future__ import annotations

import itertools
import os
import pickle
import struct
import zlib
from pathlib import Path
from typing import Any, Callable, Iterator

import whoosh
import whoosh.index
from whoosh import matching, query as wq
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb import compound
from whoosh.qparser import MultifieldPlugin, OperatorsPlugin, PlusMinusPlugin, QueryParser, syntax
from whoosh.qparser import plugins as qplugins

from ..french.analysis import analyze, fold, tokens
from ..french.thesaurus import Entry, Thesaurus
from .expansion import SYNONYM_WEIGHT, Expansion, expand
from .matches import Criteria, Matches
from .dismax import scored_where_it_stands
from .memoryfile import shared_buffer_file

compound.BufferFile = shared_buffer_file(compound.BufferFile)  # type: ignore[misc]  # read in place: memoryfile
matching.DisjunctionMaxMatcher = scored_where_it_stands(matching.DisjunctionMaxMatcher)  # type: ignore[misc]

SCHEMA_VERSION = 3  # 3: supports' text, vocabulary labels, acronyms and accents fields
TEXT_FIELDS = ("title", "summary", "tags", "materials", "body", "supports", "labels")
FIELD_BOOSTS = {"title": 4.0, "tags": 2.5, "summary": 2.0, "materials": 1.0, "body": 1.0, "supports": 0.5,
                "labels": 1.0}
ACRONYM_BOOST = 6.0  # « CAF » written in capitals outranks « café », which shares its stem
SPELLING_FIELDS = ("title", "summary", "tags")

# What a damaged index raises: Whoosh's own errors and plain ones from reading files.
DAMAGE = (whoosh.index.IndexError, OSError, EOFError, struct.error, pickle.UnpicklingError, zlib.error)


class FrenchAnalyzer(Tokenizer):
    """french.analysis.tokens as a Whoosh analyzer (it is pickled into the index: keep its import path). It stems,
    so Whoosh asks it for the plain words of spelling fields with `no_morph`; places only when asked (`chars`)."""

    is_morph = True

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: Any) -> Iterator[Token]:
        """Yield one reused Token per term, as Whoosh analyzers do."""
        token: Any = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)  # attributes are free
        for term in tokens(value, whole=not tokenize, keep_stops=not removestops, stem=not kwargs.get("no_morph"),
                           places=chars or keeporiginal):
            token.text = term.text
            token.boost = 1.0
            token.stopped = term.stopped
            if keeporiginal:
                token.original = value[term.start:term.end]
            if positions:
                token.pos = start_pos + term.position
            if chars:
                token.startchar = start_char + term.start
                token.endchar = start_char + term.end
            yield token


def build_schema() -> Schema:
    """Ranked text fields, keyword fields for filters and facets, a numeric duration, one stored record for display."""
    analyzer: Any = FrenchAnalyzer()  # a tokenizer that stems, where typed Whoosh (whoosh3) names an Analyzer
    return Schema(
        slug=ID(unique=True),
        title=TEXT(analyzer=analyzer, spelling=True),
        summary=TEXT(analyzer=analyzer, spelling=True),
        tags=TEXT(analyzer=analyzer, spelling=True),
        materials=TEXT(analyzer=analyzer),
        body=TEXT(analyzer=analyzer),
        supports=TEXT(analyzer=analyzer),
        labels=TEXT(analyzer=analyzer),  # objective, publics, themes, level: their French labels
        acronyms=KEYWORD(commas=True, scorable=True),  # as written: case-sensitive
        forms=KEYWORD(commas=True),  # « activite:activité »: the accents a typed word is given back
        objective=ID,
        public=KEYWORD(commas=True),
        level=ID,
        themes=KEYWORD(commas=True),
        license=ID,
        tag=KEYWORD(commas=True),
        duration=NUMERIC(int, bits=32, sortable=True),
        sort_title=ID(sortable=True),
        meta=STORED,
    )


def create(folder: Path) -> None:
    """A new empty index in `folder` (segments.py writes its segments)."""
    whoosh.index.create_in(str(folder), build_schema()).close()


def open_index(folder: Path) -> Any:
    """Open an index folder named by our own manifest (never a folder we did not build)."""
    return whoosh.index.open_dir(str(folder), schema=build_schema())


def merge_small_only(below: int) -> Callable[[Any, list[Any]], list[Any]]:
    """MERGE_SMALL among the segments of fewer than `below` documents: an update never merges a rebuild's large
    segments (MERGE_SMALL over all merged 40 % of 100,000 sheets at the first edit after a rebuild: 149 s)."""
    from whoosh.writing import MERGE_SMALL
    def policy(writer: Any, found: list[Any]) -> list[Any]:
        large = [segment for segment in found if segment.doc_count_all() >= below]
        return large + list(MERGE_SMALL(writer, [segment for segment in found if segment.doc_count_all() < below]))

    return policy


def engine_version() -> str:
    return whoosh.versionstring()


class _FrenchOperators(OperatorsPlugin):
    """AND/OR/NOT and their French twins ET/OU/SAUF (uppercase, like in the query syntax of most engines)."""

    def __init__(self) -> None:
        super().__init__(
            And=r"(?<=\s)(AND|ET)(?=\s)",
            Or=r"(?<=\s)(OR|OU)(?=\s)",
            AndNot=r"(?<=\s)(ANDNOT|SAUF)(?=\s)",
            AndMaybe=None,
            Not=r"(^|(?<=(\s|[()])))(NOT|SAUF)(?=\s)",
            Require=None,
        )


class _Words(syntax.SyntaxNode):
    """Consecutive typed words replaced by their expansion (see expansion.py); its query is built by `_query`."""

    has_fieldname = False
    has_boost = True

    def __init__(self, expansion: Expansion, reader: Any, span: tuple[int, int]) -> None:
        self.expansion = expansion
        self.reader = reader
        self.boost = 1.0
        self.startchar, self.endchar = span

    def r(self) -> str:
        return f"Words{self.expansion.words!r}"

    def query(self, parser: Any) -> Any:
        return _query(self.expansion, self.reader, self.boost)


class _ExpandPlugin(qplugins.Plugin):
    """Before the words are spread over the fields: runs of plain words become `_Words` (a word after - or SAUF
    stays as typed: excluding a word never excludes its synonyms)."""

    def __init__(self, reader: Any, thesaurus: Thesaurus | None) -> None:
        self.reader = reader
        self.thesaurus = thesaurus

    def filters(self, parser: Any) -> list[tuple[Callable[..., Any], int]]:
        return [(self.do_expand, 105)]

    def do_expand(self, parser: Any, group: Any) -> Any:
        nodes = list(group)
        result: list[Any] = []
        run: list[Any] = []

        def flush() -> None:
            if not run:
                return
            words = [node.text for node in run]
            span = (run[0].startchar, run[-1].endchar)
            result.extend(_Words(e, self.reader, span) for e in expand(words, self.restore, self.thesaurus))
            run.clear()

        for number, node in enumerate(nodes):
            if isinstance(node, syntax.GroupNode):
                flush()
                result.append(self.do_expand(parser, node))
            elif type(node) is syntax.WordNode and node.fieldname is None and not _excluded(nodes, number):
                run.append(node)
            elif isinstance(node, syntax.Whitespace) and run:
                continue
            else:
                flush()
                result.append(node)
        flush()
        return group.__class__(result) if isinstance(group, syntax.GroupNode) else result

    def restore(self, word: str) -> list[str]:
        return restore_accents(self.reader, word)


def _excluded(nodes: list[Any], number: int) -> bool:
    """True when the word at `number` follows - or a NOT/SAUF operator (whitespace between them skipped)."""
    for node in reversed(nodes[:number]):
        if isinstance(node, syntax.Whitespace):
            continue
        return isinstance(node, PlusMinusPlugin.Minus) or (
            isinstance(node, syntax.Operator) and node.grouptype in (syntax.NotGroup, syntax.AndNotGroup))
    return False


def restore_accents(reader: Any, word: str) -> list[str]:
    """A word typed without accents, with the accented forms the library writes (« activite » → « activité »)."""
    lower = word.lower()
    if fold(lower) != lower or len(lower) < 3:
        return [word]
    return [word, *(_text(term).split(":", 1)[1] for term in reader.expand_prefix("forms", lower + ":"))]


def _fields(alternatives: tuple[str, ...], boost: float = 1.0, fields: tuple[str, ...] = TEXT_FIELDS) -> Any:
    """Any of the terms in any text field, each field with its weight."""
    return _or([wq.Term(field, term, boost=FIELD_BOOSTS[field] * boost) for field in fields for term in alternatives])


# A synonym is looked for where a sheet says what it is about: its phrases read positions, which costs the most
# on a large library (bench/RESULTS.md), and the materials, labels and supports add little to a synonym.
SYNONYM_FIELDS = ("title", "tags", "summary", "body")


def _phrase(terms: tuple[str, ...], boost: float = 1.0) -> Any:
    if len(terms) == 1:
        return _fields(terms, boost, SYNONYM_FIELDS)
    return _or([wq.Phrase(field, list(terms), boost=FIELD_BOOSTS[field] * boost) for field in SYNONYM_FIELDS])


def _or(queries: list[Any], boost: float = 1.0) -> Any:
    return queries[0] if len(queries) == 1 and boost == 1.0 else wq.Or(queries, boost=boost)


def _written_as(entry: Entry) -> list[tuple[str, ...]]:
    """The phrases the index holds for an entry: an inclusive word (« médiateur·rice ») is its masculine and its
    feminine at ONE position, so each of them makes a phrase of its own (never « mediateur mediatric numer »)."""
    at: dict[int, list[str]] = {}
    for term in tokens(entry.text):
        at.setdefault(term.position, []).append(term.text)
    return list(itertools.product(*at.values())) if at else [entry.terms]


def _synonyms(entries: tuple[Entry, ...], typed: tuple[str, ...]) -> list[Any]:
    """One query per entry: any of its phrases (each looked for once in all the group, never the words typed) or
    its acronym as written."""
    seen = {typed}
    found = []
    for entry in entries:
        phrases = [phrase for phrase in _written_as(entry) if phrase not in seen]
        seen.update(phrases)
        parts = [_phrase(phrase) for phrase in phrases]
        if entry.acronym:
            parts.append(wq.Term("acronyms", entry.acronym, boost=ACRONYM_BOOST))
        if parts:
            found.append(_or(parts))
    return found


def _query(expansion: Expansion, reader: Any, boost: float) -> Any:
    """All the typed words (each through any of its terms), or else any synonym at half weight; an acronym typed
    in capitals adds its exact form, which outranks a common word sharing its stem (CAF, café)."""
    known = {word for word in expansion.acronyms if reader.doc_frequency("acronyms", word)}
    words = []
    for word, alternatives in zip(expansion.words, expansion.alternatives):
        if word in known:  # the exact form first; the common word sharing its stem far behind
            words.append(wq.Or([wq.Term("acronyms", word, boost=ACRONYM_BOOST), _fields(alternatives, 0.1)]))
        else:
            words.append(_fields(alternatives))
    exact = words[0] if len(words) == 1 else wq.And(words)
    synonyms = _synonyms(expansion.synonyms, tuple(alternatives[0] for alternatives in expansion.alternatives))
    if synonyms:  # the best synonym counts, not their number (a DisjunctionMax, never merged away)
        exact = wq.Or([exact, wq.DisjunctionMax(synonyms, boost=SYNONYM_WEIGHT, tiebreak=0.1)])
    return exact if boost == 1.0 else wq.Or([exact], boost=boost)


def _parser(schema: Schema, reader: Any, thesaurus: Thesaurus | None, group: Any) -> QueryParser:
    """Words (expanded), phrases, groups, operators, + and -, trailing wildcards; no field:, ranges, boosts."""
    parser = QueryParser(None, schema, group=group, plugins=[])
    parser.add_plugins([
        qplugins.WhitespacePlugin(), qplugins.PhrasePlugin(), qplugins.GroupPlugin(), qplugins.WildcardPlugin(),
        _FrenchOperators(), PlusMinusPlugin(), _ExpandPlugin(reader, thesaurus),
        MultifieldPlugin(TEXT_FIELDS, fieldboosts=FIELD_BOOSTS),
    ])
    return parser


def _prefix_text(text: str, reader: Any, fieldname: str) -> str:
    """A typed prefix as it meets the stored stems: folded, and cut to its stem when no term starts with it.

    `numér*` -> `numer*` (numérique is stored as numer); `médiation*` -> `mediat*` (stored as mediat).
    """
    folded = fold(text)
    if next(iter(reader.expand_prefix(fieldname, folded)), None) is not None:
        return folded
    stems = analyze(folded)
    return os.path.commonprefix([folded, stems[0]]) if len(stems) == 1 else folded


def _normaliser(reader: Any) -> Callable[[Any], Any]:
    """Prefix and wildcard terms go through the same folding as the index (it stores folded stems)."""

    def normalise(node: Any) -> Any:
        if isinstance(node, wq.Prefix):
            return wq.Prefix(node.fieldname, _prefix_text(node.text, reader, node.fieldname), boost=node.boost)
        if isinstance(node, wq.Wildcard):
            return wq.Wildcard(node.fieldname, fold(node.text), boost=node.boost)
        return node

    return normalise


class IndexSearcher:
    """An open index, with the operations search.py needs and no Whoosh type leaking out."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self._schema = searcher.schema

    def parse(self, text: str, thesaurus: Thesaurus | None = None, any_word: bool = False) -> Any | None:
        """The query for `text` (every word required, or with `any_word` the more words the better), or None when
        nothing searchable is left (only stop words, only operators)."""
        reader = self.searcher.reader()
        group = syntax.OrGroup.factory(0.9) if any_word else syntax.AndGroup
        parsed = _parser(self._schema, reader, thesaurus, group).parse(text).accept(_normaliser(reader)).normalize()
        if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
            return None
        return parsed

    def either(self, first: Any, then: Any) -> Any:
        """The sheets of `first` (scored twice) and after them those of `then`."""
        return wq.Or([first, then])

    def _filter(self, criteria: Criteria) -> Any | None:
        parts: list[Any] = []
        for fieldname, values in criteria.any_of:
            terms = [wq.Term(fieldname, value) for value in values]
            parts.append(terms[0] if len(terms) == 1 else wq.Or(terms))
        if criteria.min_duration is not None or criteria.max_duration is not None:
            parts.append(wq.NumericRange("duration", criteria.min_duration, criteria.max_duration))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def run(self, parsed: Any | None, criteria: Criteria, limit: int | None, shown: int | None = None) -> Matches:
        """Ranked hits for a query, or every sheet matching the filters sorted by title when there is no query;
        `limit` ranked, the first `shown` of them shown (all by default)."""
        filtered = self._filter(criteria)
        if parsed is None:
            results = self.searcher.search(filtered or wq.Every(), limit=limit, sortedby="sort_title")
        else:
            results = self.searcher.search(parsed, filter=filtered, limit=limit)
        return Matches(self.searcher.reader(), results, parsed, shown)

    def terms_of(self, parsed: Any, synonyms: bool = True) -> frozenset[str]:
        """The index terms a query looks for (prefixes expanded, excluded words left out, synonyms only when asked),
        to highlight them."""
        reader = self.searcher.reader()
        found: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, wq.Not) or (not synonyms and isinstance(node, wq.DisjunctionMax)):
                return
            if isinstance(node, wq.AndNot):
                walk(node.a)
            elif isinstance(node, (wq.Prefix, wq.Wildcard)):
                found.update(_text(term) for _, term in node.existing_terms(reader, expand=True))
            elif node.is_leaf():
                found.update(_text(term) for _, term in node.terms(phrases=True))
            else:
                for child in node.children():
                    walk(child)

        walk(parsed)
        return frozenset(found)

    def known(self, word: str) -> bool:
        """True when a typed word (or the accented form the library writes) gives terms present in a text field."""
        reader = self.searcher.reader()
        for form in restore_accents(reader, word):
            stems = analyze(form)
            if stems and all(any(reader.doc_frequency(f, stem) for f in TEXT_FIELDS) for stem in stems):
                return True
        return False

    def suggest(self, word: str, extra: frozenset[str] = frozenset()) -> str | None:
        """The closest spelling of a word among the words of titles, summaries and tags and the `extra` words (the
        thesaurus'), folded; None when nothing is close enough."""
        from difflib import SequenceMatcher, get_close_matches

        folded = fold(word)
        found = {close for name in SPELLING_FIELDS for close in self.searcher.corrector(name).suggest(folded, limit=3)}
        found.update(get_close_matches(folded, extra, n=2, cutoff=0.8))
        found.discard(folded)
        return max(sorted(found), key=lambda close: SequenceMatcher(None, folded, close).ratio(), default=None)


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term
