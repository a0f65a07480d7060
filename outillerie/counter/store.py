"""The download counter on SQLite (the default): COUNTER R5.1 counting rules, an anonymous visitor of the day,
aggregates in one file.

The WSGI server calls `Counter.record` once per download request, before sending the file, and
`Counter.declare` for a declared use. The raw IP and user agent never leave these methods: a visitor is a
salted hash whose salt, like all that is known of the day's visitors, lives in this process's memory for
one UTC day. Several servers sharing their count need PostgreSQL (pgstore.py).
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Literal

from ..errors import CounterError
from .rules import (
    DOUBLE_CLICK,
    Robots,
    countable,
    load_robots,
    utc_from,
    utc_now,
    visitor_id,
)
from .sql import COUNT_DOWNLOAD, COUNT_PUBLIC, COUNT_USE, COUNT_VISITOR
from .sqlite import connect, reason, rollback
from .uses import Use

Declared = Literal["counted", "already", "robot"]


@dataclass
class _Day:
    """All that is known about visitors during one UTC day; dropped whole when the day changes."""

    day: date
    salt: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    last_request: dict[tuple[str, str], datetime] = field(default_factory=dict, repr=False)
    hours: set[tuple[str, str, int]] = field(default_factory=set, repr=False)
    visitors: set[str] = field(default_factory=set, repr=False)
    declared: set[tuple[str, str]] = field(default_factory=set, repr=False)


class Counter:
    """Counts the downloads and declared uses of one server process into the SQLite file `db_path`.

    Threads: one SQLite connection (`check_same_thread=False`), used only under one
    `threading.Lock` that also guards the visitors of the day. Deciding and committing happen
    together, so the memory never claims a count the database lacks; SQLite takes one writer at
    a time anyway, so per-thread connections would add no speed, only connections that
    `close()` could not reach. Other processes (`stats`, a second counter) meet `BEGIN IMMEDIATE`
    and `busy_timeout`. A second counter on the same file has its own salt: run one per site.
    """

    def __init__(
        self,
        db_path: Path,
        clock: Callable[[], datetime] = utc_now,
        robots: Robots | None = None,
    ) -> None:
        self.db_path = Path(db_path)
        self.target = str(self.db_path)
        self._clock = clock
        self._robots = robots if robots is not None else load_robots()
        self._lock = threading.Lock()
        self._day: _Day | None = None
        self._conn: sqlite3.Connection | None = connect(self.db_path, create=True)

    def record(
        self,
        slug: str,
        *,
        method: str,
        status: int,
        client: str,
        user_agent: str,
        range_start: int | None = None,
        dnt: bool = False,
        gpc: bool = False,
    ) -> bool:
        """Count one request for a sheet; True when it is a download, committed on return.

        Only requests that may count enter the double-click filter: a HEAD or a robot neither
        counts nor extends a visitor's 30-second window. `range_start` is the first byte served.
        """
        if dnt or gpc or not countable(method, status, range_start) or self._robots.is_robot(user_agent):
            return False
        with self._lock:
            now = self._now()
            today = self._today(now)
            visitor = visitor_id(today.salt, client, user_agent)
            key = (visitor, slug)
            previous = today.last_request.get(key)
            if previous is not None and now - previous < DOUBLE_CLICK:
                today.last_request[key] = max(previous, now)  # the window slides from the last click
                return False
            hour = (visitor, slug, now.hour)
            unique, new_visitor = hour not in today.hours, visitor not in today.visitors
            statements: list[tuple[str, tuple[object, ...]]] = [(COUNT_DOWNLOAD, (today.day.isoformat(), slug, int(unique)))]
            if new_visitor:
                statements.append((COUNT_VISITOR, (today.day.isoformat(),)))
            self._write("le téléchargement n'a pas pu être compté", statements)
            today.last_request[key] = now  # only once committed: a failed count is no click
            today.hours.add(hour)
            today.visitors.add(visitor)
            return True

    def declare(self, slug: str, use: Use, *, client: str, user_agent: str) -> Declared:
        """Count one declared use of a sheet: at most one per visitor, sheet and UTC day; robots never."""
        if self._robots.is_robot(user_agent):
            return "robot"
        with self._lock:
            today = self._today(self._now())
            key = (visitor_id(today.salt, client, user_agent), slug)
            if key in today.declared:
                return "already"
            statements: list[tuple[str, tuple[object, ...]]] = [
                (COUNT_USE, (use.month, slug, use.departement, use.participants, use.recommend))]
            statements += [(COUNT_PUBLIC, (use.month, slug, public)) for public in use.publics]
            self._write("l'animation déclarée n'a pas pu être comptée", statements)
            today.declared.add(key)
            return "counted"

    def close(self) -> None:
        """Close the database; the salt and visitors of the day are dropped with the object."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            self._day = None

    def __enter__(self) -> Counter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _now(self) -> datetime:
        return utc_from(self._clock)

    def _today(self, now: datetime) -> _Day:
        """The state of the current UTC day: a new salt and no visitors when the day changes."""
        if self._day is None or self._day.day != now.date():
            self._day = _Day(now.date())  # the old salt and state are no longer referenced
        return self._day

    def _write(self, what: str, statements: list[tuple[str, tuple[object, ...]]]) -> None:
        """Statements in one immediate transaction, committed before returning."""
        conn = self._conn
        if conn is None:
            raise RuntimeError("the counter is closed")
        try:
            conn.execute("BEGIN IMMEDIATE")
            for statement, values in statements:
                conn.execute(statement, values)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            rollback(conn)
            raise CounterError(
                f"{self.db_path} : {what} ({reason(exc)}). "
                f"Pour corriger : vérifiez l'espace disque et le droit d'écriture sur ce fichier "
                f"et sur son dossier, et qu'aucun autre programme ne garde la base verrouillée."
            ) from exc
