"""The download counter: COUNTER R5.1 counting rules, an anonymous visitor of the day, aggregates in SQLite.

The WSGI server calls `Counter.record` once per download request, before sending the file;
`outillerie stats` and `/api/stats.json` call `read_stats`. The raw IP and user agent never leave
`record`: a visitor is a salted hash whose salt lives in memory for one UTC day.
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

from ..errors import CounterError
from .rules import DOUBLE_CLICK, Robots, countable, load_robots, utc_now, visitor_id

BUSY_TIMEOUT_MS = 5000
SCHEMA_VERSION = 1
APPLICATION_ID = 0x4F555443  # "OUTC" in the SQLite header: tells our file from any other database
_SCHEMA = (
    """CREATE TABLE downloads (
        day TEXT NOT NULL,                  -- UTC date, 'YYYY-MM-DD'
        slug TEXT NOT NULL,                 -- the sheet
        downloads INTEGER NOT NULL,         -- after the double-click filter
        unique_downloads INTEGER NOT NULL,  -- at most one per visitor, sheet and clock hour
        PRIMARY KEY (day, slug)
    ) WITHOUT ROWID""",
    """CREATE TABLE visitors (
        day TEXT PRIMARY KEY,               -- UTC date, 'YYYY-MM-DD'
        visitors INTEGER NOT NULL           -- distinct visitors with a counted download that day
    ) WITHOUT ROWID""",
)
_COUNT_DOWNLOAD = """INSERT INTO downloads (day, slug, downloads, unique_downloads) VALUES (?, ?, 1, ?)
    ON CONFLICT (day, slug) DO UPDATE SET downloads = downloads + 1,
        unique_downloads = unique_downloads + excluded.unique_downloads"""
_COUNT_VISITOR = """INSERT INTO visitors (day, visitors) VALUES (?, 1)
    ON CONFLICT (day) DO UPDATE SET visitors = visitors + 1"""


@dataclass
class _Day:
    """All that is known about visitors during one UTC day; dropped whole when the day changes."""

    day: date
    salt: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    last_request: dict[tuple[str, str], datetime] = field(default_factory=dict, repr=False)
    hours: set[tuple[str, str, int]] = field(default_factory=set, repr=False)
    visitors: set[str] = field(default_factory=set, repr=False)


class Counter:
    """Counts the downloads of one server process into the SQLite file `db_path`.

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
            self._store(today.day, slug, unique, new_visitor)
            today.last_request[key] = now  # only once committed: a failed count is no click
            today.hours.add(hour)
            today.visitors.add(visitor)
            return True

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
        now = self._clock()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("the counter clock must return an aware datetime (UTC)")
        return now.astimezone(timezone.utc)

    def _today(self, now: datetime) -> _Day:
        """The state of the current UTC day: a new salt and no visitors when the day changes."""
        if self._day is None or self._day.day != now.date():
            self._day = _Day(now.date())  # the old salt and state are no longer referenced
        return self._day

    def _store(self, day: date, slug: str, unique: bool, new_visitor: bool) -> None:
        """One counted download in one immediate transaction, committed before returning."""
        conn = self._conn
        if conn is None:
            raise RuntimeError("the counter is closed")
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(_COUNT_DOWNLOAD, (day.isoformat(), slug, int(unique)))
            if new_visitor:
                conn.execute(_COUNT_VISITOR, (day.isoformat(),))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(conn)
            raise CounterError(
                f"{self.db_path} : le téléchargement n'a pas pu être compté ({reason(exc)}). "
                f"Pour corriger : vérifiez l'espace disque et le droit d'écriture sur ce fichier "
                f"et sur son dossier, et qu'aucun autre programme ne garde la base verrouillée."
            ) from exc


