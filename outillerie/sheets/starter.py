"""`outillerie init`: a new library made from the starter files shipped in `data/init/` (its configuration with
every key explained, one example sheet, a README and a CONTRIBUTING in plain French, `.gitignore`, pre-commit, and
the CI files of GitLab and GitHub that check the sheets and publish the site to Pages).

The files are written as text (placeholders replaced, never dumped by YAML) so that their comments survive.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path

from .. import __version__
from ..errors import LibraryError
from .config import DEFAULT_LICENSE, DEFAULT_NAME

EXAMPLE_SLUG = "trois-questions-mots-de-passe"
DEFAULT_AUTHORS = ("Équipe du commun",)
# (file in data/init/, path in the new library): no starter file is hidden, so that package data never misses one.
STARTER_FILES = (
    ("outillerie.yml", "outillerie.yml"),
    ("README.md", "README.md"),
    ("CONTRIBUTING.md", "CONTRIBUTING.md"),
    ("gitignore", ".gitignore"),
    ("pre-commit-config.yaml", ".pre-commit-config.yaml"),
    ("gitlab-ci.yml", ".gitlab-ci.yml"),
    ("github-workflow.yml", ".github/workflows/outillerie.yml"),
    ("fiche-exemple.md", f"resources/{EXAMPLE_SLUG}/index.md"),
)


def create_library(folder: Path, name: str | None = None, today: dt.date | None = None) -> list[Path]:
    """Write a new library into `folder` (absent or empty); the files written, in order."""
    _refuse_a_used_folder(folder)
    name = " ".join((name or DEFAULT_NAME).split())
    if not name or len(name) > 100 or any(not character.isprintable() for character in name):
        raise LibraryError(f"le nom « {name[:100]} » ne convient pas à un commun. Pour corriger : donnez un nom d'une "
                           "ligne, de 100 caractères au plus (--name \"Fiches ateliers du Hub\").")
    values = {"@NAME@": json.dumps(name, ensure_ascii=False), "@TITLE@": name, "@VERSION@": __version__,
              "@LICENSE@": DEFAULT_LICENSE, "@AUTHORS@": json.dumps(list(DEFAULT_AUTHORS), ensure_ascii=False),
              "@TODAY@": (today or dt.date.today()).isoformat()}
    starter = resources.files("outillerie").joinpath("data/init")
    written = []
    folder.mkdir(parents=True, exist_ok=True)
    for source, target in STARTER_FILES:
        text = starter.joinpath(source).read_text(encoding="utf-8")
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        path = folder / target
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as file:  # "x": never over a file that appeared meanwhile
            file.write(text)
        written.append(path)
    return written


def _refuse_a_used_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise LibraryError(f"« {folder} » est un fichier, pas un dossier. Pour corriger : donnez le nom d'un nouveau "
                           "dossier (outillerie init mes-fiches).")
    if folder.is_dir() and any(folder.iterdir()):
        raise LibraryError(f"le dossier « {folder} » n'est pas vide : outillerie init ne crée une bibliothèque que dans "
                           "un dossier vide ou nouveau, pour ne rien écraser. Pour corriger : choisissez un nouveau "
                           "dossier (outillerie init mes-fiches), ou videz celui-ci.")
