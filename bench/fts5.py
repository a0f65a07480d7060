"""SQLite FTS5 beside Whoosh: build a full-text table of a library, or run one query like `outillerie search`.

    python bench/fts5.py build LIBRARY          # writes LIBRARY/fts5.sqlite3
    python bench/fts5.py query LIBRARY "médiation numérique" reseau
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """The `key: value` lines of a generated sheet's front matter (JSON values kept as text), and the body."""
    _, front, body = text.split("---\n", 2)
    values = {}
    for line in front.splitlines():
        key, _, value = line.partition(": ")
        values[key] = value.strip('"')
    return values, body


def build(library: Path) -> None:
    database = library / "fts5.sqlite3"
    database.unlink(missing_ok=True)
    connection = sqlite3.connect(database)
    connection.execute("CREATE VIRTUAL TABLE sheets USING fts5(slug UNINDEXED, objective UNINDEXED, title, summary, "
                       "body, tokenize = 'unicode61 remove_diacritics 2')")
    rows = []
    for path in sorted((library / "resources").glob("*/index.md")):
        values, body = _front_matter(path.read_text(encoding="utf-8"))
        rows.append((path.parent.name, values["objective"], values["title"], values["summary"], body))
    connection.executemany("INSERT INTO sheets VALUES (?, ?, ?, ?, ?)", rows)
    connection.commit()
    connection.close()


def query(library: Path, text: str, objective: str) -> None:
    connection = sqlite3.connect(library / "fts5.sqlite3")
    match = " AND ".join(f'"{word}"' for word in text.split())
    for (title,) in connection.execute("SELECT title FROM sheets WHERE sheets MATCH ? AND objective = ? "
                                       "ORDER BY bm25(sheets, 0, 0, 4.0, 2.0, 1.0) LIMIT 10", (match, objective)):
        print(title)


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(Path(sys.argv[2]))
    else:
        query(Path(sys.argv[2]), sys.argv[3], sys.argv[4])
