"""Writing an index's segments: a rebuild's segments, each sorted in memory and written by one of several
processes, then listed at once; an update's commit, which merges the small segments and keeps the index tidy.
Whoosh is reached through engine.py's index objects only (engine.py stays the one module importing it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from . import engine
from .engine import open_index

SEGMENT_MB = 256  # the postings of one segment are sorted in memory up to this size (see bench/RESULTS.md)


def write_segment(folder: Path, documents: Iterable[dict[str, Any]]) -> Any:
    """Write one segment of these documents into the index of `folder`, without committing it (several processes
    may each write theirs; `commit_segments` lists them). Its postings are sorted in memory when they fit in
    SEGMENT_MB: no temporary run files, which used to reach five times the final index."""
    ix = open_index(folder)
    writer = ix.writer(_lk=False, limitmb=SEGMENT_MB)  # no lock of Whoosh's: the caller holds ours
    try:
        for fields in documents:
            writer.add_document(**fields)
        return writer._finalize_segment()
    except BaseException:
        writer.cancel()
        raise
    finally:
        ix.close()


def commit_segments(folder: Path, segments: list[Any]) -> None:
    """Make the segments written by `write_segment` the index of `folder` (a new table of contents)."""
    ix = open_index(folder)
    writer = ix.writer()
    try:
        writer._commit_toc([segment for segment in segments if segment.doc_count_all()])
    finally:
        writer._close_segment()
        writer._finish()
        ix.close()


MAX_SEGMENTS = 12  # beyond this many segments, or a quarter of the documents deleted, an update optimizes
DELETED_SHARE = 0.25
# Past this many documents an optimize would push the whole index through Whoosh's temporary run files (about
# seven times the index) for minutes: the segments a rebuild wrote stay, MERGE_SMALL merges the small ones the
# updates add, and a quarter of the documents deleted asks for a rebuild instead.
OPTIMIZE_UP_TO = 20_000
SMALL_SEGMENT = 500  # past OPTIMIZE_UP_TO, an update merges only the segments smaller than this (a rebuild writes 2,000)


def commit_tidy(ix: Any, writer: Any) -> str:
    """Commit an update, merging small segments (Whoosh's MERGE_SMALL); then, when a long life of updates left many
    segments or many deleted documents, which every query would otherwise pay for, optimize a small index into one
    segment ("optimized") or say that a large one should be rebuilt ("rebuild"); else ""."""
    if sum(segment.doc_count_all() for segment in ix._segments()) > OPTIMIZE_UP_TO:
        writer.commit(mergetype=engine.merge_small_only(SMALL_SEGMENT))
    else:
        writer.commit(merge=True)
    segments = ix._segments()
    total = sum(segment.doc_count_all() for segment in segments)
    deleted = sum(segment.deleted_count() for segment in segments)
    worn = bool(total) and deleted / total > DELETED_SHARE
    if total > OPTIMIZE_UP_TO:
        return "rebuild" if worn else ""
    if len(segments) > MAX_SEGMENTS or worn:
        ix.optimize()
        return "optimized"
    return ""
