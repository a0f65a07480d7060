"""Commands of the counter: stats, download."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click

from ..counter.stats import GROUPINGS
from .app import ProgressBar, Settings, cli, pass_settings


class Day(click.ParamType):
    """A day (AAAA-MM-JJ) or a whole month (AAAA-MM): its first day, or with `end` its last."""

    name = "date"

    def __init__(self, end: bool = False) -> None:
        self.end = end

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        try:
            if re.fullmatch(r"[0-9]{4}-[0-9]{2}", text):
                year, month = (int(part) for part in text.split("-"))
                first = date(year, month, 1)
                return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1) if self.end else first
            if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
                return date.fromisoformat(text)
        except ValueError:
            pass
        self.fail(f"« {text[:40]} » n'est pas une date. Écrivez un jour, AAAA-MM-JJ (2026-11-05), ou un mois, "
                  "AAAA-MM (2026-11).", param, ctx)


@cli.command("stats")
@click.option("--since", type=Day(), metavar="AAAA-MM[-JJ]", help="Premier jour compris (un mois : depuis son 1er jour).")
@click.option("--until", type=Day(end=True), metavar="AAAA-MM[-JJ]",
              help="Dernier jour compris (un mois : jusqu'à son dernier jour).")
@click.option("--by", type=click.Choice(["resource", "month", "day"]), default="resource", show_default=True,
              help="Par fiche (et par mois), par mois ou par jour.")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Tableau lisible, CSV pour un tableur, JSON pour un programme.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), metavar="FICHIER",
              help="Base du compteur à lire (par défaut : celle de la bibliothèque).")
@click.option("--server", metavar="URL", help="Lire les chiffres publics d'un serveur lancé (outillerie serve).")
@pass_settings
def stats_command(settings: Settings, since: date | None, until: date | None, by: str, output_format: str,
                  db: Path | None, server: str | None) -> None:
    """Donne les téléchargements par fiche et par mois, et les téléchargements uniques.

    \b
    Exemple :
        outillerie stats --since 2026-01 --by month
    """
    from ..counter.views import stats_csv, stats_table

    grouping = next(g for g in GROUPINGS if g == ("resource-month" if by == "resource" else by))
    if server and db:
        raise click.UsageError("choisissez --db ou --server, pas les deux.")
    if server:
        from ..counter.client import fetch_stats

        data = fetch_stats(server, by=grouping, since=since, until=until)
        titles = data.get("titles", {})
    else:
        from ..counter.stats import read_stats, stats_as_dict
        from ..sheets.snapshot import take_snapshot

        data = stats_as_dict(read_stats(db or settings.library.counter_db, since, until, grouping))
        snapshot = take_snapshot(settings.library.root, settings.library.index_dir)
        titles = {sheet.slug: sheet.title for sheet in snapshot.sheets()}
    if output_format == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif output_format == "csv":
        click.echo(stats_csv(data, titles), nl=False)
    else:
        click.echo(stats_table(data, titles))




@cli.command("download")
@click.argument("slug", metavar="FICHE")
@click.option("--server", default="http://127.0.0.1:8000", show_default=True, metavar="URL",
              help="Adresse du serveur outillerie.")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=Path("."), metavar="DOSSIER",
              show_default=True, help="Dossier où enregistrer le kit.")
def download_command(slug: str, server: str, output: Path) -> None:
    """Télécharge le kit d'une fiche depuis un serveur outillerie (le téléchargement y est compté).

    \b
    Exemple :
        outillerie download cafe-de-la-mediation --server http://127.0.0.1:8000
    """
    from ..counter.client import download_kit

    path = download_kit(server, slug, output, progress=ProgressBar(minimum=0))
    click.echo(f"Kit enregistré : {path}")
