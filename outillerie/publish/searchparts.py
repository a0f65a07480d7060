"""The site's search parts, made again only where an edit changed them.

A full build (`searchindex.build_search_index`) merges the postings of every sheet: at 10,000 sheets, millions of
numbers for one edited summary. When the published sheets and their order are the same as in the previous export,
the parts of the previous site are updated instead: the parts that hold a term whose postings in a changed sheet
the edit changed are read back, that sheet's old postings taken out and its new ones put in (a summary edited: a few
parts, not the ~100 that hold one of the sheet's terms); the word-table entries an edit
can change (those of forms that appear or disappear, and those that list a term that appears or disappears in the
whole site) are made again, and the spelling part; every other part is linked from the previous site.

What it needs from the previous export is kept in the cache: each sheet's analysed entry, one file per sheet (read
only for the changed ones, and checked against the digest the memory gives), and the site-wide counts (how many
sheets write each form and each spelling word, the terms in use, the word-table candidates of each form, the digest
of each part). Whatever is missing or does not match makes a full build. Either way the bytes are the same
(tests/test_export_incremental.py).
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from ..sheets.sheet import Sheet
from .searchindex import (
    SPELLING,
    build_search_index,
    card_parts,
    first_load,
    fixed_rules,
    keys_of,
    part_name,
    script,
)

STATE_FORMAT = 1
Entry = dict[str, Any]


def canonical(entry: Mapping[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EntryStore:
    """Each sheet's analysed search entry, one JSON file per sheet in the cache, checked against its digest."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.replaced: dict[str, Entry | None] = {}  # the previous entry of each sheet written again
        self.made = False

    def read(self, slug: str, expected: str) -> Entry | None:
        try:
            text = (self.folder / f"{slug}.json").read_text(encoding="utf-8")
        except OSError:
            return None
        return json.loads(text) if digest(text) == expected else None

    def write(self, slug: str, entry: Mapping[str, Any], previous: str | None) -> str:
        """Keep a sheet's entry (a cache that cannot be written only costs a full build); returns its digest."""
        text = canonical(entry)
        found = digest(text)
        if found != previous:
            self.replaced[slug] = self.read(slug, previous) if previous else None
            with contextlib.suppress(OSError):
                if not self.made:
                    self.folder.mkdir(parents=True, exist_ok=True)
                    self.made = True
                # in place, not aside then renamed: a file cut short or mixed by two exports fails its digest
                (self.folder / f"{slug}.json").write_text(text, encoding="utf-8")
        return found


class SearchParts:
    """The parts of the new site: the texts to write and the names to link from the previous site's `recherche/`."""

    def __init__(self, first: dict[str, Any], written: dict[str, str], linked: list[str], state: dict[str, Any]):
        self.first, self.written, self.linked, self.state = first, written, linked, state

    def write(self, folder: Path, previous: Path) -> None:
        """Write the parts into `folder`: the changed ones as text, the others hard-linked from `previous`."""
        folder.mkdir(exist_ok=True)
        for name in self.linked:
            try:
                os.link(previous / name, folder / name)
            except OSError:
                (folder / name).write_bytes((previous / name).read_bytes())
        for name, text in self.written.items():
            data = text.encode("utf-8")
            old = previous / name
            try:
                if old.stat().st_size == len(data) and old.read_bytes() == data:
                    os.link(old, folder / name)
                    continue
            except OSError:
                pass
            (folder / name).write_bytes(data)


