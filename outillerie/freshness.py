"""The cheap staleness check: every sheet's size and mtime against the index's stamp file, by stat() alone.

At 10,000 sheets the walk costs ~40 ms of system calls; on POSIX, for a large library, a forked
child does it on the other core while `search` imports and opens Whoosh. No Whoosh here.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

MANIFEST = "outillerie.json"
FORK_FROM = 1000  # sheet folders: below this the walk is too short to be worth a process


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
