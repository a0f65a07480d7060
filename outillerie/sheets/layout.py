"""How a Markdown support prints, from its own front matter (`print`, `cards_per_page`), and its title.

The front matter is read by `sheet.read_front_matter` (the same safe YAML loader as sheets); every bad value
is a finding with its line and the fix. A support without front matter prints as a plain document.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Problem, reason_fr
from .fields import ERROR, WARNING, Collector
from .sheet import heading_of, read_front_matter
from .vocabulary import fold_key

PRINT_MODES = ("document", "cartes", "une-par-page")
CARDS_PER_PAGE = (1, 2, 4, 6, 8)
DEFAULT_CARDS_PER_PAGE = 4
LAYOUT_KEYS = ("print", "cards_per_page")
MAX_BYTES = 1_000_000
_MODE_ALIASES = {"document": "document", "cartes": "cartes", "carte": "cartes", "cartes-a-decouper": "cartes",
                 "une-par-page": "une-par-page", "une-page-par-section": "une-par-page", "pages": "une-par-page"}
_FENCE = re.compile(r"^\s*(```|~~~)")
_BOUNDARY = re.compile(r"-{3,}[ \t]*(\n|$)")


@dataclass(frozen=True)
class SupportLayout:
    """How a support prints: as a document, as cards on a grid (so many per A4 page), or one section per page."""

    mode: str = "document"
    cards_per_page: int = DEFAULT_CARDS_PER_PAGE


@dataclass(frozen=True)
class SupportText:
    """A Markdown support read for the site and for `check`: its layout, title, body and findings."""

    layout: SupportLayout
    title: str | None
    body: str
    body_line: int
    problems: tuple[Problem, ...]


def read_support(path: Path, shown: str) -> SupportText:
    """Read a Markdown support (`shown`: its path as findings name it); never raises for a bad file."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return SupportText(SupportLayout(), None, "", 1, ())  # not a document: the file checks say why
        text = path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
    except OSError as error:
        problem = Problem(shown, 0, ERROR, f"le support ne peut pas être lu ({reason_fr(error)}). "
                                           "Pour corriger : vérifiez ses droits de lecture.")
        return SupportText(SupportLayout(), None, "", 1, (problem,))
    return parse_support(text.replace("\r\n", "\n"), shown)


def parse_support(text: str, shown: str) -> SupportText:
    """The layout, title and body of a support's text."""
    if not _BOUNDARY.match(text):
        return SupportText(SupportLayout(), support_title(text), text, 1, ())
    out = Collector(shown)
    document = read_front_matter(text, out)
    if document is None:
        return SupportText(SupportLayout(), None, text, 1, tuple(out.problems))
    meta, lines, body, body_line = document
    layout, found = _layout(meta, lines, shown)
    problems = [*out.problems, *found]
    if layout.mode == "cartes" and not any(line.startswith("## ") for line in body.split("\n")):
        problems.append(Problem(shown, lines.get("print", 1), WARNING,
                                "« print: cartes » mais le support n'a aucune carte. Pour corriger : commencez "
                                "chaque carte par un titre « ## Carte 1 — … »."))
    return SupportText(layout, support_title(body), body, body_line, tuple(problems))


def _layout(meta: dict[str, Any], lines: dict[str, int], shown: str) -> tuple[SupportLayout, list[Problem]]:
    found: list[Problem] = []

    def add(severity: str, key: str, message: str) -> None:
        found.append(Problem(shown, lines.get(key, 1), severity, message))

    for key in meta:
        if key not in LAYOUT_KEYS:
            add(WARNING, key, f"la clé « {key} » est inconnue dans l'en-tête d'un support et sera ignorée. "
                              f"Pour corriger : gardez seulement {' et '.join(LAYOUT_KEYS)}.")
    raw = meta.get("print")
    mode = "document"
    if raw is not None:
        mode = _MODE_ALIASES.get(fold_key(raw), "") if isinstance(raw, str) else ""
        if not mode:
            add(ERROR, "print", f"« print » : « {raw} » n'est pas une façon d'imprimer connue. Pour corriger : "
                                f"choisissez parmi {', '.join(PRINT_MODES)}.")
            mode = "document"
    cards = DEFAULT_CARDS_PER_PAGE
    if "cards_per_page" in meta:
        value = meta["cards_per_page"]
        number = int(value) if isinstance(value, str) and value.strip().isdigit() else value
        if isinstance(number, bool) or number not in CARDS_PER_PAGE:
            add(ERROR, "cards_per_page", f"« cards_per_page » : « {value} » n'est pas possible. Pour corriger : "
                                         f"écrivez {', '.join(map(str, CARDS_PER_PAGE[:-1]))} ou {CARDS_PER_PAGE[-1]}.")
        else:
            cards = int(number)
        if mode != "cartes":
            add(WARNING, "cards_per_page", "« cards_per_page » ne sert qu'avec « print: cartes ». Pour corriger : "
                                           "ajoutez print: cartes, ou retirez cards_per_page.")
    return SupportLayout(mode, cards), found


def supports_stamp(folder: Path) -> str:
    """A short digest of the size and date of every Markdown support of a sheet folder: editing one in place
    (its front matter, a table) changes it, so `check` reads the sheet again."""
    import hashlib

    found: list[str] = []
    pending = [folder]
    while pending and len(found) < 1000:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(Path(entry.path))
                    elif entry.name.endswith(".md") and entry.path != str(folder / "index.md"):
                        info = entry.stat()
                        found.append(f"{entry.path}:{info.st_size}:{info.st_mtime_ns}")
        except OSError:
            continue
    return hashlib.sha256("\n".join(sorted(found)).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def support_title(body: str) -> str | None:
    """The text of the first `# ` heading outside code blocks, if any."""
    fenced = False
    for line in body.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            heading = heading_of(line)  # linear: a regular expression here backtracked on long lines of spaces
            if heading and heading[0] == 1 and heading[1]:
                return heading[1]
    return None
