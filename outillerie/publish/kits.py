"""Kits: one reproducible ZIP per sheet (Markdown, printable HTML, supports, licence text, credits)."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from importlib import resources
from pathlib import Path
from typing import Iterable

from ..sheets.history import SheetHistory
from ..sheets.sheet import Sheet
from ..sheets.vocabulary import Vocabulary

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date ZIP can store: same bytes at every export
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def kit_filename(title: str) -> str:
    """The title as a file name a person recognises, accents kept: « Café : débat » -> "Café - débat.zip"."""
    name = _UNSAFE_NAME.sub(" - ", unicodedata.normalize("NFC", title))
    name = re.sub(r"\s+", " ", name).strip(" .-")
    name = re.sub(r"( - )+", " - ", name)
    return f"{name[:120].rstrip(' .-') or 'fiche'}.zip"


def licence_text(license_id: str, vocabulary: Vocabulary) -> str:
    """The full text of a licence shipped in the package, else its name, address and what it allows, in French."""
    shipped = resources.files("outillerie").joinpath(f"data/licenses/{license_id}.txt")
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    term = vocabulary.licenses.get(license_id)
    name = term.label if term else license_id
    url = term.url if term else ""
    return (f"{name}\n\nLe texte complet de cette licence n'est pas fourni dans ce kit ; il se trouve à l'adresse :\n"
            f"{url}\n\nCette licence libre permet de copier, diffuser et modifier la fiche, y compris à des fins "
            "commerciales, en respectant les conditions qu'elle fixe (en général : citer les auteurs et la licence).\n")


def credits_text(sheet: Sheet, history: SheetHistory | None, vocabulary: Vocabulary, citation: str) -> str:
    """The CREDITS file: who made the sheet, under which licence, how to cite it."""
    term = vocabulary.licenses.get(sheet.license)
    lines = [sheet.title, "=" * len(sheet.title), "", "Auteurs : " + ", ".join(sheet.authors)]
    if history and history.contributors:
        lines += ["", "Contributeurs et contributrices (historique Git du dossier de la fiche) :"]
        lines += [f"- {c.name} ({c.commits} modification{'s' if c.commits > 1 else ''})" for c in history.contributors]
    lines += ["", f"Licence : {term.label if term else sheet.license} ({sheet.license})"]
    if term and term.url:
        lines.append(term.url)
    lines += ["Le texte de la licence est dans le fichier LICENCE.txt de ce kit.", "", "Comment citer cette fiche :",
              citation, ""]
    return "\n".join(lines)


def kit_entries(sheet: Sheet, printable_html: str, credits: str, licence: str) -> list[tuple[str, bytes]]:
    """Every file of a sheet's kit, inside a folder named after its slug."""
    folder = sheet.slug
    entries = [
        (f"{folder}/fiche.md", sheet.path.read_bytes()),
        (f"{folder}/fiche.html", printable_html.encode("utf-8")),
        (f"{folder}/LICENCE.txt", licence.encode("utf-8")),
        (f"{folder}/CREDITS.txt", credits.encode("utf-8")),
    ]
    entries += [(f"{folder}/{support}", (sheet.folder / support).read_bytes()) for support in sheet.supports]
    return entries


def write_zip(path: Path, entries: Iterable[tuple[str, bytes]]) -> None:
    """A ZIP whose bytes depend only on its content: sorted entries, fixed dates and permissions."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=6)
