"""The counter on PostgreSQL, so that several `outillerie serve` processes count as one.

The only module that imports psycopg (3), and only when a `postgresql://` address is given. What SQLite's
counter keeps in memory lives here in the database: the salt of the day (drawn once per UTC day by whichever
server needs it first: INSERT … ON CONFLICT DO NOTHING, then SELECT) and the visitors of the day (double-click
windows, hours, declarations), all deleted when the next day's salt is drawn. Each counted download is ONE
statement, hence one transaction, committed before the kit is sent: two servers never count a click twice.
"""

from __future__ import annotations

import contextlib
import queue
import secrets
import threading
from datetime import date, datetime
from typing import Any, Callable, Iterator, Sequence
from urllib.parse import urlsplit, urlunsplit

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
from .schema import AGGREGATES, DAILY, SCHEMA_VERSION, create_statements
from .sql import for_postgresql
from .store import Declared
from .uses import Use

POOL_SIZE = 16  # at most this many connections per server process (waitress runs 8 threads by default)
_LOCK_KEY = 0x4F555443  # advisory lock held while one server creates or upgrades the tables
_FIX = "Pour corriger : vérifiez l'adresse --db (postgresql://utilisateur@hôte/base), que le serveur PostgreSQL " \
       "est lancé et que cet utilisateur peut se connecter à cette base et y créer des tables."

_COUNT = f"""WITH click AS (
    INSERT INTO clicks AS c (day, visitor, slug, last_click) VALUES (%(day)s, %(visitor)s, %(slug)s, %(now)s)
    ON CONFLICT (day, visitor, slug) DO UPDATE
        SET previous_click = c.last_click, last_click = GREATEST(c.last_click, excluded.last_click)
    RETURNING previous_click
), counted AS (
    SELECT 1 FROM click
    WHERE previous_click IS NULL OR %(now)s - previous_click >= interval '{DOUBLE_CLICK.total_seconds()} seconds'
), hour AS (
    INSERT INTO hours (day, visitor, slug, hour) SELECT %(day)s, %(visitor)s, %(slug)s, %(hour)s FROM counted
    ON CONFLICT DO NOTHING RETURNING 1
), visitor AS (
    INSERT INTO day_visitors (day, visitor) SELECT %(day)s, %(visitor)s FROM counted
    ON CONFLICT DO NOTHING RETURNING 1
), download AS (
    INSERT INTO downloads AS d (day, slug, downloads, unique_downloads)
    SELECT %(day)s, %(slug)s, 1, (SELECT count(*) FROM hour) FROM counted
    ON CONFLICT (day, slug) DO UPDATE SET downloads = d.downloads + 1,
        unique_downloads = d.unique_downloads + excluded.unique_downloads
    RETURNING 1
), daily AS (
    INSERT INTO visitors AS v (day, visitors) SELECT %(day)s, 1 FROM visitor
    ON CONFLICT (day) DO UPDATE SET visitors = v.visitors + 1
    RETURNING 1
)
SELECT count(*) FROM download"""

_DECLARE = """WITH fresh AS (
    INSERT INTO declared (day, visitor, slug) VALUES (%(day)s, %(visitor)s, %(slug)s)
    ON CONFLICT DO NOTHING RETURNING 1
), use AS (
    INSERT INTO uses AS u (month, slug, departement, participants, recommend, declarations)
    SELECT %(month)s, %(slug)s, %(departement)s, %(participants)s, %(recommend)s, 1 FROM fresh
    ON CONFLICT (month, slug, departement, participants, recommend) DO UPDATE SET declarations = u.declarations + 1
    RETURNING 1
), publics AS (
    INSERT INTO use_publics AS p (month, slug, public, declarations)
    SELECT %(month)s, %(slug)s, public, 1 FROM fresh, unnest(%(publics)s::text[]) AS public
    ON CONFLICT (month, slug, public) DO UPDATE SET declarations = p.declarations + 1
    RETURNING 1
)
SELECT count(*) FROM fresh"""


