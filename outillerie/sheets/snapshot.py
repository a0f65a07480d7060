"""The ONE answer to "which sheets exist, what each holds and whether it is valid", kept between commands.

`check`, `index`, `search`, `export` and `serve` all read a library through `take_snapshot`. The snapshot
remembers, per sheet folder, the stat of its `index.md` and of the folder, the digest of the file, the parsed
record and every finding; only the folders whose stat moved are read again. ONE fingerprint covers what can
change a sheet's validity or content without touching its file (outillerie's version, the code of this package,
the vocabulary and licences, the library's configuration): when it differs, every sheet is read again.

Programmes (`programmes/<slug>/index.md`) live in the same snapshot, with their own stat lines and states; their
findings against the sheets (an unknown or draft sheet, licences, participants, times) are recomputed at every
snapshot, since a sheet that changes can break a programme that did not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from ..errors import Problem, SheetError, excerpt, relative
from .details import DETAILS_FILE, Details, Light, Lights
from .fields import WARNING
from .files import FileTrouble, read_regular, stray, stray_message, strays
from .freshness import (
    FORMAT,
    STAMP_FILE,
    Scan,
    read_stamp,
    rules_fingerprint,
    scan,
    scan_named,
    search_key,
    snapshot_id,
    stat_lines,
    stats_text,
    watched_lines,
    write_json_atomically,
)
from .programme_states import (
    ProgrammeState,
    programme_findings,
    read_programme_state,
    state_from_json,
    state_to_json,
)
from .programmes import Programme, programme_from_record, read_programme
from .layout import supports_stamp
from .records import sheet_from_record, sheet_to_record
from .rules import duplicate_titles, unknown_origins, validate_sheet
from .sheet import MAX_BYTES, Sheet, read_sheet
from .vocabulary import load_vocabulary
from .watching import ask, moved_folders, start

Progress = Callable[[str, int, int], None]
FLAT = "0"  # the supports' stamp of a folder with neither subfolder nor Markdown support: unchanged while it is


# --- The snapshot -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetState:
    """One sheet folder as the snapshot knows it: the digest of index.md, its record (None when it cannot be
    read) and its own findings (the library-wide ones, like a shared title, are the snapshot's)."""

    slug: str
    digest: str
    record: Mapping[str, Any] | None
    problems: tuple[Problem, ...]


class SheetStates(Mapping[str, SheetState]):
    """Every sheet folder by slug; a record is read from the details file when asked for, never all at once."""

    def __init__(self, details: Details, lights: Lights) -> None:
        self.details = details
        self.lights = lights

    def __getitem__(self, slug: str) -> SheetState:
        light = self.lights[slug]
        return SheetState(slug, light.digest, self.details.record(slug) if light.readable else None, light.problems)

    def __iter__(self) -> Iterator[str]:
        return iter(self.lights)

    def __len__(self) -> int:
        return len(self.lights)


@dataclass(frozen=True)
class Snapshot:
    """Every sheet folder of a library, its findings, and which sheets are valid."""

    root: Path
    id: str
    fingerprint: str
    states: SheetStates
    shared: tuple[Problem, ...]
    fresh: Mapping[str, Sheet] = field(default_factory=dict, repr=False)  # sheets parsed by this call, body included
    programme_states: Mapping[str, ProgrammeState] = field(default_factory=dict)
    programme_shared: tuple[Problem, ...] = ()  # findings of programmes against the sheets
    watched: Mapping[str, str] = field(default_factory=dict)  # Markdown supports (searched text) → their stat line

    @cached_property
    def problems(self) -> tuple[Problem, ...]:
        """Every finding, warnings included, sorted by file and line."""
        found = [p for light in self.states.lights.where("problems != '[]'").values() for p in light.problems]
        return tuple(sorted(set(found + list(self.shared))))

    @cached_property
    def errors(self) -> tuple[Problem, ...]:
        """The errors only (the warnings of the sheets without an error are not even read)."""
        found = [p for light in self.states.lights.where("broken").values() for p in light.problems if p.is_error]
        return tuple(sorted(set(found + [p for p in self.shared if p.is_error])))

    def is_valid(self, slug: str) -> bool:
        return slug in self._valid

    @cached_property
    def _valid(self) -> frozenset[str]:
        return self.states.lights.usable() - self.excluded

    @cached_property
    def excluded(self) -> frozenset[str]:
        """The sheets read without an error of their own that a finding across sheets (a shared title) leaves out."""
        broken = {p.path for p in self.shared if p.is_error}
        return frozenset(path[len("resources/"):-len("/index.md")] for path in broken
                         if path.startswith("resources/") and path.endswith("/index.md"))

    def valid_slugs(self) -> list[str]:
        return sorted(self._valid)

    def sheets(self) -> tuple[Sheet, ...]:
        """The valid sheets, sorted by slug; their body is empty unless parsed by this call (see `full_sheet`)."""
        return tuple(self.iter_sheets())

    def iter_sheets(self, slugs: Iterable[str] | None = None) -> Iterator[Sheet]:
        """The valid sheets (or these ones), one at a time: a large library is never held whole."""
        for slug, record in self.states.details.records(self.valid_slugs() if slugs is None else slugs):
            yield self.fresh.get(slug) or sheet_from_record(record, self.root)

    def full_sheet(self, sheet: Sheet) -> Sheet:
        """A sheet with its body and outline: the one parsed by this call, or the file read again."""
        return self.fresh.get(sheet.slug) or read_sheet(sheet.path, self.root, load_vocabulary())

    @property
    def programme_problems(self) -> tuple[Problem, ...]:
        """Every finding about programmes, warnings included, sorted by file and line."""
        found = [p for state in self.programme_states.values() for p in state.problems]
        return tuple(sorted(set(found + list(self.programme_shared))))

    @property
    def programme_errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.programme_problems if p.is_error)

    def programmes(self) -> tuple[Programme, ...]:
        """The valid programmes, sorted by slug (their notes are empty: see `full_programme`)."""
        broken = {p.path for p in self.programme_problems if p.is_error}
        return tuple(programme_from_record(state.record, self.root) for slug, state in sorted(self.programme_states.items())
                     if state.record is not None and state.record["path"] not in broken)

    def full_programme(self, programme: Programme) -> Programme:
        """A programme with its facilitators' notes, read again from its file."""
        return read_programme(programme.path, self.root, load_vocabulary())[0]


