"""A programme in the terminal: its key facts, then the timed agenda session by session, every step of every
sheet with its clock time, the total time and the time actually spent in activity. Plain text, no colour."""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem
from .agenda import Agenda, TimedItem, build_agenda
from .clock import clock_text, day_text
from .durations import format_duration
from .programmes import Programme, find_programme
from .snapshot import problems_of, take_snapshot
from .vocabulary import load_vocabulary

CLOCK_WIDTH = 7  # "18 h 30"


def load_programme(root: Path, cache_dir: Path | None, slug: str) -> tuple[Programme, Agenda, tuple[Problem, ...]]:
    """A programme with its notes, its agenda against the library's sheets, and what check finds in it."""
    programme = find_programme(root, slug)
    snapshot = take_snapshot(root, cache_dir)
    sheets = {sheet.slug: sheet for sheet in snapshot.sheets()}
    return programme, build_agenda(programme, sheets), problems_of(snapshot, (), [slug])


def programme_text(programme: Programme, agenda: Agenda) -> str:
    """The programme as a mediator reads it in a terminal."""
    vocabulary = load_vocabulary()
    licence = vocabulary.licenses.get(programme.license)
    facts = [("Objectif", ", ".join(vocabulary.label("objectives", s) for s in programme.objectives)),
             ("Public", ", ".join(vocabulary.label("audiences", s) for s in programme.public))]
    if programme.participants:
        low, high = programme.participants
        facts.append(("Participants", f"de {low} à {high}" if low != high else str(low)))
    facts += [("Licence", licence.short if licence else programme.license), ("Auteurs", ", ".join(programme.authors))]
    width = max(len(name) for name, _ in facts)
    lines = [programme.title, "=" * len(programme.title), "", programme.summary, ""]
    lines += [f"{name.ljust(width)} : {value}" for name, value in facts]
    for session in agenda.sessions:
        when = f"{day_text(session.date)}, " if session.date else ""
        lines += ["", f"Séance {session.number} : {when}de {clock_text(session.start)} à {clock_text(session.end)} "
                      f"({format_duration(session.minutes)})"]
        for item in session.items:
            lines += item_lines(item)
        lines.append(f"  {clock_text(session.end).rjust(CLOCK_WIDTH)}  Fin de la séance")
    count = len(agenda.sessions)
    lines += ["", f"Durée totale : {format_duration(agenda.total)}{f' en {count} séances' if count > 1 else ''}, "
                  f"dont {format_duration(agenda.activity)} en activité (hors pauses et repas)."]
    if programme.body.strip():
        lines += ["", "Notes d'animation", "-----------------", "", programme.body.strip()]
    return "\n".join(lines) + "\n"


def item_lines(item: TimedItem) -> list[str]:
    """One item of the agenda and, for a sheet, its steps below it."""
    clock = clock_text(item.start).rjust(CLOCK_WIDTH)
    if item.kind != "sheet":
        return [f"  {clock}  {item.title} ({format_duration(item.minutes)})"]
    shortened = item.sheet_minutes is not None and item.sheet_minutes != item.minutes
    note = f", raccourcie : {format_duration(item.sheet_minutes or 0)} dans la fiche" if shortened else ""
    lines = [f"  {clock}  Fiche « {item.title} » ({format_duration(item.minutes)}{note})"]
    for step in item.steps:
        step_clock = clock_text(step.start).rjust(CLOCK_WIDTH)
        if not step.minutes:
            lines.append(f"  {' ' * CLOCK_WIDTH}  {step_clock}  {step.title} (retirée dans ce programme)")
            continue
        was = f" ; {step.original} dans la fiche" if step.original not in (None, step.minutes) else ""
        lines.append(f"  {' ' * CLOCK_WIDTH}  {step_clock}  {step.title} ({format_duration(step.minutes)}{was})")
    return lines