def search_parts(sheets: Sequence[Sheet], memory: Sequence[Mapping[str, Any]], fresh: Mapping[str, Entry],
                 old_digests: Mapping[str, str], state: Mapping[str, Any] | None, store: EntryStore,
                 previous: Path, analyse: Callable[[Sheet], Entry], vocabulary: Any,
                 facets: Mapping[str, list[str]]) -> SearchParts:
    """The search parts of the new site, updated from the previous site's when possible, else built whole.

    `memory`: each sheet's memory entry ("len", "entry": its entry's digest); `fresh`: the entries analysed by this
    export; `old_digests`: the entries' digests of the previous export; `analyse`: a sheet's entry made again."""
    order = [sheet.slug for sheet in sheets]
    lens = [list(item["len"]) for item in memory]
    if state and state.get("format") == STATE_FORMAT and state.get("order") == order:
        changed = [n for n, item in enumerate(memory) if item["entry"] != old_digests.get(order[n])]
        with contextlib.suppress(_Stale):
            return _update(sheets, lens, changed, fresh, old_digests, state, store, previous, vocabulary, facets)
    entries = []
    for sheet, item in zip(sheets, memory):
        entry = fresh.get(sheet.slug) or store.read(sheet.slug, item["entry"])
        entries.append(entry if entry is not None else analyse(sheet))
    first, parts, aggregates = build_search_index(sheets, entries, vocabulary, facets)
    names = sorted(parts)
    state = {"format": STATE_FORMAT, "order": order, **aggregates, "parts": {n: digest(parts[n]) for n in names}}
    return SearchParts(first, parts, [], state)


class _Stale(Exception):
    """What the update needs of the previous export is missing or does not match: build whole."""


def _update(sheets: Sequence[Sheet], lens: list[list[int]], changed: list[int], fresh: Mapping[str, Entry],
            old_digests: Mapping[str, str], state: Mapping[str, Any], store: EntryStore, previous: Path,
            vocabulary: Any, facets: Mapping[str, list[str]]) -> SearchParts:
    order = state["order"]
    pairs: dict[int, tuple[Entry, Entry]] = {}
    for n in changed:
        old = store.replaced.get(order[n])
        if old is None or order[n] not in fresh:
            raise _Stale
        pairs[n] = (old, fresh[order[n]])
    shards = _Shards(previous, state["parts"])
    terms = set(state["terms"])
    touched = {term for old, new in pairs.values() for term in (*old["post"], *new["post"])
               if old["post"].get(term) != new["post"].get(term)}  # the others' postings are those of the site
    appeared, gone = set(), set()
    for term in sorted(touched):
        values = _merged(shards.postings(term), pairs, term)
        had = term in terms
        shards.set_postings(term, values)
        if values and not had:
            appeared.add(term)
            terms.add(term)
        elif not values and had:
            gone.add(term)
            terms.discard(term)
    forms = dict(state["forms"])
    flipped = _count(forms, [(old["forms"], new["forms"]) for old, new in pairs.values()])
    candidates = dict(state["candidates"])
    for form in flipped:
        if form in forms:
            candidates[form] = [[key, list(found)] for key, found in keys_of(form)]
        else:
            candidates.pop(form, None)
    _rewrite_words(shards, candidates, terms, flipped, appeared | gone)
    spell = [dict(counts) for counts in state["spell"]]
    spelling = shards.read("orthographe.js")
    for field in range(SPELLING):
        flipped = _count(spell[field], [(old["spell"][field], new["spell"][field]) for old, new in pairs.values()])
        frequency = spelling["fields"][field]
        for word in flipped | (touched & set(spell[field])):
            if word in spell[field]:
                values = shards.postings(word)
                frequency[word] = sum(values[i + 1] for i in range(0, len(values), 2) if values[i] & 7 == field)
            else:
                frequency.pop(word, None)
    written = {name: script("mots", name[5:-3], shard) for name, shard in shards.changed().items()}
    written["orthographe.js"] = script("orthographe", "", spelling)
    written.update(card_parts(sheets, vocabulary))
    names = {name: value for name, value in state["parts"].items() if name not in shards.emptied}
    names.update({name: digest(text) for name, text in written.items()})
    fixed = state.get("fixed") or fixed_rules()  # kept by the memory, made by the same code
    first = first_load(sheets, lens, facets, sorted(n[5:-3] for n in names if n.startswith("mots-")), names, fixed)
    linked = sorted(n for n in names if n not in written)
    new_state = {"format": STATE_FORMAT, "order": order, "terms": sorted(terms), "forms": forms,
                 "candidates": candidates, "spell": spell, "parts": dict(sorted(names.items())), "fixed": fixed}
    return SearchParts(first, written, linked, new_state)