# Sheets read by one call are kept whole (body included) for the command that follows, up to this many: past it
# the command reads a body again when it needs one, so a rebuild of 100,000 sheets does not hold them all.
KEEP_BODIES = 500


def take_snapshot(root: Path, cache_dir: Path | None, progress: Progress | None = None) -> Snapshot:
    """The library as it is on disk, reading again only the folders that moved since the remembered snapshot."""
    fingerprint = rules_fingerprint(root)
    details = Details(cache_dir, fingerprint)
    # The watcher is asked BEFORE the walk: a folder that moves during the walk is named next time.
    stamp = read_stamp(cache_dir) if cache_dir else None
    answer = ask(cache_dir, stamp.get("watcher")) if cache_dir and stamp else None
    moved = moved_folders(answer, stamp.get("watcher")) if stamp and stamp.get("id") == details.snapshot_id() else None
    # the names under resources/ the watcher saw move (None: it cannot say, every folder is walked)
    named = None if moved is None else {path[len("resources/"):] for path in moved if path.startswith("resources/")}
    sheet_stats: Scan | None = None
    if named is None:  # every folder stat'ed and compared with the remembered one
        sheet_stats = scan(root / "resources")
        remembered, scanned = details.lights(), stat_lines(sheet_stats)
    else:  # only the folders the watcher named (see watching.py)
        remembered, scanned = _named_stats(root, details, named)
    programme_stats = scan(root / "programmes")
    programme_lines = stat_lines(programme_stats)
    lights, fresh, reread = _sheet_lights(root, scanned, remembered, details, progress)
    gone = set(remembered) - set(lights)
    if gone:
        details.forget(gone)
    programmes, programme_reread = _programme_states(root, programme_lines, details)
    reread += programme_reread
    details.commit()  # the records are read back below (shared findings, states)
    every = Lights(details, lights if named is None else None)
    stray_entries = _strays_now(root, (stamp or {}).get("strays"), named)
    watched = watched_lines(root, (f"resources/{slug}/{name}" for slug, light in
                                   every.where("md_supports != '[]'").items() for name in light.md_supports))
    ignored = tuple(Problem(f"resources/{excerpt(name, 100)}", 0, WARNING, stray_message(name, is_dir))
                    for name, is_dir in stray_entries)
    # The key lets a command without the watcher compare its walk (freshness.current_id); the watcher's path took
    # no stats to make it, and leaves it out: a walk then finds no key and takes the snapshot, once.
    key = search_key(sheet_stats, programme_stats, watched) if sheet_stats is not None else None
    lines_text = details.lines_digest() + "\n" + stats_text(programme_lines) + stats_text(sorted(watched.items()))
    snapshot = Snapshot(root, snapshot_id(fingerprint, lines_text), fingerprint, SheetStates(details, every),
                        _shared_findings(root, details, every) + ignored, fresh, programmes, watched=watched)
    if programmes:
        snapshot = _with_programme_findings(snapshot)
    details.remember(snapshot.id)
    mark = answer.mark() if answer else None
    if cache_dir and not details.in_memory and (reread or gone or not _stamp_says(cache_dir, snapshot.id, mark)):
        _write_stamp(cache_dir, snapshot, key, mark, stray_entries)
    if cache_dir and answer is None and not details.in_memory:
        start(root, cache_dir, len(every))
    return snapshot


