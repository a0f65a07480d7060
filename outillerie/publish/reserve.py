"""The reserve: the site before last, kept in the library's cache, so that a re-export only touches what changed.

An export writes its new site in a folder aside and swaps it in whole (folders.py). Making that folder from nothing
costs a folder and a few hard links per sheet, and removing the replaced site as much again: at 10,000 sheets, some
80,000 file-system operations (and as many block discards on an SSD) for one edited sheet. So when the cache folder
is on the output's file system, the export works in the reserve instead, and the swap (an exchange of the two
folders) leaves the replaced site there for the next time, with the fingerprint of each sheet it holds:

- its shared files (catalogue, search parts, open data, static files, programmes) are removed first;
- a sheet it holds with the fingerprint of now stays as it is; the others are removed, then linked from the
  published site or rendered again; the folders of sheets no longer published are removed at the end;
- it is used only when its path is at least as long as the output's (what fits in it fits in the output), and
  its state is forgotten while it is being changed: a reserve whose state is unknown (an export killed while
  using it) is emptied by the next export. Two exports at once: the second one works aside, as without reserve.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from ..sheets.snapshot import write_json_atomically
from .folders import claimed_folder, hold
from .memory import reserve_paths

RESERVE_FORMAT = 1
SHEET_PARTS = ("fiches", "telechargements")  # the folders whose entries belong to sheets; all else is shared
SHARED_DOWNLOADS = ("programmes",)  # telechargements/programmes/: the programmes' kits, shared too


class Reserve:
    """The folder an export writes into, and the fingerprints of the sheets it already holds (slug → hash)."""

    def __init__(self, folder: Path, held: Mapping[str, str], state: Path | None) -> None:
        self.folder, self.held, self.state = folder, dict(held), state
        self.filled = state is not None and bool(held)  # False: the folder holds no sheet (new or emptied)

    def holds(self, slug: str, fingerprint: str) -> bool:
        """True when the folder already holds this sheet's pages and kit as they must be now."""
        return self.held.get(slug) == fingerprint

    def clear_sheet(self, slug: str) -> None:
        """Remove what the folder holds of a sheet (files that may be hard links of the published site)."""
        self.held.pop(slug, None)
        if self.filled:
            for path in (self.folder / "fiches" / slug, self.folder / "telechargements" / slug):
                shutil.rmtree(path, ignore_errors=True)
            with contextlib.suppress(OSError):
                (self.folder / "telechargements" / f"{slug}.zip").unlink()

    def prune(self, published: Iterable[str]) -> None:
        """Remove the folders and kits of sheets that are not published by this export."""
        if not self.filled:
            return
        keep = set(published)
        for part in SHEET_PARTS:
            try:
                entries = list(os.scandir(self.folder / part))
            except OSError:
                continue
            for entry in entries:
                slug = entry.name[:-4] if part == "telechargements" and entry.name.endswith(".zip") else entry.name
                if slug in keep or (part == "telechargements" and entry.name in SHARED_DOWNLOADS):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    def keep(self, code: str, output: Path, previous: Mapping[str, Any], current: Mapping[str, Any]) -> None:
        """After the swap: the folder holds the replaced site (`previous`: its memory), or, after a first export, is
        gone, and the sheets of the new site (`current`) are linked into a new reserve for the next export."""
        if self.state is None:
            return
        try:
            if not self.folder.is_dir():
                self.folder.mkdir()
                for part in SHEET_PARTS:
                    link_tree(output / part, self.folder / part, link_file)
                for name in SHARED_DOWNLOADS:
                    shutil.rmtree(self.folder / "telechargements" / name, ignore_errors=True)
                previous = current
            sheets = {slug: entry["hash"] for slug, entry in previous.items() if "hash" in entry}
            document = {"format": RESERVE_FORMAT, "code": code, "inode": _inode(self.folder), "sheets": sheets}
            write_json_atomically(self.state, document)
        except OSError:  # no reserve: the next export works aside, as without one
            shutil.rmtree(self.folder, ignore_errors=True)


