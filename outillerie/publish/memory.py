"""What an export remembers for the next one, in the site's `.outillerie-export.json`: per sheet folder, the stamp
of its files (name, size, mtime), the parsed sheet without its body, its errors, the fingerprint of its page and
kit, and its search terms. A folder whose stamp did not change is neither parsed nor validated again."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..errors import Problem, SheetError
from ..sheets.rules import duplicate_titles, validate_sheet
from ..sheets.sheet import Sheet, Step, find_sheet_files, read_sheet
from ..sheets.vocabulary import load_vocabulary

CACHE_FILE = ".outillerie-export.json"
CACHE_FORMAT = 2
_LISTS = ("public", "authors", "themes", "tags", "materials", "supports")
_TEXTS = ("slug", "title", "summary", "objective", "duration", "license", "level", "status", "body_line")


@dataclass(frozen=True)
class LoadedLibrary:
    """The sheets of a library and their errors, as `check` finds them; `cached` names the sheets read from memory."""

    sheets: tuple[Sheet, ...]
    errors: tuple[Problem, ...]
    stamps: Mapping[str, list[Any]]
    cached: frozenset[str]


def folder_stamp(folder: Path) -> list[Any]:
    """Every file of a sheet folder (hidden ones aside) with its size and mtime: any edit changes it."""
    found: list[Any] = []

    def walk(path: str, prefix: str) -> None:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                info = entry.stat(follow_symlinks=False)
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, f"{prefix}{entry.name}/")
                else:
                    found.append([f"{prefix}{entry.name}", info.st_size, info.st_mtime_ns, entry.is_symlink()])

    try:
        walk(str(folder), "")
    except OSError:
        return []
    return sorted(found)


def read_cache(path: Path, code: str) -> dict[str, Any]:
    """The previous export's entries by slug; nothing when absent, unreadable or written by other code."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or data.get("code") != code:
        return {}
    sheets = data.get("sheets")
    return sheets if isinstance(sheets, dict) else {}


def write_cache(path: Path, code: str, entries: Mapping[str, Any]) -> None:
    """Write the memory for the next export (sorted, so the same sources give the same bytes)."""
    document = {"format": CACHE_FORMAT, "code": code, "sheets": dict(sorted(entries.items()))}
    path.write_text(json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8")


def load_sheets(root: Path, previous: Mapping[str, Any]) -> LoadedLibrary:
    """Every sheet and every error of the library, like validate_library(load_library(root)) but only for what changed."""
    vocabulary = load_vocabulary()
    sheets: list[Sheet] = []
    errors: list[Problem] = []
    stamps: dict[str, list[Any]] = {}
    cached: set[str] = set()
    for path in find_sheet_files(root / "resources"):
        slug = path.parent.name
        stamp = stamps[slug] = folder_stamp(path.parent)
        old = previous.get(slug)
        if old and old.get("stamp") == stamp and "errors" in old:
            errors.extend(Problem(*problem) for problem in old["errors"])
            if old.get("sheet"):
                sheets.append(sheet_from_json(old["sheet"], root))
                cached.add(slug)
            continue
        try:
            sheet = read_sheet(path, root, vocabulary)
        except SheetError as error:
            errors.extend(p for p in error.problems if p.is_error)
            continue
        sheets.append(sheet)
        errors.extend(p for p in validate_sheet(sheet, root) if p.is_error)
    errors.extend(duplicate_titles(sheets, root))
    return LoadedLibrary(tuple(sheets), tuple(sorted(set(errors))), stamps, frozenset(cached))


def file_errors(loaded: LoadedLibrary, shown: str) -> list[list[Any]]:
    """The errors of one file, minus the duplicate-title one (recomputed each time across the library)."""
    return [[p.path, p.line, p.severity, p.message] for p in loaded.errors
            if p.path == shown and "est déjà celui de la fiche" not in p.message]


def sheet_to_json(sheet: Sheet, root: Path) -> dict[str, Any]:
    """A sheet's fields as JSON, without its body and outline (re-read from the file when a page is rendered)."""
    data: dict[str, Any] = {name: getattr(sheet, name) for name in _TEXTS}
    data.update({name: list(getattr(sheet, name)) for name in _LISTS})
    data["path"] = sheet.path.relative_to(root).as_posix()
    data["participants"] = list(sheet.participants) if sheet.participants else None
    data["created"] = sheet.created.isoformat() if sheet.created else None
    data["updated"] = sheet.updated.isoformat() if sheet.updated else None
    data["steps"] = [[s.title, s.minutes, s.line] for s in sheet.steps]
    data["key_lines"] = dict(sheet.key_lines)
    return data


def sheet_from_json(data: Mapping[str, Any], root: Path) -> Sheet:
    """The Sheet remembered by `sheet_to_json` (body and outline empty: re-read the file to render it)."""
    values: dict[str, Any] = {name: data[name] for name in _TEXTS}
    values.update({name: tuple(data[name]) for name in _LISTS})
    return Sheet(
        path=root / data["path"],
        participants=tuple(data["participants"]) if data["participants"] else None,  # type: ignore[arg-type]
        created=dt.date.fromisoformat(data["created"]) if data["created"] else None,
        updated=dt.date.fromisoformat(data["updated"]) if data["updated"] else None,
        steps=tuple(Step(title, minutes, line) for title, minutes, line in data["steps"]),
        key_lines=dict(data["key_lines"]),
        **values,
    )