def _named_stats(root: Path, details: Details, named: set[str]) -> tuple[dict[str, Light], list[tuple[str, str]]]:
    """The remembered Lights and the stat lines of the folders the watcher named, and of those whose stats could not
    be read last time (read again at every snapshot, as by a walk); the other rows stand."""
    remembered = {**details.lights("line LIKE '-%'"), **details.lights_of(named)}
    return remembered, scan_named(root / "resources", named | set(remembered))


def _strays_now(root: Path, before: Any, named: set[str] | None) -> list[tuple[str, bool]]:
    """What `resources/` holds besides sheet folders: the strays of the stamp with the names that moved looked at
    again, when the watcher named them; else a walk of `resources/`."""
    if named is None or not isinstance(before, list) or not all(
            isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str) for entry in before):
        return strays(root / "resources")
    kept = [(name, bool(is_dir)) for name, is_dir in before if name not in named]
    found = [entry for name in named if (entry := stray(root / "resources", name)) is not None]
    return sorted(kept + found)


def _sheet_lights(root: Path, scanned: list[tuple[str, str]], remembered: Mapping[str, Light], details: Details,
                  progress: Progress | None) -> tuple[dict[str, Light], dict[str, Sheet], int]:
    """Each sheet folder: remembered when its stat line (and its supports' stamp) did not move, else read again and
    written to the details (records are not kept, but for the first few sheets read, kept whole)."""
    found: dict[str, Light | None] = {}
    todo: list[tuple[str, str]] = []
    for slug, line in scanned:
        old = remembered.get(slug)
        if old is not None and line != "-" and old.line == f"{line}|{FLAT}":
            found[slug] = old  # the folder did not move: still flat, the stamp needs no walk
            continue
        kept = f"{line}|{_supports_stamp(root / 'resources' / slug)}"
        if old is not None and old.line == kept and line != "-":
            found[slug] = old
        else:
            found[slug] = None
            todo.append((slug, kept))
    fresh: dict[str, Sheet] = {}
    for number, (slug, kept, state, sheet) in enumerate(_read_states(root, todo), 1):
        found[slug] = details.put(slug, kept, state.digest, state.record, state.problems)
        if sheet is not None and len(fresh) < KEEP_BODIES:
            fresh[slug] = sheet
        if progress:
            progress("Lecture des fiches", number, len(todo))
    return {slug: light for slug, light in found.items() if light is not None}, fresh, len(todo)


PARALLEL_FROM = 2000  # sheets to read again: from here two forked processes read them (a first snapshot, new rules)
_ROOT: Path | None = None  # what forked readers inherit


def _read_states(root: Path, todo: list[tuple[str, str]]) -> Iterator[tuple[str, str, SheetState, Sheet | None]]:
    """Each sheet read again, in order: in this process, or by two forked processes for many (their sheets are not
    sent back whole: a command that needs a body reads it again)."""
    import os

    global _ROOT
    if len(todo) < PARALLEL_FROM or not hasattr(os, "fork"):
        vocabulary = load_vocabulary()
        for slug, kept in todo:
            yield (slug, kept, *_read_state(root, slug, vocabulary))
        return
    import gc
    import multiprocessing

    _ROOT = root
    gc.freeze()  # the readers share the parent's objects: a collection in a child would copy their pages
    try:
        chunks = [todo[start:start + 200] for start in range(0, len(todo), 200)]
        with multiprocessing.get_context("fork").Pool(2) as pool:
            for chunk in pool.imap(_read_chunk, chunks):
                yield from ((slug, kept, state, None) for slug, kept, state in chunk)
    finally:
        gc.unfreeze()
        _ROOT = None


def _read_chunk(todo: list[tuple[str, str]]) -> list[tuple[str, str, SheetState]]:
    """In a forked reader: these sheets' states."""
    assert _ROOT is not None
    vocabulary = load_vocabulary()
    return [(slug, kept, _read_state(_ROOT, slug, vocabulary)[0]) for slug, kept in todo]


def _supports_stamp(folder: Path) -> str:
    """FLAT for a folder holding no subfolder and no Markdown support besides index.md (true while the folder's own
    time does not move), else the digest of its Markdown supports' stats (see layout.supports_stamp)."""
    import os

    try:
        with os.scandir(folder) as entries:
            flat = all(not (entry.name.endswith(".md") and entry.name != "index.md") and not entry.is_dir()
                       for entry in entries)
    except OSError:
        flat = False
    return FLAT if flat else supports_stamp(folder)


