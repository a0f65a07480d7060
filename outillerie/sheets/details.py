"""The snapshot's details kept between commands: one row per sheet (its stat line, digest, record and findings) in a
SQLite file of the cache folder, read and written per sheet, in one transaction, never loaded whole as Python
objects. A library of 100,000 sheets keeps ~150 MB of records there; a command holds only each sheet's stat line,
digest and findings, and reads a record when it needs one.

The file is a cache: one that cannot be opened, is damaged or was written by other code is emptied or replaced by
a database in memory, which only costs the next command a full read.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, NamedTuple

from ..errors import LibraryError, Problem
from .freshness import FORMAT

DETAILS_FILE = "bibliotheque-fiches.sqlite"
_OLD_DETAILS = "bibliotheque-fiches.json"  # format 2 kept them in one JSON file, read and rewritten whole
_LIGHT = "line, digest, readable, broken, problems, md_supports"  # a Light's columns
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sheets (slug BLOB PRIMARY KEY, line TEXT NOT NULL, digest TEXT NOT NULL,
    readable INTEGER NOT NULL, broken INTEGER NOT NULL, problems TEXT NOT NULL, md_supports TEXT NOT NULL,
    usable INTEGER NOT NULL, title_key BLOB, based_on INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS sheets_title ON sheets (title_key) WHERE usable;
CREATE TABLE IF NOT EXISTS records (slug BLOB PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS programmes (slug BLOB PRIMARY KEY, entry TEXT NOT NULL);
"""
# The records (~1.5 kB each) live in a table of their own: the rows every command reads stay narrow (reading
# 100,000 of them then scans a few megabytes, not the 150 MB of the records).


class Light(NamedTuple):
    """What a command holds of a sheet: its stat line (with its supports' stamp), digest, whether its record could
    be read, whether it has an error, its findings as JSON (read when asked for) and its Markdown supports as JSON
    (searched text: their stat is watched). A plain row: 100,000 of them load in a fraction of a second."""

    line: str
    digest: str
    readable: int
    broken: int
    findings: str
    supports: str

    @property
    def problems(self) -> tuple[Problem, ...]:
        return () if self.findings == "[]" else tuple(Problem(*p) for p in json.loads(self.findings))

    @property
    def md_supports(self) -> list[str]:
        return [] if self.supports == "[]" else list(json.loads(self.supports))


class Comparison(NamedTuple):
    """What an index must write (slug → digest), delete, and how many documents it holds then, `added` of them new."""

    to_write: dict[str, str]
    to_delete: list[str]
    valid: int
    added: int


class Lights(Mapping[str, Light]):
    """Every sheet folder's Light by slug, as the details file holds them once committed. A command that changed
    a few folders asks for a few rows, or for those of a condition (the broken ones, those with findings), and never
    loads 100,000 of them; iterating loads them all, sorted by slug (unless a walk already holds them)."""

    def __init__(self, details: Details, loaded: Mapping[str, Light] | None = None) -> None:
        self.details = details
        self._loaded = dict(loaded) if loaded is not None else None

    def _all(self) -> dict[str, Light]:
        if self._loaded is None:
            self._loaded = dict(sorted(self.details.lights().items()))
        return self._loaded

    def __getitem__(self, slug: str) -> Light:
        light = self._loaded.get(slug) if self._loaded is not None else self.details.light(slug)
        if light is None:
            raise KeyError(slug)
        return light

    def __contains__(self, slug: object) -> bool:
        return isinstance(slug, str) and self.get(slug) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._loaded) if self._loaded is not None else self.details.count()

    def where(self, condition: str) -> dict[str, Light]:
        """The Lights of an SQL condition on the table's columns (`broken`, `md_supports != '[]'`…), sorted."""
        return dict(sorted(self.details.lights(condition).items()))

    def usable(self) -> frozenset[str]:
        """The slugs of the sheets read without an error."""
        return self.details.usable()


def problems_text(problems: Iterable[Problem]) -> str:
    return json.dumps([list(vars(p).values()) for p in problems])  # ASCII: a lone surrogate survives


