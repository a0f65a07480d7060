"""The open data of a site: `catalogue.json`, its JSON Schema (draft 2020-12) beside it so that a harvester can
validate what it reads, and `catalogue.csv`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..sheets.config import Config
from ..sheets.vocabulary import load_vocabulary
from .catalogue import catalogue_csv, catalogue_json, csv_row

SCHEMA_FILE = "catalogue.schema.json"
_SHEETS = '"sheets": [\n'  # where catalogue.json's records begin (catalogue.catalogue_json)
_TEXT = {"type": "string"}
_TEXTS = {"type": "array", "items": _TEXT}
_MAYBE_TEXT = {"type": ["string", "null"]}
_URL = {"type": "string", "minLength": 1}


def write_open_data(work: Path, records: Sequence[Mapping[str, Any] | str], config: Config, base: str | None,
                    rows: Sequence[Mapping[str, Any] | str] | None = None) -> dict[str, str]:
    """catalogue.json (with the commons' name and publisher), catalogue.schema.json and catalogue.csv into `work`.
    `records`: each sheet's record, or its line of catalogue.json; `rows`, when given: each sheet's CSV row.
    Returns the digests of catalogue.json and catalogue.csv, for `previous_rows`."""
    hub = {key: value for key, value in vars(config.hub).items() if value}
    about: dict[str, Any] = {"$schema": f"{base or ''}{SCHEMA_FILE}", "name": config.name,
                             "description": config.description}
    if hub:
        about["publisher"] = hub
    text = catalogue_json(records, about)
    (work / "catalogue.json").write_text(text, encoding="utf-8", newline="\n")
    (work / SCHEMA_FILE).write_text(json.dumps(catalogue_schema(base), ensure_ascii=False, indent=1) + "\n",
                                    encoding="utf-8", newline="\n")
    table = catalogue_csv(records if rows is None else rows)
    (work / "catalogue.csv").write_text(table, encoding="utf-8", newline="")
    return {"json": _digest(text), "csv": _digest(table)}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def previous_rows(output: Path, order: Sequence[str], lengths: Mapping[str, Sequence[int]],
                  digests: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Each sheet's line of catalogue.json and row of catalogue.csv as the previous export (`output`) wrote them,
    cut by their lengths (`lengths`: slug → [line, row], in `order`); nothing when the files are not those the
    memory describes (`digests`, what `write_open_data` returned)."""
    try:
        text = (output / "catalogue.json").read_text(encoding="utf-8")
        with open(output / "catalogue.csv", encoding="utf-8", newline="") as file:
            table = file.read()
        if _digest(text) != digests.get("json") or _digest(table) != digests.get("csv"):
            return {}
        start, at = text.index(_SHEETS) + len(_SHEETS), len(csv_row(None))
        found = {}
        for slug in order:
            line, row = lengths[slug]
            found[slug] = (text[start:start + line], table[at:at + row])
            start, at = start + line + 2, at + row  # records are joined by ",\n"
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return found


def _codes(group: str) -> dict[str, Any]:
    """A list of codes of one of Les Bases' vocabularies (the codes our vocabulary file knows)."""
    bases = load_vocabulary().les_bases
    codes = sorted(bases.labels[group]) if bases else []
    return {"type": "array", "items": {"type": "string", "enum": codes}, "uniqueItems": True}


def _sheet_schema() -> dict[str, Any]:
    vocabulary = load_vocabulary()

    def slugs(kind: str) -> dict[str, Any]:
        return {"type": "string", "enum": list(vocabulary.terms(kind))}

    properties: dict[str, Any] = {
        "slug": {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$"},
        "title": _TEXT, "summary": _TEXT,
        "objective": slugs("objectives"), "objective_label": _TEXT,
        "public": {"type": "array", "items": slugs("audiences")}, "public_labels": _TEXTS,
        "duration": {"type": "integer", "minimum": 1, "description": "durée de l'atelier, en minutes"},
        "participants": {"oneOf": [{"type": "null"}, {"type": "object", "required": ["min", "max"],
                                                      "properties": {"min": {"type": "integer", "minimum": 1},
                                                                     "max": {"type": "integer", "minimum": 1}}}]},
        "level": {"oneOf": [{"type": "null"}, slugs("levels")]}, "level_label": _MAYBE_TEXT,
        "themes": {"type": "array", "items": slugs("themes")}, "theme_labels": _TEXTS,
        "tags": _TEXTS, "materials": _TEXTS,
        "license": slugs("licenses"), "license_url": _MAYBE_TEXT,
        "authors": _TEXTS, "contributors": _TEXTS,
        "status": slugs("statuses"),
        "created": {"type": ["string", "null"], "format": "date"}, "updated": {"type": ["string", "null"], "format": "date"},
        "based_on": {"type": ["string", "null"], "description": "la fiche adaptée : une adresse web, ou le nom d'une "
                                                                "fiche de ce catalogue"},
        "based_on_url": {"type": ["string", "null"]},
        "steps": {"type": "array", "items": {"type": "object", "required": ["title", "minutes"],
                                             "properties": {"title": _TEXT, "minutes": {"type": ["integer", "null"]}}}},
        "supports": _TEXTS,
        "page_url": _URL, "kit_url": _URL, "markdown_url": _URL,
        "time_required": {"type": "string", "pattern": "^PT(?:[0-9]+H)?(?:[0-9]+M)?$",
                          "description": "durée ISO 8601, comme timeRequired de schema.org"},
        "les_bases": {"type": "object", "description": "la place de la fiche sur Les Bases du numérique d'intérêt "
                                                      "général (codes et libellés de la plateforme)",
                      "required": ["themes", "professional_sectors", "beneficiaries", "resource_type"],
                      "properties": {"themes": _codes("themes"), "theme_labels": _TEXTS,
                                     "professional_sectors": _codes("professional_sectors"),
                                     "professional_sector_labels": _TEXTS,
                                     "beneficiaries": _codes("beneficiaries"), "beneficiary_labels": _TEXTS,
                                     "resource_type": {"type": "string"}, "resource_type_label": _TEXT}},
    }
    return {"type": "object", "required": sorted(properties), "properties": properties}


def catalogue_schema(base: str | None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of catalogue.json; its `$id` is absolute when the site's address is known."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base or ''}{SCHEMA_FILE}",
        "title": "Catalogue des fiches ateliers (outillerie)",
        "description": "Le catalogue ouvert d'un commun de fiches ateliers publié par outillerie : une fiche par "
                       "élément de « sheets », avec les champs de son en-tête, leurs libellés, ses adresses et sa "
                       "correspondance avec Les Bases du numérique d'intérêt général.",
        "type": "object",
        "required": ["format", "version", "count", "sheets"],
        "properties": {
            "$schema": _TEXT, "name": _TEXT, "description": _TEXT,
            "publisher": {"type": "object", "properties": {"name": _TEXT, "url": _TEXT, "email": _TEXT}},
            "format": {"const": "outillerie-catalogue"},
            "version": {"const": 1},
            "count": {"type": "integer", "minimum": 0},
            "sheets": {"type": "array", "items": {"$ref": "#/$defs/sheet"}},
        },
        "$defs": {"sheet": _sheet_schema()},
    }
