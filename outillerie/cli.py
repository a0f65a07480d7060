"""The `outillerie` command: thin click commands over the library, and the ONE place where
expected failures (`OutillerieError`) become French messages and exit codes."""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import click

from .errors import OutillerieError
from .library import LibraryPaths, find_library
from .sheets import parse_duration
from .vocabulary import load_vocabulary

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Settings:
    """What every command may need: the library, found once, on first use."""

    def __init__(self, library_option: Path | None) -> None:
        self.library_option = library_option
        self._paths: LibraryPaths | None = None

    @property
    def library(self) -> LibraryPaths:
        if self._paths is None:
            self._paths = find_library(self.library_option, os.environ.get("OUTILLERIE_LIBRARY"), Path.cwd())
        return self._paths


pass_settings = click.make_pass_decorator(Settings)


class OutillerieGroup(click.Group):
    """Turns every expected failure into a French message on stderr and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OutillerieError as error:
            raise click.ClickException(str(error)) from error
        except OSError as error:  # a disk, a permission, a path: still a message, never a traceback
            where = f" sur « {error.filename} »" if error.filename else ""
            raise click.ClickException(f"opération impossible{where} : {error.strerror or error}. Pour corriger : "
                                       "vérifiez que le chemin existe, qu'il reste de la place et que vous avez les droits.") from error


class VocabularyChoice(click.ParamType):
    """A value of a vocabulary, accepted as slug, label or alias, with a suggestion when mistyped."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.name = kind

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(load_vocabulary().terms(self.kind)) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        vocabulary = load_vocabulary()
        slug = vocabulary.normalise(self.kind, str(value))
        if slug:
            return slug
        guess = vocabulary.closest(self.kind, str(value))
        hint = f" Vouliez-vous dire « {guess} » ?" if guess else ""
        self.fail(f"« {value} » n'est pas une valeur connue.{hint} Valeurs possibles : "
                  f"{', '.join(vocabulary.terms(self.kind))}.", param, ctx)


class Duration(click.ParamType):
    """Minutes written as people write them: 90, 1h30, 45 min, 2 h."""

    name = "durée"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_duration(str(value))
        except ValueError as error:
            self.fail(f"{error}. Écrivez par exemple 90, 1h30 ou 45min.", param, ctx)


@click.group(cls=OutillerieGroup, context_settings=CONTEXT)
@click.version_option(package_name="outillerie", message="%(prog)s %(version)s", help="Affiche la version et quitte.")
@click.option("--library", "library", type=click.Path(file_okay=False, path_type=Path), metavar="DOSSIER",
              help="Dossier de la bibliothèque (celui qui contient resources/).")
@click.pass_context
def cli(ctx: click.Context, library: Path | None) -> None:
    """Les fiches ateliers de l'inclusion numérique : chercher, vérifier, publier, compter.

    La bibliothèque est cherchée dans cet ordre : --library, la variable OUTILLERIE_LIBRARY,
    le dossier courant ou un parent qui contient resources/, puis les communs installés avec outillerie.

    \b
    Exemple :
        outillerie show comprendre-exclusion-numerique
    """
    ctx.obj = Settings(library)


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
    from .display import problems_summary
    from .validation import check_paths

    report = check_paths(settings.library.root, paths)
    if output_format == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for problem in report.problems:
            click.echo(str(problem))
        click.echo(problems_summary(report.problems, report.sheets), err=True)
    if report.errors or (strict and report.problems):
        sys.exit(1)


@cli.command("new")
@click.argument("title")
@click.option("--objective", type=VocabularyChoice("objectives"), help="Objectif de l'atelier.")
@click.option("--public", "public", multiple=True, type=VocabularyChoice("audiences"),
              help="Public visé (répétez l'option pour plusieurs publics).")
@click.option("--duration", type=Duration(), help="Durée totale : 90, 1h30, 45min…")
@click.option("--author", "authors", multiple=True, help="Auteur ou structure (répétable).")
@click.option("--summary", help="Une ou deux phrases : ce que l'atelier permet, pour qui.")
@click.option("--level", type=VocabularyChoice("levels"), default="debutant", show_default=True, help="Niveau.")
@click.option("--theme", "themes", multiple=True, type=VocabularyChoice("themes"), help="Thème (répétable).")
@click.option("--tag", "tags", multiple=True, help="Mot-clé libre (répétable).")
@click.option("--license", "license_id", type=VocabularyChoice("licenses"), default="CC-BY-SA-4.0", show_default=True,
              help="Licence libre de la fiche.")
@click.option("--slug", help="Nom du dossier (par défaut, tiré du titre).")
@pass_settings
def new_command(settings: Settings, title: str, objective: str | None, public: tuple[str, ...], duration: int | None,
                authors: tuple[str, ...], summary: str | None, level: str, themes: tuple[str, ...],
                tags: tuple[str, ...], license_id: str, slug: str | None) -> None:
    """Crée une fiche à partir du modèle, avec toutes les clés et le plan.

    Ce qui manque est demandé quand la commande tourne dans un terminal. La fiche est créée
    en statut « brouillon » dans resources/<nom>/index.md ; une fiche existante n'est jamais remplacée.

    \b
    Exemple :
        outillerie new "Cartographier les acteurs" --objective reseau --public elus --duration 2h --author "Mon tiers-lieu"
    """
    from .scaffold import NewSheet, write_new_sheet

    interactive = sys.stdin.isatty()
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
    fields = dict(title=title, objective=objective, public=public, duration=duration, authors=authors, level=level,
                  themes=themes, tags=tags, license=license_id)
    if summary:
        fields["summary"] = summary
    path = write_new_sheet(settings.library.resources, NewSheet(**fields), slug=slug)
    click.echo(f"Fiche créée : {path}")
    click.echo("Prochaine étape : complétez-la, puis lancez « outillerie check " f"{path.parent} »", err=True)


@cli.command("show")
@click.argument("slug")
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True, help="Texte lisible, source Markdown ou JSON.")
@pass_settings
def show_command(settings: Settings, slug: str, output_format: str) -> None:
    """Affiche une fiche dans le terminal : titre, repères, étapes minutées, contenu.

    \b
    Exemple :
        outillerie show cartographier-acteurs-inclusion --format json
    """
    from .display import sheet_text
    from .sheets import find_sheet, sheet_as_dict

    sheet = find_sheet(settings.library.root, slug)
    if output_format == "markdown":
        click.echo(sheet.path.read_text(encoding="utf-8"), nl=False)
    elif output_format == "json":
        click.echo(json.dumps(sheet_as_dict(sheet), ensure_ascii=False, indent=2))
    else:
        click.echo(sheet_text(sheet))


@cache
def _french_click() -> None:
    """Give click's own messages (usage, errors, help headings) in French, through its gettext hooks."""
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.termui
    import click.types

    catalogue = json.loads(resources.files("outillerie").joinpath("data/click-fr.json").read_text(encoding="utf-8"))
    singular, plural = catalogue["gettext"], catalogue["ngettext"]

    def gettext(message: str) -> str:
        return singular.get(message, message)

    def ngettext(one: str, many: str, count: int) -> str:
        forms = plural.get(one)
        if forms is None:
            return one if count == 1 else many
        return forms[0] if count <= 1 else forms[1]

    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.termui,
                   click.types):
        module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]


def main() -> None:
    """Entry point of the `outillerie` console script."""
    cli(prog_name="outillerie")


_french_click()
