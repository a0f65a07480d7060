"""The `outillerie` command: thin click commands over the library, and the ONE place where
expected failures (`OutillerieError`) become French messages and exit codes."""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

import click

from .errors import OutillerieError
from .library import LibraryPaths, find_library
from .durations import parse_duration
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


@cli.command("serve")
@click.option("--site", type=click.Path(file_okay=False, exists=True, path_type=Path), metavar="DOSSIER",
              help="Site déjà exporté à servir (par défaut : exporté à la volée depuis la bibliothèque).")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), metavar="FICHIER",
              help="Base du compteur (par défaut : compteur.sqlite3 à côté de resources/).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute (127.0.0.1 : cette machine seulement).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0 : un port libre).")
@click.option("--trusted-proxy", metavar="ADRESSE",
              help="Adresse du proxy inverse dont on croit l'en-tête X-Forwarded-For.")
@pass_settings
def serve_command(settings: Settings, site: Path | None, db: Path | None, host: str, port: int,
                  trusted_proxy: str | None) -> None:
    """Sert le site et compte les téléchargements des kits, sans cookie ni adresse enregistrée.

    Le compteur suit les règles COUNTER (double clic, robots, téléchargements uniques par heure) ;
    seuls des totaux anonymes par jour et par fiche sont gardés. Ctrl-C arrête le serveur.

    \b
    Exemple :
        outillerie serve --port 8000
    """
    import logging
    import tempfile

    from .counter import Counter
    from .server import SiteApp, run_server

    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    db = db or settings.library.counter_db
    db.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="outillerie-site-") as scratch:
        if site is None:
            from .export import export_site

            site = Path(scratch) / "site"
            report = export_site(settings.library.root, site, counter_url="", keep_going=True)
            click.echo(f"Site exporté : {report.exported} fiches.", err=True)
        app = SiteApp(site, Counter(db), db)
        run_server(app, host, port, trusted_proxy,
                   announce=lambda url: click.echo(f"outillerie sert {url} (Ctrl-C pour arrêter)", err=True))
    click.echo("Serveur arrêté.", err=True)


@cli.command("stats")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), metavar="AAAA-MM-JJ", help="Premier jour compris.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), metavar="AAAA-MM-JJ", help="Dernier jour compris.")
@click.option("--by", type=click.Choice(["resource", "month", "day"]), default="resource", show_default=True,
              help="Par fiche (et par mois), par mois ou par jour.")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Tableau lisible, CSV pour un tableur, JSON pour un programme.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), metavar="FICHIER",
              help="Base du compteur à lire (par défaut : celle de la bibliothèque).")
@click.option("--server", metavar="URL", help="Lire les chiffres publics d'un serveur lancé (outillerie serve).")
@pass_settings
def stats_command(settings: Settings, since: Any, until: Any, by: str, output_format: str, db: Path | None,
                  server: str | None) -> None:
    """Donne les téléchargements par fiche et par mois, et les téléchargements uniques.

    \b
    Exemple :
        outillerie stats --since 2026-01-01 --by month
    """
    from .display import stats_csv, stats_table

    grouping = "resource-month" if by == "resource" else by
    since_day, until_day = (value.date() if value else None for value in (since, until))
    if server and db:
        raise click.UsageError("choisissez --db ou --server, pas les deux.")
    if server:
        from .client import fetch_stats

        data = fetch_stats(server, by=grouping, since=since_day, until=until_day)
        titles = data.get("titles", {})
    else:
        from .counter import read_stats, stats_as_dict
        from .sheets import load_library

        data = stats_as_dict(read_stats(db or settings.library.counter_db, since_day, until_day, grouping))
        titles = {sheet.slug: sheet.title for sheet in load_library(settings.library.root).sheets}
    if output_format == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif output_format == "csv":
        click.echo(stats_csv(data, titles), nl=False)
    else:
        click.echo(stats_table(data, titles))


@cli.command("download")
@click.argument("slug")
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
    from .client import download_kit

    path = download_kit(server, slug, output, progress=_ProgressBar(minimum=0))
    click.echo(f"Kit enregistré : {path}")


