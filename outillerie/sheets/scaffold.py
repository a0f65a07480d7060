"""A new sheet written from the template: every key and the outline, valid for `check` at once."""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import OutillerieError
from .sheet import SLUG_RE
from .writing import dump_document
from .vocabulary import fold_key

GENERATED_SLUG_LENGTH = 60


@dataclass(frozen=True)
class NewSheet:
    """What a contributor says about the sheet to create."""

    title: str
    objective: str
    public: tuple[str, ...]
    duration: int
    authors: tuple[str, ...]
    summary: str = "À compléter : une ou deux phrases qui disent ce que l'atelier permet et pour qui."
    license: str = "CC-BY-SA-4.0"
    level: str = "debutant"
    themes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    participants: str = "6-16"


def slug_for(title: str) -> str:
    """The folder name a title gives: "Élus & réseau !" -> "elus-reseau"."""
    slug = fold_key(title)[:GENERATED_SLUG_LENGTH].strip("-")
    return slug or "fiche"


def step_minutes(duration: int) -> tuple[int, int, int]:
    """Welcome, main activity and closing minutes that add up to `duration`."""
    if duration < 3:
        raise OutillerieError(f"une durée de {duration} min est trop courte pour un atelier en trois étapes. "
                              "Pour corriger : indiquez au moins 3 minutes (--duration 45).")
    welcome = max(1, round(duration * 0.15))
    closing = max(1, round(duration * 0.15))
    return welcome, duration - welcome - closing, closing


def write_new_sheet(resources_dir: Path, sheet: NewSheet, slug: str | None = None, today: dt.date | None = None) -> Path:
    """Create `resources/<slug>/index.md`; refuse to overwrite anything."""
    slug = slug or slug_for(sheet.title)
    if not SLUG_RE.fullmatch(slug):
        raise OutillerieError(f"« {slug} » n'est pas un nom de dossier valide. Pour corriger : utilisez des minuscules "
                              "sans accents, des chiffres et des tirets (--slug mon-atelier).")
    folder = resources_dir / slug
    if folder.exists():
        raise OutillerieError(f"le dossier « {folder} » existe déjà : outillerie new ne remplace jamais une fiche. "
                              "Pour corriger : choisissez un autre titre ou un autre nom avec --slug.")
    welcome, main, closing = step_minutes(sheet.duration)
    today_text = today or dt.date.today()
    meta = {"title": sheet.title, "summary": sheet.summary, "objective": sheet.objective, "public": list(sheet.public),
            "duration": sheet.duration, "license": sheet.license, "authors": list(sheet.authors),
            "participants": sheet.participants, "level": sheet.level, "themes": list(sheet.themes),
            "tags": list(sheet.tags), "materials": ["Feuilles A3", "Post-it", "Feutres"], "status": "brouillon",
            "created": today_text, "updated": today_text}
    body = string.Template(resources.files("outillerie").joinpath("data/sheet-template.md").read_text(encoding="utf-8"))
    text = dump_document(meta, body.substitute(welcome=welcome, main=main, closing=closing))
    folder.mkdir(parents=True)
    path = folder / "index.md"
    path.write_text(text, encoding="utf-8")
    return path
