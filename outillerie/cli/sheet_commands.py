"""Commands about the sheets themselves: check, new, show."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import click

from ..errors import visible, visible_json
from .app import Duration, Settings, VocabularyChoice, cli, pass_settings


@cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path), metavar="[CHEMINS]...")
@click.option("--strict", is_flag=True, help="Les avertissements comptent aussi comme des erreurs.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Texte pour une personne, JSON pour un programme.")
@pass_settings
def check_command(settings: Settings, paths: tuple[Path, ...], strict: bool, output_format: str) -> None:
    """Vérifie les fiches et dit comment corriger chaque problème.

    Sans chemin, vérifie toute la bibliothèque. Chaque problème s'affiche sur une ligne
    « fichier:ligne: gravité : message ». Le code de sortie vaut 1 s'il y a une erreur
    (ou un avertissement avec --strict).

    \b
    Exemple :
        outillerie check resources/ma-fiche --strict
    """
    from ..sheets.check import check_paths
    from ..sheets.views import problems_summary

    report = check_paths(settings.library, paths)
    if output_format == "json":
        click.echo(visible_json(json.dumps(report.as_dict(), ensure_ascii=False, indent=2)))
    else:
        for problem in report.problems:
            click.echo(str(problem))
        click.echo(problems_summary(report.problems, report.sheets, report.programmes), err=True)
    if report.errors or (strict and report.problems):
        sys.exit(1)


@cli.command("new")
@click.argument("title", metavar="TITRE")
@click.option("--objective", type=VocabularyChoice("objectives"), help="Objectif de l'atelier.")
@click.option("--public", "public", multiple=True, type=VocabularyChoice("audiences"),
              help="Public visé (répétez l'option pour plusieurs publics).")
@click.option("--duration", type=Duration(), help="Durée totale : 90, 1h30, 45min…")
@click.option("--author", "authors", multiple=True, metavar="NOM",
              help="Auteur ou structure (répétable ; par défaut : authors de outillerie.yml).")
@click.option("--summary", metavar="TEXTE", help="Une ou deux phrases : ce que l'atelier permet, pour qui.")
@click.option("--level", type=VocabularyChoice("levels"), default="debutant", show_default=True, help="Niveau.")
@click.option("--theme", "themes", multiple=True, type=VocabularyChoice("themes"), help="Thème (répétable).")
@click.option("--tag", "tags", multiple=True, metavar="MOT-CLÉ", help="Mot-clé libre (répétable).")
@click.option("--license", "license_id", type=VocabularyChoice("licenses"),
              help="Licence libre de la fiche (par défaut : license de outillerie.yml, sinon CC-BY-SA-4.0).")
@click.option("--slug", metavar="NOM", help="Nom du dossier (par défaut, tiré du titre).")
@pass_settings
def new_command(settings: Settings, title: str, objective: str | None, public: tuple[str, ...], duration: int | None,
                authors: tuple[str, ...], summary: str | None, level: str, themes: tuple[str, ...],
                tags: tuple[str, ...], license_id: str | None, slug: str | None) -> None:
    """Crée une fiche à partir du modèle, avec toutes les clés et le plan.

    Ce qui manque est demandé quand la commande tourne dans un terminal. La fiche est créée
    en statut « brouillon » dans resources/<nom>/index.md ; une fiche existante n'est jamais remplacée.

    \b
    Exemple :
        outillerie new "Cartographier les acteurs" --objective reseau --public elus --duration 2h --author "Mon tiers-lieu"
    """
    from ..sheets.scaffold import NewSheet, write_new_sheet

    interactive = sys.stdin.isatty()
    authors = authors or settings.config.authors  # the configuration's defaults; the options win
    if interactive:
        objective = objective or click.prompt("Objectif", type=VocabularyChoice("objectives"))
        public = public or (click.prompt("Public (un slug, par exemple mediateurs-numeriques)",
                                         type=VocabularyChoice("audiences")),)
        duration = duration or click.prompt("Durée (90, 1h30…)", type=Duration())
        authors = authors or (click.prompt("Auteur ou structure"),)
        summary = summary or click.prompt("Résumé en une ou deux phrases", default="", show_default=False) or None
    missing = [name for name, value in (("--objective", objective), ("--public", public),
                                         ("--duration", duration), ("--author", authors)) if not value]
    if missing:
        raise click.UsageError(f"il manque {', '.join(missing)}. Donnez ces options, ou lancez la commande "
                               "dans un terminal pour qu'elles vous soient demandées.")
    assert objective and duration  # said missing above otherwise
    sheet = NewSheet(title=title, objective=objective, public=public, duration=duration, authors=authors, level=level,
                     themes=themes, tags=tags, license=license_id or settings.config.license)
    if summary:
        sheet = dataclasses.replace(sheet, summary=summary)
    path = write_new_sheet(settings.library.resources, sheet, slug=slug)
    click.echo(f"Fiche créée : {path}")
    click.echo("Prochaine étape : complétez-la, puis lancez « outillerie check " f"{path.parent} »", err=True)


@cli.command("show")
@click.argument("slug", metavar="FICHE")
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True, help="Texte lisible, source Markdown ou JSON.")
@pass_settings
def show_command(settings: Settings, slug: str, output_format: str) -> None:
    """Affiche une fiche dans le terminal : titre, repères, étapes minutées, contenu.

    \b
    Exemple :
        outillerie show cartographier-acteurs-inclusion --format json
    """
    from ..sheets.sheet import find_sheet, sheet_as_dict, sheet_source
    from ..sheets.views import sheet_text

    sheet = find_sheet(settings.library.root, slug)
    if output_format == "markdown":
        click.echo(visible(sheet_source(sheet)), nl=False)
    elif output_format == "json":
        click.echo(visible_json(json.dumps(sheet_as_dict(sheet), ensure_ascii=False, indent=2)))
    else:
        click.echo(sheet_text(sheet))