def _programme_states(root: Path, programme_lines: list[tuple[str, str]],
                      details: Details) -> tuple[dict[str, ProgrammeState], int]:
    remembered = {slug: state_from_json(slug, entry) for slug, entry in details.programmes().items()}
    vocabulary = load_vocabulary()
    programmes: dict[str, ProgrammeState] = {}
    reread = 0
    for slug, line in programme_lines:
        old = remembered.get(slug)
        if old is not None and old[0] == line and line != "-":
            programmes[slug] = old[1]
        else:
            reread += 1
            programmes[slug] = read_programme_state(root, slug, vocabulary)[0]
    if reread or len(remembered) != len(programmes):
        lines = dict(programme_lines)
        details.put_programmes({slug: state_to_json(lines[slug], state) for slug, state in programmes.items()})
    return programmes, reread + (len(remembered) != len(programmes))


def _shared_findings(root: Path, details: Details, lights: Mapping[str, Light]) -> tuple[Problem, ...]:
    """The findings across sheets, worked out from the few sheets concerned (a shared title, an unknown origin)."""
    titled = [sheet_from_record(record, root) for record in details.sharing_titles()]
    adapted = [sheet_from_record(record, root) for record in details.based_on_others()]
    return tuple(duplicate_titles(titled, root)) + tuple(unknown_origins(adapted, lights, root))


def _with_programme_findings(snapshot: Snapshot) -> Snapshot:
    """The snapshot with the findings of its programmes against its sheets."""
    import dataclasses

    used = {item[2] for state in snapshot.programme_states.values() if state.record
            for session in state.record["sessions"] for item in session[4] if item[0] == "sheet"}
    readable = {slug: sheet_from_record(record, snapshot.root) for slug in used
                if (record := getattr(snapshot.states.get(slug), "record", None)) is not None}
    broken = used - snapshot._valid  # only the sheets the programmes use are turned back into Sheets
    found = programme_findings(snapshot.root, snapshot.programme_states, readable, broken, snapshot.states.lights)
    return dataclasses.replace(snapshot, programme_shared=found)


def _read_state(root: Path, slug: str, vocabulary: Any) -> tuple[SheetState, Sheet | None]:
    import hashlib

    path = root / "resources" / slug / "index.md"
    try:
        digest = hashlib.sha256(read_regular(path, MAX_BYTES)).hexdigest()
    except FileTrouble:  # a FIFO, a loop, a file too large: read_sheet says why
        digest = ""
    try:
        sheet = read_sheet(path, root, vocabulary)
    except SheetError as error:
        return SheetState(slug, digest, None, tuple(error.problems)), None
    problems = tuple(validate_sheet(sheet, root))
    return SheetState(slug, digest, sheet_to_record(sheet, root), problems), sheet


def _stamp_says(cache_dir: Path, snapshot_id: str, mark: Mapping[str, Any] | None) -> bool:
    stamp = read_stamp(cache_dir)
    return stamp is not None and stamp.get("id") == snapshot_id and stamp.get("watcher") == mark and "strays" in stamp


def _write_stamp(cache_dir: Path, snapshot: Snapshot, key: str | None, mark: Mapping[str, Any] | None,
                 stray_entries: list[tuple[str, bool]]) -> None:
    """The small stamp that `current_id` reads, swapped in after the details were committed: a reader never trusts
    half a snapshot. The snapshot is a cache: a folder that cannot be written only costs the next command a full read.
    `mark` is the watcher's answer taken before the walk: while its serial does not move, the stamp holds."""
    stamp = {"format": FORMAT, "fingerprint": snapshot.fingerprint, "id": snapshot.id, "key": key,
             "watch": sorted(snapshot.watched), "strays": stray_entries, **({"watcher": mark} if mark else {})}
    try:
        write_json_atomically(cache_dir / STAMP_FILE, stamp)
    except OSError:
        pass


def problems_of(snapshot: Snapshot, slugs: Iterable[str], programmes: Iterable[str] = ()) -> tuple[Problem, ...]:
    """The findings of some sheets and programmes only (for `check PATH`), shared ones included."""
    shown = {relative(snapshot.root / "resources" / slug / "index.md", snapshot.root) for slug in slugs}
    folders = tuple(path[: -len("index.md")] for path in shown)  # a support's findings name the support's file
    shown |= {relative(snapshot.root / "programmes" / slug / "index.md", snapshot.root) for slug in programmes}
    return tuple(p for p in snapshot.problems + snapshot.programme_problems if p.path in shown or p.path.startswith(folders))
