"""What the snapshot keeps of each programme folder, and the findings of programmes against the sheets."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection, Mapping

from ..errors import Problem, SheetError
from .programme_rules import validate_programme
from .programmes import Programme, programme_from_record, programme_path, programme_to_record, read_programme
from .sheet import Sheet
from .vocabulary import Vocabulary


@dataclass(frozen=True)
class ProgrammeState:
    """One programme folder as the snapshot knows it: the digest of index.md, its record (None when it cannot be
    read) and the findings of the file alone (those against the sheets are recomputed at every snapshot)."""

    slug: str
    digest: str
    record: Mapping[str, Any] | None
    problems: tuple[Problem, ...]


def read_programme_state(root: Path, slug: str, vocabulary: Vocabulary) -> tuple[ProgrammeState, Programme | None]:
    """Read one programme folder again."""
    path = programme_path(root, slug)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    except OSError:
        digest = ""
    try:
        programme, warnings = read_programme(path, root, vocabulary)
    except SheetError as error:
        return ProgrammeState(slug, digest, None, tuple(error.problems)), None
    return ProgrammeState(slug, digest, programme_to_record(programme, root), tuple(warnings)), programme


def programme_findings(root: Path, states: Mapping[str, ProgrammeState], sheets: Mapping[str, Sheet],
                       broken: set[str], folders: Collection[str]) -> tuple[Problem, ...]:
    """Every readable programme checked against the sheets as they are now."""
    found: list[Problem] = []
    for state in states.values():
        if state.record is not None:
            found += validate_programme(programme_from_record(state.record, root), sheets, broken, folders, root)
    return tuple(found)


def state_to_json(line: str, state: ProgrammeState) -> list[Any]:
    return [line, state.digest, state.record, [list(vars(p).values()) for p in state.problems]]


def state_from_json(slug: str, data: list[Any]) -> tuple[str, ProgrammeState]:
    line, digest, record, problems = data
    return line, ProgrammeState(slug, digest, record, tuple(Problem(*p) for p in problems))
