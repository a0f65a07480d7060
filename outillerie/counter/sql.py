"""The statements both stores share, written once with `?` placeholders (psycopg's `%s` is derived)."""

from __future__ import annotations

COUNT_DOWNLOAD = """INSERT INTO downloads (day, slug, downloads, unique_downloads) VALUES (?, ?, 1, ?)
    ON CONFLICT (day, slug) DO UPDATE SET downloads = downloads.downloads + 1,
        unique_downloads = downloads.unique_downloads + excluded.unique_downloads"""
COUNT_VISITOR = """INSERT INTO visitors (day, visitors) VALUES (?, 1)
    ON CONFLICT (day) DO UPDATE SET visitors = visitors.visitors + 1"""
COUNT_USE = """INSERT INTO uses (month, slug, departement, participants, recommend, declarations)
    VALUES (?, ?, ?, ?, ?, 1)
    ON CONFLICT (month, slug, departement, participants, recommend)
        DO UPDATE SET declarations = uses.declarations + 1"""
COUNT_PUBLIC = """INSERT INTO use_publics (month, slug, public, declarations) VALUES (?, ?, ?, 1)
    ON CONFLICT (month, slug, public) DO UPDATE SET declarations = use_publics.declarations + 1"""


def for_postgresql(statement: str) -> str:
    """The same statement with psycopg's placeholders (ours never hold a literal `?` or `%`)."""
    return statement.replace("%", "%%").replace("?", "%s")
