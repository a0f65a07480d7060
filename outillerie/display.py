"""Plain-text views for the terminal: a sheet, a list of problems. No colour codes: the CLI adds style."""

from __future__ import annotations

from typing import Any, Iterable

from .errors import Problem
from .sheets import Sheet, key_facts
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
    return "\n".join(lines)


def _clock(minutes: int) -> str:
    """Elapsed time as h:mm from the start of the workshop."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def problems_summary(problems: Iterable[Problem], sheets: int) -> str:
    """The last line of `check`: how many sheets, errors and warnings."""
    problems = list(problems)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors

    def plural(count: int, word: str) -> str:
        return f"{count} {word}{'s' if count > 1 else ''}"

    if not problems:
        return f"{plural(sheets, 'fiche')} vérifiée{'s' if sheets > 1 else ''} : aucun problème."
    return f"{plural(sheets, 'fiche')} vérifiée{'s' if sheets > 1 else ''} : {plural(errors, 'erreur')}, {plural(warnings, 'avertissement')}."


def stats_table(data: dict[str, Any], titles: dict[str, str]) -> str:
    """Download figures as a table a person reads, with the period, the totals and what they cannot say."""
    period = data["period"]
    by = data["by"]
    heading = {"resource-month": "par fiche et par mois", "resource": "par fiche", "month": "par mois", "day": "par jour"}[by]
    if period["first_day"]:
        lines = [f"Téléchargements du {period['first_day']} au {period['last_day']} ({heading})", ""]
    else:
        lines = [f"Aucun téléchargement compté pour l'instant ({heading}).", ""]
    columns = []
    if "resource" in by:
        columns.append("Fiche")
    if by != "resource":
        columns.append({"day": "Jour"}.get(by, "Mois"))
    rows = []
    for row in data["rows"]:
        cells = []
        if "resource" in by:
            title = titles.get(row["slug"], row["slug"])
            cells.append(title if len(title) <= 50 else title[:49] + "…")
        if by != "resource":
            cells.append(row["period"])
        rows.append(cells + [str(row["downloads"]), str(row["unique_downloads"])])
    header = columns + ["Téléchargements", "Uniques"]
    total = ["Total"] + [""] * (len(columns) - 1) + [str(data["totals"]["downloads"]), str(data["totals"]["unique_downloads"])]
    table = [header, *rows, total]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    text_columns = len(columns)

    def render(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < text_columns else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    lines += [render(header), *(render(r) for r in rows), render(total), ""]
    visitors = data.get("visitors")
    lines.append("Un téléchargement est compté une fois par double-clic (30 secondes) ; « uniques » compte au plus "
                 "une fois par visiteur, par fiche et par heure.")
    if visitors:
        lines.append(visitors["note"])
        lines.append(f"Sur cette période : entre {visitors['max_daily']} et {visitors['sum_daily']} visiteurs distincts.")
    return "\n".join(lines)


def stats_csv(data: dict[str, Any], titles: dict[str, str]) -> str:
    """Download figures as CSV, one row per line of the report, for a spreadsheet."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["slug", "titre", "periode", "telechargements", "telechargements_uniques"])
    for row in data["rows"]:
        slug = row.get("slug", "")
        writer.writerow([slug, titles.get(slug, "") if slug else "", row.get("period", ""), row["downloads"],
                         row["unique_downloads"]])
    return buffer.getvalue()