def is_postgresql(target: object) -> bool:
    """True for a PostgreSQL address (postgresql:// or postgres://), False for a file path."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def shown(url: str) -> str:
    """The address as it may be printed: the password, if any, replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as error:
        raise CounterError("le compteur sur PostgreSQL demande le module psycopg, qui n'est pas installé. "
                           "Pour corriger : pip install 'outillerie[postgresql]' (ou psycopg[binary]).") from error
    return psycopg


def _problem(url: str, what: str, error: Exception) -> CounterError:
    """PostgreSQL's failure as a French message: its code and primary message, never the values of a statement."""
    diag = getattr(error, "diag", None)
    primary = (getattr(diag, "message_primary", None) or str(error).splitlines()[0] if str(error) else "")
    code = getattr(error, "sqlstate", None)
    said = f"{code} : {primary}" if code else primary
    return CounterError(f"{shown(url)} : {what} ({said}). {_FIX}")


def connect(url: str) -> Any:
    """One autocommit connection to our database, whose tables are made (or checked) first."""
    psycopg = _psycopg()
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=10, application_name="outillerie")
    except psycopg.Error as error:
        raise _problem(url, "connexion impossible à la base du compteur", error) from error
    except Exception as error:  # a malformed address: psycopg.ProgrammingError, or ValueError
        raise CounterError(f"{shown(url)} : cette adresse PostgreSQL est mal écrite. {_FIX}") from error
    try:
        _check_schema(conn, url)
    except psycopg.Error as error:
        conn.close()
        raise _problem(url, "la base du compteur n'a pas pu être préparée", error) from error
    except BaseException:
        conn.close()
        raise
    return conn


