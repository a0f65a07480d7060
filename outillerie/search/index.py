"""The search index: the ONLY module that imports Whoosh. Schema, full and incremental builds,
the format stamp and manifest (`outillerie.json`), staleness, the writers' lock, damage recovery,
and the few index operations search needs (parse, run, highlight, facets, spelling).
"""

from __future__ import annotations

import os
import pickle
import re
import struct
import unicodedata
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

import whoosh
import whoosh.index
from whoosh import highlight as whoosh_highlight
from whoosh import query as wq
from whoosh.analysis import Filter
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
from ..french.analysis import (
    ANALYZER_VERSION,
    FoldFilter,
    FrenchStemFilter,
    FrenchTokenizer,
    InclusiveFilter,
    analyze,
    fold,
    french_analyzer,
)
from ..sheets.vocabulary import fold_key
from .manifest import (
    DETAILS,
    GENERATION_RE,
    MANIFEST,
    Changes,
    Entry,
    Freshness,
    IndexReport,
    Manifest,
    NotOurs,
    check,
    duplicates,
    find_changes,
    indexed_slugs,
    problems_of,
    read_entry,
    read_manifest,
    scan,
)

SCHEMA_VERSION = 1
LOCK_FILE = "outillerie.lock"
LARGE_LIBRARY = 400  # sheets: from here a full build uses both cores
WAIT_SECONDS = 5.0
TEXT_FIELDS = ("title", "summary", "tags", "materials", "body")
FIELD_BOOSTS = {"title": 4.0, "tags": 2.5, "summary": 2.0, "materials": 1.0, "body": 1.0}
SPELLING_FIELDS = ("title", "summary", "tags")

# What a damaged index raises: Whoosh's own errors and plain ones from reading files (see notes/search.md).
DAMAGE = (whoosh.index.IndexError, OSError, EOFError, struct.error, pickle.UnpicklingError, zlib.error)

Notify = Callable[[str], None]
Progress = Callable[[str, int, int], None]
T = TypeVar("T")


def _quiet(message: str) -> None:
    """The default notifier: the library never prints."""


def format_stamp() -> dict[str, Any]:
    """What an index must have been built with to be opened: our schema, our analyzer, this Whoosh."""
    return {"schema": SCHEMA_VERSION, "analyzer": ANALYZER_VERSION, "whoosh": whoosh.versionstring()}


def build_schema() -> Schema:
    """Ranked text fields, keyword fields for filters and facets, a numeric duration, one stored record for display."""
    analyzer = french_analyzer()
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


def _document(sheet: Any, root: Path) -> dict[str, Any]:
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


# --- The writers' lock --------------------------------------------------------------------------------


class _Lock:
    """One writer at a time per index folder (a file lock, released by the system if the process dies)."""

    def __init__(self, index_dir: Path, wait: float) -> None:
        self.index_dir = index_dir
        self.wait = wait
        self.lock: Any = None

    def __enter__(self) -> _Lock:
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


# --- Building and updating ----------------------------------------------------------------------------


def update_index(root: Path, index_dir: Path, *, rebuild: bool = False, notify: Notify = _quiet,
                 progress: Progress | None = None, wait: float = WAIT_SECONDS) -> IndexReport:
    """Bring the index up to date: only the sheets added, changed or removed, or everything with `rebuild`.

    A missing, foreign, older or damaged index is rebuilt by itself, with a notice saying why.
    """
    with _Lock(index_dir, wait):
        return _refresh(root, index_dir, notify, progress, rebuild=rebuild)


def _refresh(root: Path, index_dir: Path, notify: Notify, progress: Progress | None, *, rebuild: bool) -> IndexReport:
    """Under the lock: update what changed, or rebuild (asked for, or the index is missing, foreign or damaged)."""
    if not rebuild:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)  # see _close_damaged
            try:
                manifest = read_manifest(index_dir, format_stamp())
                return _update(root, index_dir, manifest, find_changes(root, manifest))
            except NotOurs as reason:
                notify(reason.notice())
            except DAMAGE as error:
                notify(_damage_notice(error))
            _close_damaged()
    try:
        return _rebuild(root, index_dir, notify, progress)
    except OSError as error:
        raise SearchIndexError(f"l'index ne peut pas être écrit dans « {index_dir} » ({error.strerror}). "
                               "Pour corriger : vérifiez la place libre sur le disque et les droits "
                               "d'écriture de ce dossier.") from error


def _close_damaged() -> None:
    """Whoosh leaves the files of a damaged index open when it fails: collect them now (callers silence the
    ResourceWarning of these files, which are closed here and nowhere else)."""
    import gc

    gc.collect()


def _damage_notice(error: BaseException) -> str:
    return f"L'index de recherche est abîmé ({type(error).__name__}) : reconstruction complète."


