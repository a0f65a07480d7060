"""Rules over sheets: what `check` reports beyond reading each file (outline, timings, links, shared titles)."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import posixpath
import re
from collections import defaultdict
from pathlib import Path
from typing import Callable, Collection, Iterable

from ..errors import Problem, excerpt, relative
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
# Linear time: neither the text nor the target may hold a bracket or a parenthesis, so no part of a line is
# scanned again from each `[` (300,000 `[`, or `[a](` repeated, once hung `check`).
_LINK_RE = re.compile(r"!?\[[^\[\]]*\]\(\s*<?([^()\[\]\s<>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
MAX_LINK_WARNINGS = 20  # per kind; then one line says how many more
PLACEHOLDER = "a-completer"  # « À compléter », folded
_EXTERNAL_RE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|#|/)")


def validate_sheet(sheet: Sheet, root: Path) -> list[Problem]:
    """The findings about one readable sheet."""
    shown = relative(sheet.path, root)
    found: list[Problem] = []

    def add(severity: str, line: int, message: str) -> None:
        found.append(Problem(shown, line, severity, message))

    for key, line in sheet.key_lines.items():
        if key not in KNOWN_KEYS:
            guess = FRENCH_KEYS.get(fold_key(key[:100])) or next(iter(difflib.get_close_matches(key[:100], KNOWN_KEYS, n=1)), None)
            hint = f" ; vouliez-vous dire « {guess} » ?" if guess else ""
            add(WARNING, line, f"la clé « {excerpt(key, 40)} » est inconnue et sera ignorée{hint} Pour corriger : renommez-la "
                               f"ou supprimez-la (clés connues : {', '.join(KNOWN_KEYS)}).")
    for message in sheet.findings:
        add(WARNING, 0, message)
    _check_outline(sheet, add)
    _check_steps(sheet, add)
    _check_links(sheet, add)
    _check_placeholders(sheet, add)
    for line, message in table_problems(sheet.body, sheet.body_line):
        add(WARNING, line, message)
    found.extend(_check_supports(sheet, root, add))
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
            add(WARNING, step.line, f"l'étape « {excerpt(step.title)} » n'a pas de durée. Pour corriger : terminez le "
                                    f"titre par sa durée, par exemple « ### {excerpt(step.title, 40)} (15 min) ».")
    heading = next((line for level, text, line in sheet.headings if level == 2 and fold_key(text) == "deroule"),
                   sheet.body_line)
    timed = [step for step in sheet.steps if step.minutes is not None]
    if not sheet.steps:
        add(WARNING, heading, "le déroulé n'a aucune étape minutée. Pour corriger : sous « ## Déroulé », écrivez "
                              "une étape par titre « ### Titre (15 min) ».")
    elif sum(step.minutes or 0 for step in timed) != sheet.duration:
        total = sum(step.minutes or 0 for step in timed)
        terms = " + ".join(f"{excerpt(step.title, 30)} {step.minutes} min" for step in timed[:8])
        if len(timed) > 8:
            terms += f" + … ({len(timed)} étapes minutées)"
        untimed = [f"« {excerpt(step.title, 30)} »" for step in sheet.steps if step.minutes is None]
        if untimed:
            terms += (f" (sans {', '.join(untimed[:3])}{'…' if len(untimed) > 3 else ''}, "
                      f"qui n'{'a' if len(untimed) == 1 else 'ont'} pas de durée)")
        add(WARNING, heading,
            f"les étapes du déroulé font {terms or '0 min'} = {total} min{f' ({format_duration(total)})' if total >= 60 else ''}, "
            f"mais « duration » (ligne {sheet.key_lines.get('duration', 1)}) vaut {sheet.duration} min. Pour corriger : "
            "ajustez les durées des étapes ou la valeur de « duration ».")


def _check_links(sheet: Sheet, add: Callable[[str, int, str], None]) -> None:
    """Relative links must lead to a support the kit and the site will hold: checked against the supports read
    with the sheet, without a system call per link (a sheet of 20,000 links once took seconds)."""
    present = frozenset(sheet.supports) | {"index.md"}
    seen: dict[str, str | None] = {}  # target -> the kind of problem it has (None: none)
    said = {"out": 0, "missing": 0}
    for offset, text in enumerate(sheet.body.split("\n")):
        for match in _LINK_RE.finditer(text) if "](" in text else ():
            target = match.group(1).split("#", 1)[0].split("?", 1)[0]
            if not target or _EXTERNAL_RE.match(target):
                continue
            if target not in seen:
                seen[target] = _link_problem(present, target)
            kind = seen[target]
            if kind is None:
                continue
            said[kind] += 1
            if said[kind] > MAX_LINK_WARNINGS:
                continue
            line = sheet.body_line + offset
            if kind == "out":
                add(WARNING, line, f"le lien « {excerpt(target)} » sort du dossier de la fiche : il sera cassé dans le "
                                   "kit. Pour corriger : placez le fichier dans le dossier de la fiche.")
            else:
                add(WARNING, line, f"le lien « {excerpt(target)} » mène à un support qui n'existe pas. Pour corriger : "
                                   f"ajoutez le fichier dans {relative(sheet.folder, sheet.folder.parent.parent)}/ ou "
                                   "corrigez le lien.")
    more = sum(max(0, count - MAX_LINK_WARNINGS) for count in said.values())
    if more:
        add(WARNING, sheet.body_line, f"et {more} autres liens cassés ou qui sortent du dossier de la fiche. Pour "
                                      "corriger : vérifiez les liens de la fiche.")


def _link_problem(present: frozenset[str], target: str) -> str | None:
    """"out" for a link leaving the sheet's folder, "missing" for a support that is not there, None when fine."""
    path = posixpath.normpath(target)
    if path == ".." or path.startswith(("../", "/")):
        return "out"
    return None if path in present else "missing"


