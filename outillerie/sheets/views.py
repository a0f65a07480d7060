"""Plain-text views for the terminal: a sheet, a list of problems. No colour codes: the CLI adds style."""

from __future__ import annotations

from typing import Iterable

from ..errors import Problem, visible
from .sheet import Sheet, key_facts
from .vocabulary import load_vocabulary


def sheet_text(sheet: Sheet) -> str:
    """A sheet as a person reads it in a terminal: title, key facts, timed steps, then the body."""
    vocabulary = load_vocabulary()
    facts = [(name, ", ".join(value) if isinstance(value, list) else value)
             for name, value in key_facts(sheet, vocabulary) if name != "Mots-clés"]
    licence = vocabulary.licenses.get(sheet.license)
    facts.append(("Licence", licence.short if licence else sheet.license))
    facts.append(("Auteurs", ", ".join(sheet.authors)))
    if sheet.status != "publiee":
        facts.append(("Statut", vocabulary.label("statuses", sheet.status)))
    if sheet.supports:
        facts.append(("Supports", ", ".join(sheet.supports)))
    width = max(len(name) for name, _ in facts)
    lines = [sheet.title, "=" * len(sheet.title), "", sheet.summary, ""]
    lines += [f"{name.ljust(width)} : {value}" for name, value in facts]
    if sheet.steps:
        lines += ["", "Déroulé"]
        elapsed = 0
        for step in sheet.steps:
            minutes = f"{step.minutes} min" if step.minutes is not None else "durée ?"
            lines.append(f"  {_clock(elapsed)}  {step.title} ({minutes})")
            elapsed += step.minutes or 0
        lines.append(f"  {_clock(elapsed)}  Fin")
    lines += ["", sheet.body.strip(), ""]
    return visible("\n".join(lines))  # never a raw control character to a terminal


def _clock(minutes: int) -> str:
    """Elapsed time as h:mm from the start of the workshop."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def problems_summary(problems: Iterable[Problem], sheets: int, programmes: int = 0) -> str:
    """The last line of `check`: how many sheets (and programmes), errors and warnings."""
    problems = list(problems)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors

    def plural(count: int, word: str) -> str:
        return f"{count} {word}{'s' if count > 1 else ''}"

    checked = f"{plural(sheets, 'fiche')} vérifiée{'s' if sheets > 1 else ''}"
    if programmes:
        checked = f"{plural(sheets, 'fiche')} et {plural(programmes, 'programme')} vérifiés"
    if not problems:
        return f"{checked} : aucun problème."
    return f"{checked} : {plural(errors, 'erreur')}, {plural(warnings, 'avertissement')}."