def _check_schema(conn: Any, url: str) -> None:
    """Make our tables in an empty database (one server at a time); refuse tables that are not ours."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        version = None
        if conn.execute("SELECT to_regclass('outillerie_counter')").fetchone()[0] is not None:
            version = conn.execute("SELECT schema_version FROM outillerie_counter").fetchone()[0]
        if version is None:
            ours = [t.name for t in AGGREGATES + DAILY]
            taken = [name for name in ours if conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()[0]]
            if taken:
                raise CounterError(f"{shown(url)} : cette base contient déjà une table « {taken[0]} » qui n'est pas "
                                   "celle du compteur d'outillerie. Pour corriger : donnez au compteur une base à lui "
                                   "(createdb outillerie).")
            conn.execute("CREATE TABLE outillerie_counter (schema_version INTEGER NOT NULL)")
            conn.execute("INSERT INTO outillerie_counter VALUES (%s)", (SCHEMA_VERSION,))
        elif version > SCHEMA_VERSION:
            raise CounterError(f"{shown(url)} : cette base du compteur vient d'une version plus récente d'outillerie "
                               f"(schéma {version}, celui-ci lit le schéma {SCHEMA_VERSION}). Pour corriger : mettez "
                               "outillerie à jour.")
        elif version == SCHEMA_VERSION:
            return  # nothing to make: a reader needs no right to create tables
        for statement in create_statements("postgresql", AGGREGATES + DAILY):
            conn.execute(statement)
        conn.execute("UPDATE outillerie_counter SET schema_version = %s", (SCHEMA_VERSION,))


class PgCounter:
    """Counts downloads and declared uses into PostgreSQL; any number of processes may share one database."""

    def __init__(self, url: str, clock: Callable[[], datetime] = utc_now, robots: Robots | None = None) -> None:
        self.url = url
        self.target = shown(url)
        self._clock = clock
        self._robots = robots if robots is not None else load_robots()
        self._psycopg = _psycopg()
        self._pool: queue.LifoQueue[Any] = queue.LifoQueue()
        self._all: list[Any] = []
        self._lock = threading.Lock()
        self._salt: tuple[date, bytes] | None = None
        self._pool.put(self._new_connection())

    def record(self, slug: str, *, method: str, status: int, client: str, user_agent: str,
               range_start: int | None = None, dnt: bool = False, gpc: bool = False) -> bool:
        """Count one request for a sheet; True when it is a download, committed on return (see store.Counter)."""
        if dnt or gpc or not countable(method, status, range_start) or self._robots.is_robot(user_agent):
            return False
        now = self._now()
        salt = self._salt_of(now.date())
        values = {"day": now.date().isoformat(), "visitor": bytes.fromhex(visitor_id(salt, client, user_agent)),
                  "slug": slug, "now": now, "hour": now.hour}
        return bool(self._run("le téléchargement n'a pas pu être compté", _COUNT, values))

    def declare(self, slug: str, use: Use, *, client: str, user_agent: str) -> Declared:
        """Count one declared use: at most one per visitor, sheet and UTC day, across every server."""
        if self._robots.is_robot(user_agent):
            return "robot"
        now = self._now()
        salt = self._salt_of(now.date())
        values = {"day": now.date().isoformat(), "visitor": bytes.fromhex(visitor_id(salt, client, user_agent)),
                  "slug": slug, "month": use.month, "departement": use.departement,
                  "participants": use.participants, "recommend": use.recommend, "publics": list(use.publics)}
        return "counted" if self._run("l'animation déclarée n'a pas pu être comptée", _DECLARE, values) else "already"

    def close(self) -> None:
        """Close every connection; the salt cached for the day goes with the object."""
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
            self._salt = None

    def __enter__(self) -> PgCounter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _now(self) -> datetime:
        return utc_from(self._clock)

    def _salt_of(self, day: date) -> bytes:
        """The salt of `day`, shared by every server: drawn by the first to need it, read by the others."""
        cached = self._salt
        if cached is not None and cached[0] == day:
            return cached[1]
        what = "le sel du jour n'a pas pu être lu"
        drawn = self._run(what, "INSERT INTO salts (day, salt) VALUES (%(day)s, %(salt)s) ON CONFLICT DO NOTHING "
                                "RETURNING 1", {"day": day.isoformat(), "salt": secrets.token_bytes(32)})
        if drawn or cached is None:  # the first to draw it, or a server's first request, forgets the days before
            self._forget_before(day)
        salt = self._run(what, "SELECT salt FROM salts WHERE day = %(day)s", {"day": day.isoformat()})
        if not isinstance(salt, bytes) or len(salt) != 32:
            raise CounterError(f"{self.target} : le sel du jour est introuvable. {_FIX}")
        self._salt = (day, salt)
        return salt

    def _forget_before(self, day: date) -> None:
        """Delete the salts and visitors of the days before `day`: nothing can link them any more."""
        for table in DAILY:
            self._run("les visiteurs de la veille n'ont pas pu être effacés",
                      f"DELETE FROM {table.name} WHERE day < %(day)s", {"day": day.isoformat()})

    def _new_connection(self) -> Any:
        conn = connect(self.url)
        with self._lock:
            self._all.append(conn)
        return conn

    def _run(self, what: str, statement: str, values: dict[str, Any]) -> Any:
        """One statement (one transaction) on a pooled connection; its first value, if it returns rows."""
        try:
            conn = self._pool.get_nowait()
        except queue.Empty:
            try:
                conn = self._new_connection() if len(self._all) < POOL_SIZE else self._pool.get(timeout=30)
            except queue.Empty as error:
                raise CounterError(f"{self.target} : {what} (aucune connexion libre depuis 30 s). {_FIX}") from error
        broken = False
        try:
            cursor = conn.execute(statement, values)
            row = cursor.fetchone() if cursor.description else None
            return row[0] if row else None
        except self._psycopg.Error as error:
            broken = conn.closed or conn.broken
            raise _problem(self.url, what, error) from error
        finally:
            if broken:
                with self._lock:
                    self._all.remove(conn)
            else:
                self._pool.put(conn)


class PgReader:
    """The queries of `stats`, written for SQLite, run in one read-only snapshot of PostgreSQL."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def has(self, table: str) -> bool:
        return True  # connect() made every table of this version

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self.conn.execute(for_postgresql(sql), tuple(params)).fetchall())


@contextlib.contextmanager
def read_postgresql(url: str) -> Iterator[PgReader]:
    """One read-only snapshot of the counter's database."""
    psycopg = _psycopg()
    conn = connect(url)
    try:
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield PgReader(conn)
    except psycopg.Error as error:
        raise _problem(url, "la base du compteur n'a pas pu être lue", error) from error
    finally:
        conn.close()
