"""The open-data catalogue (JSON, CSV) and the compact search index the catalogue page filters in the browser.

The browser index holds the CLI's own terms (`analysis.analyze`), so the site folds, stems and expands
inclusive writing exactly like `outillerie search`: JavaScript only looks words up in a table made here.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from typing import Any, Iterable, Mapping, Sequence

from ..french import analysis
from ..sheets.sheet import Sheet, sheet_as_dict
from ..sheets.vocabulary import Vocabulary
from .pages import iso_duration

CSV_LIST_SEPARATOR = " | "
FACETS = (("objective", "objectives"), ("public", "audiences"), ("level", "levels"), ("theme", "themes"))
_VARIANT_ENDINGS = ("s", "e", "es", "x")


def sheet_record(sheet: Sheet, vocabulary: Vocabulary, urls: Mapping[str, str], contributors: Sequence[str],
                 origin: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One sheet of catalogue.json: every metadata field, its French labels, its page, kit and source URLs, its place
    on Les Bases du numérique d'intérêt général, and the address of the sheet it adapts (`origin`)."""
    record = sheet_as_dict(sheet, vocabulary)
    record["contributors"] = list(contributors)
    record.update(urls)
    record["time_required"] = iso_duration(sheet.duration)
    record["based_on_url"] = origin["url"] or None if origin else None
    record["les_bases"] = vocabulary.les_bases.of_sheet(sheet.themes, sheet.public) if vocabulary.les_bases else None
    return record


def record_line(record: Mapping[str, Any]) -> str:
    """A sheet's line of catalogue.json."""
    return json.dumps(record, ensure_ascii=False)


def catalogue_json(records: Sequence[Mapping[str, Any] | str], about: Mapping[str, Any] | None = None) -> str:
    """catalogue.json: a small envelope (`about`: the commons' name, publisher, schema) around the records, one sheet
    a line (no date: same sources, same bytes); a record may be given as its line already (`record_line`)."""
    body = ",\n".join(r if isinstance(r, str) else record_line(r) for r in records)
    head = "".join(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}, " for key, value in (about or {}).items())
    return f'{{{head}"format": "outillerie-catalogue", "version": 1, "count": {len(records)}, "sheets": [\n{body}\n]}}\n'


CSV_COLUMNS = ("slug", "title", "summary", "objective", "objective_label", "public", "public_labels", "duration",
               "participants_min", "participants_max", "level", "level_label", "themes", "theme_labels", "tags",
               "materials", "license", "license_url", "authors", "contributors", "status", "created", "updated",
               "steps", "supports", "page_url", "kit_url", "markdown_url", "time_required", "based_on", "based_on_url",
               "les_bases_themes", "les_bases_professional_sectors", "les_bases_beneficiaries", "les_bases_resource_type")


def catalogue_csv(records: Sequence[Mapping[str, Any] | str]) -> str:
    """catalogue.csv: one row per sheet, lists joined by « | », steps as « Titre (15 min) » (a record may be given
    as its row already: `csv_row`)."""
    return csv_row(None) + "".join(r if isinstance(r, str) else csv_row(r) for r in records)


def csv_row(record: Mapping[str, Any] | None) -> str:
    """A sheet's row of catalogue.csv (None: the header)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if record is None:
        writer.writerow(CSV_COLUMNS)
    else:
        row = dict(record)
        participants = record.get("participants") or {}
        row["participants_min"] = participants.get("min", "")
        row["participants_max"] = participants.get("max", "")
        bases = record.get("les_bases") or {}
        row.update({f"les_bases_{group}": bases.get(group) for group in ("themes", "professional_sectors",
                                                                          "beneficiaries", "resource_type")})
        row["steps"] = [f"{s['title']} ({s['minutes']} min)" if s["minutes"] is not None else s["title"]
                        for s in record["steps"]]
        writer.writerow(_cell(row.get(column)) for column in CSV_COLUMNS)
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return spreadsheet_safe(CSV_LIST_SEPARATOR.join(str(item) for item in value))
    return spreadsheet_safe(str(value))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # ＝ ＋ － ＠ too


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula: an apostrophe before = + - @ (or a tab, a
    carriage return, their full-width forms) at its start, as OWASP's « CSV injection » advice says."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def search_text(sheet: Sheet, vocabulary: Vocabulary) -> str:
    """What the catalogue's search box looks in: title, summary, keywords, themes, publics, materials, labels."""
    parts = [sheet.title, sheet.summary, *sheet.tags, *sheet.materials,
             vocabulary.label("objectives", sheet.objective),
             *(vocabulary.label("audiences", s) for s in sheet.public),
             *(vocabulary.label("themes", s) for s in sheet.themes)]
    if sheet.level:
        parts.append(vocabulary.label("levels", sheet.level))
    return "\n".join(parts)


