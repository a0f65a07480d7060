"""The library's watcher: a background process that follows the library's folders through inotify, so that a
command learns what moved since its last snapshot without a stat per sheet (issue 13: at 100,000 sheets that walk
cost 0.7 s at every command). Commands ask it through watching.py; it is started by them for a large library.

It counts every event in `resources/`, `programmes/` and their folders, and the library's own top entries, and
remembers which sheet or programme folder each one touched. It leaves (and commands walk again) when it can no
longer vouch: the kernel's queue overflowed, a watch could not be added, a symbolic link appeared (an edit behind
a link is not seen in the library's folders), the library's folders went away, or nobody asked for IDLE_SECONDS.

    python -m outillerie.sheets.watcher LIBRARY CACHE_DIR
"""

from __future__ import annotations

import json
import os
import secrets
import select
import socket
import stat
import sys
import time
from pathlib import Path

from . import inotify
from .watching import PROTOCOL, REFUSED, address, same_user

IDLE_SECONDS = 1800
MOST_CHANGED = 5000  # folders named in one answer; beyond, the command walks everything
TOP = ("resources", "programmes", "outillerie.yml")


class Lost(Exception):
    """The watcher can no longer vouch for the library; `lasting` when another watcher would meet the same wall
    (a symbolic link, the system's limit of watches): commands then do not start one again for a while."""

    def __init__(self, reason: str, lasting: bool = True) -> None:
        super().__init__(reason)
        self.lasting = lasting


class Watcher:
    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.realpath(root))  # the library's own folder, not a link to it
        self.events = inotify.Inotify()
        self.folders: dict[int, str] = {}  # watch descriptor → folder, relative to the library ("" for itself)
        self.token = secrets.token_hex(8)
        self.serial = 0
        self.moved: dict[str, int] = {}  # "resources/slug" (or a top entry) → the serial of its last event

    def watch_library(self) -> None:
        remote = foreign_filesystem(self.root)
        if remote:
            raise Lost(f"système de fichiers {remote} : ses modifications faites d'ailleurs ne se voient pas ici")
        self.folders[self.events.watch(os.fspath(self.root))] = ""
        for name in ("resources", "programmes"):
            if (self.root / name).is_dir():
                self.watch_tree(name)

    def watch_tree(self, relative: str) -> None:
        """Watch a folder and every folder under it; Lost at a symbolic link or when the system's limit is hit."""
        waiting = [relative]
        while waiting:
            folder = waiting.pop()
            try:
                if os.path.islink(self.root / folder):
                    raise Lost(f"lien symbolique : {folder}")
                self.folders[self.events.watch(os.path.join(self.root, folder))] = folder
                with os.scandir(self.root / folder) as entries:
                    for entry in entries:
                        if entry.is_symlink():
                            raise Lost(f"lien symbolique : {folder}/{entry.name}")
                        if entry.is_dir(follow_symlinks=False):
                            waiting.append(f"{folder}/{entry.name}")
                        else:
                            self._single(f"{folder}/{entry.name}", entry.stat(follow_symlinks=False).st_nlink)
            except inotify.Unavailable as error:
                raise Lost(str(error)) from error
            except FileNotFoundError:
                continue  # gone meanwhile: its removal is an event of its parent

    def _single(self, path: str, links: int) -> None:
        """A file with another name elsewhere (a hard link) can be edited through it, unseen in our folders."""
        if links > 1:
            raise Lost(f"lien physique : {path}")

    def drain(self) -> None:
        """Read every event queued now: an answer given after this counts every write made before the question."""
        for event in self.events.read():
            self.take(event)

    def take(self, event: inotify.Event) -> None:
        if event.mask & inotify.Q_OVERFLOW:
            raise Lost("file d'événements pleine", lasting=False)
        folder = self.folders.get(event.watch)
        if folder is None:
            return
        if event.mask & (inotify.IGNORED | inotify.DELETE_SELF | inotify.MOVE_SELF):
            if folder in ("", "resources", "programmes"):
                raise Lost(f"dossier parti : {folder or '.'}", lasting=False)
            if event.mask & inotify.IGNORED:  # a folder moved inside keeps its watch, under its new name
                self.folders.pop(event.watch, None)
            return  # the event of its parent counted it
        if folder == "" and event.name not in TOP:
            return  # the cache (index/), a site exported beside: not the library's content
        path = f"{folder}/{event.name}" if folder else event.name
        self.serial += 1
        self.moved["/".join(path.split("/")[:2])] = self.serial
        self._follow(event, path)

    def _follow(self, event: inotify.Event, path: str) -> None:
        """Keep the watches in step with the folders: watch one that appears, forget one that moves away."""
        if event.mask & inotify.ISDIR and event.mask & (inotify.CREATE | inotify.MOVED_TO):
            self.watch_tree(path)
        elif event.mask & (inotify.CREATE | inotify.MOVED_TO):
            try:
                info = os.lstat(self.root / path)
            except OSError:
                return  # gone already: its removal is the next event
            if stat.S_ISLNK(info.st_mode):
                raise Lost(f"lien symbolique : {path}")
            self._single(path, info.st_nlink)
        elif event.mask & inotify.ISDIR and event.mask & inotify.MOVED_FROM:
            for watch, folder in list(self.folders.items()):
                if folder == path or folder.startswith(path + "/"):
                    del self.folders[watch]  # its events, if any still come, belong to no folder of ours

    def answer(self, request: bytes) -> bytes:
        words = request.decode("ascii", "replace").split()
        changed: list[str] | None = None
        if len(words) == 3 and words[0] == "since" and words[1] == self.token and words[2].isdigit():
            since = int(words[2])
            changed = [path for path, serial in self.moved.items() if serial > since]
            if len(changed) > MOST_CHANGED:
                changed = None
        return json.dumps({"protocol": PROTOCOL, "token": self.token, "serial": self.serial,
                           "changed": changed}).encode()


