"""Files that contributors give, read without ever blocking or looping: regular files only (a FIFO named
index.md would block every command forever), symbolic-link loops said in French, sizes bounded before reading.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class FileTrouble(Exception):
    """A file that cannot be read as a sheet's file; the message says why and what to do, in French.

    `reason` is the same without its opening (« c'est un lien symbolique qui tourne en boucle… »), for a message
    that names the file another way (« le support « x.pdf » ne peut pas être lu : … »)."""

    def __init__(self, reason: str, opening: str = "le fichier ne peut pas être lu : ") -> None:
        super().__init__(opening + reason)
        self.reason = reason


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, for a person; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "un dossier"
    if stat.S_ISFIFO(mode):
        return "un tube nommé (FIFO)"
    if stat.S_ISSOCK(mode):
        return "une prise réseau (socket)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "un périphérique"
    return "un fichier spécial"


def trouble_of(error: OSError) -> FileTrouble:
    """An OSError met while reaching a file, said in French."""
    if error.errno == errno.ELOOP:
        return FileTrouble("c'est un lien symbolique qui tourne en boucle (il mène à lui-même, directement ou non). "
                           "Pour corriger : remplacez le lien par le fichier lui-même.")
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return FileTrouble("il est introuvable (un lien symbolique cassé ?). Pour corriger : remplacez le lien par le "
                           "fichier lui-même, ou supprimez-le.")
    if error.errno == errno.ENAMETOOLONG:
        return FileTrouble("son chemin est trop long pour le système. Pour corriger : raccourcissez son nom.")
    if error.errno in (errno.EACCES, errno.EPERM):
        return FileTrouble("permission refusée. Pour corriger : vérifiez ses droits de lecture.")
    return FileTrouble(f"erreur système {errno.errorcode.get(error.errno or 0, '?')}. Pour corriger : vérifiez le "
                       "fichier et ses droits de lecture.")


def regular_size(path: Path) -> int:
    """The size of a regular file (symbolic links followed), or FileTrouble."""
    try:
        info = os.stat(path)
    except OSError as error:
        raise trouble_of(error) from None
    kind = _kind(info.st_mode)
    if kind:
        raise FileTrouble(f"c'est {kind}, pas un fichier ordinaire. Pour corriger : remplacez-le par un vrai "
                          "fichier, ou supprimez-le.")
    return info.st_size


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; FileTrouble otherwise (never blocks on a FIFO)."""
    size = regular_size(path)
    if size > limit:
        raise FileTrouble(f"le fichier pèse {size // 1000} ko, plus que la limite de {limit // 1_000_000} Mo. Pour "
                          "corriger : placez les images et documents lourds à côté de index.md, comme supports.", "")
    try:
        # O_NONBLOCK: should the file have become a FIFO since the stat above, opening does not wait for a writer.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise trouble_of(error) from None
    with os.fdopen(descriptor, "rb") as file:
        if _kind(os.fstat(file.fileno()).st_mode):
            raise FileTrouble("ce n'est pas un fichier ordinaire. Pour corriger : remplacez-le par un vrai fichier.")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise FileTrouble(f"le fichier pèse plus que la limite de {limit // 1_000_000} Mo. Pour corriger : placez les "
                          "images et documents lourds à côté de index.md, comme supports.", "")
    return data


def real_path(path: Path) -> Path:
    """Where a path leads once every symbolic link is followed, or FileTrouble (a loop, a broken link)."""
    try:
        return path.resolve(strict=True)
    except OSError as error:
        raise trouble_of(error) from None
    except RuntimeError:  # pathlib says « Symlink loop » with a RuntimeError before Python 3.13
        raise trouble_of(OSError(errno.ELOOP, "loop")) from None


def strays(resources: Path) -> list[tuple[str, bool]]:
    """(name, is a folder) of what `resources/` holds besides sheet folders, which every command ignores and says
    (`stray_message`). Hidden files (.gitkeep, .DS_Store) are the system's and stay unsaid."""
    names = []
    try:
        with os.scandir(resources) as entries:
            for entry in entries:  # 100,000 sheet folders: only the few others are kept, then sorted
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if entry.name.startswith(".") == is_dir:
                    names.append((entry.name, is_dir))
    except OSError:
        return []
    return sorted(names)


def stray(resources: Path, name: str) -> tuple[str, bool] | None:
    """`strays` for one name of `resources/` (one that the library's watcher saw move): None when it is a sheet
    folder, a hidden file or nothing."""
    try:
        os.lstat(resources / name)
    except OSError:
        return None
    is_dir = os.path.isdir(resources / name)  # False for a loop of links, as in `strays`
    return (name, is_dir) if name.startswith(".") == is_dir else None


def stray_message(name: str, is_dir: bool) -> str:
    if is_dir:
        return ("ce dossier est ignoré : son nom commence par un point (un dossier caché). Pour corriger : si c'est "
                "une fiche, renommez-le sans le point ; sinon, retirez-le de resources/.")
    return ("ce fichier est ignoré : resources/ ne contient que des dossiers de fiches. Pour corriger : rangez-le "
            "dans le dossier d'une fiche (comme support), ou retirez-le.")
