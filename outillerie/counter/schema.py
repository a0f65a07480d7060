"""Every table the counter keeps, described once: the SQL of both stores and the privacy receipt of the about page
are made from these definitions, so what the site says it keeps cannot drift from what it keeps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Dialect = Literal["sqlite", "postgresql"]
SCHEMA_VERSION = 2  # 1: downloads and visitors; 2: declared uses

_TYPES = {  # logical type -> (SQLite, PostgreSQL)
    "day": ("TEXT", "TEXT"),  # 'YYYY-MM-DD' (UTC), compared and cut the same way in both stores
    "month": ("TEXT", "TEXT"),  # 'YYYY-MM'
    "text": ("TEXT", "TEXT"),
    "count": ("INTEGER", "BIGINT"),
    "hour": ("INTEGER", "SMALLINT"),
    "hash": ("BLOB", "BYTEA"),
    "time": ("TEXT", "TIMESTAMPTZ"),
}


@dataclass(frozen=True)
class Column:
    """One column: its name, its logical type, and what it holds, in the words of the receipt."""

    name: str
    kind: str
    meaning: str
    nullable: bool = False


@dataclass(frozen=True)
class Table:
    """One table: its columns, its key, why it exists and how long its rows live."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    meaning: str
    kept: str
    daily: bool = False  # state of the current UTC day: PostgreSQL only (SQLite keeps it in memory)


def _c(name: str, kind: str, meaning: str, nullable: bool = False) -> Column:
    return Column(name, kind, meaning, nullable)


_SHEET = _c("slug", "text", "l'identifiant de la fiche (son nom de dossier)")
_DAY = _c("day", "day", "le jour (UTC)")
_VISITOR = _c("visitor", "hash", "l'empreinte du visiteur du jour : HMAC-SHA256 du sel du jour, de l'adresse et du "
                                 "navigateur, tronquée à 16 octets ; ni l'adresse ni le navigateur ne sont gardés")
_KEPT = "tant que le pôle garde ses statistiques (ce sont des totaux anonymes)"
_ONE_DAY = "un jour : effacé à la première requête du jour suivant (ou à la première requête d'un serveur redémarré)"

AGGREGATES: tuple[Table, ...] = (
    Table("downloads", (
        _DAY, _SHEET,
        _c("downloads", "count", "les téléchargements comptés (un double clic en moins de 30 secondes compte une fois)"),
        _c("unique_downloads", "count", "les téléchargements uniques (au plus un par visiteur, fiche et heure)"),
    ), ("day", "slug"), "les téléchargements de chaque fiche, jour par jour", _KEPT),
    Table("visitors", (
        _c("day", "day", "le jour (UTC)"),
        _c("visitors", "count", "le nombre de visiteurs distincts ce jour-là ayant téléchargé au moins un kit"),
    ), ("day",), "le nombre de visiteurs distincts de chaque jour (pour encadrer honnêtement le nombre de personnes)",
        _KEPT),
    Table("uses", (
        _c("month", "month", "le mois de l'animation déclaré (AAAA-MM)"), _SHEET,
        _c("departement", "text", "le code Insee du département de l'animation"),
        _c("participants", "text", "la tranche du nombre de participant·e·s (1-5, 6-12, 13-25, 26+)"),
        _c("recommend", "text", "la réponse à « Recommanderiez-vous cette fiche ? »"),
        _c("declarations", "count", "le nombre de déclarations identiques"),
    ), ("month", "slug", "departement", "participants", "recommend"),
        "les animations déclarées (« J'ai animé cet atelier »), comptées par réponses identiques, sans texte libre "
        "ni rien sur la personne", _KEPT),
    Table("use_publics", (
        _c("month", "month", "le mois de l'animation déclaré (AAAA-MM)"), _SHEET,
        _c("public", "text", "un public touché (vocabulaire des publics)"),
        _c("declarations", "count", "le nombre de déclarations qui citent ce public"),
    ), ("month", "slug", "public"), "les publics touchés par les animations déclarées", _KEPT),
)

DAILY: tuple[Table, ...] = (
    Table("salts", (
        _DAY, _c("salt", "hash", "32 octets tirés au hasard, communs à tous les serveurs ce jour-là"),
    ), ("day",), "le sel du jour, qui rend l'empreinte des visiteurs impossible à relier d'un jour à l'autre",
        _ONE_DAY, daily=True),
    Table("clicks", (
        _DAY, _VISITOR, _SHEET,
        _c("last_click", "time", "l'heure de la dernière demande de ce kit par ce visiteur"),
        _c("previous_click", "time", "l'heure de la demande précédente (pour le double clic de 30 secondes)",
           nullable=True),
    ), ("day", "visitor", "slug"), "la fenêtre du double clic, partagée par tous les serveurs", _ONE_DAY, daily=True),
    Table("hours", (
        _DAY, _VISITOR, _SHEET, _c("hour", "hour", "l'heure UTC (0 à 23)"),
    ), ("day", "visitor", "slug", "hour"), "pour compter un téléchargement unique par visiteur, fiche et heure",
        _ONE_DAY, daily=True),
    Table("day_visitors", (
        _DAY, _VISITOR,
    ), ("day", "visitor"), "pour compter chaque visiteur une fois par jour", _ONE_DAY, daily=True),
    Table("declared", (
        _DAY, _VISITOR, _SHEET,
    ), ("day", "visitor", "slug"), "pour n'accepter qu'une déclaration par visiteur, fiche et jour", _ONE_DAY,
        daily=True),
)


def create_statements(dialect: Dialect, tables: tuple[Table, ...]) -> list[str]:
    """CREATE TABLE statements for one store."""
    statements = []
    for table in tables:
        columns = [f"{column.name} {_TYPES[column.kind][0 if dialect == 'sqlite' else 1]}"
                   + ("" if column.nullable else " NOT NULL") for column in table.columns]
        columns.append(f"PRIMARY KEY ({', '.join(table.key)})")
        suffix = " WITHOUT ROWID" if dialect == "sqlite" else ""
        exists = "" if dialect == "sqlite" else "IF NOT EXISTS "
        statements.append(f"CREATE TABLE {exists}{table.name} (\n    " + ",\n    ".join(columns) + f"\n){suffix}")
    return statements


def privacy_receipt() -> dict[str, Any]:
    """What the counter keeps, as plain data for the about page: every table, column, meaning and lifetime."""
    def table(t: Table) -> dict[str, Any]:
        return {"name": t.name, "meaning": t.meaning, "kept": t.kept,
                "columns": [{"name": c.name, "meaning": c.meaning} for c in t.columns]}

    return {
        "schema_version": SCHEMA_VERSION,
        "aggregates": [table(t) for t in AGGREGATES],
        "daily": [table(t) for t in DAILY],
        "never": ["l'adresse IP", "le navigateur (user agent)", "un cookie ou un identifiant durable",
                  "un nom, un courriel ou un texte libre", "l'heure précise d'un téléchargement, au-delà du jour même"],
    }
