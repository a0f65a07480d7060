"""One writer at a time per index folder: a lock file held with the system's file locks (released by the system
if the process dies), waited for a few seconds. Standard library only, so taking it imports no engine.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import IO, Any

from ..errors import SearchIndexError, reason_fr

LOCK_FILE = "outillerie.lock"


def _try_lock(file: IO[Any]) -> bool:
    """Take the lock without waiting; False when another process holds it."""
    try:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except (BlockingIOError, PermissionError):
        return False


class WriteLock:
    """One writer at a time per index folder (a file lock, released by the system if the process dies)."""

    def __init__(self, index_dir: Path, wait: float) -> None:
        self.index_dir = index_dir
        self.wait = wait
        self.file: IO[Any] | None = None

    def __enter__(self) -> WriteLock:
        try:
            self.index_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SearchIndexError(f"le dossier de l'index « {self.index_dir} » ne peut pas être créé ({reason_fr(error)}). "
                                   "Pour corriger : vérifiez les droits d'écriture, ou donnez une autre bibliothèque "
                                   "avec --library.") from error
        try:
            self.file = open(self.index_dir / LOCK_FILE, "a+b")
            deadline = time.monotonic() + self.wait
            while not _try_lock(self.file):
                if time.monotonic() >= deadline:
                    self.file.close()
                    raise SearchIndexError(f"un autre processus écrit l'index de recherche ({self.index_dir}) depuis "
                                           f"plus de {self.wait:g} s. Pour corriger : attendez qu'il finisse (par "
                                           "exemple un « outillerie index --rebuild » en cours), puis relancez la "
                                           "commande.")
                time.sleep(0.05)
        except OSError as error:
            raise SearchIndexError(f"le verrou de l'index « {self.index_dir / LOCK_FILE} » ne peut pas être pris "
                                   f"({reason_fr(error)}). Pour corriger : vérifiez les droits d'écriture du dossier.") from error
        return self

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            self.file.close()  # closing the file releases the lock
