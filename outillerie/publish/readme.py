"""LISEZMOI.txt, the first file of a kit: what the workshop is, what to print and how many copies, the
materials, the other files, and the licence in plain French (the legal code is LICENCE.txt beside it).

Copies come from the support's print mode and from the words of the `materials` item it provides (« une par
personne », « un jeu par groupe de quatre », « pour l'animateur·rice »…), counted for the sheet's largest group.
"""

from __future__ import annotations

import json
import math
import re
from importlib import resources
from typing import Mapping, Sequence

from ..sheets.durations import format_duration
from ..sheets.materials import is_printed, provider, support_label
from ..sheets.sheet import Sheet
from ..sheets.vocabulary import Vocabulary, fold_key
from .kits import CREDITS, LICENCE, OTHERS, SOURCES, PrintedSupport

NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
           "dix": 10, "trio": 3, "binome": 2, "duo": 2}
_PER_PERSON = re.compile(r"par-(personne|participant|participante|participant-e|personne-presente)|chaque-participant|"
                         r"pour-chacun|par-stagiaire")
_PER_GROUP = re.compile(r"par-(?:sous-)?(groupe|ilot|table|equipe|trio|binome|temoin)(?:-de-([a-z0-9]+))?")
_FOR_FACILITATOR = re.compile(r"pour-l-animat|pour-vous|pour-l-animateur")
_COPIES = re.compile(r"(?:^|-)([a-z0-9]+)-exemplaires?")


def _number(word: str | None) -> int | None:
    if word is None:
        return None
    return int(word) if word.isdigit() else NUMBERS.get(word)


def _count(count: int, unit: str) -> str:
    return f"{count} {unit}{('x' if unit == 'jeu' else 's') if count > 1 else ''}"


def copies(item: str | None, mode: str, participants: tuple[int, int] | None, cards: int = 0) -> str:
    """How many copies to print, said plainly, from the materials item's words and the support's print mode."""
    most = participants[1] if participants else None
    unit = "jeu" if mode == "cartes" else "exemplaire"
    words = fold_key(item or "")
    explicit = _COPIES.search(words)
    if explicit and _number(explicit.group(1)):
        return _count(_number(explicit.group(1)) or 1, unit)
    if _FOR_FACILITATOR.search(words):
        return f"1 {unit}, pour l'animateur·rice"
    if _PER_PERSON.search(words) and mode == "cartes" and most and cards:
        return f"{most} cartes, une par participant·e, soit {_count(math.ceil(most / cards), unit)}"
    if _PER_PERSON.search(words):
        return f"{_count(most, unit)}, un par participant·e" if most else f"un {unit} par participant·e"
    group = _PER_GROUP.search(words)
    if group:
        kind = {"ilot": "îlot", "equipe": "équipe", "binome": "binôme", "temoin": "témoin"}.get(group.group(1), group.group(1))
        size = _number(group.group(2)) or {"trio": 3, "binome": 2}.get(group.group(1))
        if most and size:
            return f"{_count(math.ceil(most / size), unit)}, un par {kind}" + ("" if group.group(1) in ("trio", "binome") else f" de {size}")
        return f"un {unit} par {kind}"
    return f"1 {unit}"


def readme_text(sheet: Sheet, vocabulary: Vocabulary, names: Mapping[str, str], pages: Mapping[str, int],
                printed: Sequence[PrintedSupport], with_pdf: bool) -> str:
    """The whole LISEZMOI.txt of a kit (`names`: each document's file name in the kit, "" for the sheet)."""
    lines = [sheet.title, "=" * len(sheet.title), "", sheet.summary, ""]
    lines += [f"{name} : {value if isinstance(value, str) else ', '.join(value)}"
              for name, value in _facts(sheet, vocabulary)]
    lines += ["", "Ce kit contient tout ce qu'il faut pour animer l'atelier. Commencez par lire la fiche "
              f"(« {names['']} ») : elle donne les objectifs, le déroulé minuté et les consignes."]
    if not with_pdf:
        lines += ["Les documents à imprimer sont des pages web : ouvrez-les dans un navigateur, puis Fichier > Imprimer."]
    lines += _to_print(sheet, names, pages, printed)
    lines += _materials(sheet, names, printed)
    lines += _section("Les autres fichiers du kit")
    others = [s for s in sheet.supports if not s.endswith(".md")]
    if others:
        lines.append(f"- {OTHERS}/ : les autres supports de la fiche, tels que leurs auteurs les ont fournis "
                     f"({', '.join(others)}).")
    lines += [f"- {SOURCES}/ : la fiche et ses supports en Markdown, le texte d'origine, pour adapter l'atelier : ils "
              "s'ouvrent avec n'importe quel éditeur de texte (Bloc-notes, TextEdit…).",
              f"- {CREDITS} : les auteurs, et le texte à recopier pour citer la fiche.",
              f"- {LICENCE} : le texte juridique complet de la licence."]
    lines += _licence(sheet, vocabulary)
    return "\n".join(lines) + "\n"


