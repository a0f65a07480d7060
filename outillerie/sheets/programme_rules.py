"""Rules of a programme against the library's sheets: unknown, broken or draft sheets, shortened sheets, licences
that cannot be shared as one document, participant ranges, sessions past midnight or overlapping, breaks.

Recomputed at every snapshot (a sheet that changes can break a programme that did not), like shared titles.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Callable, Collection, Mapping

from ..errors import Problem, relative
from .agenda import LONGEST_RUN, Agenda, build_agenda, long_runs, shortest
from .clock import DAY, clock_text, day_text
from .fields import ERROR, WARNING
from .programmes import Item, Programme
from .sheet import Sheet

# Share-alike licences and those each accepts for a work that contains it. Creative Commons declared the Free Art
# Licence 1.3 compatible with CC BY-SA 4.0 (both ways); the ODbL accepts only itself. The others (CC BY, CC0,
# Licence Ouverte) ask for credit only and mix with anything.
SHARE_ALIKE: Mapping[str, tuple[str, ...]] = {
    "CC-BY-SA-4.0": ("CC-BY-SA-4.0", "LAL-1.3"),
    "LAL-1.3": ("LAL-1.3", "CC-BY-SA-4.0"),
    "ODbL-1.0": ("ODbL-1.0",),
}

Add = Callable[[str, int, str], None]


def validate_programme(programme: Programme, sheets: Mapping[str, Sheet], broken: Collection[str],
                       folders: Collection[str], root: Path) -> list[Problem]:
    """The findings about one readable programme, given the readable sheets, the broken ones and every folder."""
    shown = relative(programme.path, root)
    found: list[Problem] = []

    def add(severity: str, line: int, message: str) -> None:
        found.append(Problem(shown, line, severity, message))

    usable: dict[str, Sheet] = {}
    for session in programme.sessions:
        for item in session.items:
            if item.kind == "sheet" and item.sheet:
                sheet = _sheet_of(item, sheets, broken, folders, add)
                if sheet is not None:
                    usable[sheet.slug] = sheet
                    _check_length(item, sheet, add)
    used = [usable[slug] for slug in programme.sheet_slugs if slug in usable]
    lines = {item.sheet: item.line for session in programme.sessions for item in reversed(session.items)}
    _check_licences(programme, used, lines, add)
    _check_participants(programme, used, lines, add)
    _check_times(build_agenda(programme, sheets), add)
    return found


def _sheet_of(item: Item, sheets: Mapping[str, Sheet], broken: Collection[str], folders: Collection[str],
              add: Add) -> Sheet | None:
    slug = item.sheet or ""
    if slug not in folders:
        close = difflib.get_close_matches(slug, sorted(folders), n=1, cutoff=0.6)
        hint = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
        add(ERROR, item.line, f"la fiche « {slug} » n'existe pas dans resources/{hint}. Pour corriger : écrivez le nom "
                              "du dossier d'une fiche (outillerie search sans mot les liste), ou, pour un temps sans "
                              "fiche, {title: \"Tour de table\", duration: 10}.")
        return None
    if slug in broken or slug not in sheets:
        add(ERROR, item.line, f"la fiche « {slug} » n'est pas valide : le programme ne peut pas s'appuyer sur elle. "
                              f"Pour corriger : corrigez-la d'abord (outillerie check resources/{slug}).")
        return None
    sheet = sheets[slug]
    if not sheet.is_published:  # the site publishes only `publiee` sheets: a programme must not link to nothing
        state = "est un brouillon" if sheet.status == "brouillon" else "est en test"
        add(ERROR, item.line, f"la fiche « {slug} » {state} (status: {sheet.status}) : elle n'est pas publiée, le "
                              "programme ne peut pas s'appuyer sur elle. Pour corriger : terminez-la et passez-la en "
                              "status: publiee, ou retirez-la du programme.")
        return None
    return sheet


def _check_length(item: Item, sheet: Sheet, add: Add) -> None:
    if item.steps is not None:
        if len(item.steps) != len(sheet.steps):
            titles = ", ".join(step.title for step in sheet.steps)
            add(ERROR, item.line, f"« steps » donne {len(item.steps)} durée{'s' if len(item.steps) > 1 else ''} mais la "
                                  f"fiche « {sheet.slug} » a {len(sheet.steps)} étape{'s' if len(sheet.steps) > 1 else ''}. "
                                  f"Pour corriger : donnez une durée par étape, dans l'ordre de la fiche ({titles}).")
        return
    if item.minutes is None:
        return
    least = shortest(sheet)
    if item.minutes < least:
        add(WARNING, item.line, f"la fiche « {sheet.slug} » est ramenée à {item.minutes} min, moins que ses étapes ne "
                                f"le permettent (au moins {least} min : ses pauses entières et 5 min pour chacune des "
                                f"autres étapes). Pour corriger : donnez-lui au moins {least} min, ou choisissez la "
                                "durée de chaque étape avec steps: [...].")
    elif item.minutes > sheet.duration:
        add(WARNING, item.line, f"la fiche « {sheet.slug} » dure {sheet.duration} min mais le programme lui en donne "
                                f"{item.minutes} : ses étapes seront allongées d'autant. Pour corriger : écrivez "
                                f"seulement son nom pour garder sa durée, ou au plus {sheet.duration} min.")


def _check_licences(programme: Programme, used: list[Sheet], lines: Mapping[str | None, int], add: Add) -> None:
    allowed: set[str] | None = None
    first: Sheet | None = None
    for sheet in used:
        accepts = SHARE_ALIKE.get(sheet.license)
        if accepts is None:
            continue
        if allowed is not None and first is not None and not allowed & set(accepts):
            add(ERROR, lines[sheet.slug], f"la fiche « {sheet.slug} » est sous {sheet.license} et la fiche "
                                          f"« {first.slug} » sous {first.license} : chacune de ces licences demande que "
                                          "ce qui la reprend reste sous elle-même, elles ne peuvent pas être partagées "
                                          "en un seul document. Pour corriger : retirez l'une des deux fiches du "
                                          "programme, ou demandez à ses auteurs une licence compatible.")
            continue
        allowed = set(accepts) if allowed is None else allowed & set(accepts)
        first = first or sheet
    if allowed and first and programme.license and programme.license not in allowed:
        others = [licence for licence in SHARE_ALIKE[first.license] if licence in allowed and licence != first.license]
        also = f" (ou {', '.join(others)})" if others else ""
        add(ERROR, programme.key_lines.get("license", 1),
            f"le programme est sous {programme.license} mais la fiche « {first.slug} » est sous {first.license}, qui "
            f"demande que ce qui la reprend soit partagé dans les mêmes conditions. Pour corriger : écrivez "
            f"license: {first.license}{also}.")


def participant_range(sheets: list[Sheet]) -> tuple[int, int] | None:
    """The group sizes every sheet allows (the intersection of their ranges); None when no sheet says."""
    ranges = [sheet.participants for sheet in sheets if sheet.participants]
    if not ranges:
        return None
    return max(low for low, _ in ranges), min(high for _, high in ranges)


def _check_participants(programme: Programme, used: list[Sheet], lines: Mapping[str | None, int], add: Add) -> None:
    low, high = 0, 10 ** 6
    for sheet in used:
        if not sheet.participants:
            continue
        a, b = sheet.participants
        if max(low, a) > min(high, b):
            add(ERROR, lines[sheet.slug], f"la fiche « {sheet.slug} » se fait de {a} à {b} participant·e·s, ce qui ne "
                                          f"recoupe pas les autres fiches du programme (de {low} à {high}) : aucun "
                                          "groupe ne peut les suivre toutes. Pour corriger : retirez l'une des fiches, "
                                          "ou choisissez des fiches faites pour la même taille de groupe.")
            return
        low, high = max(low, a), min(high, b)
    declared = programme.participants
    if declared and high < 10 ** 6 and (declared[0] < low or declared[1] > high):
        add(ERROR, programme.key_lines.get("participants", 1),
            f"« participants » vaut « {declared[0]}-{declared[1]} » mais les fiches du programme se font de {low} à "
            f"{high} participant·e·s. Pour corriger : écrivez participants: \"{low}-{high}\" ou une fourchette "
            "comprise dedans.")


def _check_times(agenda: Agenda, add: Add) -> None:
    previous = None
    for session in agenda.sessions:
        if session.end > DAY:
            add(ERROR, session.line, f"la séance {session.number} commence à {clock_text(session.start)} et finit à "
                                     f"{clock_text(session.end)} le lendemain : elle passe minuit. Pour corriger : "
                                     "commencez-la plus tôt, raccourcissez-la ou coupez-la en deux séances.")
        if previous and previous.date and previous.date == session.date and session.start < previous.end:
            add(ERROR, session.line, f"la séance {session.number} commence à {clock_text(session.start)} le "
                                     f"{day_text(session.date)}, avant la fin de la séance {previous.number} ce jour-là "
                                     f"({clock_text(previous.end)}). Pour corriger : décalez son heure de début ou sa date.")
        for item, began, run in long_runs(session):
            add(WARNING, item.item.line, f"la séance {session.number} enchaîne {run} min d'activité sans pause à partir "
                                         f"de {clock_text(began)} ({LONGEST_RUN} min au plus). Pour corriger : ajoutez "
                                         "une pause, par exemple {break: 10}, avant cet élément ou plus tôt.")
        previous = session
