"""Commands about a library as a whole: init."""

from __future__ import annotations

from pathlib import Path

import click

from .app import cli


@cli.command("init")
@click.argument("folder", type=click.Path(path_type=Path), metavar="DOSSIER")
@click.option("--name", metavar="NOM", help="Nom du commun (en-tête du site), modifiable ensuite dans outillerie.yml.")
def init_command(folder: Path, name: str | None) -> None:
    """Crée une nouvelle bibliothèque de fiches dans un dossier vide ou nouveau.

    Le dossier reçoit outillerie.yml (la configuration, chaque clé expliquée), resources/ avec
    une fiche d'exemple, un README et un CONTRIBUTING pour les contributeur·rice·s, .gitignore,
    .pre-commit-config.yaml, et l'intégration continue de GitLab (.gitlab-ci.yml) et de GitHub
    (.github/workflows/outillerie.yml) : vérifier les fiches, puis publier le site sur Pages.

    \b
    Exemple :
        outillerie init fiches-du-hub --name "Les fiches ateliers du Hub"
    """
    from ..sheets.starter import create_library

    written = create_library(folder, name)
    click.echo(f"Bibliothèque créée dans {folder} :")
    for path in written:
        click.echo(f"  {path.relative_to(folder).as_posix()}")
    click.echo(f"Prochaines étapes : cd {folder}, complétez outillerie.yml, puis « git init », « outillerie check » et "
               "« outillerie export ».", err=True)