def sheet_terms(text: str) -> tuple[list[str], dict[str, int]]:
    """A sheet's index terms (sorted), and each surface word (and its plural/singular neighbours) with the number
    of its term in that list."""
    words: dict[str, int] = {}
    terms = sorted(set(analysis.analyze(text)))
    number = {term: index for index, term in enumerate(terms)}
    for word in dict.fromkeys(analysis.written_forms(text)):
        for variant in _variants(word):
            key = analysis.fold(variant)
            if key in words:
                continue
            found = _word_terms(variant)  # stems of the written form: the table gives a typed word its accents
            if len(found) == 1 and found[0] in number:
                words[key] = number[found[0]]
    return terms, words


@functools.lru_cache(maxsize=1 << 17)
def _word_terms(word: str) -> tuple[str, ...]:
    """analyze() of one word, remembered: most words come back in every sheet."""
    return tuple(analysis.analyze(word))


def _variants(word: str) -> Iterable[str]:
    """A word and the forms a person may type instead (plural, singular, feminine), checked later by analyze()."""
    yield word
    for ending in _VARIANT_ENDINGS:
        yield word + ending
        if word.endswith(ending) and len(word) > len(ending) + 2:
            yield word[: -len(ending)]


def browser_index(sheets: Sequence[Sheet], vocabulary: Vocabulary,
                  analysed: Sequence[tuple[Sequence[str], Mapping[str, int]]]) -> dict[str, Any]:
    """The JSON embedded in the catalogue: facets as indices, a shared term list, the word table, the folding rules."""
    facet_values = {name: list(vocabulary.terms(kind)) for name, kind in FACETS}
    all_terms = sorted({term for terms, _ in analysed for term in terms})
    position = {term: number for number, term in enumerate(all_terms)}
    words: dict[str, int] = {}
    for terms, table in analysed:
        for word, term in table.items():
            words.setdefault(word, position[terms[term]])
    rows = []
    for sheet, (terms, _) in zip(sheets, analysed):
        rows.append([
            facet_values["objective"].index(sheet.objective),
            [facet_values["public"].index(s) for s in sheet.public],
            sheet.duration,
            facet_values["level"].index(sheet.level) if sheet.level else -1,
            [facet_values["theme"].index(s) for s in sheet.themes],
            [position[t] for t in terms],
        ])
    return {
        "facets": facet_values,
        "terms": all_terms,
        "words": dict(sorted(words.items())),
        "sheets": rows,
        "rules": folding_rules(),
    }


def folding_rules() -> dict[str, Any]:
    """The analyzer's word lists, handed to the browser so JavaScript never keeps a copy of its own."""
    return {
        "elisions": sorted(analysis.ELISIONS),
        "lexicalised": sorted(analysis.LEXICALISED),
        "endings": list(analysis.INCLUSIVE_ENDINGS),
        "known": sorted(analysis._KNOWN_ENDINGS),
        "feminine": {ending: [list(rule) for rule in rules] for ending, rules in analysis._FEMININE_RULES.items()},
        "stop": sorted(analysis.STOP_WORDS),
    }


def embed_json(data: Any) -> str:
    """JSON safe inside a <script> element: `<`, `>` and `&` escaped, compact separators."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
