"""What the index holds, without Whoosh: the stamp file `outillerie.json` (format, generation, every
sheet's size and mtime) and `sheets.json` (hash, title, errors), the cheap staleness check, and the
reading of sheets with the rules and messages of `check`.

The staleness check is one stat() per sheet (~40 ms at 10,000 sheets, mostly system calls): for a
large library, on POSIX, a forked child runs it while `search` imports and opens Whoosh.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from ..errors import Problem, SheetError, relative
from ..sheets.vocabulary import fold_key

MANIFEST = "outillerie.json"
DETAILS = "sheets.json"
NO_INDEX_YET = "aucun index n'existe encore"
GENERATION_RE = re.compile(r"^whoosh-[0-9a-f]{12}$")
FORK_FROM = 1000  # sheet folders: below this the walk is too short to be worth a process


# --- The staleness check ---------------------------------------------------------------------------------


def scan(resources: Path) -> list[tuple[str, int, int]]:
    """Every sheet folder with the size and mtime_ns of its index.md, sorted; (-1, -1) when it has none."""
    found: list[tuple[str, int, int]] = []
    try:
        folders = os.scandir(resources)
    except OSError:
        return found
    stat = os.stat
    with folders:
        for item in folders:
            if item.name[0] == "." or not item.is_dir():
                continue
            try:
                info = stat(item.path + "/index.md")
                found.append((item.name, info.st_size, info.st_mtime_ns))
            except OSError:
                found.append((item.name, -1, -1))
    found.sort()
    return found


def stats_text(stats: Iterable[tuple[str, int, int]]) -> str:
    """The stats as the stamp file stores them: one `slug<TAB>size<TAB>mtime_ns` line per sheet."""
    return "".join(f"{slug}\t{size}\t{mtime_ns}\n" for slug, size, mtime_ns in stats)


@dataclass(frozen=True)
class Freshness:
    """The stamp file's format and generation when every sheet matches it; None when anything differs."""

    format: Any = None
    generation: str | None = None

    @property
    def fresh(self) -> bool:
        return self.generation is not None


def check(root: Path, index_dir: Path) -> Freshness:
    """Compare the sheets on disk with the stamp file (which index.py validates before use)."""
    try:
        stamp = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Freshness()
    if not isinstance(stamp, dict) or stamp.get("stats") != stats_text(scan(root / "resources")):
        return Freshness()
    generation = stamp.get("generation")
    return Freshness(format=stamp.get("format"), generation=generation if isinstance(generation, str) else None)


