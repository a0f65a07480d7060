"""Statistics from the counter's aggregates: downloads and unique downloads per sheet, month or day, and the
honest bounds on distinct visitors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from ..errors import CounterError
from .database import Target, reading

PEOPLE_NOTE = (
    "Le nombre de personnes distinctes sur la période ne peut pas être connu sans cookie : "
    "une même personne redevient un visiteur nouveau chaque jour. Il est compris entre le plus "
    "grand nombre de visiteurs d'une journée et la somme des visiteurs de chaque jour."
)

Grouping = Literal["resource", "month", "day", "resource-month"]
GROUPINGS: tuple[Grouping, ...] = ("resource", "month", "day", "resource-month")
_GROUPS: dict[str, tuple[str, str]] = {  # by -> (slug expression, period expression)
    "resource": ("slug", "CAST(NULL AS TEXT)"),
    "month": ("CAST(NULL AS TEXT)", "substr(day, 1, 7)"),
    "day": ("CAST(NULL AS TEXT)", "day"),
    "resource-month": ("slug", "substr(day, 1, 7)"),
}

@dataclass(frozen=True)
class StatRow:
    """One line of a report: a sheet, a period ('YYYY-MM' or 'YYYY-MM-DD') or a sheet in a month."""

    slug: str | None
    period: str | None
    downloads: int
    unique_downloads: int


@dataclass(frozen=True)
class StatsReport:
    """Downloads over a period, with totals.

    Distinct people over a long period cannot be known: without a cookie the same person is a
    new visitor each day. The number of distinct visitors lies between `max_daily_visitors`
    and `sum_daily_visitors` (see PEOPLE_NOTE, the sentence to show beside them).
    """

    first_day: date | None
    last_day: date | None
    by: str
    rows: tuple[StatRow, ...]
    downloads: int
    unique_downloads: int
    max_daily_visitors: int
    sum_daily_visitors: int


def read_stats(
    target: Target,
    since: date | None = None,
    until: date | None = None,
    by: Grouping = "resource-month",
) -> StatsReport:
    """Downloads per sheet, month, day or sheet and month, from `since` to `until` included."""
    if by not in _GROUPS:
        raise ValueError(f"by must be one of {sorted(_GROUPS)}")
    if since is not None and until is not None and since > until:
        raise CounterError(
            f"période vide : le début ({since.isoformat()}) est après la fin ({until.isoformat()}). "
            f"Pour corriger : donnez une date de début antérieure à la date de fin."
        )
    bounds = (since.isoformat() if since else "0000-00-00", until.isoformat() if until else "9999-99-99")
    slug_expr, period_expr = _GROUPS[by]
    with reading(target) as reader:  # one snapshot for rows and totals while the server goes on writing
        rows = reader.rows(
            f"SELECT {slug_expr} AS k_slug, {period_expr} AS k_period, SUM(downloads),"
            f" SUM(unique_downloads) FROM downloads WHERE day >= ? AND day <= ?"
            f" GROUP BY k_slug, k_period ORDER BY k_slug, k_period",
            bounds,
        )
        downloads, uniques, first, last = reader.rows(
            "SELECT COALESCE(SUM(downloads), 0), COALESCE(SUM(unique_downloads), 0), MIN(day), MAX(day)"
            " FROM downloads WHERE day >= ? AND day <= ?",
            bounds,
        )[0]
        most, total = reader.rows(
            "SELECT COALESCE(MAX(visitors), 0), COALESCE(SUM(visitors), 0) FROM visitors"
            " WHERE day >= ? AND day <= ?",
            bounds,
        )[0]
    return StatsReport(
        first_day=since or (date.fromisoformat(first) if first else None),
        last_day=until or (date.fromisoformat(last) if last else None),
        by=by,
        rows=tuple(StatRow(slug, period, int(total_), int(unique)) for slug, period, total_, unique in rows),
        downloads=int(downloads),
        unique_downloads=int(uniques),
        max_daily_visitors=int(most),
        sum_daily_visitors=int(total),
    )


def stats_as_dict(report: StatsReport) -> dict[str, Any]:
    """The report as JSON-ready data, for `/api/stats.json` and `outillerie stats --format json`."""
    return {
        "period": {
            "first_day": report.first_day.isoformat() if report.first_day else None,
            "last_day": report.last_day.isoformat() if report.last_day else None,
        },
        "by": report.by,
        "rows": [
            {
                **({"slug": row.slug} if row.slug is not None else {}),
                **({"period": row.period} if row.period is not None else {}),
                "downloads": row.downloads,
                "unique_downloads": row.unique_downloads,
            }
            for row in report.rows
        ],
        "totals": {"downloads": report.downloads, "unique_downloads": report.unique_downloads},
        "visitors": {
            "max_daily": report.max_daily_visitors,
            "sum_daily": report.sum_daily_visitors,
            "note": PEOPLE_NOTE,
        },
    }


