"""What an export remembers for the next one, per sheet: the fingerprint of its page and kit (code, options,
history, the stamp of every file of its folder), its card and its search terms. Kept in the library's cache
folder, one file per output folder, never inside the published site. Which sheets exist and whether they are
valid is the snapshot's business, not this memory's. While an export runs, Python's cycle collector is paused
(`collector_paused`)."""

from __future__ import annotations

import contextlib
import gc
import json
import os
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..sheets.snapshot import write_json_atomically

MEMORY_FORMAT = 4


def folder_stamp(folder: Path) -> list[Any]:
    """Every file of a sheet folder (hidden ones aside) with its size and mtime: any edit changes it."""
    found: list[Any] = []

    def walk(path: str, prefix: str) -> None:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                info = entry.stat(follow_symlinks=False)
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, f"{prefix}{entry.name}/")
                else:
                    found.append([f"{prefix}{entry.name}", info.st_size, info.st_mtime_ns, entry.is_symlink()])

    try:
        walk(str(folder), "")
    except OSError:
        return []
    return sorted(found)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while an export runs: this memory, the snapshot and the search state of 10,000
    sheets are a million long-lived objects, and the collector went through them again and again as they grew (0.9 s
    of the CPU of a 3.5 s re-export). An export makes no cycles worth collecting (the peak memory of a first export
    of 1,000 sheets is the same without it): refcounting frees the rest."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def memory_path(cache_dir: Path, output: Path) -> Path:
    """Where the memory of the export into `output` lives: in the library's cache, named after the output."""
    import hashlib

    return cache_dir / f"site-{hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:16]}.json"


def reserve_paths(cache_dir: Path, output: Path) -> tuple[Path, Path]:
    """The reserve of the export into `output` (publish/reserve.py) and the file of its state, beside its memory."""
    memory = memory_path(cache_dir, output)
    return memory.with_suffix(".reserve"), memory.with_suffix(".reserve.json")


def forget(cache_dir: Path, output: Path) -> None:
    """Remove the memory and the reserve of the export into `output` (a scratch site that is gone)."""
    import shutil

    folder, state = reserve_paths(cache_dir, output)
    for path in (memory_path(cache_dir, output), state, folder.with_name(f"{folder.name}.lock")):
        path.unlink(missing_ok=True)
    for folder in (folder, entries_folder(cache_dir, output)):
        shutil.rmtree(folder, ignore_errors=True)


def read_memory(path: Path, code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The previous export's entries by slug, and the state of its search parts (searchparts.py); nothing when
    absent, unreadable or written by other code."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, {}
    if not isinstance(data, dict) or data.get("format") != MEMORY_FORMAT or data.get("code") != code:
        return {}, {}
    sheets, search = data.get("sheets"), data.get("search")
    return (sheets if isinstance(sheets, dict) else {}), (search if isinstance(search, dict) else {})


def write_memory(path: Path, code: str, entries: Mapping[str, Any], search: Mapping[str, Any]) -> None:
    """Write the memory for the next export; a cache folder that cannot be written only costs a full export."""
    document = {"format": MEMORY_FORMAT, "code": code, "sheets": dict(sorted(entries.items())), "search": search}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomically(path, document)
    except OSError:
        pass


def entries_folder(cache_dir: Path, output: Path) -> Path:
    """Where each sheet's analysed search entry is kept for the export into `output` (searchparts.EntryStore)."""
    return memory_path(cache_dir, output).with_suffix(".entries")
