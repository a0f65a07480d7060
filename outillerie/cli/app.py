"""The group every command hangs on: settings, the `--library` option, French click, and the ONE place where
expected failures (`OutillerieError`) become French messages and exit codes."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import OutillerieError, reason_fr, visible
from ..sheets.config import Config, load_config
from ..sheets.durations import parse_duration
from ..sheets.paths import LibraryPaths, find_library
from ..sheets.vocabulary import load_vocabulary
from .french import french_click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Settings:
    """What every command may need: the library and its configuration (`outillerie.yml`), found once, on first use."""

    def __init__(self, library_option: Path | None) -> None:
        self.library_option = library_option
        self._paths: LibraryPaths | None = None
        self._config: Config | None = None

    @property
    def library(self) -> LibraryPaths:
        if self._paths is None:
            self._paths = find_library(self.library_option, os.environ.get("OUTILLERIE_LIBRARY"), Path.cwd())
        return self._paths

    @property
    def config(self) -> Config:
        """The library's configuration (defaults without the file); ConfigError when the file has errors."""
        if self._config is None:
            self._config = load_config(self.library.root)
        return self._config


pass_settings = click.make_pass_decorator(Settings)


class OutillerieGroup(click.Group):
    """Turns every expected failure into a French message on stderr and exit code 1, never a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """click speaks French while an outillerie command runs, and only then."""
        with french_click():
            return super().main(*args, **kwargs)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """Every command also takes `--library` after its name (`outillerie check --library DIR`)."""
        cmd.params.append(click.Option(["--library"], type=click.Path(file_okay=False, path_type=Path),
                                       metavar="DOSSIER", expose_value=False, is_eager=True, callback=_library_option,
                                       help="Dossier de la bibliothèque (celui qui contient resources/)."))
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OutillerieError as error:
            raise click.ClickException(visible(str(error))) from error
        except OSError as error:  # a disk, a permission, a path: still a message, never a traceback
            where = f" sur « {error.filename} »" if error.filename else ""
            raise click.ClickException(f"opération impossible{where} : {reason_fr(error)}. Pour corriger : "
                                       "vérifiez que le chemin existe, qu'il reste de la place et que vous avez les droits.") from error


def _library_option(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(Settings).library_option = value


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


@click.group(cls=OutillerieGroup, context_settings=CONTEXT, subcommand_metavar="COMMANDE [ARGUMENTS]...")
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


class ProgressBar:
    """A progress bar on stderr for long runs (many sheets); nothing for a small library."""

    def __init__(self, minimum: int = 200) -> None:
        self.minimum = minimum
        self.bar: Any = None
        self.label = ""

    def __call__(self, label: str, done: int, total: int) -> None:
        if total < self.minimum:
            return
        if self.bar is None or label != self.label:
            self.label = label
            self.bar = click.progressbar(length=total, label=label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)
        if done >= total:
            self.bar.__exit__(None, None, None)
            self.bar = None


def notice(message: str) -> None:
    click.echo(message, err=True)




def main() -> None:
    """Entry point of the `outillerie` console script."""
    cli(prog_name="outillerie")