def _facts(sheet: Sheet, vocabulary: Vocabulary) -> list[tuple[str, str | list[str]]]:
    facts: list[tuple[str, str | list[str]]] = [
        ("Objectif", vocabulary.label("objectives", sheet.objective)),
        ("Public", [vocabulary.label("audiences", s) for s in sheet.public]),
        ("Durée", format_duration(sheet.duration))]
    if sheet.participants:
        low, high = sheet.participants
        facts.append(("Participants", f"de {low} à {high}" if low != high else str(low)))
    return facts


def _section(title: str) -> list[str]:
    return ["", title.upper(), "-" * len(title)]


def _items_by_support(sheet: Sheet, printed: Sequence[PrintedSupport]) -> dict[str, str]:
    """For each printed support, the first `materials` item it provides (its words say how many copies)."""
    labels = {support.path: support_label(support.path, support.title) for support in printed}
    found: dict[str, str] = {}
    for item in sheet.materials:
        path = provider(item, labels) if is_printed(item) else None
        if path is not None:
            found.setdefault(path, item)
    return found


def _to_print(sheet: Sheet, names: Mapping[str, str], pages: Mapping[str, int],
              printed: Sequence[PrintedSupport]) -> list[str]:
    lines = _section("À imprimer")
    if sheet.participants:
        lines.append(f"Les quantités sont comptées pour {sheet.participants[1]} participant·e·s, le plus grand groupe "
                     "prévu par la fiche : adaptez-les à votre groupe.")
    lines += ["", f"1. {names['']}{_pages(pages.get(''))}", "   1 exemplaire, pour l'animateur·rice."]
    items = _items_by_support(sheet, printed)
    for number, support in enumerate(printed, start=2):
        item = items.get(support.path)
        lines += ["", f"{number}. {names[support.path]}{_pages(pages.get(support.path))}", f"   {_how(support)}",
                  f"   Quantité : {copies(item, support.layout.mode, sheet.participants, support.sections)}"
                  + (f" (d'après « {item} »)." if item else ".")]
        if item and re.search(r"\bA[0-3]\b", item):
            lines.append(f"   Le PDF est en A4 : pour « {item} », choisissez le grand format dans la fenêtre "
                         "d'impression (ajuster à la page), ou faites-le agrandir par un reprographe.")
    return lines


def _pages(count: int | None) -> str:
    return f" ({count} page{'s' if count > 1 else ''}, A4)" if count else ""


def _how(support: PrintedSupport) -> str:
    if support.layout.mode == "cartes":
        side = ("recto verso : imprimez en recto verso, retournement sur le bord long, pour que chaque verso tombe "
                "derrière son recto" if support.has_backs else "recto seul")
        blank = " (la page 2 reste blanche : ainsi chaque verso tombe derrière son recto)" if support.has_backs else ""
        return (f"{support.sections} cartes, {support.layout.cards_per_page} par page, {side}. La première page "
                f"présente les cartes, pour vous{blank} ; découpez les suivantes le long des pointillés, sur papier "
                "épais si possible.")
    if support.layout.mode == "une-par-page":
        return f"{support.sections} page{'s' if support.sections > 1 else ''} à afficher ou à distribuer, une par feuille A4 (après la page de présentation)."
    return "Un document à lire ou à distribuer."


def _materials(sheet: Sheet, names: Mapping[str, str], printed: Sequence[PrintedSupport]) -> list[str]:
    if not sheet.materials:
        return []
    labels = {support.path: support_label(support.path, support.title) for support in printed}
    outside = {fold_key(item) for item in sheet.materials_outside_kit}
    lines = _section("Matériel à prévoir")
    for item in sheet.materials:
        path = provider(item, labels) if is_printed(item) else None
        note = (f" : dans ce kit, « {names[path]} »" if path is not None else
                " : à apporter, il n'est pas dans ce kit" if fold_key(item) in outside else "")
        lines.append(f"- {item}{note}")
    return lines


def _licence(sheet: Sheet, vocabulary: Vocabulary) -> list[str]:
    term = vocabulary.licenses.get(sheet.license)
    name = f"{term.label} ({term.short})" if term and term.short else sheet.license
    lines = _section("La licence, en clair")
    lines.append(f"Cette fiche est publiée sous licence {name}.")
    summary = _summaries().get(sheet.license)
    if summary:
        lines += ["", "Vous pouvez :", *(f"- {text}" for text in summary["may"]),
                  "", "À condition de :", *(f"- {text}" for text in summary["must"])]
    lines += ["", f"Ce résumé n'est pas la licence : seul son texte officiel fait foi. Il est dans {LICENCE}"
              + (f" ; sa présentation en français : {term.url}" if term and term.url else "") + "."]
    return lines


def _summaries() -> dict[str, dict[str, list[str]]]:
    data = json.loads(resources.files("outillerie").joinpath("data/licenses/resumes.json").read_text(encoding="utf-8"))
    return {key: value for key, value in data.items() if not key.startswith("_")}
