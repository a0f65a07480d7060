"""The search engine: the ONLY module that imports Whoosh. The schema and its French analyzer, opening and
writing an index, the writers' lock, the query parser, and the few operations search needs (run, terms,
facets, spelling). Nothing of Whoosh's types leaks out, so the engine can be swapped here alone.
"""

from __future__ import annotations

import os
import pickle
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import whoosh
import whoosh.index
from whoosh import query as wq
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import (
    MultifieldPlugin,
    OperatorsPlugin,
    PlusMinusPlugin,
    QueryParser,
    syntax,
)
from whoosh.qparser import plugins as qplugins
from whoosh.util.filelock import try_for

from ..errors import SearchIndexError, relative
from ..french.analysis import analyze, fold, tokens
from ..sheets.vocabulary import fold_key

SCHEMA_VERSION = 2
LOCK_FILE = "outillerie.lock"
TEXT_FIELDS = ("title", "summary", "tags", "materials", "body")
FIELD_BOOSTS = {"title": 4.0, "tags": 2.5, "summary": 2.0, "materials": 1.0, "body": 1.0}
SPELLING_FIELDS = ("title", "summary", "tags")

# What a damaged index raises: Whoosh's own errors and plain ones from reading files.
DAMAGE = (whoosh.index.IndexError, OSError, EOFError, struct.error, pickle.UnpicklingError, zlib.error)


