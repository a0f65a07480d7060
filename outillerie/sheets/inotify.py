"""Linux's inotify through ctypes (the standard library has no binding, and one small module beats a dependency):
the watcher (watcher.py) learns from it which folders of the library moved, without a stat per sheet.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
from typing import Iterator, NamedTuple

MODIFY, ATTRIB, CLOSE_WRITE = 0x2, 0x4, 0x8
MOVED_FROM, MOVED_TO, CREATE, DELETE = 0x40, 0x80, 0x100, 0x200
DELETE_SELF, MOVE_SELF = 0x400, 0x800
Q_OVERFLOW, IGNORED, ISDIR = 0x4000, 0x8000, 0x40000000
ONLYDIR, DONT_FOLLOW = 0x1000000, 0x2000000
CHANGES = MODIFY | ATTRIB | CLOSE_WRITE | MOVED_FROM | MOVED_TO | CREATE | DELETE | DELETE_SELF | MOVE_SELF
_NONBLOCK, _CLOEXEC = os.O_NONBLOCK, 0o2000000
_HEADER = struct.Struct("iIII")  # watch descriptor, mask, cookie, length of the name


class Event(NamedTuple):
    watch: int
    mask: int
    name: str


class Unavailable(Exception):
    """No inotify here (another system, or the limit of instances or watches reached)."""


class Inotify:
    """One inotify instance: watch folders, then read what happened in them."""

    def __init__(self) -> None:
        name = ctypes.util.find_library("c")
        if not name or not hasattr(os, "fsencode"):
            raise Unavailable("pas de bibliothèque C")
        self._libc = ctypes.CDLL(name, use_errno=True)
        if not hasattr(self._libc, "inotify_init1"):
            raise Unavailable("pas d'inotify")
        self.fd = self._libc.inotify_init1(_NONBLOCK | _CLOEXEC)
        if self.fd < 0:
            raise Unavailable(os.strerror(ctypes.get_errno()))

    def watch(self, path: str) -> int:
        """Watch a folder (never through a symbolic link); Unavailable when the system's limit is reached."""
        found = self._libc.inotify_add_watch(self.fd, os.fsencode(path), CHANGES | ONLYDIR | DONT_FOLLOW)
        if found < 0:
            raise Unavailable(os.strerror(ctypes.get_errno()))
        return int(found)

    def read(self) -> Iterator[Event]:
        """Every event waiting now (none when nothing happened): the caller drains before it answers."""
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return
            offset = 0
            while offset < len(data):
                watch, mask, _, length = _HEADER.unpack_from(data, offset)
                start = offset + _HEADER.size
                yield Event(watch, mask, os.fsdecode(data[start:start + length].rstrip(b"\0")))
                offset = start + length

    def close(self) -> None:
        os.close(self.fd)
