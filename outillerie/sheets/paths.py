"""Where a library is: its root (the folder holding `resources/`) and where its index lives.

Found in this order: `--library PATH`, `OUTILLERIE_LIBRARY`, the current folder or a parent holding
`resources/`, then the commons shipped inside the package.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from ..errors import LibraryError


class LibraryPaths(NamedTuple):  # not a dataclass: free at import (every command loads this module)
    """The paths of one library, made once by the CLI and passed down."""

    root: Path
    bundled: bool = False

    @property
    def resources(self) -> Path:
        return self.root / "resources"

    @property
    def index_dir(self) -> Path:
        """`index/` beside `resources/`, or a folder of the user's cache when that is not writable."""
        local = self.root / "index"
        if not self.bundled and _writable(local):
            return local
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        return cache / "outillerie" / self._digest() / "index"

    @property
    def counter_db(self) -> Path:
        """The download counter's database: beside `resources/`, or in the user's data folder."""
        if not self.bundled and _writable(self.root / "compteur.sqlite3"):
            return self.root / "compteur.sqlite3"
        data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        return data / "outillerie" / self._digest() / "compteur.sqlite3"

    def _digest(self) -> str:
        import hashlib  # here: hashlib costs 3 ms at every start

        return hashlib.sha256(os.fsencode(self.root.resolve())).hexdigest()[:16]


def bundled_root() -> Path:
    """The commons installed with the package."""
    return Path(__file__).parent.parent / "commons"


def find_library(explicit: Path | None, variable: str | None, cwd: Path) -> LibraryPaths:
    """The library to use: --library, OUTILLERIE_LIBRARY, the current folder or a parent, the bundled commons."""
    for given, origin in ((explicit, "--library"), (Path(variable) if variable else None, "OUTILLERIE_LIBRARY")):
        if given is None:
            continue
        if not (given / "resources").is_dir():
            raise LibraryError(f"le dossier « {given} » (donné par {origin}) ne contient pas de dossier resources/. "
                               "Pour corriger : indiquez le dossier qui contient resources/, ou créez-y "
                               "resources/ avec outillerie new \"Titre\".")
        return LibraryPaths(root=given.resolve())
    for folder in (cwd, *cwd.parents):
        if (folder / "resources").is_dir():
            return LibraryPaths(root=folder)
    return LibraryPaths(root=bundled_root(), bundled=True)


def _writable(folder: Path) -> bool:
    """True when the index may be written there (the folder exists writable or can be created)."""
    target = folder if folder.exists() else folder.parent
    return os.access(target, os.W_OK)
