"""The SQLite file of the counter: opening it (or making it), upgrading its schema, reading it in one snapshot,
and SQLite's failures as French messages naming the file."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..errors import CounterError
from .schema import AGGREGATES, SCHEMA_VERSION, create_statements

BUSY_TIMEOUT_MS = 5000
APPLICATION_ID = 0x4F555443  # "OUTC" in the SQLite header: tells our file from any other database


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
    """Create the tables in an empty file, add the tables of a newer schema to an older one of ours; refuse a
    file made by another program or by a newer outillerie."""
    not_ours = (
        f"{path} : cette base SQLite n'est pas celle du compteur d'outillerie. "
        f"Pour corriger : choisissez un autre fichier pour le compteur ; ne réutilisez pas celui "
        f"d'une autre application."
    )
    conn.execute("BEGIN IMMEDIATE" if create else "BEGIN")
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if app_id == 0 and version == 0 and not tables and create:
            for statement in create_statements("sqlite", AGGREGATES):
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
        elif version < 1:
            raise CounterError(not_ours)
        elif create:  # an older schema of ours gains the new tables; a write, so it fails now if read-only
            missing = tuple(table for table in AGGREGATES if table.name not in tables)
            for statement in create_statements("sqlite", missing):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise


class SqliteReader:
    """Queries of `stats` inside one read transaction: rows and totals agree while the server writes."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn, self.path = conn, path
        self.tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def has(self, table: str) -> bool:
        """False for the tables of a newer schema that a file not yet opened by `serve` lacks."""
        return table in self.tables

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params).fetchall()


@contextlib.contextmanager
def read_sqlite(path: Path) -> Iterator[SqliteReader]:
    """One snapshot of the counter's file; SQLite's failures become a message naming the file."""
    conn = connect(path, create=False)
    try:
        conn.execute("BEGIN")
        yield SqliteReader(conn, path)
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        raise CounterError(
            f"{path} : la base du compteur n'a pas pu être lue ({reason(exc)}). "
            f"Pour corriger : vérifiez le fichier et ses droits de lecture, puis recommencez."
        ) from exc
    finally:
        conn.close()


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


def rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