class FrenchAnalyzer(Tokenizer):
    """french.analysis.tokens as a Whoosh analyzer (it is pickled into the index: keep its import path).

    It stems, so Whoosh asks it for the plain words of spelling fields with `no_morph`."""

    is_morph = True

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: Any) -> Iterator[Token]:
        """Yield one reused Token per term, as Whoosh analyzers do."""
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for term in tokens(value, whole=not tokenize, keep_stops=not removestops, stem=not kwargs.get("no_morph")):
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
    analyzer = FrenchAnalyzer()
    return Schema(
        slug=ID(unique=True),
        title=TEXT(analyzer=analyzer, spelling=True),
        summary=TEXT(analyzer=analyzer, spelling=True),
        tags=TEXT(analyzer=analyzer, spelling=True),
        materials=TEXT(analyzer=analyzer),
        body=TEXT(analyzer=analyzer),
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


def document(sheet: Any, root: Path) -> dict[str, Any]:
    """The fields of one sheet as Whoosh indexes them."""
    doc: dict[str, Any] = {
        "slug": sheet.slug,
        "title": sheet.title,
        "summary": sheet.summary,
        "tags": " ; ".join(sheet.tags),
        "materials": " ; ".join(sheet.materials),
        "body": sheet.body,
        "objective": sheet.objective,
        "public": ",".join(sheet.public),
        "themes": ",".join(sheet.themes),
        "license": sheet.license,
        "tag": ",".join(fold_key(tag) for tag in sheet.tags),
        "duration": sheet.duration,
        "sort_title": fold(sheet.title),
        "meta": {
            "slug": sheet.slug, "title": sheet.title, "summary": sheet.summary, "objective": sheet.objective,
            "public": list(sheet.public), "duration": sheet.duration, "level": sheet.level,
            "themes": list(sheet.themes), "tags": list(sheet.tags), "license": sheet.license,
            "status": sheet.status, "path": relative(sheet.path, root),
        },
    }
    if sheet.level:
        doc["level"] = sheet.level
    return doc


class WriteLock:
    """One writer at a time per index folder (a file lock, released by the system if the process dies)."""

    def __init__(self, index_dir: Path, wait: float) -> None:
        self.index_dir = index_dir
        self.wait = wait
        self.lock: Any = None

    def __enter__(self) -> WriteLock:
        try:
            self.index_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SearchIndexError(f"le dossier de l'index « {self.index_dir} » ne peut pas être créé ({error.strerror}). "
                                   "Pour corriger : vérifiez les droits d'écriture, ou donnez une autre bibliothèque "
                                   "avec --library.") from error
        self.lock = FileStorage(str(self.index_dir)).lock(LOCK_FILE)
        try:
            acquired = try_for(self.lock.acquire, timeout=self.wait, delay=0.1)
        except OSError as error:
            raise SearchIndexError(f"le verrou de l'index « {self.index_dir / LOCK_FILE} » ne peut pas être pris "
                                   f"({error.strerror}). Pour corriger : vérifiez les droits d'écriture du dossier.") from error
        if not acquired:
            raise SearchIndexError(f"un autre processus écrit l'index de recherche ({self.index_dir}) depuis plus de "
                                   f"{self.wait:g} s. Pour corriger : attendez qu'il finisse (par exemple un "
                                   "« outillerie index --rebuild » en cours), puis relancez la commande.")
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def create(folder: Path, large: bool) -> tuple[Any, Any]:
    """A new empty index in `folder` and its writer (both cores for a large library)."""
    ix = whoosh.index.create_in(str(folder), build_schema())
    return ix, (ix.writer(procs=2, multisegment=True, limitmb=128) if large else ix.writer(limitmb=128))


def open_index(folder: Path) -> Any:
    """Open an index folder named by our own manifest (never a folder we did not build)."""
    return whoosh.index.open_dir(str(folder), schema=build_schema())


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


def _parser(schema: Schema) -> QueryParser:
    """Words (all required), phrases, groups, operators, + and -, trailing wildcards; no field:, ranges, boosts."""
    parser = QueryParser(None, schema, group=syntax.AndGroup, plugins=[])
    parser.add_plugins([
        qplugins.WhitespacePlugin(), qplugins.PhrasePlugin(), qplugins.GroupPlugin(), qplugins.WildcardPlugin(),
        _FrenchOperators(), PlusMinusPlugin(), MultifieldPlugin(TEXT_FIELDS, fieldboosts=FIELD_BOOSTS),
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


@dataclass(frozen=True)
class Criteria:
    """The filters as index terms: each (field, values) means any of the values; all pairs must hold."""

    any_of: tuple[tuple[str, tuple[str, ...]], ...] = ()
    min_duration: int | None = None
    max_duration: int | None = None


class IndexSearcher:
    """An open index, with the operations search.py needs and no Whoosh type leaking out."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self._schema = searcher.schema

    def parse(self, text: str) -> Any | None:
        """The query for `text`, or None when nothing searchable is left (only stop words, only operators)."""
        parsed = _parser(self._schema).parse(text).accept(_normaliser(self.searcher.reader())).normalize()
        if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
            return None
        return parsed

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

    def run(self, parsed: Any | None, criteria: Criteria, limit: int | None) -> Matches:
        """Ranked hits for a query, or every sheet matching the filters sorted by title when there is no query."""
        filtered = self._filter(criteria)
        if parsed is None:
            results = self.searcher.search(filtered or wq.Every(), limit=limit, sortedby="sort_title")
        else:
            results = self.searcher.search(parsed, filter=filtered, limit=limit)
        return Matches(self, results, parsed)

    def terms_of(self, parsed: Any) -> frozenset[str]:
        """The index terms a query looks for (prefixes expanded, excluded words left out), to highlight them."""
        reader = self.searcher.reader()
        found: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, wq.Not):
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
        """True when a typed word gives a term present in a text field."""
        reader = self.searcher.reader()
        stems = analyze(word)
        return bool(stems) and all(any(reader.doc_frequency(f, stem) for f in TEXT_FIELDS) for stem in stems)

    def suggest(self, word: str) -> str | None:
        """The closest spelling of a word found in titles, summaries and tags (folded), if any."""
        from difflib import SequenceMatcher

        folded = fold(word)
        found = {close for name in SPELLING_FIELDS for close in self.searcher.corrector(name).suggest(folded, limit=3)}
        return max(sorted(found), key=lambda close: SequenceMatcher(None, folded, close).ratio(), default=None)


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


class Matches:
    """The results of one search: the shown hits, and on demand the total and facet counts."""

    def __init__(self, owner: IndexSearcher, results: Any, parsed: Any | None) -> None:
        self.owner = owner
        self.results = results
        self.parsed = parsed

    def hits(self) -> Iterator[tuple[dict[str, Any], float | None]]:
        for hit in self.results:
            yield hit["meta"], (hit.score if self.parsed is not None else None)

    def total(self) -> int:
        return len(self.results)

    def counts(self, fieldname: str) -> dict[str, int]:
        """How many matching sheets have each value of a keyword field."""
        docs = self.results.docs()
        reader = self.owner.searcher.reader()
        counts: dict[str, int] = {}
        for term in reader.field_terms(fieldname):
            number = sum(1 for doc in reader.postings(fieldname, term).all_ids() if doc in docs)
            if number:
                counts[term.decode("utf-8") if isinstance(term, bytes) else term] = number
        return counts

    def durations(self) -> list[int]:
        """The duration of every matching sheet, for duration bands."""
        column = self.owner.searcher.reader().column_reader("duration")
        return [column[doc] for doc in sorted(self.results.docs())]