@functools.cache
def _template_lines() -> frozenset[str]:
    """The prose lines of `new`'s template: left in a sheet, they are placeholders."""
    text = (Path(__file__).parent.parent / "data" / "sheet-template.md").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.split("\n") if line.strip() and not line.lstrip().startswith("#"))


def _is_placeholder(line: str) -> bool:
    """A line of the template left as it is, « À compléter », or a list item that is only « … »."""
    text = line.strip()
    if not text or text.startswith("#"):
        return False
    if text in _template_lines():
        return True
    item = text.lstrip("-*+ ").strip()
    if item.startswith("**") and "**" in item[2:]:
        item = item[2:].split("**", 1)[1].lstrip(" :\u00a0\u202f")
    return item in ("…", "...") or fold_key(item[:40]).startswith(PLACEHOLDER)


def _check_placeholders(sheet: Sheet, add: Callable[[str, int, str], None]) -> None:
    """Text that `new` wrote for the contributor to replace, still there: one warning per line."""
    if fold_key(sheet.summary[:40]).startswith(PLACEHOLDER):
        add(WARNING, sheet.key_lines.get("summary", 1), "« summary » dit encore « À compléter ». Pour corriger : "
                                                         "écrivez en une ou deux phrases ce que l'atelier permet, pour qui.")
    for offset, text in enumerate(sheet.body.split("\n")):
        if len(text) < 500 and _is_placeholder(text):
            add(WARNING, sheet.body_line + offset, f"le texte du modèle est encore là (« {excerpt(text.strip())} »). "
                                                   "Pour corriger : remplacez-le par le vôtre, ou retirez la ligne.")


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
    """An error on every sheet whose title (folded, whatever its Unicode form) an earlier sheet has: the one rule that
    spans the library. The earliest `created` date keeps the title (undated ones come after), then slug order: the
    first sheet stays published, only the later ones are named."""
    by_title: dict[str, list[Sheet]] = defaultdict(list)
    for sheet in sheets:
        by_title[fold_key(sheet.title)].append(sheet)
    problems = []
    for same in by_title.values():
        if len(same) < 2:
            continue
        first, *later = sorted(same, key=lambda s: (s.created is None, s.created or dt.date.max, s.slug))
        for sheet in later:
            problems.append(Problem(relative(sheet.path, root), sheet.key_lines.get("title", 1), ERROR,
                                    f"le titre « {excerpt(sheet.title)} » est déjà celui de la fiche {first.slug}, "
                                    "qui le garde (créée avant, ou la première par ordre alphabétique). Pour corriger : "
                                    "donnez à cette fiche un titre qui la distingue."))
    return problems


def unknown_origins(sheets: Iterable[Sheet], slugs: Collection[str], root: Path) -> list[Problem]:
    """A warning on every sheet whose `based_on` names a sheet the library does not have (renamed, removed) or itself:
    a rule across sheets, so it is worked out again at every snapshot, like shared titles. The slugs are listed only
    to guess what a missing origin meant (a large library's are not loaded otherwise)."""
    problems = []
    for sheet in sheets:
        origin = sheet.based_on
        if not origin or "://" in origin or (origin in slugs and origin != sheet.slug):
            continue
        if origin == sheet.slug:
            said = "une fiche ne peut pas être l'adaptation d'elle-même"
        else:
            others = sorted(slug for slug in slugs if slug != sheet.slug)
            guess = next(iter(difflib.get_close_matches(origin, others, n=1)), None)
            said = f"la bibliothèque n'a pas de fiche « {excerpt(origin)} »" + (f" (vouliez-vous dire « {guess} » ?)"
                                                                              if guess else "")
        problems.append(Problem(relative(sheet.path, root), sheet.key_lines.get("based_on", 1), WARNING,
                                f"« based_on » : {said}. Pour corriger : écrivez le nom du dossier de la fiche adaptée "
                                "(dans resources/), ou l'adresse web de l'original."))
    return problems
