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

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from ..errors import Problem, SheetError, excerpt, relative
from .fields import WARNING
from .files import FileTrouble, read_regular, strays
from .freshness import (
    FORMAT,
    STAMP_FILE,
    library_stats,
    library_stats_text,
    rules_fingerprint,
    snapshot_id,
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

DETAILS_FILE = "bibliotheque-fiches.json"  # large: every sheet's digest, record and findings

Progress = Callable[[str, int, int], None]


# --- The snapshot -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetState:
    """One sheet folder as the snapshot knows it: the digest of index.md, its record (None when it cannot be
    read) and its own findings (the library-wide ones, like a shared title, are the snapshot's)."""

    slug: str
    digest: str
    record: Mapping[str, Any] | None
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Snapshot:
    """Every sheet folder of a library, its findings, and which sheets are valid."""

    root: Path
    id: str
    fingerprint: str
    states: Mapping[str, SheetState]
    shared: tuple[Problem, ...]
    fresh: Mapping[str, Sheet] = field(default_factory=dict, repr=False)  # sheets parsed by this call, body included
    programme_states: Mapping[str, ProgrammeState] = field(default_factory=dict)
    programme_shared: tuple[Problem, ...] = ()  # findings of programmes against the sheets
    watched: Mapping[str, str] = field(default_factory=dict)  # Markdown supports (searched text) → their stat line

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every finding, warnings included, sorted by file and line."""
        found = [p for state in self.states.values() for p in state.problems]
        return tuple(sorted(set(found + list(self.shared))))

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    def is_valid(self, slug: str) -> bool:
        return slug in self._valid

    @property
    def _valid(self) -> frozenset[str]:
        broken = {p.path for p in self.shared if p.is_error}
        return frozenset(slug for slug, state in self.states.items()
                         if state.record is not None and not any(p.is_error for p in state.problems)
                         and state.record["path"] not in broken)

    def sheets(self) -> tuple[Sheet, ...]:
        """The valid sheets, sorted by slug; their body is empty unless parsed by this call (see `full_sheet`)."""
        return tuple(self.fresh.get(slug) or sheet_from_record(self.states[slug].record or {}, self.root)
                     for slug in sorted(self._valid))

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

    def digest(self, slug: str) -> str:
        """What an index or a site compares to know that a sheet's content changed (file and rules)."""
        return f"{self.states[slug].digest}:{self.fingerprint[:16]}"


# Sheets read by one call are kept whole (body included) for the command that follows, up to this many: past it
# the command reads a body again when it needs one, so a rebuild of 100,000 sheets does not hold them all.
KEEP_BODIES = 500


def take_snapshot(root: Path, cache_dir: Path | None, progress: Progress | None = None) -> Snapshot:
    """The library as it is on disk, reading again only the folders that moved since the remembered snapshot."""
    fingerprint = rules_fingerprint(root)
    scanned, programme_lines = library_stats(root)
    stats = library_stats_text(scanned, programme_lines)
    remembered, remembered_programmes = _read(cache_dir, fingerprint) if cache_dir else ({}, {})
    vocabulary = load_vocabulary()
    states: dict[str, SheetState] = {}
    fresh: dict[str, Sheet] = {}
    reread = 0
    kept: dict[str, str] = {}  # the stat line plus the Markdown supports' stamp: check reads their front matter
    for number, (slug, line) in enumerate(scanned, 1):
        old = remembered.get(slug)
        kept[slug] = f"{line}|{supports_stamp(root / 'resources' / slug)}"
        if old is not None and old[0] == kept[slug] and line != "-":
            states[slug] = old[1]
        else:
            reread += 1
            states[slug], sheet = _read_state(root, slug, vocabulary)
            if sheet is not None and len(fresh) < KEEP_BODIES:
                fresh[slug] = sheet
        if progress:
            progress("Lecture des fiches", number, len(scanned))
    records = [sheet_from_record(s.record, root) for s in states.values()
               if s.record is not None and not any(p.is_error for p in s.problems)]
    programmes: dict[str, ProgrammeState] = {}
    for slug, line in programme_lines:
        old_programme = remembered_programmes.get(slug)
        if old_programme is not None and old_programme[0] == line and line != "-":
            programmes[slug] = old_programme[1]
        else:
            reread += 1
            programmes[slug] = read_programme_state(root, slug, vocabulary)[0]
    ignored = [Problem(f"resources/{excerpt(name, 100)}", 0, WARNING, message)
               for name, message in strays(root / "resources")]
    watched = watched_lines(root, (f"resources/{slug}/{name}" for slug, state in states.items() if state.record
                                   for name in state.record.get("supports", ()) if name.lower().endswith(".md")))
    snapshot = Snapshot(root, snapshot_id(fingerprint, stats + stats_text(sorted(watched.items()))), fingerprint,
                        states, tuple(duplicate_titles(records, root)) + tuple(unknown_origins(records, states, root))
                        + tuple(ignored), fresh, programmes, watched=watched)
    if programmes:
        snapshot = _with_programme_findings(snapshot)
    if cache_dir and (reread or len(remembered) != len(states) or len(remembered_programmes) != len(programmes)
                      or not (remembered or remembered_programmes)):
        _write(cache_dir, snapshot, dict(scanned), dict(programme_lines), kept)
    return snapshot


def _with_programme_findings(snapshot: Snapshot) -> Snapshot:
    """The snapshot with the findings of its programmes against its sheets."""
    import dataclasses

    used = {item[2] for state in snapshot.programme_states.values() if state.record
            for session in state.record["sessions"] for item in session[4] if item[0] == "sheet"}
    readable = {slug: sheet_from_record(record, snapshot.root) for slug in used
                if (record := getattr(snapshot.states.get(slug), "record", None)) is not None}
    broken = used - snapshot._valid  # only the sheets the programmes use are turned back into Sheets
    found = programme_findings(snapshot.root, snapshot.programme_states, readable, broken, set(snapshot.states))
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


Remembered = dict[str, tuple[str, SheetState]]
RememberedProgrammes = dict[str, tuple[str, ProgrammeState]]


def _read(cache_dir: Path, fingerprint: str) -> tuple[Remembered, RememberedProgrammes]:
    """The remembered states by slug, with their stat line; nothing when absent, foreign or made by other code."""
    try:
        data = json.loads((cache_dir / DETAILS_FILE).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("fingerprint") != fingerprint:
            return {}, {}
        sheets = {slug: (line, SheetState(slug, digest, record, tuple(Problem(*p) for p in problems)))
                  for slug, (line, digest, record, problems) in data["sheets"].items()}
        return sheets, {slug: state_from_json(slug, entry) for slug, entry in data["programmes"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}, {}


def _write(cache_dir: Path, snapshot: Snapshot, lines: Mapping[str, str], programme_lines: Mapping[str, str],
           kept: Mapping[str, str]) -> None:
    """Details first, then the small stamp that `current_id` reads: a reader never trusts half a snapshot.

    The snapshot is a cache: a folder that cannot be written only costs the next command a full read."""
    sheets = {slug: [kept.get(slug, lines[slug]), state.digest, state.record, [list(vars(p).values()) for p in state.problems]]
              for slug, state in sorted(snapshot.states.items())}
    programmes = {slug: state_to_json(programme_lines[slug], state)
                  for slug, state in sorted(snapshot.programme_states.items())}
    stamp = {"format": FORMAT, "fingerprint": snapshot.fingerprint, "id": snapshot.id,
             "stats": library_stats_text(sorted(lines.items()), sorted(programme_lines.items())),
             "watch": dict(snapshot.watched)}
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomically(cache_dir / DETAILS_FILE, {"format": FORMAT, "fingerprint": snapshot.fingerprint,
                                                         "sheets": sheets, "programmes": programmes})
        write_json_atomically(cache_dir / STAMP_FILE, stamp)
    except OSError:
        pass


def problems_of(snapshot: Snapshot, slugs: Iterable[str], programmes: Iterable[str] = ()) -> tuple[Problem, ...]:
    """The findings of some sheets and programmes only (for `check PATH`), shared ones included."""
    shown = {relative(snapshot.root / "resources" / slug / "index.md", snapshot.root) for slug in slugs}
    folders = tuple(path[: -len("index.md")] for path in shown)  # a support's findings name the support's file
    shown |= {relative(snapshot.root / "programmes" / slug / "index.md", snapshot.root) for slug in programmes}
    return tuple(p for p in snapshot.problems + snapshot.programme_problems if p.path in shown or p.path.startswith(folders))