class _ProgressBar:
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


def _notice(message: str) -> None:
    click.echo(message, err=True)


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
    from .index import update_index
    from .results import index_summary

    paths = settings.library
    report = update_index(paths.root, paths.index_dir, rebuild=rebuild, notify=_notice, progress=_ProgressBar())
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
    from .search import Filters, search_library

    _refuse_unknown_options(query)
    paths = settings.library
    filters = Filters(objective=objective, public=public, min_duration=min_duration, max_duration=max_duration,
                      level=level, theme=theme, tag=tag, license=license_id)
    result = search_library(paths.root, paths.index_dir, " ".join(query), filters, limit=limit, facets=facets,
                            count=output_format != "text" or facets, notify=_notice, progress=_ProgressBar())
    _echo_results(result, output_format)
    if not result.hits:
        sys.exit(1)


def _refuse_unknown_options(words: tuple[str, ...]) -> None:
    """`-mot` excludes a word, so search lets unknown options through: a mistyped `--option` still fails."""
    mistyped = next((word for word in words if word.startswith("--")), None)
    if mistyped:
        import difflib

        context = click.get_current_context()
        known = [name for param in context.command.params for name in param.opts if name.startswith("--")]
        raise click.NoSuchOption(mistyped.split("=")[0], possibilities=difflib.get_close_matches(mistyped, known),
                                 ctx=context)


def _echo_results(result: Any, output_format: str) -> None:
    """Hits on stdout in the chosen format; counts and the nothing-found message on stderr."""
    from .results import nothing_found, results_csv, results_summary, results_text

    if output_format == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    elif output_format == "csv":
        click.echo(results_csv(result), nl=False)
    elif result.hits:
        styled = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        click.echo(results_text(result, (lambda text: click.style(text, bold=True)) if styled else (lambda text: text)))
    if result.hits and output_format == "text":
        click.echo(results_summary(result), err=True)
    elif not result.hits:
        click.echo(nothing_found(result), err=True)


@cli.command("export")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=Path("site"), show_default=True,
              metavar="DOSSIER", help="Dossier du site (remplacé en entier s'il vient d'un export précédent).")
@click.option("--base-url", metavar="URL", help="Adresse publique du site, pour sitemap.xml, le flux Atom et le JSON-LD.")
@click.option("--counter-url", metavar="URL", help="Adresse d'un serveur outillerie : les boutons de téléchargement "
                                                    "y passent pour être comptés.")
@click.option("--keep-going", is_flag=True, help="Publie sans les fiches invalides et termine avec le code 0.")
@pass_settings
def export_command(settings: Settings, output: Path, base_url: str | None, counter_url: str | None,
                   keep_going: bool) -> None:
    """Écrit le site statique : catalogue filtrable, une page par fiche, kits ZIP, données ouvertes.

    Le site fonctionne ouvert depuis le disque (clé USB), sur tout hébergement statique et avec
    « outillerie serve ». Il est écrit à côté puis mis en place d'un coup ; les fiches inchangées
    depuis l'export précédent sont reprises telles quelles. Une fiche invalide est signalée comme
    avec check et laissée de côté (code de sortie 1, sauf avec --keep-going).

    \b
    Exemple :
        outillerie export --output site --base-url https://fiches.exemple.fr/
    """
    from .export import export_site

    report = export_site(settings.library.root, output, base_url=base_url, counter_url=counter_url,
                         keep_going=keep_going, progress=_ProgressBar(minimum=100))
    for line in [*map(str, report.problems), *report.notes]:
        click.echo(line, err=True)
    reused = f" ({report.reused} inchangée(s), reprise(s) de l'export précédent)" if report.reused else ""
    left = f" ; {report.left_out} fiche(s) invalide(s) laissée(s) de côté" if report.problems else ""
    click.echo(f"Site exporté dans {report.output} : {report.exported} fiche(s){reused}{left}.")


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

    catalogue = json.loads((Path(__file__).parent / "data" / "click-fr.json").read_text(encoding="utf-8"))
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