# File systems where inotify sees every change (a network or FUSE one only sees this machine's).
LOCAL = frozenset({"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "f2fs", "zfs", "overlay", "reiserfs", "jfs",
                   "ramfs", "bcachefs", "nilfs2"})


def foreign_filesystem(root: Path) -> str | None:
    """The type of a file system under or above the library that is not a local one (None when all are)."""
    import re

    try:
        with open("/proc/self/mounts", "rb") as mounts:
            table = [line.split()[1:3] for line in mounts if len(line.split()) >= 3]
    except OSError:
        return "inconnu"
    unescape = re.compile(rb"\\([0-7]{3})")  # the kernel writes a space in a mount point as \040
    points = [(os.fsdecode(unescape.sub(lambda m: bytes([int(m.group(1), 8)]), point)), os.fsdecode(kind))
              for point, kind in table]
    place = os.fspath(root)
    holding = max((pair for pair in points if place == pair[0] or place.startswith(pair[0].rstrip("/") + "/")),
                  key=lambda pair: len(pair[0]), default=("", "inconnu"))
    inside = [kind for point, kind in points if point.startswith(place + "/")]
    return next((kind for kind in [holding[1], *inside] if kind not in LOCAL), None)


def serve(watcher: Watcher, listener: socket.socket) -> None:
    """Answer until idle for IDLE_SECONDS, asked to stop, or lost."""
    poller = select.poll()
    poller.register(watcher.events.fd, select.POLLIN)
    poller.register(listener.fileno(), select.POLLIN)
    deadline = time.monotonic() + IDLE_SECONDS
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        for fd, _ in poller.poll(left * 1000):
            if fd == watcher.events.fd:
                watcher.drain()
            elif _talk(watcher, listener):
                deadline = time.monotonic() + IDLE_SECONDS
            else:
                return


def _talk(watcher: Watcher, listener: socket.socket) -> bool:
    """One question; False when asked to stop."""
    try:
        connection, _ = listener.accept()
    except OSError:
        return True
    with connection:
        try:
            connection.settimeout(1.0)
            if not same_user(connection):
                return True
            request = connection.recv(256)
            if request.startswith(b"stop"):
                connection.sendall(b"ok")
                return False
            watcher.drain()
            connection.sendall(watcher.answer(request))
        except OSError:
            pass
    return True


def main(root: Path, cache_dir: Path) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(address(cache_dir))  # one watcher per library: a second one leaves here
    except OSError:
        return
    try:
        watcher = Watcher(root)
        watcher.watch_library()
        listener.listen(16)  # only now: a command that asked earlier was refused, and walked
        serve(watcher, listener)
    except (Lost, inotify.Unavailable) as error:
        if getattr(error, "lasting", True):
            refuse(cache_dir, str(error))
    except OSError:
        pass
    finally:
        listener.close()


def refuse(cache_dir: Path, reason: str) -> None:
    """Say why no watcher can follow this library (watching.start reads it and waits before trying again)."""
    try:
        (cache_dir / REFUSED).write_text(json.dumps({"raison": reason}, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError:
        pass


if __name__ == "__main__":
    if len(sys.argv) == 3:
        main(Path(sys.argv[1]), Path(sys.argv[2]))