def start_check(root: Path, index_dir: Path) -> Callable[[], Freshness]:
    """Start `check` in a child process when it is worth it; call the result to get the answer."""
    if not hasattr(os, "fork"):
        return lambda: check(root, index_dir)
    try:
        with os.scandir(root / "resources") as folders:
            many = sum(1 for _ in zip(range(FORK_FROM), folders)) >= FORK_FROM
    except OSError:
        many = False
    if not many:
        return lambda: check(root, index_dir)
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, then leave at once (no cleanup of the parent's state)
        try:
            os.close(reading)
            answer = check(root, index_dir)
            os.write(writing, json.dumps({"format": answer.format, "generation": answer.generation}).encode())
        finally:
            os._exit(0)
    os.close(writing)

    def result() -> Freshness:
        chunks = []
        with os.fdopen(reading, "rb") as pipe:
            chunks.append(pipe.read())
        os.waitpid(pid, 0)
        try:
            answer = json.loads(b"".join(chunks))
            return Freshness(format=answer["format"], generation=answer["generation"])
        except (ValueError, KeyError, TypeError):
            return check(root, index_dir)

    return result


# --- The manifest: format stamp, current generation and one entry per sheet folder ------------------


@dataclass
class Entry:
    """What the index knows of one sheet folder: its file's stat and hash, its title, its errors."""

    size: int
    mtime_ns: int
    sha256: str
    title: str = ""
    title_line: int = 1
    title_key: str = ""  # the title as `check` compares them (fold_key), kept to find duplicates quickly
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # its own errors, duplicates aside


@dataclass
class Manifest:
    """The stamp file `outillerie.json` (format, generation, every sheet's size and mtime), read before Whoosh.

    The stats are one line per sheet, sorted, so a fresh index is recognised by comparing two strings.
    Hashes, titles and errors live in `sheets.json`, read only when the index is written.
    """

    generation: str
    stats: str

    def stat_map(self) -> dict[str, tuple[int, int]]:
        found: dict[str, tuple[int, int]] = {}
        try:
            for line in self.stats.splitlines():
                slug, size, mtime_ns = line.split("\t")
                found[slug] = (int(size), int(mtime_ns))
        except ValueError:
            raise NotOurs(f"le fichier {MANIFEST} de l'index est illisible") from None
        return found

    def entries(self, index_dir: Path) -> dict[str, Entry]:
        """Every sheet's entry; NotOurs when `sheets.json` does not match the stamp file."""
        try:
            raw = json.loads((index_dir / DETAILS).read_text(encoding="utf-8"))
            if raw.get("generation") != self.generation:
                raise ValueError("another generation")
            stats = self.stat_map()
            details = raw["sheets"]
            return {slug: Entry(size, mtime_ns, str(details[slug][0]), str(details[slug][1]), int(details[slug][2]),
                                str(details[slug][3]), [(int(a), str(b), str(c)) for a, b, c in details[slug][4]])
                    for slug, (size, mtime_ns) in stats.items()}
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            raise NotOurs(f"le fichier {DETAILS} de l'index est illisible") from None

    @staticmethod
    def save(index_dir: Path, generation: str, entries: Mapping[str, Entry], stamp: dict[str, Any]) -> None:
        """Details first, then the stamp file, each written aside and swapped in: the stamp file commits."""
        slugs = sorted(entries)
        details = {"generation": generation,
                   "sheets": {s: [entries[s].sha256, entries[s].title, entries[s].title_line, entries[s].title_key,
                                  [list(p) for p in entries[s].problems]] for s in slugs}}
        _write_atomically(index_dir / DETAILS, details)
        _write_atomically(index_dir / MANIFEST, {"format": stamp, "generation": generation,
                                                 "stats": stats_text((s, entries[s].size, entries[s].mtime_ns)
                                                                     for s in slugs)})


def _write_atomically(path: Path, data: Any) -> None:
    import uuid

    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    temporary.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(temporary, path)


class NotOurs(Exception):
    """The index folder holds no index of ours that this version can open (the reason is in French)."""

    def notice(self) -> str:
        first = str(self) == NO_INDEX_YET
        return f"{'Construction' if first else 'Reconstruction complète'} de l'index de recherche : {self}."


def read_manifest(index_dir: Path, stamp: dict[str, Any]) -> Manifest:
    """The stamp file, or NotOurs unless its format is `stamp`: a missing, foreign or older index is rebuilt,
    never opened."""
    unreadable = f"le fichier {MANIFEST} de l'index est illisible"
    try:
        data = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotOurs(NO_INDEX_YET) from None
    except (OSError, ValueError):
        raise NotOurs(unreadable) from None
    if not isinstance(data, dict) or data.get("format") != stamp:
        raise NotOurs("l'index a été construit par une autre version d'outillerie ou de Whoosh")
    generation, stats = data.get("generation"), data.get("stats")
    if not isinstance(generation, str) or not GENERATION_RE.fullmatch(generation) or not isinstance(stats, str):
        raise NotOurs(unreadable)
    return Manifest(generation=generation, stats=stats)


@dataclass(frozen=True)
class Changes:
    """What differs between the sheet files and the manifest, found by stat() alone."""

    changed: tuple[str, ...]
    removed: tuple[str, ...]
    scanned: Mapping[str, tuple[int, int]]

    def __bool__(self) -> bool:
        return bool(self.changed or self.removed)


def find_changes(root: Path, manifest: Manifest) -> Changes:
    """The cheap staleness check: which sheets were added, touched or removed since the index was written."""
    found = scan(root / "resources")
    scanned = {slug: (size, mtime_ns) for slug, size, mtime_ns in found}
    if stats_text(found) == manifest.stats:
        return Changes(changed=(), removed=(), scanned=scanned)
    known = manifest.stat_map()
    changed = tuple(slug for slug, stat in scanned.items() if known.get(slug) != stat)
    removed = tuple(slug for slug in known if slug not in scanned)
    return Changes(changed=changed, removed=removed, scanned=scanned)


# --- Reading and validating sheets (the same rules and messages as `check`) ---------------------------


@dataclass(frozen=True)
class IndexReport:
    """What an index run did, and the invalid sheets left out (their errors, as `check` words them)."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    rebuilt: bool = False
    problems: tuple[Problem, ...] = ()

    @property
    def indexed(self) -> int:
        return self.added + self.updated + self.unchanged


def _hash(data: bytes) -> str:
    import hashlib  # imported here, like the other writing-only modules, to keep `search` quick to start

    return hashlib.sha256(data).hexdigest()


def read_entry(root: Path, slug: str, stat: tuple[int, int]) -> tuple[Entry, Any]:
    """One sheet read and validated: its manifest entry and the Sheet, or None when it has an error."""
    from ..sheets.rules import validate_sheet
    from ..sheets.sheet import read_sheet

    path = root / "resources" / slug / "index.md"
    try:
        digest = _hash(path.read_bytes())
    except OSError:
        digest = ""
    entry = Entry(stat[0], stat[1], digest)
    try:
        sheet = read_sheet(path, root)
    except SheetError as error:
        entry.problems = [(p.line, p.severity, p.message) for p in error.problems if p.is_error]
        return entry, None
    entry.title, entry.title_line, entry.title_key = sheet.title, sheet.key_lines.get("title", 1), fold_key(sheet.title)
    entry.problems = [(p.line, p.severity, p.message) for p in validate_sheet(sheet, root) if p.is_error]
    return entry, None if entry.problems else sheet


def duplicates(entries: Mapping[str, Entry]) -> dict[str, tuple[int, str, str]]:
    """The error `check` gives every sheet that shares its title with another, by slug."""
    by_title: dict[str, list[str]] = {}
    for slug, entry in sorted(entries.items()):
        if entry.title_key and not entry.problems:
            by_title.setdefault(entry.title_key, []).append(slug)
    found = {}
    for slugs in by_title.values():
        for slug in slugs if len(slugs) > 1 else ():
            others = ", ".join(s for s in slugs if s != slug)
            found[slug] = (entries[slug].title_line, "erreur", f"le titre « {entries[slug].title} » est déjà celui "
                           f"de la fiche {others}. Pour corriger : donnez à chaque fiche un titre qui la distingue.")
    return found


def indexed_slugs(entries: Mapping[str, Entry], shared: Mapping[str, Any]) -> set[str]:
    """The sheets the index holds: no error of their own, no title shared with another."""
    return {slug for slug, entry in entries.items() if not entry.problems and slug not in shared}


def problems_of(root: Path, entries: Mapping[str, Entry], shared: Mapping[str, tuple[int, str, str]]
              ) -> tuple[Problem, ...]:
    """Every error that keeps a sheet out of the index, as `check` shows it."""
    found = []
    for slug, entry in entries.items():
        if entry.problems or slug in shared:
            shown = relative(root / "resources" / slug / "index.md", root)
            for line, severity, message in entry.problems + ([shared[slug]] if slug in shared else []):
                found.append(Problem(shown, line, severity, message))
    return tuple(sorted(found))
