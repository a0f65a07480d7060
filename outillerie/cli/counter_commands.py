"""Commands of the counter: stats, download."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click

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


class CounterDb(click.ParamType):
    """Where the counter is kept: an SQLite file (a path) or a PostgreSQL address (postgresql://…)."""

    name = "base"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str | Path:
        if isinstance(value, Path):
            return value
        text = str(value)
        if text.startswith(("postgresql://", "postgres://")):
            return text
        if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
            self.fail(f"« {text.split('://')[0]}:// » n'est pas une base connue. Donnez le chemin d'un fichier "
                      "SQLite ou une adresse postgresql://utilisateur@hôte/base.", param, ctx)
        return Path(text)


DB_HELP = "Base du compteur : un fichier SQLite, ou postgresql://utilisateur@hôte/base (par défaut : celle de la bibliothèque)."


@cli.command("stats")
@click.option("--since", type=Day(), metavar="AAAA-MM[-JJ]", help="Premier jour compris (un mois : depuis son 1er jour).")
@click.option("--until", type=Day(end=True), metavar="AAAA-MM[-JJ]",
              help="Dernier jour compris (un mois : jusqu'à son dernier jour).")
@click.option("--by", type=click.Choice(["resource", "month", "day"]), default="resource", show_default=True,
              help="Par fiche (et par mois), par mois ou par jour.")
@click.option("--uses", is_flag=True, help="Les animations déclarées (« J'ai animé cet atelier ») au lieu des "
                                           "téléchargements, petites cases masquées.")
@click.option("--figures", is_flag=True, help="Tous les chiffres publics en JSON, pour « outillerie export --stats ».")
@click.option("--report", type=click.IntRange(2000, 2999), metavar="ANNÉE",
              help="Écrit le rapport d'impact d'une année (A4) dans --output.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), metavar="FICHIER",
              help="Fichier du rapport : .pdf ou .html.")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Tableau lisible, CSV pour un tableur, JSON pour un programme.")
@click.option("--db", type=CounterDb(), metavar="FICHIER|URL", help=DB_HELP)
@click.option("--server", metavar="URL", help="Lire les chiffres publics d'un serveur lancé (outillerie serve).")
@pass_settings
def stats_command(settings: Settings, since: date | None, until: date | None, by: str, uses: bool, figures: bool,
                  report: int | None, output: Path | None, output_format: str, db: str | Path | None,
                  server: str | None) -> None:
    """Donne les téléchargements par fiche et par mois, les animations déclarées, ou le rapport d'impact.

    \b
    Exemple :
        outillerie stats --since 2026-01 --by month
        outillerie stats --uses --format csv
        outillerie stats --report 2026 --output rapport-2026.pdf
    """
    if server and db:
        raise click.UsageError("choisissez --db ou --server, pas les deux.")
    if (report is None) != (output is None):
        raise click.UsageError("--report ANNÉE et --output FICHIER vont ensemble.")
    target = db or settings.library.counter_db
    if report is not None and output is not None:
        _write_report(settings, target, server, report, output)
    elif figures:
        click.echo(json.dumps(_figures(target, server, since, until), ensure_ascii=False, indent=1))
    elif uses:
        _print_uses(settings, target, server, since, until, output_format)
    else:
        _print_downloads(settings, target, server, since, until, by, output_format)


def _titles(settings: Settings) -> dict[str, str]:
    from ..sheets.snapshot import take_snapshot

    snapshot = take_snapshot(settings.library.root, settings.library.index_dir)
    return {sheet.slug: sheet.title for sheet in snapshot.sheets()}


def _figures(target: str | Path, server: str | None, since: date | None, until: date | None) -> dict[str, Any]:
    if server:
        from ..counter.client import fetch_figures

        return fetch_figures(server)
    from ..counter.figures import public_figures

    return public_figures(target, since, until)


def _print_downloads(settings: Settings, target: str | Path, server: str | None, since: date | None,
                     until: date | None, by: str, output_format: str) -> None:
    from ..counter.stats import GROUPINGS  # here, not at the top: every command (search too) would import SQLite
    from ..counter.views import stats_csv, stats_table

    grouping = next(g for g in GROUPINGS if g == ("resource-month" if by == "resource" else by))
    if server:
        from ..counter.client import fetch_stats

        data = fetch_stats(server, by=grouping, since=since, until=until)
        titles = data.get("titles", {})
    else:
        from ..counter.stats import read_stats, stats_as_dict

        data = stats_as_dict(read_stats(target, since, until, grouping))
        titles = _titles(settings)
    if output_format == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif output_format == "csv":
        click.echo(stats_csv(data, titles), nl=False)
    else:
        click.echo(stats_table(data, titles))


def _print_uses(settings: Settings, target: str | Path, server: str | None, since: date | None,
                until: date | None, output_format: str) -> None:
    from ..counter.views import uses_csv, uses_table

    if server:
        from ..counter.client import fetch_stats

        data = fetch_stats(server, since=since, until=until)
        uses, titles = data["uses"], data.get("titles", {})
    else:
        from ..counter.database import reading
        from ..counter.usestats import read_uses

        with reading(target) as reader:
            uses = read_uses(reader, since.isoformat()[:7] if since else "0000-00",
                             until.isoformat()[:7] if until else "9999-99")
        titles = _titles(settings)
    if output_format == "json":
        click.echo(json.dumps(uses, ensure_ascii=False, indent=2))
    elif output_format == "csv":
        click.echo(uses_csv(uses, titles), nl=False)
    else:
        click.echo(uses_table(uses, titles))


def _write_report(settings: Settings, target: str | Path, server: str | None, year: int, output: Path) -> None:
    """The impact report: the counter gives the year's figures, the site's templates make the A4 document."""
    from ..counter.figures import year_bounds
    from ..publish.served import write_report
    from ..sheets.snapshot import take_snapshot
    from ..sheets.vocabulary import load_vocabulary

    if server:
        raise click.UsageError("le rapport se fait depuis la base du compteur : donnez --db, pas --server.")
    first, last = year_bounds(year)
    data = _figures(target, None, first, last)
    vocabulary = load_vocabulary()
    snapshot = take_snapshot(settings.library.root, settings.library.index_dir)
    sheets = {s.slug: {"title": s.title, "objective_label": vocabulary.label("objectives", s.objective)}
              for s in snapshot.sheets()}
    pages = write_report(data, year, sheets, output)
    click.echo(f"Rapport d'impact {year} écrit dans {output} ({pages} page{'s' if pages > 1 else ''}).")


@cli.command("download")
@click.argument("slug", metavar="FICHE")
@click.option("--server", metavar="URL", help="Adresse du serveur outillerie ou du site publié (par défaut : counter_url "
                                               "de outillerie.yml, sinon site_url, sinon http://127.0.0.1:8000).")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=Path("."), metavar="DOSSIER",
              show_default=True, help="Dossier où enregistrer le kit.")
@pass_settings
def download_command(settings: Settings, slug: str, server: str | None, output: Path) -> None:
    """Télécharge le kit d'une fiche depuis un serveur outillerie (le téléchargement y est compté).

    Depuis un site publié sur un hébergement statique (sans compteur), le kit publié
    est téléchargé tel quel, et ce téléchargement n'est pas compté.

    \b
    Exemple :
        outillerie download cafe-de-la-mediation --server http://127.0.0.1:8000
    """
    from ..counter.client import download_kit

    server = server or settings.config.counter_url or settings.config.site_url or "http://127.0.0.1:8000"
    kit = download_kit(server, slug, output, progress=ProgressBar(minimum=0))
    if not kit.counted:
        click.echo(f"Remarque : aucun compteur outillerie ne répond à {server} (un site publié sur un hébergement "
                   "statique) : le kit publié a été téléchargé, et ce téléchargement n'est pas compté.", err=True)
    click.echo(f"Kit enregistré : {kit.path}")
