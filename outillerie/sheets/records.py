"""A sheet as plain JSON, without its body: what the snapshot remembers and gives back between commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Mapping

from .sheet import Sheet, Step

_LISTS = ("public", "authors", "themes", "tags", "materials", "materials_outside_kit", "supports")
_TEXTS = ("slug", "title", "summary", "objective", "duration", "license", "level", "status", "body_line", "based_on")


def sheet_to_record(sheet: Sheet, root: Path) -> dict[str, Any]:
    """A sheet's fields as JSON, without its body and outline (read again from the file when a page needs them)."""
    data: dict[str, Any] = {name: getattr(sheet, name) for name in _TEXTS}
    data.update({name: list(getattr(sheet, name)) for name in _LISTS})
    data["path"] = sheet.path.relative_to(root).as_posix()
    data["participants"] = list(sheet.participants) if sheet.participants else None
    data["created"] = sheet.created.isoformat() if sheet.created else None
    data["updated"] = sheet.updated.isoformat() if sheet.updated else None
    data["steps"] = [[s.title, s.minutes, s.line] for s in sheet.steps]
    data["key_lines"] = dict(sheet.key_lines)
    return data


def sheet_from_record(data: Mapping[str, Any], root: Path) -> Sheet:
    """The Sheet remembered by `sheet_to_record` (body and outline empty)."""
    values: dict[str, Any] = {name: data[name] for name in _TEXTS}
    values.update({name: tuple(data[name]) for name in _LISTS})
    return Sheet(
        path=root / data["path"],
        participants=tuple(data["participants"]) if data["participants"] else None,
        created=dt.date.fromisoformat(data["created"]) if data["created"] else None,
        updated=dt.date.fromisoformat(data["updated"]) if data["updated"] else None,
        steps=tuple(Step(title, minutes, line) for title, minutes, line in data["steps"]),
        key_lines=dict(data["key_lines"]),
        **values,
    )
