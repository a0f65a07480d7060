"""Search results and index reports as text for a person (bold through a function the CLI gives), and as CSV."""

from __future__ import annotations

import io
from typing import Callable

from ..errors import visible
from ..sheets.durations import format_duration
from ..sheets.vocabulary import load_vocabulary
from .index import IndexReport
from .query import SearchResult

CSV_COLUMNS = ("slug", "title", "objective", "public", "duration", "level", "themes", "tags", "license", "score",
               "path", "snippet")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def results_text(result: SearchResult, bold: Callable[[str], str] = lambda text: text) -> str:
    """The hits as a numbered list: title, slug and key facts, then the snippet with matched words in bold.

    Every text of a sheet goes through `visible`: a control character never reaches the terminal raw."""
    vocabulary = load_vocabulary()
    lines: list[str] = []
    for number, hit in enumerate(result.hits, 1):
        lines.append(f"{number}. {bold(visible(hit.title, keep=''))}")
        publics = ", ".join(vocabulary.label("audiences", slug) for slug in hit.public)
        lines.append(f"   {visible(hit.slug, keep='')} · {vocabulary.label('objectives', hit.objective)} · {format_duration(hit.duration)}"
                     f" · {publics}")
        if hit.snippet:
            text = "".join(bold(visible(piece, keep="")) if matched else visible(piece, keep="")
                           for piece, matched in hit.snippet)
            lines.append(f"   « …{text.strip()}… »")
        lines.append("")
    if result.facets:
        lines.append(facets_text(result))
    return "\n".join(lines).rstrip("\n")


def facets_text(result: SearchResult) -> str:
    """One line per facet: « Objectif : Sensibiliser (3), Travailler en réseau (5) »."""
    lines = [f"Répartition des {_plural(result.total or 0, 'fiche')} trouvée{'s' if (result.total or 0) > 1 else ''} :"]
    for facet in result.facets or ():
        if facet.counts:
            values = ", ".join(f"{count.label} ({count.count})" for count in facet.counts)
            lines.append(f"  {facet.label} : {values}")
    return "\n".join(lines)


def results_summary(result: SearchResult) -> str:
    """The line on stderr after the hits: how many are shown, and how to see more."""
    shown = len(result.hits)
    more = " (--limit pour en voir plus)"
    if result.total is not None and result.total > shown:
        return f"{_plural(result.total, 'fiche')} trouvées, les {shown} premières affichées{more}."
    if result.total is None and shown == result.limit and shown > 1:
        return f"Les {shown} fiches les plus pertinentes{more}." if result.ranked else f"Les {shown} premières fiches{more}."
    return f"{_plural(shown, 'fiche')} trouvée{'s' if shown > 1 else ''}."


def nothing_found(result: SearchResult) -> str:
    """The message of an empty search, with the suggestion when the index has a close spelling."""
    what = f"« {result.query} »" if result.query else "ces filtres"
    message = f"Aucune fiche ne correspond à {what}"
    if result.query and result.filters:
        message += " avec ces filtres"
    message += "."
    if result.missing:
        message += f" {_quoted(result.missing)} ne figure{'nt' if len(result.missing) > 1 else ''} dans aucune fiche."
    if result.suggestion:
        message += f" Vouliez-vous dire « {result.suggestion} » ?"
    elif result.filters:
        message += " Pour élargir : retirez un filtre."
    else:
        message += " Pour élargir : essayez un autre mot, ou moins de mots."
    return visible(message, keep="")


def _quoted(words: tuple[str, ...]) -> str:
    quoted = [f"« {word} »" for word in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " et " + quoted[-1]


def result_notes(result: SearchResult) -> list[str]:
    """What search understood or changed, said before the count on stderr: durations read in the words, a
    corrected or loosened query, the public or level filters the words name."""
    notes: list[str] = []
    for phrase in result.durations:
        low, high = result.filters.min_duration, result.filters.max_duration
        bounds = " et ".join(part for part in (f"plus de {format_duration(low - 1)}" if low else "",
                                                f"au plus {format_duration(high)}" if high else "") if part)
        notes.append(f"« {phrase} » est lu comme une durée : fiches de {bounds}.".replace(" de au ", " d'au "))
    if result.corrected and result.hits:
        notes.append(f"Aucune fiche ne correspond à « {result.query} » : voici les fiches pour « {result.corrected} ».")
    if result.relaxed and result.hits and result.missing:
        notes.append(f"{_quoted(result.missing)} ne figure{'nt' if len(result.missing) > 1 else ''} dans aucune "
                     "fiche : voici les fiches qui contiennent le plus de ces mots.")
    elif result.relaxed and result.hits:
        notes.append("Peu de fiches contiennent tous ces mots : elles viennent d'abord, puis celles qui en contiennent "
                     "le plus.")
    vocabulary = load_vocabulary()
    for words, option, value in result.hints:
        kind, what = ("audiences", "destinées au public") if option == "--public" else ("levels", "de niveau")
        notes.append(f"« {words} » : pour ne garder que les fiches {what} « {vocabulary.label(kind, value)} », "
                     f"ajoutez {option} {value}.")
    return [visible(note, keep="") for note in notes]


def results_csv(result: SearchResult) -> str:
    """One row per hit; lists joined by « | »."""
    buffer = io.StringIO()
    import csv  # only for this output

    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for hit in result.hits:
        writer.writerow([hit.slug, hit.title, hit.objective, "|".join(hit.public), hit.duration, hit.level or "",
                         "|".join(hit.themes), "|".join(hit.tags), hit.license,
                         f"{hit.score:.4f}" if hit.score is not None else "", hit.path, hit.snippet_text])
    return buffer.getvalue()


def index_summary(report: IndexReport) -> str:
    """The line `outillerie index` prints: what it did and how many sheets the index holds."""
    if report.rebuilt:
        done = "Index reconstruit"
    elif report.added or report.updated or report.removed:
        parts = [f"{report.added} ajoutée{'s' if report.added > 1 else ''}",
                 f"{report.updated} mise{'s' if report.updated > 1 else ''} à jour",
                 f"{report.removed} retirée{'s' if report.removed > 1 else ''}"]
        done = f"Index mis à jour ({', '.join(parts)})"
    else:
        done = "Index déjà à jour"
    invalid = len({problem.path for problem in report.problems})
    left_out = f" ; {_plural(invalid, 'fiche')} non valide{'s' if invalid > 1 else ''} laissée{'s' if invalid > 1 else ''} de côté" \
        if invalid else ""
    return f"{done} : {_plural(report.indexed, 'fiche')}{left_out}."
