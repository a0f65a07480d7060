"""Rules over sheets: what `check` reports beyond reading each file (outline, timings, links, shared titles)."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterable

from ..errors import Problem, relative
from .durations import format_duration
from .fields import ERROR, KNOWN_KEYS, WARNING
from .materials import stray_declarations, support_label, unprovided
from .sheet import Sheet
from .layout import read_support
from .tables import table_problems
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
    for line, message in table_problems(sheet.body, sheet.body_line):
        add(WARNING, line, message)
    found.extend(_check_supports(sheet, root, add))
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


def _check_supports(sheet: Sheet, root: Path, add: Callable[[str, int, str], None]) -> list[Problem]:
    """The findings of the Markdown supports (front matter, tables), and the printed materials none provides."""
    found: list[Problem] = []
    labels: dict[str, str] = {}
    for support in sheet.supports:
        title = None
        if support.endswith(".md"):
            shown = relative(sheet.folder / support, root)
            text = read_support(sheet.folder / support, shown)
            found.extend(text.problems)
            found.extend(Problem(shown, line, WARNING, message) for line, message in table_problems(text.body, text.body_line))
            title = text.title
        labels[support] = support_label(support, title)
    line = sheet.key_lines.get("materials", 1)
    for item in unprovided(sheet.materials, sheet.materials_outside_kit, labels):
        add(WARNING, line, f"« {item} » : aucun support de la fiche ne fournit ce matériel imprimé (aucun titre de "
                           "support ne reprend ses mots). Pour corriger : ajoutez ce support dans le dossier de la "
                           "fiche, ou, si l'animateur·rice l'apporte, déclarez-le : "
                           f'materials_outside_kit: ["{item}"].')
    for item in stray_declarations(sheet.materials, sheet.materials_outside_kit):
        add(WARNING, sheet.key_lines.get("materials_outside_kit", 1),
            f"« {item} » est dans materials_outside_kit mais pas dans materials. Pour corriger : recopiez-le tel "
            "qu'il est écrit dans materials, ou retirez-le.")
    return found


def duplicate_titles(sheets: Iterable[Sheet], root: Path) -> list[Problem]:
    """An error on every sheet whose title (folded) another sheet has: the one rule that spans the library."""
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
