"""Is the remembered snapshot still the library on disk? Answered with two stats per sheet folder (the folder and
its index.md), one per Markdown support, and a digest of the rules, without importing the sheet reader, so that
`search` starts fast. The stamp it reads is small (a digest of those stats, not the stats): see `search_key`.
"""

from __future__ import annotations

import json
import os
from array import array
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from .. import __version__
from .fingerprint import code_fingerprint

FORMAT = 3  # 2: programmes beside the sheets; 3: details in SQLite, the stamp holds a digest of the stats
STAMP_FILE = "bibliotheque.json"  # small: format, fingerprint, id, the digest of every folder's stats
CONFIG_FILES = ("outillerie.yml",)
FORK_FROM = 1000  # sheet folders: below this the stat walk is too short to be worth a child process



Scan = tuple[list[str], "array[int]"]  # folder names, sorted, and FIELDS integers of stats for each
FIELDS = 5
_MISSING = (-1,) * FIELDS


def scan(resources: Path) -> Scan:
    """Every sheet folder, sorted by name, with the stats of its index.md (size, modification time, inode,
    change time) and its own modification time, as integers in one array (no text per folder: a search compares
    a digest of them, see `search_key`).

    The file's change time (ctime) is there: an edit in place that keeps the size and puts the modification date
    back (`cp -p`, a careful tool) still changes it, and nobody can set it. The folder's time moves when a file
    (a Markdown support, whose text is searched) is added or removed."""
    values = array("q")
    try:
        with os.scandir(resources) as entries:
            names = sorted(_folders(entries))
        place = os.open(resources, os.O_RDONLY)  # stat relative to it: the kernel walks two names, not the whole path
    except OSError:
        return [], values
    stat, add = os.stat, values.extend
    try:
        for name in names:
            try:
                own = stat(name, dir_fd=place)
                info = stat(name + "/index.md", dir_fd=place)
                add((info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns, own.st_mtime_ns))
            except OSError:
                add(_MISSING)
    finally:
        os.close(place)
    return names, values


def _folders(entries: Iterable[os.DirEntry[str]]) -> Iterable[str]:
    for entry in entries:
        try:
            if entry.name[0] != "." and entry.is_dir():
                yield entry.name
        except OSError:  # is_dir() raises on a symbolic-link loop: a folder that cannot be read ("-")
            yield entry.name


def stat_lines(scanned: Scan) -> list[tuple[str, str]]:
    """Each folder with its stat line, as the snapshot remembers it ("-" when it cannot be read)."""
    names, values = scanned
    lines = []
    for number, name in enumerate(names):
        size, modified, inode, changed, own = values[number * FIELDS:(number + 1) * FIELDS]
        lines.append((name, "-" if size == -1 else f"{size}:{modified}:{inode}:{changed}:{own}"))
    return lines


def watched_lines(root: Path, paths: Iterable[str]) -> dict[str, str]:
    """The stat line of each file named (relative to the library): the Markdown supports, whose text is searched.
    An edit in place changes none of the folder's stats, so each is stat'ed like an index.md."""
    found: dict[str, str] = {}
    for path in paths:
        try:
            info = os.stat(root / path)
            found[path] = f"{info.st_size}:{info.st_mtime_ns}:{info.st_ino}:{info.st_ctime_ns}"
        except OSError:
            found[path] = "-"
    return found


def stats_text(stats: Iterable[tuple[str, str]]) -> str:
    return "".join(f"{slug}\t{line}\n" for slug, line in stats)


def search_key(sheets: Scan, programmes: Scan, watched: Mapping[str, str]) -> str:
    """The digest of every stat a search depends on: the stamp keeps it instead of the stats themselves (at
    100,000 sheets those were 9 MB read at every search)."""
    import hashlib

    digest = hashlib.blake2b(digest_size=20)
    for names, values in (sheets, programmes):
        digest.update("\n".join(names).encode("utf-8", "surrogateescape") + b"\0")
        digest.update(values.tobytes())
    digest.update(stats_text(sorted(watched.items())).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def library_stats(root: Path) -> tuple[Scan, Scan]:
    """The stats of every sheet folder and of every programme folder."""
    return scan(root / "resources"), scan(root / "programmes")


def rules_fingerprint(root: Path) -> str:
    """What decides validity and content besides the files: our version, our code, our data, the configuration."""
    package = Path(__file__).parent.parent
    places = [Path(__file__).parent, package / "data" / "vocabulary.json", package / "data" / "licenses"]
    places += [root / name for name in CONFIG_FILES if (root / name).is_file()]
    return code_fingerprint(f"{FORMAT}:{__version__}", places)


def snapshot_id(fingerprint: str, stats: str) -> str:
    """The identity of a snapshot: it changes whenever a file's stat or the fingerprint does."""
    import hashlib

    return hashlib.sha256(f"{fingerprint}\n{stats}".encode("utf-8", "surrogateescape")).hexdigest()[:24]


def current_id(root: Path, cache_dir: Path) -> str | None:
    """The id of the remembered snapshot when it still matches the disk; None when it must be taken again."""
    try:
        stamp = json.loads((cache_dir / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or stamp.get("format") != FORMAT:
        return None
    watch = stamp.get("watch", [])
    if not isinstance(watch, list) or not all(isinstance(path, str) for path in watch):
        return None
    if stamp.get("key") != search_key(*library_stats(root), watched_lines(root, watch)) or \
            stamp.get("fingerprint") != rules_fingerprint(root):
        return None
    found = stamp.get("id")
    return found if isinstance(found, str) else None


def start_current_id(root: Path, cache_dir: Path) -> Callable[[], str | None]:
    """`current_id` in a child process for a large library (it stats while the parent imports Whoosh)."""
    if not hasattr(os, "fork"):
        return lambda: current_id(root, cache_dir)
    try:
        with os.scandir(root / "resources") as folders:
            many = sum(1 for _ in zip(range(FORK_FROM), folders)) >= FORK_FROM
    except OSError:
        many = False
    if not many:
        return lambda: current_id(root, cache_dir)
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, then leave at once (no cleanup of the parent's state)
        try:
            os.close(reading)
            os.write(writing, json.dumps(current_id(root, cache_dir)).encode())
        finally:
            os._exit(0)
    os.close(writing)

    def result() -> str | None:
        with os.fdopen(reading, "rb") as pipe:
            answer = pipe.read()
        os.waitpid(pid, 0)
        try:
            found = json.loads(answer)
        except ValueError:
            return current_id(root, cache_dir)
        return found if isinstance(found, str) else None

    return result


def write_json_atomically(path: Path, data: Any) -> None:
    """Write aside, then swap in: a reader sees the old file or the new one, never half of one."""
    import uuid

    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    try:
        # ASCII: a name the disk gave as undecodable bytes (a lone surrogate) survives the round trip
        temporary.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
