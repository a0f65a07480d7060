"""Is the remembered snapshot still the library on disk? Answered with two stats per sheet folder (the folder and
its index.md), one per Markdown support, and a digest of the rules, without importing the sheet reader, so that
`search` starts fast. The stamp it reads is small (a digest of those stats, not the stats): see `search_key`.
"""

from __future__ import annotations

import json
import os
from array import array
from pathlib import Path
from stat import S_ISDIR
from typing import Any, Callable, Iterable, Mapping, Sequence

from .. import __version__
from .fingerprint import code_fingerprint

FORMAT = 3  # 2: programmes beside the sheets; 3: details in SQLite, the stamp holds a digest of the stats
STAMP_FILE = "bibliotheque.json"  # small: format, fingerprint, id, the digest of every folder's stats
CONFIG_FILES = ("outillerie.yml",)
RULES_FILE = "empreinte.json"  # the rules' fingerprint and the stats of its files (see known_fingerprint)
# Code that says whether the snapshot is stale, not what a sheet holds: not in the fingerprint (FORMAT covers its
# stamp's shape), so that changing it does not make a library read every sheet again.
NOT_RULES = ("freshness.py", "inotify.py", "watcher.py", "watching.py")
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
        names = _folder_names(resources)
        place = os.open(resources, os.O_RDONLY)  # stat relative to it: the kernel walks two names, not the whole path
    except OSError:
        return [], values
    stat, add = os.stat, values.extend
    try:
        for name in names:
            try:
                add(_fields(stat(name, dir_fd=place), stat(name + "/index.md", dir_fd=place)))
            except OSError:
                add(_MISSING)
    finally:
        os.close(place)
    return names, values


def scan_named(resources: Path, names: Iterable[str]) -> list[tuple[str, str]]:
    """The stat line of each named folder that is a sheet folder now (as `scan` counts them), sorted by name: the
    library's watcher named the folders that moved, the others keep the lines of the remembered snapshot."""
    found = []
    for name in sorted(set(names)):
        try:
            is_folder = name[0] != "." and S_ISDIR(os.stat(resources / name).st_mode)
        except FileNotFoundError:
            is_folder = False  # gone, or a broken link (a stray, see files.stray)
        except OSError:
            is_folder = name[0] != "."  # a loop of links: a folder that cannot be read ("-"), as in `scan`
        if is_folder:
            found.append((name, _line(scan_one(resources, name))))
    return found


def scan_one(resources: Path, name: str) -> tuple[int, ...]:
    """The stats `scan` takes of one folder."""
    try:
        return _fields(os.stat(resources / name), os.stat(resources / name / "index.md"))
    except OSError:
        return _MISSING


def _fields(own: os.stat_result, info: os.stat_result) -> tuple[int, ...]:
    """The FIELDS integers kept of a sheet folder: its index.md's size, modification time, inode and change time,
    and the folder's own modification time."""
    return info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns, own.st_mtime_ns


def _line(values: Sequence[int]) -> str:
    """One folder's stat line, as the snapshot remembers it ("-" when it cannot be read)."""
    return "-" if values[0] == -1 else ":".join(map(str, values))


def _folder_names(resources: Path) -> list[str]:
    with os.scandir(resources) as entries:
        return sorted(_folders(entries))


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
    return [(name, _line(values[number * FIELDS:(number + 1) * FIELDS])) for number, name in enumerate(names)]


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
    return code_fingerprint(f"{FORMAT}:{__version__}", _rules_places(root))


def _rules_places(root: Path) -> list[Path]:
    here = Path(__file__).parent
    package = here.parent
    places = [path for path in sorted(here.iterdir()) if path.suffix == ".py" and path.name not in NOT_RULES]
    places += [package / "data" / "vocabulary.json", *sorted((package / "data" / "licenses").iterdir())]
    return places + [root / name for name in CONFIG_FILES if (root / name).is_file()]


