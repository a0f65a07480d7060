"""Support files: the documents beside a sheet's index.md (cards, grids, PDF, images, office documents, audio).

`SUPPORT_TYPES` is the ONE allow-list of their types, with the media type the site serves each one as; `publish`
imports it from here. A folder is walked without following symbolic links to folders, to a bounded depth and count.
"""

from __future__ import annotations

import re

import os
import stat
from pathlib import Path
from typing import Any, Mapping, NamedTuple

from ..errors import control_name, excerpt
from .files import FileTrouble, real_path

MAX_SUPPORTS = 200  # files in one sheet's folder
MAX_DEPTH = 3  # sub-folders below the sheet's folder
MAX_NAME = 100  # characters of one file or folder name
MAX_MARKDOWN_BYTES = 1_000_000  # a Markdown support is rendered like a sheet: the same bound

_DOCX = "application/vnd.openxmlformats-officedocument"
SUPPORT_TYPES: Mapping[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "docx": f"{_DOCX}.wordprocessingml.document",
    "xlsx": f"{_DOCX}.spreadsheetml.sheet",
    "pptx": f"{_DOCX}.presentationml.presentation",
    "doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint",
    "md": "text/markdown; charset=utf-8", "txt": "text/plain; charset=utf-8", "csv": "text/csv; charset=utf-8",
    "mp3": "audio/mpeg", "ogg": "audio/ogg", "opus": "audio/ogg", "wav": "audio/wav", "m4a": "audio/mp4",
    "mp4": "video/mp4", "webm": "video/webm", "ogv": "video/ogg",
}
SUPPORT_KINDS = ("PDF, images PNG, JPEG, GIF ou WebP, documents bureautiques (odt, ods, odp, docx, xlsx, pptx, doc, "
                 "xls, ppt), Markdown, texte, CSV, audio et vidéo (mp3, ogg, opus, wav, m4a, mp4, webm, ogv)")
_SCRIPT = "peut contenir du script qui s'exécuterait sur le site de ceux qui l'ouvrent"
_REFUSED: Mapping[str, str] = {
    "svg": f"un fichier .svg {_SCRIPT}. Pour corriger : exportez l'image en PNG (ou en PDF)",
    "svgz": f"un fichier .svgz {_SCRIPT}. Pour corriger : exportez l'image en PNG (ou en PDF)",
    "html": f"une page .html {_SCRIPT}. Pour corriger : enregistrez-la en PDF, ou écrivez-la en Markdown (.md)",
    "htm": f"une page .htm {_SCRIPT}. Pour corriger : enregistrez-la en PDF, ou écrivez-la en Markdown (.md)",
    "xhtml": f"une page .xhtml {_SCRIPT}. Pour corriger : enregistrez-la en PDF, ou écrivez-la en Markdown (.md)",
    "xml": f"un fichier .xml {_SCRIPT}. Pour corriger : donnez les données en CSV, ou le document en PDF",
    "js": "un script .js n'est pas un support d'atelier et s'exécuterait sur le site. Pour corriger : retirez-le",
    "mjs": "un script .mjs n'est pas un support d'atelier et s'exécuterait sur le site. Pour corriger : retirez-le",
}


class SupportScan(NamedTuple):  # not a dataclass: free at import (a search loads this module)
    """What a sheet's folder holds: the accepted supports (sorted relative paths), and what is wrong or ignored."""

    files: tuple[str, ...]
    errors: tuple[str, ...]
    warnings: tuple[str, ...]


def refusal(name: str) -> str | None:
    """Why a file of this name cannot be a support (its type), or None when its type is accepted."""
    stem, dot, extension = name.rpartition(".")
    extension = extension.lower()
    if not dot or not stem:
        return (f"« {excerpt(name)} » n'a pas d'extension : on ne sait pas ce qu'il contient. Pour corriger : "
                "ajoutez son extension (.pdf, .png, .md…), ou retirez-le")
    if extension in SUPPORT_TYPES:
        return None
    if extension in _REFUSED:
        return _REFUSED[extension]
    return (f"le type .{excerpt(extension, 20)} n'est pas un type de support accepté ({SUPPORT_KINDS}). Pour "
            "corriger : convertissez-le en PDF, ou retirez-le")


