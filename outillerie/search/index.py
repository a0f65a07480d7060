"""The search index of a library: built and kept up to date from the sheets snapshot, never from its own
reading of the files. It keeps only what is Whoosh's: the current generation (a folder of Whoosh files), the
snapshot it reflects, and a digest per document. A missing, foreign, older or damaged index is rebuilt into a
new generation and swapped in by replacing the small manifest file.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, TypeVar

from ..errors import Problem, SearchIndexError, reason_fr
from ..french.analysis import ANALYZER_VERSION
from ..sheets.freshness import start_current_id, write_json_atomically
from . import engine, segments
from .digests import DOCUMENTS, Unreadable, check_generation, write_digests
from .documents import document
from .lock import WriteLock

if TYPE_CHECKING:  # the snapshot (and YAML) loads only when the sheets changed: a fresh search skips it
    from ..sheets.snapshot import Snapshot

MANIFEST = "outillerie.json"  # small: format, generation, the snapshot it reflects
GENERATION_RE = re.compile(r"^whoosh-[0-9a-f]{12}$")
NO_INDEX_YET = "aucun index n'existe encore"
LARGE_LIBRARY = 400  # sheets: from here a full build uses both cores
WAIT_SECONDS = 5.0

Notify = Callable[[str], None]
Progress = Callable[[str, int, int], None]
T = TypeVar("T")


def _quiet(message: str) -> None:
    """The default notifier: the library never prints."""


def format_stamp() -> dict[str, Any]:
    """What an index must have been built with to be opened: our schema, our analyzer, this engine."""
    return {"schema": engine.SCHEMA_VERSION, "analyzer": ANALYZER_VERSION, "whoosh": engine.engine_version()}


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


class NotOurs(Exception):
    """The index folder holds no index of ours that this version can open (the reason is in French)."""

    def notice(self) -> str:
        first = str(self) == NO_INDEX_YET
        return f"{'Construction' if first else 'Reconstruction complète'} de l'index de recherche : {self}."


@dataclass(frozen=True)
class Manifest:
    generation: str
    snapshot: str


def read_manifest(index_dir: Path) -> Manifest:
    """The manifest, or NotOurs unless it was written for this format: such an index is rebuilt, never opened."""
    unreadable = f"le fichier {MANIFEST} de l'index est illisible"
    try:
        data = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotOurs(NO_INDEX_YET) from None
    except (OSError, ValueError):
        raise NotOurs(unreadable) from None
    if not isinstance(data, dict) or data.get("format") != format_stamp():
        raise NotOurs("l'index a été construit par une autre version d'outillerie ou de Whoosh")
    generation, snapshot = data.get("generation"), data.get("snapshot")
    if not isinstance(generation, str) or not GENERATION_RE.fullmatch(generation) or not isinstance(snapshot, str):
        raise NotOurs(unreadable)
    return Manifest(generation, snapshot)


def _save(index_dir: Path, generation: str, snapshot: str) -> None:
    """The manifest, written after the documents' digests: it commits."""
    write_json_atomically(index_dir / MANIFEST, {"format": format_stamp(), "generation": generation,
                                                 "snapshot": snapshot})


# --- Building and updating ----------------------------------------------------------------------------


def update_index(root: Path, index_dir: Path, *, rebuild: bool = False, notify: Notify = _quiet,
                 progress: Progress | None = None, wait: float = WAIT_SECONDS) -> IndexReport:
    """Bring the index up to date: only the sheets added, changed or removed, or everything with `rebuild`.

    A missing, foreign, older or damaged index is rebuilt by itself, with a notice saying why.
    """
    from ..sheets.snapshot import take_snapshot

    with WriteLock(index_dir, wait):
        return _refresh(take_snapshot(root, index_dir, progress), index_dir, notify, progress, rebuild=rebuild)


def _refresh(snapshot: Snapshot, index_dir: Path, notify: Notify, progress: Progress | None, *,
             rebuild: bool) -> IndexReport:
    """Under the lock: update what changed, or rebuild (asked for, or the index is missing, foreign or damaged)."""
    if not rebuild:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)  # see _close_damaged
            try:
                return _update(snapshot, index_dir, read_manifest(index_dir))
            except NotOurs as reason:
                notify(reason.notice())
            except _MostChanged:
                pass
            except engine.DAMAGE as error:
                notify(_damage_notice(error))
            _close_damaged()
    try:
        return _rebuild(snapshot, index_dir, notify, progress)
    except OSError as error:
        raise SearchIndexError(f"l'index ne peut pas être écrit dans « {index_dir} » ({reason_fr(error)}). "
                               "Pour corriger : vérifiez la place libre sur le disque et les droits "
                               "d'écriture de ce dossier.") from error


def _close_damaged() -> None:
    """Whoosh leaves the files of a damaged index open when it fails: collect them now (callers silence the
    ResourceWarning of these files, which are closed here and nowhere else)."""
    import gc

    gc.collect()


def _damage_notice(error: BaseException) -> str:
    return f"L'index de recherche est abîmé ({type(error).__name__}) : reconstruction complète."