def known_fingerprint(root: Path, cache_dir: Path) -> str:
    """`rules_fingerprint`, taken from the cache while none of its files moved (their stats, not their bytes: a
    search the watcher vouches for does not read and hash 40 files)."""
    import hashlib

    stats = hashlib.blake2b(digest_size=16)
    for path in _rules_places(root):
        try:
            info = os.stat(path)
            line = f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ino}\n"
            stats.update(line.encode("utf-8", "surrogateescape"))
        except OSError:
            stats.update(b"-\n")
    try:
        kept = json.loads((cache_dir / RULES_FILE).read_text(encoding="utf-8"))
        if isinstance(kept, dict) and kept.get("stats") == stats.hexdigest() and \
                isinstance(kept.get("fingerprint"), str):
            return str(kept["fingerprint"])
    except (OSError, ValueError):
        pass
    found = rules_fingerprint(root)
    try:
        write_json_atomically(cache_dir / RULES_FILE, {"stats": stats.hexdigest(), "fingerprint": found})
    except OSError:
        pass
    return found


def snapshot_id(fingerprint: str, stats: str) -> str:
    """The identity of a snapshot: it changes whenever a file's stat or the fingerprint does."""
    import hashlib

    return hashlib.sha256(f"{fingerprint}\n{stats}".encode("utf-8", "surrogateescape")).hexdigest()[:24]


def read_stamp(cache_dir: Path) -> dict[str, Any] | None:
    """The stamp of the remembered snapshot, when it is one of this format."""
    try:
        stamp = json.loads((cache_dir / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) and stamp.get("format") == FORMAT else None


def _stamp_id(root: Path, cache_dir: Path, stamp: dict[str, Any]) -> str | None:
    found = stamp.get("id")
    return found if isinstance(found, str) and stamp.get("fingerprint") == known_fingerprint(root, cache_dir) else None


def vouched_id(root: Path, cache_dir: Path) -> str | None:
    """The remembered snapshot's id when the library's watcher says nothing moved since it was taken (no walk)."""
    from .watching import ask

    stamp = read_stamp(cache_dir)
    if stamp is None or not isinstance(stamp.get("watcher"), dict):
        return None
    answer = ask(cache_dir, stamp["watcher"])
    return _stamp_id(root, cache_dir, stamp) if answer is not None and answer.quiet_since(stamp["watcher"]) else None


def current_id(root: Path, cache_dir: Path) -> str | None:
    """The id of the remembered snapshot when it still matches the disk; None when it must be taken again.

    The watcher answers first (watching.py); without it, every sheet folder is stat'ed and the digest compared."""
    from .watching import ask, start

    stamp = read_stamp(cache_dir)
    if stamp is None:
        return None
    answer = ask(cache_dir, stamp.get("watcher"))  # asked BEFORE the walk: what moves during it is seen next time
    if answer is not None and answer.quiet_since(stamp.get("watcher")):
        return _stamp_id(root, cache_dir, stamp)
    watch = stamp.get("watch", [])
    if not isinstance(stamp.get("key"), str) or not isinstance(watch, list) or \
            not all(isinstance(path, str) for path in watch):
        return None  # no key: the watcher made the stamp without stats, a walk could not match it
    sheets, programmes = library_stats(root)
    if stamp.get("key") != search_key(sheets, programmes, watched_lines(root, watch)):
        return None
    if answer is None:
        start(root, cache_dir, len(sheets[0]))
    else:  # the walk agreed with the stamp: from now on the watcher vouches for it
        try:
            write_json_atomically(cache_dir / STAMP_FILE, {**stamp, "watcher": answer.mark()})
        except OSError:
            pass
    return _stamp_id(root, cache_dir, stamp)


def start_current_id(root: Path, cache_dir: Path) -> Callable[[], str | None]:
    """`current_id`, answered at once when the watcher vouches, else in a child process for a large library (it
    stats while the parent imports Whoosh)."""
    vouched = vouched_id(root, cache_dir)
    if vouched is not None:
        return lambda: vouched
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
