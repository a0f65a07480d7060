"""The thesaurus of the field: groups of equivalent terms (« arnaque », « escroquerie », « fraude »…) read from ONE
data file, `outillerie/data/thesaurus.json`, that contributors extend. Plain Python over the analyzer, so the
terminal search and the site's browser search expand a query from the same groups.

A term is matched on its analyzed terms (so « arnaques » and « Arnaque » find the group of « arnaque »); a term
written in capitals (« CAF », « RGPD ») is also an exact form, matched case-sensitively first.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from .analysis import ANALYZER_VERSION, analyze, fold, written_forms

THESAURUS_FILE = Path(__file__).parent.parent / "data" / "thesaurus.json"
CACHE_FILE = "thesaurus.json"  # in a cache folder: the groups already analyzed


@dataclass(frozen=True)
class Entry:
    """One term of a group: as written, and as the index stores it."""

    text: str
    terms: tuple[str, ...]

    @property
    def acronym(self) -> str | None:
        """The term itself when it is an acronym (« CAF », « RGPD », « CnFS »), to match case-sensitively."""
        return self.text if is_acronym(self.text) else None


def is_acronym(word: str) -> bool:
    """A word of 2 to 10 letters or digits with at least two capitals and no lowercase run of 3 (« CAF », « CnFS »)."""
    letters = [c for c in word if c.isalnum()]
    if not 2 <= len(letters) <= 10 or len(letters) != len(word.replace("-", "").replace(".", "")):
        return False
    capitals = sum(c.isupper() for c in letters)
    return capitals >= 2 and not any(word[i:i + 3].islower() and word[i:i + 3].isalpha() for i in range(len(word) - 2))


@dataclass(frozen=True)
class Thesaurus:
    """The groups, and an index from a term's first analyzed term to the (group, entry) pairs it may start."""

    groups: tuple[tuple[Entry, ...], ...]

    @functools.cached_property
    def _by_first(self) -> dict[str, tuple[tuple[int, Entry], ...]]:
        found: dict[str, list[tuple[int, Entry]]] = {}
        for number, group in enumerate(self.groups):
            for entry in group:
                found.setdefault(entry.terms[0], []).append((number, entry))
        return {term: tuple(sorted(pairs, key=lambda pair: -len(pair[1].terms))) for term, pairs in found.items()}

    def match(self, terms: Sequence[str], start: int = 0) -> tuple[int, Entry] | None:
        """The longest entry whose terms are `terms[start:…]`, with its group number, or None."""
        for number, entry in self._by_first.get(terms[start], ()) if start < len(terms) else ():
            if tuple(terms[start:start + len(entry.terms)]) == entry.terms:
                return number, entry
        return None

    def synonyms(self, number: int, entry: Entry) -> tuple[Entry, ...]:
        """The other entries of a group (those with other terms than `entry`)."""
        return tuple(other for other in self.groups[number] if other.terms != entry.terms)

    @functools.cached_property
    def words(self) -> frozenset[str]:
        """Every folded word of the thesaurus, for spelling suggestions (« smarphone » → « smartphone »)."""
        return frozenset(fold(form) for group in self.groups for entry in group for form in written_forms(entry.text))


def read_thesaurus(path: Path) -> Thesaurus:
    """The thesaurus of a JSON file: {"groups": [{"terms": [...], "note": "..."}]}; terms that analyze to nothing
    (only stop words) are left out."""
    return _analyzed(json.loads(path.read_text(encoding="utf-8")))


def _analyzed(data: Any) -> Thesaurus:
    groups = []
    for group in data["groups"]:
        entries = tuple(Entry(text, tuple(analyze(text))) for text in group["terms"])
        entries = tuple(entry for entry in entries if entry.terms)
        if len({entry.terms for entry in entries}) > 1:
            groups.append(entries)
    return Thesaurus(tuple(groups))


@functools.lru_cache(maxsize=1)
def load_thesaurus() -> Thesaurus:
    """The thesaurus shipped with outillerie (read once per process)."""
    return read_thesaurus(THESAURUS_FILE)


def cached_thesaurus(cache_dir: Path | None) -> Thesaurus:
    """The shipped thesaurus, analyzed once and kept in `cache_dir` (analyzing it costs a search 40 ms; reading the
    kept copy, 2): the copy names the analyzer version and the data file's digest, so an edit is seen at once."""
    import hashlib

    source = THESAURUS_FILE.read_bytes()
    key = f"{ANALYZER_VERSION}:{hashlib.sha256(source).hexdigest()}"
    if cache_dir is not None:
        try:
            kept = json.loads((cache_dir / CACHE_FILE).read_text(encoding="utf-8"))
            if kept["key"] == key:
                return Thesaurus(tuple(tuple(Entry(text, tuple(terms)) for text, terms in group)
                                       for group in kept["groups"]))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    thesaurus = _analyzed(json.loads(source))
    if cache_dir is not None:
        _keep(cache_dir / CACHE_FILE, {"key": key, "groups": [[[e.text, list(e.terms)] for e in group]
                                                               for group in thesaurus.groups]})
    return thesaurus


def _keep(path: Path, data: Any) -> None:
    """Write aside then swap in; a cache that cannot be written only costs the next search the analysis."""
    import os

    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