def scan_supports(folder: Path, resources: Path) -> SupportScan:
    """The supports of a sheet's folder; `resources` is the real path of the library's resources/ folder."""
    files: list[str] = []
    errors: list[str] = []
    warnings: list[str] = []
    pending: list[tuple[Path, str, int]] = [(folder, "", 0)]
    while pending:
        place, prefix, depth = pending.pop()
        try:
            with os.scandir(place) as entries:
                found = sorted(entry.name for entry in entries)
        except OSError:
            errors.append(f"le dossier « {excerpt(prefix.rstrip('/') or '.')} » ne peut pas être lu. Pour corriger : "
                          "vérifiez ses droits.")
            continue
        for name in found:
            if name.startswith(".") or (not prefix and name == "index.md"):
                continue
            shown = prefix + name
            if len(files) + len(errors) >= MAX_SUPPORTS:
                errors.append(f"le dossier de la fiche contient plus de {MAX_SUPPORTS} fichiers. Pour corriger : "
                              "gardez les supports de l'atelier, regroupés dans moins de fichiers (une archive, un PDF).")
                return SupportScan(tuple(sorted(files)), tuple(errors), tuple(warnings))
            problem = _name_problem(name, shown)
            if problem:
                errors.append(problem)
                continue
            kind = _entry(place / name, shown, resources, errors, warnings)
            if kind == "dir":
                if depth + 1 > MAX_DEPTH:
                    errors.append(f"le dossier « {excerpt(shown)} » est rangé sur plus de {MAX_DEPTH} niveaux. Pour "
                                  "corriger : rangez les supports moins profond.")
                else:
                    pending.append((place / name, shown + "/", depth + 1))
            elif kind == "file":
                files.append(shown)
    return SupportScan(tuple(sorted(files)), tuple(errors), tuple(warnings))


def _name_problem(name: str, shown: str) -> str | None:
    from ..errors import CONTROL  # compiled on first use: a search loads this module, never calls this

    control = None if name.isprintable() else CONTROL.search(name)
    if control:
        return (f"le nom « {excerpt(shown)} » contient le caractère de contrôle {control_name(control.group())}. "
                "Pour corriger : renommez ce fichier avec des lettres, des chiffres et des tirets.")
    if len(name) > MAX_NAME:
        return (f"le nom « {excerpt(shown)} » fait {len(name)} caractères, plus que la limite de {MAX_NAME}. Pour "
                "corriger : raccourcissez-le.")
    return None


def _entry(path: Path, shown: str, resources: Path, errors: list[str], warnings: list[str]) -> str | None:
    """"file" for an accepted support, "dir" for a folder to walk; None after saying what is wrong."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            real = real_path(path)
            if not real.is_relative_to(resources):
                errors.append(f"le support « {excerpt(shown)} » est un lien symbolique vers « {real} », hors de la "
                              "bibliothèque. Pour corriger : copiez le fichier dans le dossier de la fiche au lieu d'un lien.")
                return None
            info = os.stat(path)
            if stat.S_ISDIR(info.st_mode):
                warnings.append(f"le dossier « {excerpt(shown)} » est un lien symbolique : il est ignoré, ses fichiers "
                                "ne sont pas publiés. Pour corriger : copiez les supports dans le dossier de la fiche.")
                return None
    except FileTrouble as trouble:
        errors.append(f"le support « {excerpt(shown)} » ne peut pas être lu : {trouble.reason}")
        return None
    except OSError:
        errors.append(f"le support « {excerpt(shown)} » ne peut pas être lu. Pour corriger : vérifiez ses droits.")
        return None
    if stat.S_ISDIR(info.st_mode):
        return "dir"
    if not stat.S_ISREG(info.st_mode):
        errors.append(f"le support « {excerpt(shown)} » n'est pas un fichier ordinaire (un tube, une prise, un "
                      "périphérique ?). Pour corriger : remplacez-le par un vrai fichier, ou supprimez-le.")
        return None
    reason = refusal(path.name)
    if reason:
        errors.append(f"le support « {excerpt(shown)} » est refusé : {reason}.")
        return None
    if path.suffix.lower() == ".md" and info.st_size > MAX_MARKDOWN_BYTES:
        errors.append(f"le support « {excerpt(shown)} » pèse {info.st_size // 1000} ko, plus que la limite de 1 Mo "
                      "d'un texte Markdown. Pour corriger : découpez-le, ou donnez-le en PDF.")
        return None
    return "file"


SUPPORT_BYTES = 256 * 1024  # read of each Markdown support for search: enough for any card set, bounded for a huge one
_FRONT_MATTER = r"\A\ufeff?---[^\n]*\n.*?\n---[ \t]*(?:\n|\Z)"  # compiled (and cached by re) when first read


def supports_text(sheet: Any) -> str:
    """The text of a sheet's Markdown supports (cards, scenarios, memos), front matter left out: what the terminal's
    search and the site's search both index, read the same way so that they agree."""
    parts = []
    for name in sheet.supports:
        if not name.lower().endswith(".md"):
            continue
        try:
            with open(sheet.folder / name, "rb") as file:
                data = file.read(SUPPORT_BYTES)
        except OSError:
            continue
        parts.append(re.sub(_FRONT_MATTER, "", data.decode("utf-8", errors="replace"), count=1, flags=re.DOTALL))
    return "\n\n".join(parts)
