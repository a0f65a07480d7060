"""`check`: the findings of the sheets a person names (or of the whole library), read from the snapshot."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

from ..errors import OutillerieError, Problem
from .paths import LibraryPaths
from .snapshot import problems_of, take_snapshot


@dataclass(frozen=True)
class CheckReport:
    """What `check` found: the problems of the sheets asked for, and how many sheets were read."""

    problems: tuple[Problem, ...]
    sheets: int

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheets": self.sheets,
            "errors": self.errors,
            "warnings": len(self.problems) - self.errors,
            "problems": [asdict(p) for p in self.problems],
        }


def check_paths(library: LibraryPaths, paths: Iterable[Path] = ()) -> CheckReport:
    """Check the sheets named by `paths` (sheet folders, index.md files, `resources/` or a library), or the whole library.

    Titles are compared with every sheet of the same library, so a duplicate is found even when one file is checked.
    """
    selected: dict[Path, set[str] | None] = {}
    for path in paths or (library.root,):
        root, slug = _resolve(path)
        chosen = selected.setdefault(root, set())
        if slug is None or chosen is None:
            selected[root] = None
        else:
            chosen.add(slug)
    problems: list[Problem] = []
    count = 0
    for root, slugs in selected.items():
        cache = library.index_dir if root == library.root else LibraryPaths(root).index_dir
        snapshot = take_snapshot(root, cache)
        if slugs is None:
            count += len(snapshot.states)
            problems.extend(snapshot.problems)
        else:
            count += len(slugs)
            problems.extend(problems_of(snapshot, slugs))
    return CheckReport(problems=tuple(sorted(set(problems))), sheets=count)


def _resolve(path: Path) -> tuple[Path, str | None]:
    """The library root of a path given to `check`, and the sheet it names (None: every sheet)."""
    path = path.absolute()
    if path.is_dir() and (path / "resources").is_dir():
        return path, None
    if path.is_dir() and path.name == "resources":
        return path.parent, None
    folder = path.parent if path.is_file() else path
    if path.is_file() and path.name != "index.md":
        raise OutillerieError(f"« {path} » n'est pas le fichier index.md d'une fiche. Pour corriger : donnez le dossier "
                              "de la fiche (resources/ma-fiche) ou son index.md.")
    if folder.parent.name != "resources":
        raise OutillerieError(f"« {path} » n'est pas une fiche d'une bibliothèque : une fiche vit dans "
                              "resources/<nom>/index.md. Pour corriger : donnez un dossier placé dans resources/.")
    return folder.parent.parent, folder.name
