"""Asking the library's watcher (watcher.py) what moved since a snapshot, and starting it for a large library.

A command asks before it would stat every sheet: when the watcher vouches that nothing moved since the stamp's
serial, the walk is skipped; when it names the folders that moved, only those are stat'ed. It answers only after
reading every event the kernel queued, and the kernel queues an event before the write that caused it returns,
so an edit made before the command started is always counted. No answer (no watcher, another system, a
timeout) only costs the walk it would have saved.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
import time
from pathlib import Path
from typing import Any, Mapping, NamedTuple

PROTOCOL = 1
WATCH_FROM = 1000  # sheet folders: below this a walk costs less than a watcher
ANSWER_SECONDS = 2.0
REFUSED = "veilleur-impossible.json"  # in the cache: why the last watcher could not follow the library
RETRY_SECONDS = 86400  # after such a refusal, commands walk for a day before starting a watcher again
SETTING = "OUTILLERIE_WATCHER"  # "off": never; "on": whatever the size (tests); otherwise from WATCH_FROM sheets
_CREDENTIALS = struct.Struct("3i")  # pid, uid, gid of the other end (SO_PEERCRED)


class Answer(NamedTuple):
    """What the watcher says: its token (one per watcher process), its serial (one per event seen), and the
    folders that moved since the serial asked about (None: it cannot say, walk everything)."""

    token: str
    serial: int
    changed: frozenset[str] | None

    def mark(self) -> dict[str, Any]:
        """What the stamp keeps, to ask about at the next command."""
        return {"token": self.token, "serial": self.serial}

    def quiet_since(self, mark: Any) -> bool:
        """Nothing moved since that mark (taken before the walk that made the stamp)."""
        return isinstance(mark, dict) and mark.get("token") == self.token and mark.get("serial") == self.serial


def setting() -> str:
    return os.environ.get(SETTING, "auto").strip().lower()


def address(cache_dir: Path) -> bytes:
    """The watcher's name: an abstract socket of this user for this library's cache (no file to leave behind)."""
    place = f"{os.getuid() if hasattr(os, 'getuid') else 0}\0{os.path.realpath(cache_dir)}"
    return b"\0outillerie-watcher-" + hashlib.blake2b(place.encode("utf-8", "surrogateescape"),
                                                      digest_size=12).hexdigest().encode()


def same_user(connection: Any) -> bool:
    """The other end runs as this user: another one could neither answer for our library nor stop its watcher."""
    import _socket

    try:
        _, uid, _ = _CREDENTIALS.unpack(connection.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED,
                                                              _CREDENTIALS.size))
    except (OSError, AttributeError, struct.error):
        return False
    return uid == os.getuid()


def ask(cache_dir: Path, mark: Any = None) -> Answer | None:
    """The watcher's answer about the stamp's mark, or None when no watcher of this library answers."""
    if setting() == "off" or not sys.platform.startswith("linux"):
        return None
    token, serial = (mark.get("token"), mark.get("serial")) if isinstance(mark, dict) else ("", 0)
    request = f"since {token if isinstance(token, str) else ''} {serial if isinstance(serial, int) else 0}\n"
    data = _exchange(cache_dir, request.encode())
    return None if data is None else _answer(data)


def _exchange(cache_dir: Path, request: bytes) -> bytes | None:
    """One question, one answer (the bare `_socket`: `socket` costs a search 3 ms of imports)."""
    import _socket

    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        connection.settimeout(ANSWER_SECONDS)
        connection.connect(address(cache_dir))
        if not same_user(connection):
            return None
        connection.sendall(request)
        connection.shutdown(_socket.SHUT_WR)
        data = b""
        while len(data) < 1_000_000 and (chunk := connection.recv(65536)):
            data += chunk
        return data
    except OSError:
        return None
    finally:
        connection.close()


def _answer(data: bytes) -> Answer | None:
    try:
        found = json.loads(data)
        token, serial, changed = found["token"], found["serial"], found["changed"]
    except (ValueError, TypeError, KeyError):
        return None
    if found.get("protocol") != PROTOCOL or not isinstance(token, str) or not isinstance(serial, int):
        return None
    if isinstance(changed, list) and all(isinstance(path, str) for path in changed):
        return Answer(token, serial, frozenset(changed))
    return Answer(token, serial, None)


def stop(cache_dir: Path) -> bool:
    """Ask this library's watcher to leave; True when one was there."""
    return _exchange(cache_dir, b"stop\n") is not None


def start(root: Path, cache_dir: Path, folders: int) -> None:
    """Start the watcher in the background, for a library large enough (or when asked for): it follows the library
    from then on; this command does not wait for it."""
    wanted = setting()
    if wanted == "off" or (wanted != "on" and folders < WATCH_FROM) or not sys.platform.startswith("linux"):
        return
    try:
        if time.time() - (cache_dir / REFUSED).stat().st_mtime < RETRY_SECONDS:
            return  # the last one met a symbolic link or the system's limit: walking is cheaper than failing again
    except OSError:
        pass
    command = [sys.executable, "-m", "outillerie.sheets.watcher", os.fspath(root), os.fspath(cache_dir)]
    try:
        pid = os.fork()
    except OSError:
        return  # no watcher: every command walks, as without one
    if pid == 0:  # a child that starts the watcher in a session of its own, then leaves: nobody waits for it
        try:
            os.setsid()
            if os.fork() == 0:
                null = os.open(os.devnull, os.O_RDWR)
                for number in (0, 1, 2):
                    os.dup2(null, number)
                os.closerange(3, 65536)  # a lock or a socket of the command must not outlive it in the watcher
                os.chdir("/")
                os.execv(sys.executable, command)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def moved_folders(answer: Answer | None, mark: Any) -> frozenset[str] | None:
    """The sheet or programme folders ("resources/slug") that moved since the mark, or None when anything else
    moved (the library's top folders, its configuration) or the watcher cannot say: then everything is walked."""
    if answer is None or answer.changed is None or not isinstance(mark, Mapping) or mark.get("token") != answer.token:
        return None
    if any(path.count("/") != 1 for path in answer.changed):
        return None
    return answer.changed
