"""How a sheet's support files are published: as downloads, never as pages of the site.

A static host chooses a file's type from its name, so a support whose type a browser could run (HTML,
SVG, XML, script…) is published under its name plus `.txt` (plain text, never run) and linked with the
`download` attribute that gives back its own name. `outillerie serve` also sends every support as an
attachment with `nosniff` and a sandbox policy; the export lists the site's own pages for it.
"""

from __future__ import annotations

import posixpath
from typing import Iterable

from ..sheets.sheet import Sheet
from ..sheets.supports import SUPPORT_TYPES

DISARMED = ".txt"


def is_inert(name: str) -> bool:
    """True when a browser shown this file by its name alone would never run script in it: the types `check`
    accepts as supports (documents to print, images other than SVG, sound, video, text)."""
    suffix = posixpath.splitext(name.lower())[1]
    return suffix[1:] in SUPPORT_TYPES


def site_names(supports: Iterable[str]) -> dict[str, str]:
    """Where each support of a sheet goes in its folder of the site: its own path when inert, else `.txt` added
    (numbered if that name is taken by another support)."""
    supports = list(supports)
    taken = {s for s in supports if is_inert(s)}
    names: dict[str, str] = {}
    for support in supports:
        if is_inert(support):
            names[support] = support
            continue
        candidate, number = support + DISARMED, 2
        while candidate in taken:
            candidate, number = f"{support}-{number}{DISARMED}", number + 1
        taken.add(candidate)
        names[support] = candidate
    return names


def download_name(support: str) -> str:
    """The name a browser saves a support under: its own file name, folders aside."""
    return support.rsplit("/", 1)[-1]


def support_pages(sheet: Sheet) -> dict[str, str]:
    """The Markdown supports that also become pages of the site, with the name of their page."""
    return {s: f"{s[:-3]}.html" for s in sheet.supports if s.endswith(".md") and f"{s[:-3]}.html" not in sheet.supports}