def key(slug: str) -> bytes:
    """A folder name as SQLite keeps it: its bytes (a name the disk gave as undecodable bytes is a lone surrogate
    in Python, which SQLite's text cannot hold)."""
    return slug.encode("utf-8", "surrogateescape")


def slug_of(stored: bytes) -> str:
    return stored.decode("utf-8", "surrogateescape")


class Details:
    """The rows of one library's snapshot, written a few hundred at a time (`commit` writes the last ones)."""

    def __init__(self, cache_dir: Path | None, fingerprint: str) -> None:
        self.connection = _connect(cache_dir, fingerprint)
        self.path = self.connection.execute("PRAGMA database_list").fetchone()[2]
        self.in_memory = self.path == ""
        self.pending: list[tuple[str, tuple[Any, ...]]] = []

    def lights(self, where: str = "1", values: Iterable[Any] = ()) -> dict[str, Light]:
        """The remembered sheets by slug (records left in the file): all, or those of an SQL condition."""
        rows = self.connection.execute(f"SELECT slug, {_LIGHT} FROM sheets WHERE {where}", tuple(values))
        return {slug_of(row[0]): Light(*row[1:]) for row in rows}

    def lights_of(self, slugs: Iterable[str]) -> dict[str, Light]:
        """The remembered sheets among these slugs (a few hundred asked at a time)."""
        wanted, found = [key(slug) for slug in slugs], {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            found.update(self.lights(f"slug IN ({','.join('?' * len(chunk))})", chunk))
        return found

    def snapshot_id(self) -> str | None:
        """The id of the snapshot these rows were last committed for (see `remember`)."""
        found = self.connection.execute("SELECT value FROM meta WHERE key = 'snapshot'").fetchone()
        return str(found[0]) if found else None

    def remember(self, snapshot_id: str) -> None:
        """Say which snapshot the committed rows are: a command trusts the watcher's list of the folders that moved
        only when the stamp and these rows are of the same snapshot (not after the rows were emptied for new rules
        or lost with their file)."""
        if self.snapshot_id() != snapshot_id:
            self.pending.append(("INSERT OR REPLACE INTO meta VALUES ('snapshot', ?)", (snapshot_id,)))
            self._flush()

    def light(self, slug: str) -> Light | None:
        row = self.connection.execute(f"SELECT {_LIGHT} FROM sheets WHERE slug = ?", (key(slug),)).fetchone()
        return Light(*row) if row else None

    def count(self) -> int:
        return int(self.connection.execute("SELECT count(*) FROM sheets").fetchone()[0])

    def usable(self) -> frozenset[str]:
        """The slugs of the sheets read without an error (a scan of the table: its partial index is slower here)."""
        return frozenset(slug_of(slug) for (slug,) in
                         self.connection.execute("SELECT slug FROM sheets WHERE readable AND NOT broken"))

    def lines_digest(self) -> str:
        """The digest of every sheet folder's slug and line, in the order of their bytes: the same rows give the
        same digest, whichever command wrote them."""
        import hashlib

        digest = hashlib.blake2b(digest_size=20)
        for slug, line in self.connection.execute("SELECT slug, CAST(line AS BLOB) FROM sheets ORDER BY slug"):
            digest.update(slug + b"\t" + line + b"\n")
        return digest.hexdigest()

    def compare(self, other: Path, suffix: str, extra: Mapping[str, str], excluded: Iterable[str]) -> Comparison:
        """Against the `documents (slug, digest)` table of another SQLite file (an index's), the usable sheets
        but the `excluded` ones, each with the digest `digest + suffix + extra[slug]`. Joined in SQLite: at
        100,000 sheets, comparing in Python took 0.4 s of an update."""
        connection = self.connection
        connection.execute("CREATE TEMP TABLE IF NOT EXISTS extra (slug BLOB PRIMARY KEY, suffix TEXT, out INTEGER)")
        connection.execute("DELETE FROM temp.extra")
        marks = {slug: (text, 0) for slug, text in extra.items()} | {slug: ("", 1) for slug in excluded}
        connection.executemany("INSERT INTO temp.extra VALUES (?, ?, ?)",
                               ((key(slug), text, out) for slug, (text, out) in marks.items()))
        # the few sheets with Markdown supports or left out are joined only when there are some (most libraries)
        joined = "LEFT JOIN temp.extra e ON e.slug = s.slug" if marks else ""
        usable = "s.readable AND NOT s.broken" + (" AND ifnull(e.out, 0) = 0" if marks else "")
        wanted = "s.digest || ?" + (" || ifnull(e.suffix, '')" if marks else "")
        connection.execute("ATTACH DATABASE ? AS other", (str(other),))
        try:
            rows = connection.execute(
                f"SELECT s.slug, {wanted}, d.slug IS NULL FROM sheets s {joined} LEFT JOIN other.documents d ON "
                f"d.slug = s.slug WHERE {usable} AND (d.digest IS NULL OR d.digest != {wanted})",
                (suffix, suffix)).fetchall()
            to_delete = [slug_of(slug) for (slug,) in connection.execute(
                f"SELECT d.slug FROM other.documents d LEFT JOIN sheets s ON s.slug = d.slug "
                f"{joined.replace('s.slug', 'd.slug')} WHERE s.slug IS NULL OR NOT ({usable})")]
            count = connection.execute(f"SELECT count(*) FROM sheets s {joined} WHERE {usable}").fetchone()[0]
        finally:
            connection.execute("DETACH DATABASE other")
        return Comparison({slug_of(slug): digest for slug, digest, _ in rows}, sorted(to_delete), int(count),
                          sum(bool(added) for _, _, added in rows))

    def programmes(self) -> dict[str, list[Any]]:
        return {slug_of(slug): json.loads(entry)
                for slug, entry in self.connection.execute("SELECT slug, entry FROM programmes")}

    def record(self, slug: str) -> dict[str, Any] | None:
        row = self.connection.execute("SELECT record FROM records WHERE slug = ?", (key(slug),)).fetchone()
        return json.loads(row[0]) if row else None

    def records(self, slugs: Iterable[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        """The records of these slugs, in their order, read a few hundred at a time."""
        wanted = list(slugs)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            found = dict(self.connection.execute(
                f"SELECT slug, record FROM records WHERE slug IN ({','.join('?' * len(chunk))})", [key(s) for s in chunk]))
            for slug in chunk:
                if found.get(key(slug)) is not None:
                    yield slug, json.loads(found[key(slug)])

    def sharing_titles(self) -> Iterator[dict[str, Any]]:
        """The records of the usable sheets whose folded title another usable sheet has."""
        rows = self.connection.execute(
            "SELECT record FROM sheets JOIN records USING (slug) WHERE usable AND title_key IN "
            "(SELECT title_key FROM sheets WHERE usable GROUP BY title_key HAVING count(*) > 1) ORDER BY slug")
        return (json.loads(record) for (record,) in rows)

    def based_on_others(self) -> Iterator[dict[str, Any]]:
        """The records of the usable sheets that name the sheet they adapt."""
        rows = self.connection.execute(
            "SELECT record FROM sheets JOIN records USING (slug) WHERE usable AND based_on ORDER BY slug")
        return (json.loads(record) for (record,) in rows)

    def put(self, slug: str, line: str, digest: str, record: Mapping[str, Any] | None,
            problems: Iterable[Problem]) -> Light:
        """Remember one sheet read again (written with the next few hundred, see `_flush`)."""
        from .vocabulary import fold_key

        found = tuple(problems)
        broken = any(p.is_error for p in found)
        supports = json.dumps([name for name in (record or {}).get("supports", ()) if name.lower().endswith(".md")])
        light = Light(line, digest, record is not None, broken, problems_text(found), supports)
        self.pending.append(("INSERT OR REPLACE INTO sheets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (key(slug), line, digest, record is not None, broken, light.findings, supports,
                              record is not None and not broken, key(fold_key(record["title"])) if record else None,
                              bool((record or {}).get("based_on")))))
        if record is None:
            self.pending.append(("DELETE FROM records WHERE slug = ?", (key(slug),)))
        else:
            self.pending.append(("INSERT OR REPLACE INTO records VALUES (?, ?)",
                                 (key(slug), json.dumps(record))))
        if len(self.pending) >= 1000:
            self._flush()
        return light

    def forget(self, slugs: Iterable[str]) -> None:
        for slug in slugs:
            self.pending += [("DELETE FROM sheets WHERE slug = ?", (key(slug),)),
                             ("DELETE FROM records WHERE slug = ?", (key(slug),))]

    def put_programmes(self, entries: Mapping[str, list[Any]]) -> None:
        self.pending.append(("DELETE FROM programmes", ()))
        self.pending += [("INSERT INTO programmes VALUES (?, ?)", (key(slug), json.dumps(entry)))
                         for slug, entry in entries.items()]

    def commit(self) -> None:
        """Write what is pending."""
        self._flush()

    def _flush(self) -> None:
        """Write the pending rows in one short transaction. Each row pairs a stat line with what was read for it,
        so rows written by one command and not the next are still true: a command stopped half-way leaves a cache
        that the next one trusts row by row. Never silently lost: a file held by another writer for longer than
        the wait is said."""
        if not self.pending:
            return
        try:
            self.connection.execute("BEGIN IMMEDIATE")
            for statement, values in self.pending:
                self.connection.execute(statement, values)
            self.connection.execute("COMMIT")
        except sqlite3.Error as error:
            if self.connection.in_transaction:
                self.connection.execute("ROLLBACK")
            raise LibraryError(f"{self.path} : le cache de la bibliothèque ne peut pas être écrit (une autre commande "
                               "outillerie l'écrit depuis plus de 10 s, ou le disque est plein). Pour corriger : "
                               "attendez qu'elle ait fini, puis relancez ; s'il reste en erreur, supprimez ce fichier "
                               "(il sera refait).") from error
        self.pending.clear()


def _connect(cache_dir: Path | None, fingerprint: str) -> sqlite3.Connection:
    """The cache file, emptied when written for other rules or other code; a database in memory when it cannot be
    opened or written (a read-only folder, a damaged file)."""
    if cache_dir is not None:
        path = cache_dir / DETAILS_FILE
        for attempt in (1, 2):
            try:
                cache_dir.mkdir(parents=True, exist_ok=True)
                (cache_dir / _OLD_DETAILS).unlink(missing_ok=True)
                connection = sqlite3.connect(path, isolation_level=None, timeout=10.0)
                _prepare(connection, fingerprint)
                connection.execute("BEGIN IMMEDIATE")  # can it be written? (a read-only file: the cache in memory)
                connection.execute("ROLLBACK")
                return connection
            except sqlite3.DatabaseError:  # damaged or not a database: start again from an empty file
                try:
                    path.unlink(missing_ok=True)
                except OSError:
                    break
            except (sqlite3.Error, OSError):
                break
    connection = sqlite3.connect(":memory:", isolation_level=None)
    _prepare(connection, fingerprint)
    return connection


def _prepare(connection: sqlite3.Connection, fingerprint: str) -> None:
    """Tables made anew when the file was written for other rules or by other code (whose tables may differ: the
    code of this module is in the fingerprint)."""
    connection.execute("PRAGMA synchronous = NORMAL")
    try:
        meta = dict(connection.execute("SELECT key, value FROM meta"))
    except sqlite3.OperationalError:  # no table yet
        meta = {}
    if meta.get("format") != str(FORMAT) or meta.get("fingerprint") != fingerprint:
        dropped = " ".join(f"DROP TABLE IF EXISTS {table};" for table in ("sheets", "records", "programmes", "meta"))
        connection.executescript(f"BEGIN; {dropped} {_TABLES} COMMIT;")
        connection.executemany("INSERT INTO meta VALUES (?, ?)", (("format", str(FORMAT)), ("fingerprint", fingerprint)))