def link_file(source: str, target: str) -> None:
    """A hard link shares the bytes of a file the previous export already wrote; a copy where links fail."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def link_sheet(output: Path, work: Path, slug: str) -> bool:
    """Hard-link (or copy) a sheet's page folder, PDFs and kit from the published site; False if they are gone."""
    pages, kit = output / "fiches" / slug, output / "telechargements" / f"{slug}.zip"
    if not pages.is_dir() or not kit.is_file():
        return False
    target = work / "fiches" / slug
    try:
        link_tree(pages, target, link_file)
        link_tree(output / "telechargements" / slug, work / "telechargements" / slug, link_file)  # its PDFs
        link_file(str(kit), str(work / "telechargements" / f"{slug}.zip"))
    except OSError:  # the previous site changed under us: render the sheet again instead
        shutil.rmtree(target, ignore_errors=True)
        shutil.rmtree(work / "telechargements" / slug, ignore_errors=True)
        return False
    return True


def link_tree(source: Path, target: Path, link: Callable[[str, str], None]) -> None:
    """Every file below `source` linked (or copied) at the same place below `target`; nothing when it is absent."""
    for folder, _, names in os.walk(source):
        inside = os.path.normpath(os.path.join(target, os.path.relpath(folder, source)))
        os.makedirs(inside, exist_ok=True)
        for name in names:
            link(os.path.join(folder, name), os.path.join(inside, name))


@contextlib.contextmanager
def working_folder(output: Path, cache_dir: Path, code: str) -> Iterator[Reserve]:
    """The folder to write the new site into: the reserve when it can be used, else a new folder beside `output`."""
    folder, state = reserve_paths(cache_dir, output)
    usable = _same_disk(cache_dir, output.parent) and len(os.fsencode(folder)) >= len(os.fsencode(output))
    handle = _claim(folder) if usable else None  # (a name the reserve can hold, the output can hold too)
    if handle is None:
        with claimed_folder(output.parent, prefix=f".{output.name}.", suffix=".tmp") as work:
            yield Reserve(work, {}, None)
        return
    try:
        held = _read_state(state, code, folder)
        with contextlib.suppress(FileNotFoundError):
            state.unlink()  # from here on, what the reserve holds is unknown until the swap is done
        _empty(folder, everything=not held)
        yield Reserve(folder, held, state)
    finally:
        os.close(handle)


def _claim(folder: Path) -> int | None:
    """A lock on the reserve (made if absent), held on a file beside it: the folder itself is swapped with the
    output, and a lock on it would pass to the published site. None when another export holds it."""
    lock = folder.with_name(f"{folder.name}.lock")
    try:
        lock.touch(exist_ok=True)
    except OSError:
        return None
    handle = hold(lock)
    if handle is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            os.close(handle)
            return None
    return handle


def _same_disk(cache_dir: Path, parent: Path) -> bool:
    """Hard links and the folders' exchange only work within one file system."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        parent.mkdir(parents=True, exist_ok=True)
        return cache_dir.stat().st_dev == parent.stat().st_dev
    except OSError:
        return False


def _inode(folder: Path) -> list[int]:
    info = folder.stat()
    return [info.st_dev, info.st_ino]


def _read_state(path: Path, code: str, folder: Path) -> dict[str, str]:
    """The sheets the reserve holds, by slug; nothing when its state is unknown or was written for other code."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        ok = (isinstance(data, dict) and data.get("format") == RESERVE_FORMAT and data.get("code") == code
              and data.get("inode") == _inode(folder) and isinstance(data.get("sheets"), dict))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data["sheets"].items()} if ok else {}


def _empty(folder: Path, everything: bool) -> None:
    """Remove the reserve's shared files (or all of it): they are written again, never into a linked file."""
    for entry in list(os.scandir(folder)):
        if not everything and entry.name in SHEET_PARTS and entry.is_dir(follow_symlinks=False):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)
    for name in SHARED_DOWNLOADS if not everything else ():
        shutil.rmtree(folder / "telechargements" / name, ignore_errors=True)
