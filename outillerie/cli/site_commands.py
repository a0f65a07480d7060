"""Commands of the site: export, serve."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from . import usual_collections
from .app import ProgressBar, Settings, cli, pass_settings
from .counter_commands import CounterDb


def _impact(stats_file: Path | None) -> dict[str, Any]:
    """What the counter gives the site (plain data): the declaration form's lists, the privacy receipt made from
    its tables, and the public figures of a file when there is one."""
    from ..counter.schema import privacy_receipt
    from ..counter.uses import form_choices

    impact: dict[str, Any] = {"choices": form_choices(), "receipt": privacy_receipt()}
    if stats_file is not None:
        from ..counter.figures import load_figures

        impact["figures"] = load_figures(stats_file)
    return impact


@cli.command("export")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=Path("site"), show_default=True,
              metavar="DOSSIER", help="Dossier du site (remplacé en entier s'il vient d'un export précédent).")
@click.option("--base-url", metavar="URL", help="Adresse publique du site, pour sitemap.xml, le flux Atom et le JSON-LD "
                                                 "(par défaut : site_url de outillerie.yml).")
@click.option("--counter-url", metavar="URL", help="Adresse d'un serveur outillerie : les boutons de téléchargement "
                                                    "y passent pour être comptés (par défaut : counter_url de outillerie.yml).")
@click.option("--keep-going", is_flag=True, help="Publie sans les fiches invalides et termine avec le code 0.")
@click.option("--stats", "stats_file", type=click.Path(dir_okay=False, exists=True, path_type=Path), metavar="FICHIER",
              help="Chiffres publics (outillerie stats --figures, ou /api/chiffres.json d'un serveur) : ajoute la page "
                   "« Les chiffres du commun ».")
@click.option("--no-pdf", is_flag=True, help="Sans les PDF des fiches et des supports (plus rapide ; les kits "
                                              "contiennent alors les pages imprimables en HTML).")
@pass_settings
def export_command(settings: Settings, output: Path, base_url: str | None, counter_url: str | None,
                   keep_going: bool, stats_file: Path | None, no_pdf: bool) -> None:
    """Écrit le site statique : catalogue filtrable, une page par fiche, PDF, kits ZIP, données ouvertes.

    Le site fonctionne ouvert depuis le disque (clé USB), sur tout hébergement statique et avec
    « outillerie serve ». Il est écrit à côté puis mis en place d'un coup ; les fiches inchangées
    depuis l'export précédent sont reprises telles quelles. Une fiche invalide est signalée comme
    avec check et laissée de côté (code de sortie 1, sauf avec --keep-going). Les PDF (A4) de
    chaque fiche et de chaque support sont faits avec WeasyPrint, sur tous les cœurs, et seulement
    pour les fiches qui ont changé.

    \b
    Exemple :
        outillerie export --output site --base-url https://fiches.exemple.fr/
    """
    from ..publish.export import export_site

    report = export_site(settings.library.root, output, base_url=base_url, counter_url=counter_url,
                         keep_going=keep_going, progress=ProgressBar(minimum=100),
                         cache_dir=settings.library.index_dir, pdf=not no_pdf, impact=_impact(stats_file),
                         config=settings.config)
    for line in [*map(str, report.problems), *report.notes]:
        click.echo(line, err=True)
    reused = f" ({report.reused} inchangée(s), reprise(s) de l'export précédent)" if report.reused else ""
    left = f" ; {report.left_out} fiche(s) invalide(s) laissée(s) de côté" if report.problems else ""
    programmes = f" et {report.programmes} programme(s)" if report.programmes else ""
    click.echo(f"Site exporté dans {report.output} : {report.exported} fiche(s){programmes}{reused}{left}.")




@cli.command("serve")
@click.option("--site", type=click.Path(file_okay=False, exists=True, path_type=Path), metavar="DOSSIER",
              help="Site déjà exporté à servir (par défaut : exporté à la volée depuis la bibliothèque).")
@click.option("--db", type=CounterDb(), metavar="FICHIER|URL",
              help="Base du compteur : un fichier SQLite (par défaut : compteur.sqlite3 à côté de resources/) ou "
                   "postgresql://utilisateur@hôte/base, partagée par plusieurs serveurs.")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADRESSE",
              help="Adresse d'écoute (127.0.0.1 : cette machine seulement).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, metavar="PORT",
              help="Port (0 : un port libre).")
@click.option("--trusted-proxy", metavar="ADRESSE",
              help="Adresse du proxy inverse dont on croit l'en-tête X-Forwarded-For.")
@click.option("--no-pdf", is_flag=True, help="Sans --site : exporte sans les PDF (démarrage plus rapide).")
@pass_settings
def serve_command(settings: Settings, site: Path | None, db: str | Path | None, host: str, port: int,
                  trusted_proxy: str | None, no_pdf: bool) -> None:
    """Sert le site et compte les téléchargements des kits, sans cookie ni adresse enregistrée.

    Le compteur suit les règles COUNTER (double clic, robots, téléchargements uniques par heure) ;
    seuls des totaux anonymes par jour et par fiche sont gardés. Ctrl-C arrête le serveur.

    \b
    Exemple :
        outillerie serve --port 8000
    """
    import contextlib
    import logging

    from ..counter.database import open_counter
    from ..counter.server import SiteApp, run_server
    from ..publish.served import ServedPages

    usual_collections()  # a server lasts
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    db = db or settings.library.counter_db
    if isinstance(db, Path):
        db.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as cleanup:
        if site is None:  # exported into the library's cache, removed at the end (or by the next serve if killed)
            from ..publish.export import export_site
            from ..publish.folders import scratch_folder

            site = cleanup.enter_context(scratch_folder(settings.library.index_dir)) / "site"
            report = export_site(settings.library.root, site, counter_url="", keep_going=True,
                                 cache_dir=settings.library.index_dir, pdf=not no_pdf, impact=_impact(None),
                                 config=settings.config)
            for problem in report.problems:
                click.echo(str(problem), err=True)
            click.echo(f"Site exporté : {report.exported} fiches.", err=True)
        app = SiteApp(site, open_counter(db), db, ServedPages(site))
        run_server(app, host, port, trusted_proxy,
                   announce=lambda url: click.echo(f"outillerie sert {url} (Ctrl-C pour arrêter)", err=True))
    click.echo("Serveur arrêté.", err=True)
