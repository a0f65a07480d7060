"""The group every command hangs on: settings, the `--library` option, French click, and the ONE place where
expected failures (`OutillerieError`) become French messages and exit codes."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import OutillerieError, failure_message
from .french import french_click

if TYPE_CHECKING:  # loaded by the commands that use them: `outillerie search` pays for none of them
    from ..sheets.config import Config
    from ..sheets.paths import LibraryPaths

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
# Each command and the module that defines it: a command imports its own module only (`outillerie search` does not
# load the exporter's, the counter's or the configuration's code). Listing the commands (`--help`) imports them all.
COMMAND_MODULES = {
    "check": "sheet_commands", "new": "sheet_commands", "show": "sheet_commands",
    "index": "search_commands", "search": "search_commands",
    "export": "site_commands", "serve": "site_commands",
    "stats": "counter_commands", "download": "counter_commands",
    "init": "library_commands", "programme": "programme_commands",
}


class Settings:
    """What every command may need: the library and its configuration (`outillerie.yml`), found once, on first use."""

    def __init__(self, library_option: Path | None) -> None:
        self.library_option = library_option
        self._paths: LibraryPaths | None = None
        self._config: Config | None = None

    @property
    def library(self) -> LibraryPaths:
        if self._paths is None:
            from ..sheets.paths import find_library

            self._paths = find_library(self.library_option, os.environ.get("OUTILLERIE_LIBRARY"), Path.cwd())
        return self._paths

    @property
    def config(self) -> Config:
        """The library's configuration (defaults without the file); ConfigError when the file has errors."""
        if self._config is None:
            from ..sheets.config import load_config

            self._config = load_config(self.library.root)
        return self._config


pass_settings = click.make_pass_decorator(Settings)


class OutillerieGroup(click.Group):
    """Turns every expected failure into a French message on stderr and exit code 1, never a traceback; loads a
    command's module when that command is asked for (COMMAND_MODULES)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in dict.fromkeys(COMMAND_MODULES.values()):
            _load(module)
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            _load(COMMAND_MODULES[cmd_name])
        if cmd_name not in self.commands:  # a mistyped name: click suggests among them all
            self.list_commands(ctx)
        return super().get_command(ctx, cmd_name)

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
        except (OutillerieError, OSError) as error:  # an OSError (a disk, a permission, a path): still a message
            raise click.ClickException(failure_message(error)) from error


def _load(module: str) -> None:
    """Import a commands module: its decorators add its commands to `cli`."""
    importlib.import_module(f"{__package__}.{module}")


def _library_option(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(Settings).library_option = value


class VocabularyChoice(click.ParamType):
    """A value of a vocabulary, accepted as slug, label or alias, with a suggestion when mistyped."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.name = kind

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        from ..sheets.vocabulary import load_vocabulary

        return "[" + "|".join(load_vocabulary().terms(self.kind)) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from ..sheets.vocabulary import load_vocabulary

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
        from ..sheets.durations import parse_duration

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
