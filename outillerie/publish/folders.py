"""Folders written aside and swapped in whole.

An export writes its site into a working folder beside the output, locked (`flock`) for as long as its
process lives, then swaps it in. A killed export leaves that folder behind: the next export sweeps away
the folders of our own pattern that no live process holds. `outillerie serve` keeps its scratch export the
same way in the library's cache folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

from ..errors import ExportError, reason_fr
from .memory import forget

fcntl: Any
try:
    import fcntl
except ImportError:  # no advisory locks (Windows): nothing is ever swept, since no owner can be proven dead
    fcntl = None


_NEW = ".new"  # a folder being made, not locked yet
_NEW_GRACE = 60.0  # seconds after which such a folder is an orphan
_SCRATCH = re.compile(r"serve-[0-9]+-[a-z0-9_]{8}(?:\.new)?")


def aside_pattern(output: Path) -> re.Pattern[str]:
    """The names of the working folders of exports into `output` (as `tempfile.mkdtemp` makes them)."""
    return re.compile(rf"\.{re.escape(output.name)}\.[a-z0-9_]{{8}}\.(?:tmp|old)(?:\.new)?")


@contextlib.contextmanager
def claimed_folder(parent: Path, prefix: str, suffix: str = "") -> Iterator[Path]:
    """A new folder in `parent`, locked while the block runs (and no longer than this process); removed after.

    It is made and locked under a name ending in `.new`, then renamed: no other process ever sees it unlocked
    under the name it sweeps."""
    staging = Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix + _NEW, dir=parent))
    handle = _lock(staging)
    folder = staging.with_name(staging.name[: -len(_NEW)])
    try:
        os.rename(staging, folder)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if handle is not None:
            os.close(handle)


def sweep(parent: Path, pattern: re.Pattern[str]) -> list[Path]:
    """Remove the folders of `parent` named like `pattern` that no live process holds; returns what was removed."""
    removed: list[Path] = []
    try:
        with os.scandir(parent) as scan:
            entries = [entry for entry in scan if pattern.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False)]
    except OSError:
        return removed
    for entry in entries:
        if entry.name.endswith(_NEW) and not _older_than(entry, _NEW_GRACE):
            continue  # an instant between its making and its locking: only an old one is an orphan
        handle = _lock(Path(entry.path))
        if handle is None:
            continue  # its export or server is still running
        try:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
        finally:
            os.close(handle)
    return removed


def _older_than(entry: os.DirEntry[str], seconds: float) -> bool:
    try:
        return time.time() - entry.stat(follow_symlinks=False).st_mtime > seconds
    except OSError:
        return False


def hold(folder: Path) -> int | None:
    """An open descriptor holding an exclusive lock on `folder` until it is closed; None when another process holds it."""
    return _lock(folder)


def _lock(folder: Path) -> int | None:
    """An open descriptor holding an exclusive lock on `folder`; None when another process holds it."""
    if fcntl is None:
        return None
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(handle)
        return None
    return handle


@contextlib.contextmanager
def scratch_folder(cache_dir: Path) -> Iterator[Path]:
    """A folder of the library's cache for the site `outillerie serve` exports and serves, removed when it stops;
    the ones of servers that died without cleaning up (SIGKILL, power cut) are removed first."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    for dead in sweep(cache_dir, _SCRATCH):
        forget(cache_dir, dead / "site")
    with claimed_folder(cache_dir, prefix=f"serve-{os.getpid()}-") as folder:
        try:
            yield folder
        finally:
            forget(cache_dir, folder / "site")


def swap_in(work: Path, output: Path) -> None:
    """Put the new site in place; the previous one stays whole, and where it was, until that moment.

    On Linux both folders are exchanged in one system call (renameat2 RENAME_EXCHANGE), so a web server
    reading the folder never finds it missing; elsewhere two renames leave a moment without it. The previous
    site ends up at `work`, which the caller removes.
    """
    if not output.exists():
        os.replace(work, output)
        return
    if _exchange(work, output):
        return
    old = work.with_suffix(".old")
    try:
        os.replace(output, old)
    except OSError as error:
        raise ExportError(f"l'ancien site « {output} » ne peut pas être remplacé ({reason_fr(error)}) : il reste en place, "
                          "inchangé, et le nouveau n'est pas publié. Pour corriger : donnez-vous le droit de le déplacer "
                          f"(propriétaire du dossier, droit d'écriture sur « {output.parent} »), ou exportez ailleurs "
                          "avec --output.") from error
    try:
        os.replace(work, output)
    except OSError as error:
        try:
            os.replace(old, output)
        except OSError:
            raise ExportError(f"le nouveau site ne peut pas être mis dans « {output} » ({reason_fr(error)}) et l'ancien, "
                              f"mis de côté dans « {old} », n'a pas pu revenir. Pour corriger : renommez « {old} » en "
                              f"« {output} », puis relancez l'export.") from error
        raise
    shutil.rmtree(old, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically where the system can (Linux renameat2); False when it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_cwd, rename_exchange = -100, 2
    done = renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), rename_exchange)
    return done == 0


def check_output(root: Path, output: Path, mark: str) -> None:
    """Refuse to replace a folder that is not a previous export: it would be deleted."""
    resolved = output.resolve()
    if resolved == root or root.is_relative_to(resolved) or resolved.is_relative_to(root / "resources"):
        raise ExportError(f"le dossier de sortie « {output} » contient la bibliothèque ou est dans resources/. "
                          "Pour corriger : choisissez un autre dossier, par exemple --output site.")
    if output.exists() and (not output.is_dir() or (any(output.iterdir()) and not (output / mark).is_file())):
        raise ExportError(f"« {output} » existe et n'est pas un site exporté par outillerie : il serait remplacé. "
                          "Pour corriger : choisissez un dossier vide ou qui n'existe pas encore.")
