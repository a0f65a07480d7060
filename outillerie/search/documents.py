"""A sheet as the index holds it: its ranked text fields, its Markdown supports' text (a low-boost field), the
acronyms it writes in capitals (matched case-sensitively first), the accents it writes (so a word typed without
them finds it), its filters and the record a result shows. No engine here: engine.py maps these fields to Whoosh.
"""

from __future__ import annotations

import re

from pathlib import Path
from typing import Any

from ..errors import relative
from ..french.analysis import accent_key, fold, written_forms
from ..french.thesaurus import is_acronym
from ..sheets.supports import supports_text
from ..sheets.vocabulary import fold_key, load_vocabulary

_WORD = re.compile(r"[^\W_]+")  # linear: a megabyte of letters is one match, never a backtrack


def acronyms(text: str) -> list[str]:
    """The acronyms a text writes (« CAF », « RGPD », « CnFS »), each once, as written."""
    # a word whose letters after the first are all lowercase has at most one capital: never an acronym (most words)
    return list(dict.fromkeys(word for word in _WORD.findall(text)
                              if len(word) <= 10 and not word[1:].islower() and is_acronym(word)))


def accents(text: str) -> list[str]:
    """The « folded:written » entries of the words whose accents change their stem (see analysis.accent_key)."""
    # only a word written with an accent, or an inclusive one (« premier.e » gives « première »), can give an entry:
    # the others are not even cut into words (most of a text; this was a quarter of the cost of a document)
    kept = " ".join(chunk for chunk in text.split() if not chunk.isascii() or "." in chunk.rstrip(".!?,;:)]»\"'"))
    found = dict.fromkeys(key for form in set(written_forms(kept)) if (key := accent_key(form)))
    return sorted(found)


def labels(sheet: Any) -> str:
    """The French labels of the sheet's objective, publics, themes and level: searched like the site searches them
    (« réseau » finds the sheets that « Travailler en réseau »)."""
    vocabulary = load_vocabulary()
    parts = [vocabulary.label("objectives", sheet.objective), *(vocabulary.label("audiences", s) for s in sheet.public),
             *(vocabulary.label("themes", s) for s in sheet.themes)]
    if sheet.level:
        parts.append(vocabulary.label("levels", sheet.level))
    return " ; ".join(parts)


def document(sheet: Any, root: Path) -> dict[str, Any]:
    """The fields of one sheet (its body read, see Snapshot.full_sheet)."""
    supports = supports_text(sheet)
    every = "\n".join((sheet.title, sheet.summary, *sheet.tags, *sheet.materials, sheet.body, supports))
    doc: dict[str, Any] = {
        "slug": sheet.slug,
        "title": sheet.title,
        "summary": sheet.summary,
        "tags": " ; ".join(sheet.tags),
        "materials": " ; ".join(sheet.materials),
        "body": sheet.body,
        "supports": supports,
        "labels": labels(sheet),
        "acronyms": ",".join(acronyms(every)),
        "forms": ",".join(accents(every)),
        "objective": sheet.objective,
        "public": ",".join(sheet.public),
        "themes": ",".join(sheet.themes),
        "license": sheet.license,
        "tag": ",".join(fold_key(tag) for tag in sheet.tags),
        "duration": sheet.duration,
        "sort_title": fold(sheet.title),
        "meta": {
            "slug": sheet.slug, "title": sheet.title, "summary": sheet.summary, "objective": sheet.objective,
            "public": list(sheet.public), "duration": sheet.duration, "level": sheet.level,
            "themes": list(sheet.themes), "tags": list(sheet.tags), "license": sheet.license,
            "status": sheet.status, "path": relative(sheet.path, root),
        },
    }
    if sheet.level:
        doc["level"] = sheet.level
    return doc
