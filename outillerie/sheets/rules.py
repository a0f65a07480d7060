"""Rules over sheets: what `check` reports beyond reading each file (outline, timings, links, duplicates)."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from ..errors import OutillerieError, Problem, relative
from .fields import ERROR, KNOWN_KEYS, WARNING
from .sheet import Library, Sheet, find_sheet_files, format_duration, load_library
from .vocabulary import fold_key

SECTIONS = ("Objectifs", "Matériel et préparation", "Déroulé", "Variantes", "Pour aller plus loin")
FRENCH_KEYS = {
    "titre": "title", "resume": "summary", "objectif": "objective", "objectifs": "objective",
    "duree": "duration", "licence": "license", "auteurs": "authors", "auteur": "authors",
    "niveau": "level", "themes": "themes", "theme": "themes", "mots-cles": "tags", "materiel": "materials",
    "statut": "status", "participant": "participants", "cree": "created", "mis-a-jour": "updated",
    "author": "authors", "audience": "public", "publics": "public", "tag": "tags", "material": "materials",
}
_LINK_RE = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_EXTERNAL_RE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|#|/)")


def validate_library(library: Library) -> list[Problem]:
    """Every problem of every sheet, reading problems included, sorted by file and line."""
    problems = list(library.problems)
    for sheet in library.sheets:
        problems.extend(validate_sheet(sheet, library.root))
    problems.extend(_duplicate_titles(library.sheets, library.root))
    return sorted(set(problems))


def valid_sheets(library: Library, problems: Iterable[Problem]) -> tuple[Sheet, ...]:
    """The sheets without any error: the ones that may be indexed and exported."""
    broken = {p.path for p in problems if p.is_error}
    return tuple(s for s in library.sheets if relative(s.path, library.root) not in broken)


def validate_sheet(sheet: Sheet, root: Path) -> list[Problem]:
    """The findings about one readable sheet."""
    shown = relative(sheet.path, root)
    found: list[Problem] = []

    def add(severity: str, line: int, message: str) -> None:
        found.append(Problem(shown, line, severity, message))

    for key, line in sheet.key_lines.items():
        if key not in KNOWN_KEYS:
            guess = FRENCH_KEYS.get(fold_key(key)) or next(iter(difflib.get_close_matches(key, KNOWN_KEYS, n=1)), None)
            hint = f" ; vouliez-vous dire « {guess} » ?" if guess else ""
            add(WARNING, line, f"la clé « {key} » est inconnue et sera ignorée{hint} Pour corriger : renommez-la "
                               f"ou supprimez-la (clés connues : {', '.join(KNOWN_KEYS)}).")
    _check_outline(sheet, add)
    _check_steps(sheet, add)
    _check_links(sheet, add)
    resources = (root / "resources").resolve()
    for support in sheet.supports:
        real = (sheet.folder / support).resolve()
        if not real.is_relative_to(resources):
            add(ERROR, 0, f"le support « {support} » est un lien symbolique vers « {real} », hors de la bibliothèque. "
                          "Pour corriger : copiez le fichier dans le dossier de la fiche au lieu d'un lien.")
    return found


def _check_outline(sheet: Sheet, add: Callable[[str, int, str], None]) -> None:
    present = {fold_key(text) for level, text, _ in sheet.headings if level == 2}
    missing = [name for name in SECTIONS if fold_key(name) not in present]
    if missing:
        names = ", ".join(f"« ## {name} »" for name in missing)
        add(WARNING, sheet.body_line, f"il manque {'la section' if len(missing) == 1 else 'les sections'} {names}. "
                                      f"Pour corriger : ajoutez {'ce titre' if len(missing) == 1 else 'ces titres'} "
                                      "au plan de la fiche (Objectifs, Matériel et préparation, Déroulé, Variantes, Pour aller plus loin).")


def _check_steps(sheet: Sheet, add: Callable[[str, int, str], None]) -> None:
    for step in sheet.steps:
        if step.minutes is None:
            add(WARNING, step.line, f"l'étape « {step.title} » n'a pas de durée. Pour corriger : terminez le titre "
                                    f"par sa durée, par exemple « ### {step.title} (15 min) ».")
    timed = [step.minutes for step in sheet.steps if step.minutes is not None]
    if not sheet.steps:
        line = next((line for level, text, line in sheet.headings if fold_key(text) == "deroule"), sheet.body_line)
        add(WARNING, line, "le déroulé n'a aucune étape minutée. Pour corriger : sous « ## Déroulé », écrivez "
                           "une étape par titre « ### Titre (15 min) ».")
    elif sum(timed) != sheet.duration:
        total = sum(timed)
        add(WARNING, sheet.key_lines.get("duration", 1),
            f"les étapes du déroulé totalisent {format_duration(total)}{f' ({total} min)' if total >= 60 else ''} mais « duration » vaut "
            f"{sheet.duration} min. Pour corriger : ajustez les durées des étapes ou la valeur de « duration ».")


def _check_links(sheet: Sheet, add: Callable[[str, int, str], None]) -> None:
    folder = sheet.folder.resolve()
    for offset, text in enumerate(sheet.body.split("\n")):
        for match in _LINK_RE.finditer(text):
            target = match.group(1).split("#", 1)[0].split("?", 1)[0]
            if not target or _EXTERNAL_RE.match(target):
                continue
            real = (folder / target).resolve()
            line = sheet.body_line + offset
            if not real.is_relative_to(folder):
                add(WARNING, line, f"le lien « {target} » sort du dossier de la fiche : il sera cassé dans le kit. "
                                   "Pour corriger : placez le fichier dans le dossier de la fiche.")
            elif not real.is_file():
                add(WARNING, line, f"le lien « {target} » mène à un support qui n'existe pas. Pour corriger : ajoutez "
                                   f"le fichier dans {relative(sheet.folder, sheet.folder.parent.parent)}/ ou corrigez le lien.")


def duplicate_titles(sheets: Iterable[Sheet], root: Path) -> list[Problem]:
    """An error on every sheet whose title (folded) another sheet has: the one rule that spans the library."""
    return _duplicate_titles(sheets, root)


def _duplicate_titles(sheets: Iterable[Sheet], root: Path) -> list[Problem]:
    by_title: dict[str, list[Sheet]] = defaultdict(list)
    for sheet in sheets:
        by_title[fold_key(sheet.title)].append(sheet)
    problems = []
    for same in by_title.values():
        if len(same) < 2:
            continue
        for sheet in same:
            others = ", ".join(s.slug for s in same if s is not sheet)
            problems.append(Problem(relative(sheet.path, root), sheet.key_lines.get("title", 1), ERROR,
                                    f"le titre « {sheet.title} » est déjà celui de la fiche {others}. "
                                    "Pour corriger : donnez à chaque fiche un titre qui la distingue."))
    return problems


@dataclass(frozen=True)
class CheckReport:
    """What `check` found: the problems of the sheets asked for, and how many sheets were read."""

    problems: tuple[Problem, ...]
    sheets: int

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheets": self.sheets,
            "errors": self.errors,
            "warnings": len(self.problems) - self.errors,
            "problems": [asdict(p) for p in self.problems],
        }


def check_paths(default_root: Path, paths: Iterable[Path] = ()) -> CheckReport:
    """Check the sheets named by `paths` (sheet folders, index.md files, `resources/` or a library), or the whole library.

    Titles are compared with every sheet of the same library, so a duplicate is found even when one file is checked.
    """
    selected: dict[Path, set[Path] | None] = {}
    for path in paths or (default_root,):
        root, files = _resolve(path)
        if files is None or selected.get(root, set()) is None:
            selected[root] = None
        else:
            selected.setdefault(root, set()).update(files)
    problems: list[Problem] = []
    count = 0
    for root, files in selected.items():
        library = load_library(root)
        found = validate_library(library)
        if files is None:
            count += len(find_sheet_files(root / "resources"))
            problems.extend(found)
        else:
            wanted = {relative(f, root) for f in files}
            count += len(files)
            problems.extend(p for p in found if p.path in wanted)
    return CheckReport(problems=tuple(sorted(set(problems))), sheets=count)


def _resolve(path: Path) -> tuple[Path, set[Path] | None]:
    """The library root of a path given to `check`, and its sheet files (None: every sheet)."""
    path = path.absolute()
    if path.is_dir() and (path / "resources").is_dir():
        return path, None
    if path.is_dir() and path.name == "resources":
        return path.parent, None
    folder = path.parent if path.is_file() else path
    if path.is_file() and path.name != "index.md":
        raise OutillerieError(f"« {path} » n'est pas le fichier index.md d'une fiche. Pour corriger : donnez le dossier "
                              "de la fiche (resources/ma-fiche) ou son index.md.")
    if folder.parent.name != "resources":
        raise OutillerieError(f"« {path} » n'est pas une fiche d'une bibliothèque : une fiche vit dans "
                              "resources/<nom>/index.md. Pour corriger : donnez un dossier placé dans resources/.")
    return folder.parent.parent, {folder / "index.md"}