def _wanted(snapshot: Snapshot) -> dict[str, str]:
    """The documents the index must hold: every valid sheet, with the digest that says its content changed (its
    file and rules, and the stat of its Markdown supports, whose text is searched too)."""
    signatures, lights, rules = _signatures(snapshot), dict(snapshot.states.lights), _rules(snapshot)
    return {slug: lights[slug].digest + rules + signatures.get(slug, "") for slug in snapshot.valid_slugs()}


def _rules(snapshot: Snapshot) -> str:
    return f":{snapshot.fingerprint[:16]}"


def _signatures(snapshot: Snapshot) -> dict[str, str]:
    """What a sheet's document digest adds for its Markdown supports: the digest of their stat lines."""
    supports: dict[str, list[str]] = {}
    for path, line in sorted(snapshot.watched.items()):
        supports.setdefault(path.split("/")[1], []).append(f"{path}={line}")
    return {slug: _signature(lines) for slug, lines in supports.items()}


def _signature(lines: list[str] | None) -> str:
    import hashlib

    return ":" + hashlib.sha256("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()[:16] if lines else ""


# A rebuild writes segments of at most this many sheets, or this many bytes of index.md: their postings (about
# eleven times the text, in memory) are sorted without temporary run files (bench/RESULTS.md, issue 13).
SEGMENT_SHEETS = 2000
SEGMENT_BYTES = 10_000_000
PROCESSES = 2


def _batches(snapshot: Snapshot, slugs: list[str]) -> list[list[str]]:
    """The sheets of each segment: a large library has at least one per process."""
    most = SEGMENT_SHEETS if len(slugs) < LARGE_LIBRARY else min(SEGMENT_SHEETS, -(-len(slugs) // PROCESSES))
    batches: list[list[str]] = [[]]
    size = 0
    for slug in slugs:
        line = snapshot.states.lights[slug].line
        length = int(line.split(":", 1)[0]) if line[:1].isdigit() else 0
        if batches[-1] and (len(batches[-1]) >= most or size + length > SEGMENT_BYTES):
            batches.append([])
            size = 0
        batches[-1].append(slug)
        size += length
    return [batch for batch in batches if batch]


def _rebuild(snapshot: Snapshot, index_dir: Path, notify: Notify, progress: Progress | None) -> IndexReport:
    """Build from scratch into a new generation folder, then swap it in by replacing the manifest. The sheets are
    read again one at a time (never all held), by two processes for a large library, each writing segments."""
    import shutil
    import uuid

    wanted = _wanted(snapshot)
    generation = f"whoosh-{uuid.uuid4().hex[:12]}"
    folder = index_dir / generation
    folder.mkdir()
    try:
        engine.create(folder)
        written = []
        done = 0
        for segment, count in _write_batches(snapshot, folder, _batches(snapshot, sorted(wanted))):
            written.append(segment)
            done += count
            if progress:
                progress("Indexation", done, len(wanted))
        if len(wanted) >= LARGE_LIBRARY:
            notify("Écriture de l'index…")
        segments.commit_segments(folder, written)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    write_digests(index_dir, generation, wanted, whole=True)
    _save(index_dir, generation, snapshot.id)
    _remove_old_generations(index_dir, keep=generation)
    return IndexReport(added=len(wanted), rebuilt=True, problems=snapshot.errors)


_JOB: tuple[Snapshot, Path] | None = None  # what forked writers inherit (never pickled)


def _write_batches(snapshot: Snapshot, folder: Path, batches: list[list[str]]) -> Iterator[tuple[Any, int]]:
    """One segment per batch with its number of sheets: in this process for a small library, else by forked
    processes (the snapshot is inherited, the sheets are read by the writers themselves)."""
    import os

    global _JOB
    if sum(map(len, batches)) < LARGE_LIBRARY or len(batches) < 2 or not hasattr(os, "fork"):
        for batch in batches:
            yield segments.write_segment(folder, _documents(snapshot, batch)), len(batch)
        return
    import gc
    import multiprocessing

    _JOB = (snapshot, folder)
    gc.freeze()  # the writers share the parent's objects: a collection in a child would copy their pages
    try:
        # a writer is forked again every few segments: what its allocator kept from the previous sorts (~2 MB a
        # segment, measured at 100,000 sheets) never piles up
        with multiprocessing.get_context("fork").Pool(min(PROCESSES, len(batches)), maxtasksperchild=4) as pool:
            yield from pool.imap(_write_batch, batches)
    finally:
        gc.unfreeze()
        _JOB = None


def _write_batch(slugs: list[str]) -> tuple[Any, int]:
    """In a forked writer: one segment of these sheets."""
    assert _JOB is not None
    snapshot, folder = _JOB
    return segments.write_segment(folder, _documents(snapshot, slugs)), len(slugs)


def _documents(snapshot: Snapshot, slugs: list[str]) -> Iterator[dict[str, Any]]:
    """The documents of these sheets, each read again when it is indexed (but those this call already read)."""
    from ..errors import SheetError
    from ..sheets.sheet import read_sheet
    from ..sheets.vocabulary import load_vocabulary

    vocabulary = load_vocabulary()
    for slug in slugs:
        sheet = snapshot.fresh.get(slug)
        if sheet is None:
            try:
                sheet = read_sheet(snapshot.root / "resources" / slug / "index.md", snapshot.root, vocabulary)
            except SheetError:  # it changed since the snapshot: the next command sees its stat move
                continue
        yield document(sheet, snapshot.root)


def _remove_old_generations(index_dir: Path, keep: str) -> None:
    """Delete the folders of replaced generations and any Whoosh file left at the top (a foreign index)."""
    import shutil

    for item in index_dir.iterdir():
        if item.name == keep:
            continue
        if item.is_dir() and GENERATION_RE.fullmatch(item.name):
            shutil.rmtree(item, ignore_errors=True)
        elif item.is_file() and (item.suffix in (".toc", ".seg", ".pst", ".trm", ".dcz", ".fdt") or "_WRITELOCK" in item.name):
            item.unlink(missing_ok=True)


class _MostChanged(Exception):
    """More than half the documents must be written again."""


def _update(snapshot: Snapshot, index_dir: Path, manifest: Manifest) -> IndexReport:
    """Write only the documents whose digest changed, delete those no longer valid."""
    try:
        held = check_generation(index_dir, manifest.generation)
    except Unreadable:
        raise NotOurs(f"le fichier {DOCUMENTS} de l'index est illisible") from None
    changed, to_delete, valid, new = snapshot.states.details.compare(held, _rules(snapshot), _signatures(snapshot),
                                                                     snapshot.excluded)
    to_write = sorted(changed)
    if valid >= LARGE_LIBRARY and len(to_write) > valid // 2:
        raise _MostChanged()  # new rules or a mass edit: a rebuild on both cores beats rewriting one by one
    if to_write or to_delete:
        ix = engine.open_index(index_dir / manifest.generation)
        writer = ix.writer(timeout=WAIT_SECONDS)
        try:
            for slug in to_delete:
                writer.delete_by_term("slug", slug)
            by_slug = {sheet.slug: sheet for sheet in snapshot.iter_sheets(to_write)}
            for slug in to_write:
                writer.update_document(**document(snapshot.full_sheet(by_slug[slug]), snapshot.root))
        except BaseException:
            writer.cancel()
            raise
        tidy = segments.commit_tidy(ix, writer)
        ix.close()
        if tidy == "rebuild":  # a quarter of a large index deleted: rebuilt on both cores, without run files
            raise _MostChanged()
    if to_write or to_delete:
        write_digests(index_dir, manifest.generation, changed, to_delete)
    if to_write or to_delete or manifest.snapshot != snapshot.id:
        _save(index_dir, manifest.generation, snapshot.id)
    return IndexReport(added=new, updated=len(to_write) - new, removed=len(to_delete), unchanged=valid - len(to_write),
                       problems=snapshot.errors)


# --- Searching ----------------------------------------------------------------------------------------


def with_searcher(root: Path, index_dir: Path, work: Callable[[engine.IndexSearcher], T], *, notify: Notify = _quiet,
                  progress: Progress | None = None, wait: float = WAIT_SECONDS,
                  current: Callable[[], str | None] | None = None) -> T:
    """Run `work` on a fresh index: refresh changed sheets first, rebuild a damaged index, then retry once.

    `current` is a snapshot check already running (see snapshot.start_current_id); by default it runs here.
    """
    for attempt in (1, 2):
        generation = _fresh_generation(root, index_dir, notify, progress, wait, current)
        current = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)  # see _close_damaged
            try:
                ix = engine.open_index(index_dir / generation)
                try:
                    with ix.searcher() as searcher:
                        return work(engine.IndexSearcher(searcher))
                finally:
                    ix.close()
            except engine.DAMAGE as error:
                try:
                    if read_manifest(index_dir).generation != generation and attempt == 1:
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
                      current: Callable[[], str | None] | None) -> str:
    """The generation folder of an index that reflects the library's snapshot, updating it first when needed."""
    snapshot_id = (current or start_current_id(root, index_dir))()
    try:
        manifest = read_manifest(index_dir)
        if snapshot_id is not None and manifest.snapshot == snapshot_id:
            return manifest.generation
    except NotOurs:
        pass
    from ..sheets.snapshot import take_snapshot

    with WriteLock(index_dir, wait):
        report = _refresh(take_snapshot(root, index_dir, progress), index_dir, notify, progress, rebuild=False)
        _notify_problems(report, notify)
    return read_manifest(index_dir).generation


def _notify_problems(report: IndexReport, notify: Notify) -> None:
    """Searching does not list errors: it says how many sheets are left out and how to see why."""
    invalid = len({problem.path for problem in report.problems})
    if invalid:
        notify(f"{invalid} fiche{'s' if invalid > 1 else ''} non valide{'s' if invalid > 1 else ''} "
               f"{'ne sont' if invalid > 1 else 'n’est'} pas dans l'index. Pour voir pourquoi : outillerie check")
