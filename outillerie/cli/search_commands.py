"""Commands of the search: index, search."""

from __future__ import annotations

import click

from . import usual_collections
from .app import (
    Duration,
    ProgressBar,
    Settings,
    VocabularyChoice,
    cli,
    notice,
    pass_settings,
)


@cli.command("index")
@click.option("--rebuild", is_flag=True, help="Reconstruit tout l'index depuis zéro (sinon, seules les fiches ajoutées, "
                                               "modifiées ou supprimées sont traitées).")
@pass_settings
def index_command(settings: Settings, rebuild: bool) -> None:
    """Met à jour l'index de recherche de la bibliothèque.

    Seules les fiches ajoutées, modifiées ou supprimées sont traitées ; un index absent, abîmé ou
    construit par une autre version est reconstruit. Les fiches non valides sont signalées (comme
    avec check) et laissées hors de l'index. « outillerie search » met l'index à jour tout seul.

    \b
    Exemple :
        outillerie index --rebuild
    """
    from ..search.index import update_index
    from ..search.views import index_summary

    paths = settings.library
    if rebuild:
        usual_collections()  # its writers hold their memory for minutes
    report = update_index(paths.root, paths.index_dir, rebuild=rebuild, notify=notice, progress=ProgressBar())
    for problem in report.problems:
        click.echo(str(problem), err=True)
    click.echo(index_summary(report))


@cli.command("search", context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, metavar="[MOTS]...")
@click.option("--objective", type=VocabularyChoice("objectives"), help="Objectif de l'atelier.")
@click.option("--public", "public", multiple=True, type=VocabularyChoice("audiences"),
              help="Public visé (répétable : l'un ou l'autre).")
@click.option("--max-duration", type=Duration(), help="Durée maximale : 90, 1h30, 2h…")
@click.option("--min-duration", type=Duration(), help="Durée minimale : 30, 1h…")
@click.option("--level", type=VocabularyChoice("levels"), help="Niveau.")
@click.option("--theme", type=VocabularyChoice("themes"), help="Thème.")
@click.option("--tag", metavar="MOT-CLÉ", help="Mot-clé de la fiche (tel qu'écrit dans « tags »).")
@click.option("--license", "license_id", type=VocabularyChoice("licenses"), help="Licence de la fiche.")
@click.option("--facets", is_flag=True, help="Compte les résultats par objectif, public, niveau, thème et durée.")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, metavar="N",
              help="Nombre de fiches affichées.")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "csv"]), default="text",
              show_default=True, help="Texte pour une personne, JSON ou CSV pour un programme.")
@pass_settings
def search_command(settings: Settings, query: tuple[str, ...], objective: str | None, public: tuple[str, ...],
                   max_duration: int | None, min_duration: int | None, level: str | None, theme: str | None,
                   tag: str | None, license_id: str | None, facets: bool, limit: int, output_format: str) -> None:
    """Cherche des fiches par mots et par filtres, les plus pertinentes d'abord.

    Tous les mots doivent figurer dans la fiche, avec ou sans accents, au singulier ou au pluriel.
    Syntaxe : "expression exacte", ET / OU / SAUF (ou AND / OR / NOT), -mot pour exclure,
    numér* pour un début de mot (3 lettres au moins). Sans mot, liste les fiches des filtres
    par titre. Code de sortie 1 quand rien n'est trouvé.

    \b
    Exemple :
        outillerie search élus --objective projets-collectifs --max-duration 3h
    """
    from ..search.query import Filters
    from .quick import run_search  # the plain forms of this command are read there without click (cli/__init__.py)

    _refuse_unknown_options(query)
    filters = Filters(objective=objective, public=public, min_duration=min_duration, max_duration=max_duration,
                      level=level, theme=theme, tag=tag, license=license_id)
    run_search(settings.library, query, filters, facets=facets, limit=limit, output_format=output_format,
               echo=click.echo, bold=lambda text: click.style(text, bold=True), progress=ProgressBar())


def _refuse_unknown_options(words: tuple[str, ...]) -> None:
    """`-mot` excludes a word, so search lets unknown options through: a mistyped `--option` still fails."""
    mistyped = next((word for word in words if word.startswith("--")), None)
    if mistyped:
        import difflib

        context = click.get_current_context()
        known = [name for param in context.command.params for name in param.opts if name.startswith("--")]
        raise click.NoSuchOption(mistyped.split("=")[0], possibilities=difflib.get_close_matches(mistyped, known),
                                 ctx=context)
