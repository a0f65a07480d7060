"""The exported site as `outillerie serve` sees it: its files by URL, listed once, and its kits by sheet name.

No path is ever built from a URL: every request is a look-up in what these functions listed at start-up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import CounterError


@dataclass(frozen=True)
class Kit:
    """A downloadable kit of the export: the file and the name the visitor's browser gives it."""

    slug: str
    path: Path
    filename: str
    title: str
    pages: tuple[Path, ...] = ()  # the sheet's pages; every other file of fiches/ is one of its supports


def list_files(site: Path) -> dict[str, Path]:
    """URL path -> file, for every visible file of the site; a folder's index.html also answers at `folder/`."""
    files: dict[str, Path] = {}
    for path in sorted(site.rglob("*")):
        relative = path.relative_to(site)
        if not path.is_file() or path.is_symlink() or any(part.startswith(".") for part in relative.parts):
            continue  # hidden files (the export's memory) are not part of the site
        url = "/" + relative.as_posix()
        files[url] = path
        if path.name == "index.html":
            files[url[: -len("index.html")]] = path
    return files


def read_kits(site: Path) -> dict[str, Kit]:
    """The export's list of kits: the only way a download URL reaches a file."""
    manifest = site / "kits.json"
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise CounterError(f"le dossier « {site} » n'a pas de fichier kits.json : ce n'est pas un site exporté par "
                           "outillerie. Pour corriger : lancez outillerie export, ou outillerie serve sans --site.") from error
    except (OSError, ValueError) as error:
        raise CounterError(f"le fichier « {manifest} » est illisible. Pour corriger : exportez le site à nouveau "
                           "(outillerie export).") from error
    kits = {}
    for slug, entry in entries.items():
        path = (site / entry["path"]).resolve()
        # An export older than the list of pages: only the sheet's own page is a page, its supports' pages are downloads
        pages = (site / page for page in entry.get("pages", [f"fiches/{slug}/index.html"]))
        if path.is_relative_to(site) and path.is_file():
            kits[slug] = Kit(slug=slug, path=path, filename=entry["filename"], title=entry.get("title", slug),
                             pages=tuple(page.resolve() for page in pages))
    return kits
