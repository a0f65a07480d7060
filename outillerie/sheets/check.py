"""`check`: the findings of the sheets a person names (or of the whole library), read from the snapshot."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

from ..errors import OutillerieError, Problem
from .config import read_config
from .paths import LibraryPaths
from .snapshot import problems_of, take_snapshot


@dataclass(frozen=True)
class CheckReport:
    """What `check` found: the problems of the sheets asked for, and how many sheets were read."""

    problems: tuple[Problem, ...]
    sheets: int
    programmes: int = 0

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheets": self.sheets,
            "programmes": self.programmes,
            "errors": self.errors,
            "warnings": len(self.problems) - self.errors,
            "problems": [asdict(p) for p in self.problems],
        }


def check_paths(library: LibraryPaths, paths: Iterable[Path] = ()) -> CheckReport:
    """Check the sheets named by `paths` (sheet folders, index.md files, `resources/` or a library), or the whole library
    (with its configuration, `outillerie.yml`).

    Titles are compared with every sheet of the same library, so a duplicate is found even when one file is checked.
    """
    selected: dict[Path, dict[str, set[str] | None]] = {}
    for path in paths or (library.root,):
        root, kind, slug = _resolve(path)
        chosen = selected.setdefault(root, {"sheets": set(), "programmes": set()})
        for name in ("sheets", "programmes") if kind == "library" else (kind,):
            wanted = chosen[name]
            if slug is None or wanted is None:
                chosen[name] = None
            else:
                wanted.add(slug)
    problems: list[Problem] = []
    sheets = programmes = 0
    for root, chosen in selected.items():
        cache = library.index_dir if root == library.root else LibraryPaths(root).index_dir
        snapshot = take_snapshot(root, cache)
        some_sheets, some_programmes = chosen["sheets"], chosen["programmes"]
        sheets += len(snapshot.states) if some_sheets is None else len(some_sheets)
        programmes += len(snapshot.programme_states) if some_programmes is None else len(some_programmes)
        problems.extend(problems_of(snapshot, snapshot.states if some_sheets is None else some_sheets,
                                    snapshot.programme_states if some_programmes is None else some_programmes))
        if some_sheets is None:
            problems.extend(snapshot.problems)
        if some_sheets is None and some_programmes is None:  # the whole library: its configuration too
            problems.extend(read_config(root)[1])
    return CheckReport(problems=tuple(sorted(set(problems))), sheets=sheets, programmes=programmes)


def _resolve(path: Path) -> tuple[Path, str, str | None]:
    """The library root of a path given to `check`, what it names (the library, sheets or programmes) and which
    one (None: all of them)."""
    path = path.absolute()
    if path.is_dir() and ((path / "resources").is_dir() or (path / "programmes").is_dir()):
        return path, "library", None
    if path.is_dir() and path.name in ("resources", "programmes"):
        return path.parent, "sheets" if path.name == "resources" else "programmes", None
    folder = path.parent if path.is_file() else path
    if path.is_file() and path.name != "index.md":
        raise OutillerieError(f"« {path} » n'est pas le fichier index.md d'une fiche. Pour corriger : donnez le dossier "
                              "de la fiche (resources/ma-fiche) ou son index.md.")
    if folder.parent.name == "programmes":
        return folder.parent.parent, "programmes", folder.name
    if folder.parent.name != "resources":
        raise OutillerieError(f"« {path} » n'est pas une fiche d'une bibliothèque : une fiche vit dans "
                              "resources/<nom>/index.md (un programme dans programmes/<nom>/index.md). Pour corriger : "
                              "donnez un dossier placé dans resources/ ou programmes/.")
    return folder.parent.parent, "sheets", folder.name
