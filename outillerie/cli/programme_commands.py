"""Commands about programmes: `programme show` (the timed agenda) and `programme new`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from .app import Settings, cli, pass_settings


class ClockTime(click.ParamType):
    """A time of day as people write it: 9:30, 9h30, 18 h."""

    name = "heure"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        from ..sheets.clock import parse_clock

        if isinstance(value, int):
            return value
        try:
            return parse_clock(str(value))
        except ValueError as error:
            self.fail(f"{error}. Écrivez par exemple 9:30 ou 14h.", param, ctx)


class IsoDate(click.ParamType):
    """A date written year-month-day."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"« {value} » n'est pas une date. Écrivez-la année-mois-jour, par exemple 2027-03-04.", param, ctx)


@cli.group("programme", subcommand_metavar="COMMANDE [ARGUMENTS]...")
def programme_group() -> None:
    """Les programmes : plusieurs fiches enchaînées en séances minutées, avec pauses et repas.

    \b
    Exemple :
        outillerie programme show sensibiliser-elus-trois-soirees
    """


@programme_group.command("show")
@click.argument("slug", metavar="PROGRAMME")
@pass_settings
def show_command(settings: Settings, slug: str) -> None:
    """Affiche l'agenda minuté d'un programme : chaque séance, chaque élément et chaque étape des fiches
    avec son heure, la durée totale et le temps passé en activité.

    \b
    Exemple :
        outillerie programme show journee-lancement-reseau-local
    """
    from ..sheets.programme_views import load_programme, programme_text

    programme, agenda, problems = load_programme(settings.library.root, settings.library.index_dir, slug)
    click.echo(programme_text(programme, agenda), nl=False)
    for problem in problems:
        click.echo(str(problem), err=True)


@programme_group.command("new")
@click.argument("title", metavar="TITRE")
@click.option("--sheet", "sheets", multiple=True, required=True, metavar="FICHE",
              help="Une fiche du programme, dans l'ordre (répétez l'option).")
@click.option("--start", type=ClockTime(), default="9:00", show_default=True, help="Heure de début : 9:30, 14h…")
@click.option("--date", "day", type=IsoDate(), metavar="DATE", help="Date de la séance : 2027-03-04.")
@click.option("--pauses", type=click.Choice(["auto", "aucune"]), default="aucune", show_default=True,
              help="auto : ajoute accueil, clôture, pauses (toutes les 90 min au plus) et repas (journée de 6 h ou plus).")
@click.option("--author", "authors", multiple=True, metavar="NOM", help="Auteur ou structure (répétable).")
@click.option("--summary", metavar="TEXTE", help="Une ou deux phrases : ce que le programme permet, pour qui.")
@click.option("--slug", metavar="NOM", help="Nom du dossier (par défaut, tiré du titre).")
@pass_settings
def new_command(settings: Settings, title: str, sheets: tuple[str, ...], start: int, day: dt.date | None,
                pauses: str, authors: tuple[str, ...], summary: str | None, slug: str | None) -> None:
    """Crée un programme à partir de fiches, dans programmes/<nom>/index.md.

    Le programme passe « outillerie check » tout de suite. Avec --pauses auto, ce qui est ajouté
    porte la mention « ajouté automatiquement » : gardez-le ou retirez-le.

    \b
    Exemple :
        outillerie programme new "Une matinée arnaques" --sheet reperer-les-arnaques-en-ligne --sheet donnees-personnelles-accompagnement --start 9:30 --pauses auto
    """
    from ..sheets.programme_scaffold import write_new_programme

    path = write_new_programme(settings.library.root, title, sheets, start=start, day=day, automatic=pauses == "auto",
                               authors=authors, summary=summary, slug=slug, cache_dir=settings.library.index_dir)
    click.echo(f"Programme créé : {path}")
    click.echo(f"Prochaine étape : complétez-le, puis lancez « outillerie check {path.parent} »", err=True)