def _rebuild(root: Path, index_dir: Path, notify: Notify, progress: Progress | None) -> IndexReport:
    """Build from scratch into a new generation folder, then swap it in by replacing the stamp file.

    Sheets are read, checked and added one by one (nothing kept in memory); the few sharing a title,
    known only at the end, are deleted by a second short writer.
    """
    import shutil
    import uuid

    scanned = scan(root / "resources")
    entries: dict[str, Entry] = {}
    generation = f"whoosh-{uuid.uuid4().hex[:12]}"
    folder = index_dir / generation
    folder.mkdir()
    try:
        ix = whoosh.index.create_in(str(folder), build_schema())
        large = len(scanned) >= LARGE_LIBRARY
        writer = ix.writer(procs=2, multisegment=True, limitmb=128) if large else ix.writer(limitmb=128)
        try:
            for number, (slug, size, mtime_ns) in enumerate(scanned, 1):
                entries[slug], sheet = read_entry(root, slug, (size, mtime_ns))
                if sheet is not None:
                    writer.add_document(**_document(sheet, root))
                if progress:
                    progress("Indexation", number, len(scanned))
            if large:
                notify("Écriture de l'index…")
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        shared = duplicates(entries)
        if shared:
            writer = ix.writer()
            for slug in sorted(shared):
                writer.delete_by_term("slug", slug)
            writer.commit()
        ix.close()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    Manifest.save(index_dir, generation, entries, format_stamp())
    _remove_old_generations(index_dir, keep=generation)
    return IndexReport(added=len(indexed_slugs(entries, shared)), rebuilt=True, problems=problems_of(root, entries, shared))


def _remove_old_generations(index_dir: Path, keep: str) -> None:
    """Delete the folders of replaced generations and any Whoosh file left at the top (a foreign index)."""
    import shutil

    for item in index_dir.iterdir():
        if item.name == keep:
            continue
        if item.is_dir() and GENERATION_RE.fullmatch(item.name):
            shutil.rmtree(item, ignore_errors=True)
        elif item.is_file() and (item.suffix in (".toc", ".seg", ".pst", ".trm", ".dcz", ".fdt") or "_WRITELOCK" in item.name
                                 or item.name.startswith((f".{MANIFEST}.", f".{DETAILS}."))):
            item.unlink(missing_ok=True)


def _update(root: Path, index_dir: Path, manifest: Manifest, changes: Changes) -> IndexReport:
    """Re-read only the sheets whose file changed; write only those whose content changed or whose place
    in the index did (a title no longer shared brings its twin back)."""
    entries = manifest.entries(index_dir)
    before = indexed_slugs(entries, duplicates(entries))
    fresh: dict[str, Any] = {}
    for slug in changes.changed:
        old = entries.get(slug)
        entries[slug], sheet = read_entry(root, slug, changes.scanned[slug])
        if sheet is not None and (old is None or old.sha256 != entries[slug].sha256 or slug not in before):
            fresh[slug] = sheet  # touched but unchanged sheets only get their new stat
    for slug in changes.removed:
        del entries[slug]
    shared = duplicates(entries)
    after = indexed_slugs(entries, shared)
    for slug in sorted(after - before - set(fresh)):  # unchanged, but no longer a duplicate
        entries[slug], sheet = read_entry(root, slug, (entries[slug].size, entries[slug].mtime_ns))
        if sheet is not None:
            fresh[slug] = sheet
    to_delete = before - after
    to_write = {slug: sheet for slug, sheet in fresh.items() if slug in after}
    if to_write or to_delete:
        ix = _open(index_dir, manifest.generation)
        writer = ix.writer(timeout=WAIT_SECONDS)
        try:
            for slug in sorted(to_delete):
                writer.delete_by_term("slug", slug)
            for sheet in to_write.values():
                writer.update_document(**_document(sheet, root))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        ix.close()
    if changes:
        Manifest.save(index_dir, manifest.generation, entries, format_stamp())
    added = len(set(to_write) - before)
    return IndexReport(added=added, updated=len(to_write) - added, removed=len(to_delete),
                       unchanged=len(after) - len(to_write), problems=problems_of(root, entries, shared))


def _open(index_dir: Path, generation: str) -> Any:
    """Open the generation named by our own manifest (never a folder we did not build)."""
    return whoosh.index.open_dir(str(index_dir / generation), schema=build_schema())


# --- Searching ----------------------------------------------------------------------------------------


