"""Search: a query and filters become ranked hits with highlighted snippets, facet counts and
"vouliez-vous dire" suggestions. Whoosh stays behind engine.py; nothing here prints.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from ..errors import QueryError
from ..french.thesaurus import cached_thesaurus
from ..sheets.freshness import start_current_id
from ..sheets.vocabulary import fold_key, load_vocabulary
from .intent import Intent, read_intent

if TYPE_CHECKING:  # the engine (and Whoosh) is imported once the staleness check runs: see search_library
    from .engine import IndexSearcher
    from .facets import Facet
    from .matches import Criteria, Matches

MAX_QUERY_CHARS = 500
FEW = 3  # sheets: under this many holding every word, a query of plain words also shows those holding the most
EXACT_PAGES = 2  # pages of results: when the words typed fill this many, their synonyms are not looked for
MIN_PREFIX_LETTERS = 3
_CONTROL = r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]"  # all unprintable: compiled only for such a query
_QUERY_WORD = re.compile(r"[^\s()\"]+")  # linear; the words holding a joker are picked in Python
_FRONT_MATTER = re.compile(r"\A\ufeff?---[^\n]*\n.*?\n---[ \t]*(?:\n|\Z)", re.DOTALL)
# Linear time (a sheet is read as it comes): a link's text and target hold no bracket or parenthesis, and a list
# mark's blanks stay on its line, so no part of the text is scanned again from each `[` or each line.
_MARKDOWN = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)|https?://\S+|[#*_`>|]+|^[ \t]*[-+][ \t]+", re.MULTILINE)


# The records of a search are NamedTuples, not dataclasses: immutable, compared and hashed by their fields alike, and
# free at import (a frozen dataclass costs ~1 ms to create, ten of them were a tenth of a search's own work).
class Filters(NamedTuple):
    """The filters of a search, as vocabulary slugs and minutes; all must hold, `public` is any-of."""

    objective: str | None = None
    public: tuple[str, ...] = ()
    min_duration: int | None = None
    max_duration: int | None = None
    level: str | None = None
    theme: str | None = None
    tag: str | None = None
    license: str | None = None

    def __bool__(self) -> bool:
        return any(value not in (None, ()) for value in self)

    def criteria(self) -> Criteria:
        from .matches import Criteria

        pairs = [("objective", (self.objective,) if self.objective else ()), ("public", self.public),
                 ("level", (self.level,) if self.level else ()), ("themes", (self.theme,) if self.theme else ()),
                 ("tag", (fold_key(self.tag),) if self.tag else ()), ("license", (self.license,) if self.license else ())]
        return Criteria(any_of=tuple((name, values) for name, values in pairs if values),
                        min_duration=self.min_duration, max_duration=self.max_duration)

    def as_dict(self) -> dict[str, Any]:
        return {name: (list(value) if isinstance(value, tuple) else value) for name, value in self._asdict().items()}


class Hit(NamedTuple):
    """One sheet found, with what a list of results shows and what a script needs."""

    slug: str
    title: str
    summary: str
    objective: str
    public: tuple[str, ...]
    duration: int
    level: str | None
    themes: tuple[str, ...]
    tags: tuple[str, ...]
    license: str
    status: str
    path: str
    score: float | None
    snippet: tuple[tuple[str, bool], ...] = ()

    @property
    def snippet_text(self) -> str:
        return "".join(piece for piece, _ in self.snippet)

    def as_dict(self) -> dict[str, Any]:
        vocabulary = load_vocabulary()
        return {
            "slug": self.slug, "title": self.title, "summary": self.summary,
            "objective": self.objective, "objective_label": vocabulary.label("objectives", self.objective),
            "public": list(self.public), "public_labels": [vocabulary.label("audiences", s) for s in self.public],
            "duration": self.duration, "level": self.level,
            "level_label": vocabulary.label("levels", self.level) if self.level else None,
            "themes": list(self.themes), "theme_labels": [vocabulary.label("themes", s) for s in self.themes],
            "tags": list(self.tags), "license": self.license, "status": self.status, "path": self.path,
            "score": round(self.score, 4) if self.score is not None else None,
            "snippet": self.snippet_text,
            "highlights": sorted({piece for piece, matched in self.snippet if matched}),
        }


class SearchResult(NamedTuple):
    """What a search gives: the hits shown, the total, facets and a suggestion when asked or useful."""

    query: str
    filters: Filters
    hits: tuple[Hit, ...]
    total: int | None
    ranked: bool
    facets: tuple[Facet, ...] | None = None
    suggestion: str | None = None
    limit: int | None = None
    corrected: str | None = None  # the query whose sheets are shown, when the one typed found none
    relaxed: bool = False  # no sheet holds every word: the sheets that hold the most of them
    missing: tuple[str, ...] = ()  # typed words that no sheet holds
    durations: tuple[str, ...] = ()  # words read as the duration filter (« 1h », « une demi-journée »)
    hints: tuple[tuple[str, str, str], ...] = ()  # (words, option, value): a public or level worth filtering on

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"query": self.query, "filters": self.filters.as_dict(), "total": self.total,
                                "count": len(self.hits), "ranked": self.ranked, "hits": [h.as_dict() for h in self.hits]}
        if self.facets is not None:
            data["facets"] = {f.name: {c.slug: {"label": c.label, "count": c.count} for c in f.counts}
                              for f in self.facets}
        if self.suggestion:
            data["suggestion"] = self.suggestion
        if self.corrected:
            data["corrected"] = self.corrected
        data.update({"relaxed": self.relaxed, "missing": list(self.missing), "durations": list(self.durations),
                     "hints": [{"words": w, "option": o, "value": v} for w, o, v in self.hints]})
        return data


def clean_query(text: str) -> str:
    """The query as the parser may see it, or a QueryError saying what to type instead."""
    if not text.isprintable():
        text = _control().sub(" ", text)
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"la recherche fait {len(text)} caractères, plus que la limite de {MAX_QUERY_CHARS}. "
                         "Pour corriger : cherchez quelques mots caractéristiques, par exemple "
                         "outillerie search \"médiation numérique\".")
    for word in (word for word in _QUERY_WORD.findall(text) if "*" in word or "?" in word):
        letters = re.split(r"[*?]", word.lstrip("+-"), maxsplit=1)[0]
        if sum(c.isalnum() for c in letters) < MIN_PREFIX_LETTERS:
            raise QueryError(f"« {word} » : un joker * doit suivre au moins {MIN_PREFIX_LETTERS} lettres, sinon la "
                             "recherche parcourt tout l'index. Pour corriger : écrivez le début d'un mot, par exemple "
                             "numér*, ou lancez outillerie search sans mot pour lister toutes les fiches.")
    return text


@functools.cache
def _control() -> re.Pattern[str]:
    return re.compile(_CONTROL)


def search_library(root: Path, index_dir: Path, query: str, filters: Filters = Filters(), *, limit: int | None = 10,
                   facets: bool = False, count: bool = True, notify: Callable[[str], None] = lambda message: None,
                   progress: Callable[[str, int, int], None] | None = None, wait: float | None = None) -> SearchResult:
    """Search a library (its index refreshed first): ranked hits for words, or the filtered sheets by title.

    Durations typed in words become the duration filter; when no sheet has every word, the query is corrected
    (close words) and then relaxed (the sheets with the most words), and the result says so."""
    text = clean_query(query)
    intent = read_intent(text, load_vocabulary())
    filters = _bounded(filters, intent)
    current = start_current_id(root, index_dir)  # stats the sheets while Whoosh loads
    from .index import WAIT_SECONDS, with_searcher

    def work(searcher: IndexSearcher) -> SearchResult:
        words = intent.text
        thesaurus = cached_thesaurus(index_dir)
        parsed = searcher.parse(words, thesaurus) if words else None
        if words and parsed is None and re.search(r"(^|\s)-\S", words):
            raise QueryError(f"« {text} » ne fait qu'exclure des mots. Pour corriger : ajoutez un mot à chercher, "
                             "par exemple outillerie search aidants -rgpd, ou listez les fiches avec des filtres.")
        if words and parsed is None:
            raise QueryError(f"« {text} » ne contient aucun mot à chercher (les mots très courants comme « le », "
                             "« de » ou « pour » sont ignorés). Pour corriger : ajoutez un mot qui décrit l'atelier.")
        found = _first_that_finds(searcher, words, parsed, filters, limit, thesaurus)
        matches, parsed, fixed, relaxed = found
        terms = ((searcher.terms_of(parsed, synonyms=False), searcher.terms_of(parsed)) if parsed is not None
                 else (frozenset(), frozenset()))
        hits = tuple(_hit(meta, score, root, *terms) for meta, score in matches.hits())
        total = matches.total() if (count or facets) else None
        missing = _missing(searcher, words) if words and (not hits or relaxed or fixed) else ()
        if fixed and hits:
            from .suggest import as_written

            fixed = as_written(fixed, words, [_body(root / hits[0].path), hits[0].title, hits[0].summary,
                                              *hits[0].tags, *(e.text for g in thesaurus.groups for e in g)])
        return SearchResult(query=text, filters=filters, hits=hits, total=total, ranked=parsed is not None,
                            facets=_facets(matches) if facets else None, limit=limit, corrected=fixed if hits else None,
                            suggestion=None, relaxed=relaxed, missing=missing, durations=intent.durations,
                            hints=intent.hints)

    return with_searcher(root, index_dir, work, notify=notify, progress=progress,
                         wait=WAIT_SECONDS if wait is None else wait, current=current)


def _first_that_finds(searcher: IndexSearcher, words: str, parsed: Any, filters: Filters, limit: int | None,
                      thesaurus: Any) -> tuple[Matches, Any, str | None, bool]:
    """The typed query; if it finds nothing, the query with its unknown words corrected; then, for plain words,
    the sheets that hold the most of them. Gives (matches, query, corrected text, relaxed).

    The words as typed are looked for first: when they alone fill two pages (2 × `limit` sheets), the thesaurus'
    synonyms, which rank below the words typed, are not looked for (their phrases cost the most, bench/RESULTS.md).
    """
    criteria = filters.criteria()
    exact_matches = None
    if parsed is not None and limit is not None:
        exact = searcher.parse(words, None)
        if exact is not None and exact != parsed:
            exact_matches = searcher.run(exact, criteria, EXACT_PAGES * limit, shown=limit)
            if exact_matches.found(max(EXACT_PAGES * limit, FEW)):
                return exact_matches, exact, None, False
    if exact_matches is not None and exact_matches.found() and limit is not None:
        # fewer than two pages hold the words typed: all of them are ranked, and shown before the sheets that
        # only hold a synonym (enough of those are ranked to fill the page whatever their scores)
        typed = exact_matches.count(EXACT_PAGES * limit)
        matches = searcher.run(parsed, criteria, limit + typed, shown=limit).typed_first(exact_matches)
    else:
        matches = searcher.run(parsed, criteria, limit)
    if parsed is None or matches.found(FEW):
        return matches, parsed, None, False
    from .suggest import corrected, relaxable  # only when few sheets hold every word

    fixed = corrected(searcher, words, thesaurus) if not matches.found() else None
    if fixed:
        fixed_query = searcher.parse(fixed, thesaurus)
        fixed_matches = searcher.run(fixed_query, criteria, limit) if fixed_query is not None else None
        if fixed_matches is not None and fixed_matches.found():
            return fixed_matches, fixed_query, fixed, False
    if relaxable(words):  # few sheets hold every word: they come first, then those that hold the most
        loose = searcher.parse(words, thesaurus, any_word=True)
        either = searcher.either(parsed, loose)
        loose_matches = searcher.run(either, criteria, limit)
        if loose_matches.found(matches.count(FEW) + 1):
            return loose_matches, either, None, True
    return matches, parsed, None, False


def _bounded(filters: Filters, intent: Intent) -> Filters:
    """The filters with the durations typed in words (the tighter bound wins over an option)."""
    low = max((v for v in (filters.min_duration, intent.min_duration) if v is not None), default=None)
    high = min((v for v in (filters.max_duration, intent.max_duration) if v is not None), default=None)
    return filters._replace(min_duration=low, max_duration=high)


def _hit(meta: dict[str, Any], score: float | None, root: Path, typed: frozenset[str], terms: frozenset[str]) -> Hit:
    """A result, with the passage of its body where the words typed meet (or else their synonyms)."""
    from .snippets import highlight, passage

    snippet: list[tuple[str, bool]] = []
    text = _body(root / meta["path"]) if terms else ""
    for wanted in dict.fromkeys(t for t in (typed, terms) if t):
        snippet = highlight(_plain(passage(text, wanted)), wanted) or highlight(meta["summary"], wanted)
        if snippet:
            break
    return Hit(slug=meta["slug"], title=meta["title"], summary=meta["summary"], objective=meta["objective"],
               public=tuple(meta["public"]), duration=meta["duration"], level=meta["level"],
               themes=tuple(meta["themes"]), tags=tuple(meta["tags"]), license=meta["license"],
               status=meta["status"], path=meta["path"], score=score, snippet=tuple(snippet))


def _body(path: Path) -> str:
    """The Markdown body of a sheet (no front matter), to cut a snippet from; read like the sheet: never blocks."""
    from ..sheets.files import FileTrouble, read_regular

    try:
        return _FRONT_MATTER.sub("", read_regular(path, 1_000_000).decode("utf-8"), count=1)
    except (FileTrouble, UnicodeDecodeError):
        return ""


def _plain(markdown: str) -> str:
    """A passage without Markdown marks and with single spaces, as a snippet shows it."""
    return " ".join(_MARKDOWN.sub(lambda m: m.group(1) or " ", markdown).split())


def _facets(matches: Matches) -> tuple[Facet, ...]:
    from .facets import facets

    return facets(matches)


def _missing(searcher: IndexSearcher, words: str) -> tuple[str, ...]:
    from .suggest import missing_words

    return missing_words(searcher, words)
