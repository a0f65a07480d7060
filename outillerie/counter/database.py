"""Which store holds the counter: an SQLite file (the default) or a PostgreSQL address (several servers).

`open_counter` gives the object the server counts with, `reading` one consistent snapshot for statistics;
both take a path or a `postgresql://` address, as `--db` does.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol, Sequence, Union

from .pgstore import PgCounter, is_postgresql, read_postgresql, shown
from .rules import Robots, utc_now
from .sqlite import read_sqlite
from .store import Counter, Declared
from .uses import Use

Target = Union[str, Path]


class Reader(Protocol):
    """Read-only queries (written for SQLite, with `?`) inside one snapshot."""

    def has(self, table: str) -> bool: ...

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...


class CounterStore(Protocol):
    """What the server counts with, whichever the store."""

    target: str

    def record(self, slug: str, *, method: str, status: int, client: str, user_agent: str,
               range_start: int | None = None, dnt: bool = False, gpc: bool = False) -> bool: ...

    def declare(self, slug: str, use: Use, *, client: str, user_agent: str) -> Declared: ...

    def close(self) -> None: ...


def open_counter(target: Target, clock: Callable[[], datetime] = utc_now,
                 robots: Robots | None = None) -> CounterStore:
    """The counter of `target`: PostgreSQL for a postgresql:// address, else the SQLite file at that path."""
    if is_postgresql(target):
        return PgCounter(str(target), clock=clock, robots=robots)
    return Counter(Path(target), clock=clock, robots=robots)


@contextlib.contextmanager
def reading(target: Target) -> Iterator[Reader]:
    """One read-only snapshot of the counter's store."""
    if is_postgresql(target):
        with read_postgresql(str(target)) as pg_reader:
            yield pg_reader
    else:
        with read_sqlite(Path(target)) as sqlite_reader:
            yield sqlite_reader


def shown_target(target: Target) -> str:
    """The store as it may be printed: a path, or an address without its password."""
    return shown(str(target)) if is_postgresql(target) else str(target)
