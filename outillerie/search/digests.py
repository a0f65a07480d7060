"""The digest of every document of the index's current generation, in a SQLite file beside it: an update reads
them at C speed and writes only the rows that changed (at 100,000 sheets the JSON file it replaces was 10 MB,
read and written whole by every update). Written before the manifest, which commits.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping

if TYPE_CHECKING:  # sqlite3 is imported when the digests are read or written: a search does neither
    import sqlite3

DOCUMENTS = "documents.sqlite"
_OLD = "documents.json"  # before issue 13


class Unreadable(Exception):
    """The file is missing, damaged, or holds another generation."""


def check_generation(index_dir: Path, generation: str) -> Path:
    """The file of the digests of `generation` (to compare with the snapshot's in SQLite), or Unreadable."""
    import sqlite3

    if not (index_dir / DOCUMENTS).is_file():
        raise Unreadable()
    try:
        with _connect(index_dir) as connection:
            found = connection.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
            typed = connection.execute("SELECT count(*) FROM documents WHERE typeof(slug) != 'blob'").fetchone()
    except sqlite3.Error:
        raise Unreadable() from None
    if found is None or found[0] != generation or typed[0]:
        raise Unreadable()  # another generation's, or written by other code (names as text): rebuilt
    return index_dir / DOCUMENTS


def write_digests(index_dir: Path, generation: str, changed: Mapping[str, str], removed: Iterable[str] = (),
                  whole: bool = False) -> None:
    """Write the changed digests and forget the removed ones, in one transaction (`whole`: these are all of a new
    generation's). A damaged file is replaced."""
    import sqlite3

    (index_dir / _OLD).unlink(missing_ok=True)
    for attempt in (1, 2):
        try:
            with _connect(index_dir) as connection:
                _write(connection, generation, changed, removed, whole)
            return
        except sqlite3.DatabaseError:
            if attempt == 2 or not whole:
                raise OSError(f"le fichier {DOCUMENTS} de l'index ne peut pas être écrit") from None
            (index_dir / DOCUMENTS).unlink(missing_ok=True)


def _key(slug: str) -> bytes:
    """A folder name as bytes: a name the disk gave as undecodable bytes is a lone surrogate, which SQLite's text
    cannot hold."""
    return slug.encode("utf-8", "surrogateescape")


class _connect:
    """A connection closed on leaving (sqlite3's own context manager only commits)."""

    def __init__(self, index_dir: Path) -> None:
        import sqlite3

        self.connection = sqlite3.connect(index_dir / DOCUMENTS, isolation_level=None, timeout=10.0)

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *exc: object) -> None:
        self.connection.close()


def _write(connection: sqlite3.Connection, generation: str, changed: Mapping[str, str], removed: Iterable[str],
           whole: bool) -> None:
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("BEGIN IMMEDIATE")
    try:
        if whole:
            connection.execute("DROP TABLE IF EXISTS documents")
            connection.execute("DROP TABLE IF EXISTS meta")
        connection.execute("CREATE TABLE IF NOT EXISTS documents (slug BLOB PRIMARY KEY, digest TEXT NOT NULL)")
        connection.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        connection.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (generation,))
        connection.executemany("DELETE FROM documents WHERE slug = ?", ((_key(slug),) for slug in removed))
        connection.executemany("INSERT OR REPLACE INTO documents VALUES (?, ?)",
                               ((_key(slug), digest) for slug, digest in sorted(changed.items())))
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