def _merged(values: list[int], pairs: Mapping[int, tuple[Entry, Entry]], term: str) -> list[int]:
    """A term's postings with the changed sheets' old pairs taken out and their new ones put in, in sheet order.

    The values are (sheet × 8 + field, frequency) pairs sorted by sheet: each sheet's pairs are one slice, found by
    bisection, so a term of every sheet costs a copy, not a loop."""
    merged = list(values)
    for number in sorted(pairs, reverse=True):  # from the end: the slices before stay where they are
        keys = merged[0::2]
        start, end = bisect.bisect_left(keys, number * 8), bisect.bisect_left(keys, number * 8 + 8)
        found = pairs[number][1]["post"].get(term, [])
        merged[2 * start:2 * end] = [x for i in range(0, len(found), 2) for x in (number * 8 + found[i], found[i + 1])]
    return merged


def _count(counts: dict[str, int], changes: Sequence[tuple[Sequence[str], Sequence[str]]]) -> set[str]:
    """Update how many sheets hold each item; the items that appeared or disappeared."""
    before = {item for old, new in changes for item in (*old, *new) if counts.get(item, 0) > 0}
    for old, new in changes:
        for item in set(old):
            if counts.get(item, 0) <= 0:
                raise _Stale  # the counts do not describe these entries
            counts[item] -= 1
        for item in set(new):
            counts[item] = counts.get(item, 0) + 1
    after = set()
    for old, new in changes:
        for item in (*old, *new):
            if counts.get(item, 0) <= 0:
                counts.pop(item, None)
            else:
                after.add(item)
    touched = {item for old, new in changes for item in (*old, *new)}
    return {item for item in touched if (item in before) != (item in after)}


def _rewrite_words(shards: _Shards, candidates: Mapping[str, list[Any]], terms: set[str], flipped: set[str],
                   moved: set[str]) -> None:
    """The word-table entries an edit can change, made again as `_word_table` makes them."""
    keys = {key for form in flipped for key, _ in keys_of(form)}
    if moved:
        keys |= {key for pairs in candidates.values() for key, found in pairs if moved.intersection(found)}
    if not keys:
        return
    by_key: dict[str, list[tuple[str, list[str]]]] = {}
    for form in sorted(candidates):
        for key, found in candidates[form]:
            if key in keys:
                by_key.setdefault(key, []).append((form, found))
    for key in sorted(keys):
        current: list[str] = []
        for _, found in by_key.get(key, []):
            current.extend(t for t in found if t in terms and t not in current)
        shards.set_word(key, current)


class _Shards:
    """The previous site's `mots-XX.js` parts, read on demand (checked against their digests), and changed."""

    def __init__(self, previous: Path, digests: Mapping[str, str]) -> None:
        self.previous, self.digests = previous, digests
        self.loaded: dict[str, dict[str, Any]] = {}
        self.dirty: set[str] = set()
        self.emptied: set[str] = set()

    def read(self, file: str) -> Any:
        """The data of a part of the previous site, as `script` wrote it."""
        try:
            text = (self.previous / file).read_text(encoding="utf-8")
        except OSError:
            raise _Stale from None
        if digest(text) != self.digests.get(file):
            raise _Stale
        return json.loads(text[text.index(",", text.index(",") + 1) + 1:-3])

    def shard(self, name: str) -> dict[str, Any]:
        if name not in self.loaded:
            file = f"mots-{name}.js"
            self.loaded[name] = self.read(file) if file in self.digests else {"w": {}, "p": {}}
        return self.loaded[name]

    def postings(self, term: str) -> list[int]:
        return list(self.shard(part_name(term))["p"].get(term, []))

    def set_postings(self, term: str, values: list[int]) -> None:
        self._set("p", term, values)

    def set_word(self, key: str, terms: list[str]) -> None:
        self._set("w", key, terms)

    def _set(self, kind: str, key: str, value: list[Any]) -> None:
        name = part_name(key)
        table = self.shard(name)[kind]
        if (table.get(key) or []) == value:
            return
        if value:
            table[key] = value
        else:
            table.pop(key, None)
        self.dirty.add(name)

    def changed(self) -> dict[str, dict[str, Any]]:
        """The changed parts by file name (without the emptied ones, noted in `emptied`)."""
        found = {}
        for name in sorted(self.dirty):
            shard = self.loaded[name]
            if shard["w"] or shard["p"]:
                found[f"mots-{name}.js"] = shard
            else:
                self.emptied.add(f"mots-{name}.js")
        return found