def with_searcher(root: Path, index_dir: Path, work: Callable[[IndexSearcher], T], *, notify: Notify = _quiet,
                  progress: Progress | None = None, wait: float = WAIT_SECONDS,
                  freshness: Callable[[], Freshness] | None = None) -> T:
    """Run `work` on a fresh index: refresh changed sheets first, rebuild a damaged index, then retry once.

    `freshness` is a staleness check already running (see manifest.start_check); by default it runs here.
    """
    for attempt in (1, 2):
        generation = _fresh_generation(root, index_dir, notify, progress, wait, freshness)
        freshness = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)  # see _close_damaged
            try:
                ix = _open(index_dir, generation)
                try:
                    with ix.searcher() as searcher:
                        return work(IndexSearcher(searcher))
                finally:
                    ix.close()
            except DAMAGE as error:
                try:
                    if read_manifest(index_dir, format_stamp()).generation != generation and attempt == 1:
                        continue  # another process swapped in a new build meanwhile
                except NotOurs:
                    pass
                if attempt == 2:
                    raise SearchIndexError(f"l'index de recherche ({index_dir}) reste illisible après reconstruction "
                                           f"({type(error).__name__}). Pour corriger : supprimez ce dossier puis "
                                           "lancez outillerie index --rebuild.") from error
                notify(_damage_notice(error))
            _close_damaged()
        update_index(root, index_dir, rebuild=True, notify=notify, wait=wait)
    raise AssertionError("unreachable")


def _fresh_generation(root: Path, index_dir: Path, notify: Notify, progress: Progress | None, wait: float,
                      freshness: Callable[[], Freshness] | None) -> str:
    """The generation folder of an index that matches the sheets on disk, updating it first when needed."""
    answer = freshness() if freshness else check(root, index_dir)
    if answer.fresh and answer.format == format_stamp() and GENERATION_RE.fullmatch(str(answer.generation)):
        return str(answer.generation)
    with _Lock(index_dir, wait):
        _notify_problems(_refresh(root, index_dir, notify, progress, rebuild=False), notify)
    return read_manifest(index_dir, format_stamp()).generation


def _notify_problems(report: IndexReport, notify: Notify) -> None:
    """Searching does not list errors: it says how many sheets are left out and how to see why."""
    invalid = len({problem.path for problem in report.problems})
    if invalid:
        notify(f"{invalid} fiche{'s' if invalid > 1 else ''} non valide{'s' if invalid > 1 else ''} "
               f"{'ne sont' if invalid > 1 else 'n’est'} pas dans l'index. Pour voir pourquoi : outillerie check")


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


class _MarkFormatter(whoosh_highlight.Formatter):
    """Marks matched words with two control characters that the caller turns into bold or nothing."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return "\x02" + whoosh_highlight.get_text(text, token, replace) + "\x03"


def highlight(text: str, terms: Iterable[str], width: int = 220) -> list[tuple[str, bool]]:
    """The best passage of `text` for these index terms, as (piece, matched) pairs; [] when no term is in it."""
    termset = frozenset(terms)
    if not termset:
        return []
    fragmenter = whoosh_highlight.ContextFragmenter(maxchars=width, surround=width // 3)
    analyzer = FrenchTokenizer() | FoldFilter() | InclusiveFilter() | _GatedStem(termset)
    marked = whoosh_highlight.highlight(text, termset, analyzer, fragmenter, _MarkFormatter(), top=1)
    if "\x02" not in marked:
        return []
    pieces: list[tuple[str, bool]] = []
    for number, part in enumerate(re.split(r"[\x02\x03]", marked)):
        if part:
            pieces.append((part, number % 2 == 1))
    return pieces


class _GatedStem(Filter):
    """The stem filter of the index, applied only to words that may give one of the terms (a stem starts its
    word): a snippet then stems a dozen words instead of hundreds. Other words cannot match, so they are blanked."""

    def __init__(self, terms: frozenset[str]) -> None:
        self.starts = tuple({term[:3] for term in terms})
        self.stem = FrenchStemFilter()

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        for token in tokens:
            if token.text.startswith(self.starts):
                yield from self.stem([token])
            else:
                token.text = ""
                yield token


_MARKS = re.compile("[\u0300-\u036f]")


def passage(text: str, terms: frozenset[str], width: int = 220) -> str:
    """The part of a long text where most of the terms meet, so only it is cleaned and analysed for a snippet
    (found on folded text: a stem starts its words)."""
    if len(text) <= 3 * width:
        return text
    folded = _MARKS.sub("", unicodedata.normalize("NFD", text.lower()))  # fold() in C: offsets stay put
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + ")")
    found = [(match.start(), match.group()) for match in pattern.finditer(folded)]
    if not found:
        return text[: 6 * width]
    best = max(found, key=lambda item: (len({term for start, term in found if item[0] <= start < item[0] + width}),
                                        -item[0]))[0]
    start = text.rfind(" ", 0, max(0, best - width // 2)) + 1
    end = text.find(" ", best + width + width // 2)
    return text[start: end if end >= 0 else len(text)]
