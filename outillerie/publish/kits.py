"""Kits: one reproducible ZIP per sheet, laid out for the mediator who opens it.

`<slug>/LISEZMOI.txt` first (see `readme.py`), then the PDFs to print (the sheet's, each Markdown support's), the
full legal code (`LICENCE.txt`), the credits (`CREDITS.txt`), the other supports in `supports/` and the editable
Markdown in `sources/`. Contributors' files only ever go into those two folders, so a support called LICENCE.txt
never replaces the kit's own; every name is one Windows can write, and no two entries share a name (compared
as Windows compares them: without case). Same content, same bytes: sorted entries, fixed dates and rights.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping

from ..sheets.history import SheetHistory
from ..sheets.layout import SupportLayout
from ..sheets.sheet import Sheet
from ..sheets.vocabulary import Vocabulary

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date ZIP can store: same bytes at every export
MAX_NAME = 100  # characters of one file name in a kit (Windows paths stay short once unzipped)
README, LICENCE, CREDITS = "LISEZMOI.txt", "LICENCE.txt", "CREDITS.txt"
SOURCES, OTHERS = "sources", "supports"
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class PrintedSupport:
    """A Markdown support as the kit prints it: its title, how it prints, how many cards or pages it holds."""

    path: str
    title: str
    layout: SupportLayout
    sections: int
    has_backs: bool


def windows_name(text: str, suffix: str = "", limit: int = MAX_NAME) -> str:
    """A file name every system accepts, accents kept: « Café : débat ? » -> "Café - débat" + suffix.

    No character Windows refuses, no trailing dot or space, no device name (CON, NUL…), `limit` characters."""
    name = _UNSAFE_NAME.sub(" - ", unicodedata.normalize("NFC", text))
    name = re.sub(r"\s+", " ", name)
    name = re.sub(r"( - )+", " - ", name).strip(" .-")
    name = name[: limit - len(suffix)].rstrip(" .-") or "fichier"
    if _RESERVED.match(name):
        name = f"{name}_"
    return name + suffix


def kit_filename(title: str) -> str:
    """The kit's name as a person recognises it: the sheet's title, accents kept, `.zip`."""
    return windows_name(title, ".zip")


def windows_path(path: str) -> str:
    """A contributor's relative path with each part made a Windows name (the extension kept)."""
    parts = path.split("/")
    stem, extension = posixpath.splitext(parts[-1])
    safe_extension = re.sub(r"[^A-Za-z0-9.]", "", extension)[:10]
    return "/".join([windows_name(part) for part in parts[:-1]] + [windows_name(stem, safe_extension)])


class NameBook:
    """The names taken in one kit, compared as Windows compares them; a taken name gets « (2) », « (3) »…"""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self.taken = {name.casefold() for name in reserved}

    def claim(self, name: str) -> str:
        stem, extension = posixpath.splitext(name)
        candidate, number = name, 2
        while candidate.casefold() in self.taken:
            suffix = f" ({number}){extension}"
            candidate, number = windows_name(posixpath.basename(stem), suffix), number + 1
            candidate = posixpath.join(posixpath.dirname(stem), candidate)
        self.taken.add(candidate.casefold())
        return candidate


def document_names(sheet: Sheet, printed: Iterable[PrintedSupport], extension: str) -> dict[str, str]:
    """The kit's name of each printable document: "" is the sheet, then each printed support by its path."""
    book = NameBook([README, LICENCE, CREDITS, SOURCES, OTHERS])
    names = {"": book.claim(windows_name(f"Fiche - {sheet.title}", extension))}
    for support in printed:
        names[support.path] = book.claim(windows_name(f"Support - {support.title}", extension))
    return names


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
    lines += [f"Le texte de la licence est dans le fichier {LICENCE} de ce kit.", "", "Comment citer cette fiche :",
              citation, ""]
    return "\n".join(lines)


def kit_entries(sheet: Sheet, readme: str, documents: Mapping[str, bytes], credits: str,
                licence: str) -> list[tuple[str, bytes]]:
    """Every file of a sheet's kit, inside a folder named after its slug: `documents` maps each kit name of a
    printable document (PDF, or HTML without PDFs) to its bytes; the sheet's own files go to sources/ and supports/."""
    folder = sheet.slug
    entries = [(f"{folder}/{README}", _text(readme)), (f"{folder}/{LICENCE}", _text(licence)),
               (f"{folder}/{CREDITS}", _text(credits))]
    entries += [(f"{folder}/{name}", data) for name, data in documents.items()]
    book = NameBook()
    entries.append((f"{folder}/{SOURCES}/{book.claim('index.md')}", sheet.path.read_bytes()))
    for support in sheet.supports:
        place = SOURCES if support.endswith(".md") else OTHERS
        name = book.claim(f"{place}/{windows_path(support)}")
        entries.append((f"{folder}/{name}", (sheet.folder / support).read_bytes()))
    return entries


def _text(text: str) -> bytes:
    """A text file as Windows' Notepad and every other editor read it: UTF-8, lines ending in CR LF."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def write_zip(path: Path, entries: Iterable[tuple[str, bytes]]) -> None:
    """A ZIP whose bytes depend only on its content: LISEZMOI.txt first, then sorted entries, fixed dates and rights."""
    ordered = sorted(entries, key=lambda entry: (posixpath.basename(entry[0]) != README or entry[0].count("/") > 1,
                                                 entry[0]))
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in ordered:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=6)