def connect(path: Path, *, create: bool) -> sqlite3.Connection:
    """Open (and with `create`, make) our database; anything else is a CounterError naming the file."""
    if create and not path.parent.is_dir():
        raise CounterError(
            f"{path} : le dossier {path.parent} n'existe pas ou n'est pas un dossier. "
            f"Pour corriger : créez ce dossier ou choisissez un autre emplacement pour la base du compteur."
        )
    if not create and not path.is_file():
        raise CounterError(
            f"{path} : la base du compteur n'existe pas. Pour corriger : vérifiez le chemin ; "
            f"`outillerie serve` la crée à son démarrage."
        )
    target, uri = (str(path), False) if create else (f"{path.resolve().as_uri()}?mode=rw", True)
    try:
        conn = sqlite3.connect(
            target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False, uri=uri
        )
    except sqlite3.Error as exc:
        raise CounterError(_open_problem(path, exc)) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _check_schema(conn, path, create)  # first: another program's database is left untouched
        if create:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                raise CounterError(
                    f"{path} : SQLite refuse le mode WAL sur ce fichier (mode {mode}). "
                    f"Pour corriger : placez la base sur un disque local, pas sur un partage réseau."
                )
            conn.execute("PRAGMA synchronous = NORMAL")  # WAL: a commit survives a crash of the process (SIGKILL)
    except sqlite3.Error as exc:
        conn.close()
        raise CounterError(_open_problem(path, exc)) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _check_schema(conn: sqlite3.Connection, path: Path, create: bool) -> None:
    """Create the tables in an empty file; refuse a file made by another program or version."""
    not_ours = (
        f"{path} : cette base SQLite n'est pas celle du compteur d'outillerie. "
        f"Pour corriger : choisissez un autre fichier pour le compteur ; ne réutilisez pas celui "
        f"d'une autre application."
    )
    conn.execute("BEGIN IMMEDIATE" if create else "BEGIN")
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id == 0 and version == 0 and tables == 0 and create:
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif app_id != APPLICATION_ID:
            raise CounterError(not_ours)
        elif version > SCHEMA_VERSION:
            raise CounterError(
                f"{path} : cette base du compteur vient d'une version plus récente d'outillerie "
                f"(schéma {version}, celui-ci lit le schéma {SCHEMA_VERSION}). "
                f"Pour corriger : mettez outillerie à jour."
            )
        elif version != SCHEMA_VERSION:
            raise CounterError(not_ours)
        elif create:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")  # a write: fails now if read-only
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise


_CODES_BY_TEXT = {  # Python 3.10 has no `sqlite_errorname`: SQLite's own fixed wording then tells the code
    "file is not a database": "SQLITE_NOTADB",
    "attempt to write a readonly database": "SQLITE_READONLY",
    "unable to open database file": "SQLITE_CANTOPEN",
}


def _error_code(exc: sqlite3.Error) -> str:
    return getattr(exc, "sqlite_errorname", "") or _CODES_BY_TEXT.get(str(exc), "")


def _open_problem(path: Path, exc: sqlite3.Error) -> str:
    """A French message for an SQLite failure at opening, chosen by error code (or SQLite's fixed wording)."""
    code = _error_code(exc)
    if code == "SQLITE_NOTADB":
        return (
            f"{path} : ce fichier n'est pas une base SQLite. Pour corriger : indiquez la base du "
            f"compteur ou un nouveau nom de fichier ; ne réutilisez pas un fichier existant."
        )
    if code.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return (
            f"{path} : impossible d'ouvrir la base du compteur en écriture ({reason(exc)}). "
            f"Pour corriger : donnez le droit d'écriture sur ce fichier et sur le dossier {path.parent} "
            f"(SQLite y crée aussi {path.name}-wal et {path.name}-shm), ou choisissez un autre emplacement."
        )
    return (
        f"{path} : impossible d'ouvrir la base du compteur ({reason(exc)}). "
        f"Pour corriger : vérifiez le chemin, les droits et l'espace disque, ou choisissez un autre fichier."
    )


def reason(exc: sqlite3.Error) -> str:
    """SQLite's own words: they never hold an address or a user agent, which are never bound."""
    code = _error_code(exc)
    return f"{code} : {exc}" if code else str(exc)


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
