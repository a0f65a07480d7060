"""« Les chiffres du commun »: every public figure of the counter in one document (plain data), for the site's
statistics page, `outillerie stats --figures`, `export --stats` and the impact report.

Only aggregates that are already public leave this module: downloads per month and per sheet, the bounds on
distinct visitors, and declared uses with their small cells suppressed.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import CounterError, reason_fr
from .database import Target, reading
from .stats import PEOPLE_NOTE, read_stats
from .usestats import read_uses

FORMAT = "outillerie-chiffres/1"


def public_figures(target: Target, since: date | None = None, until: date | None = None,
                   today: date | None = None) -> dict[str, Any]:
    """The public figures of the counter between two days included (all of them by default)."""
    by_month = read_stats(target, since, until, by="month")
    by_sheet = read_stats(target, since, until, by="resource")
    with reading(target) as reader:
        uses = read_uses(reader, since.isoformat()[:7] if since else "0000-00",
                         until.isoformat()[:7] if until else "9999-99")
    return {
        "format": FORMAT,
        "made": (today or date.today()).isoformat(),
        "period": {"first_day": by_month.first_day.isoformat() if by_month.first_day else None,
                   "last_day": by_month.last_day.isoformat() if by_month.last_day else None},
        "downloads": {
            "total": by_month.downloads,
            "unique": by_month.unique_downloads,
            "by_month": [{"month": r.period, "downloads": r.downloads, "unique_downloads": r.unique_downloads}
                         for r in by_month.rows],
            "by_sheet": sorted(({"slug": r.slug, "downloads": r.downloads, "unique_downloads": r.unique_downloads}
                                for r in by_sheet.rows), key=lambda r: (-r["downloads"], r["slug"])),
        },
        "visitors": {"max_daily": by_month.max_daily_visitors, "sum_daily": by_month.sum_daily_visitors,
                     "note": PEOPLE_NOTE},
        "uses": uses,
    }


def year_bounds(year: int) -> tuple[date, date]:
    """The first and last days of a calendar year, for `stats --report YEAR`."""
    if not 2000 <= year <= 2999:
        raise CounterError(f"« {year} » n'est pas une année de rapport. Pour corriger : donnez une année sur quatre "
                           "chiffres, par exemple --report 2026.")
    return date(year, 1, 1), date(year, 12, 31)


def load_figures(path: Path) -> dict[str, Any]:
    """A figures document written by `outillerie stats --figures` (for `export --stats FILE`)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CounterError(f"{path} : fichier de chiffres illisible ({reason_fr(error)}). Pour corriger : "
                           "vérifiez le chemin, ou écrivez-le avec outillerie stats --figures > chiffres.json.") from error
    except ValueError as error:
        raise CounterError(f"{path} : ce fichier n'est pas du JSON valide ({error}). Pour corriger : écrivez-le avec "
                           "outillerie stats --figures > chiffres.json.") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CounterError(f"{path} : ce n'est pas un fichier de chiffres d'outillerie (format {FORMAT} attendu). "
                           "Pour corriger : écrivez-le avec outillerie stats --figures > chiffres.json, ou "
                           "téléchargez /api/chiffres.json d'un serveur outillerie.")
    return data
