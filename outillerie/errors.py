"""Expected failures and check findings: the only errors a person ever reads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One finding of `check`: where it is, how serious, what to do."""

    path: str
    line: int
    severity: str  # "erreur" or "avertissement"
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "erreur"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity} : {self.message}"


class OutillerieError(Exception):
    """An expected failure; its message is French, names the place and says how to fix it."""


class SheetError(OutillerieError):
    """A sheet that cannot be read or is invalid; carries every problem found in it."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


class LibraryError(OutillerieError):
    """A library (the folder holding `resources/`) that cannot be found or used."""


class QueryError(OutillerieError):
    """A search query that cannot be run."""


class SearchIndexError(OutillerieError):
    """An index that cannot be opened, written or locked."""


class ExportError(OutillerieError):
    """A site that cannot be exported."""


class CounterError(OutillerieError):
    """A counter database or server that cannot be used."""


class ClientError(OutillerieError):
    """A running server that cannot be reached, or an answer that cannot be used."""


def relative(path: Path, root: Path) -> str:
    """A path as the person sees it: relative to the library when possible, with slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


_REASONS = {  # errno name -> what a person reads (names, not numbers: they differ between systems)
    "ENOSPC": "plus de place sur le disque",
    "EDQUOT": "quota de disque dépassé",
    "EACCES": "permission refusée",
    "EPERM": "opération non permise",
    "ENOENT": "fichier introuvable",
    "ENAMETOOLONG": "nom de fichier trop long",
    "EROFS": "système de fichiers en lecture seule",
    "ELOOP": "trop de liens symboliques",
    "ENOTDIR": "un élément du chemin n'est pas un dossier",
    "EISDIR": "c'est un dossier",
    "EEXIST": "le fichier existe déjà",
    "ENOTEMPTY": "le dossier n'est pas vide",
    "EBUSY": "ressource occupée",
    "EXDEV": "impossible entre deux systèmes de fichiers",
    "EMFILE": "trop de fichiers ouverts",
    "ENFILE": "trop de fichiers ouverts sur le système",
    "EIO": "erreur d'entrée-sortie du disque",
    "EFBIG": "fichier trop gros",
    "ENOMEM": "mémoire insuffisante",
    "ETXTBSY": "fichier en cours d'utilisation",
    "EADDRINUSE": "adresse déjà utilisée par un autre programme",
    "EADDRNOTAVAIL": "adresse absente de cette machine",
    "ECONNREFUSED": "connexion refusée",
    "ECONNRESET": "connexion interrompue",
    "ETIMEDOUT": "délai dépassé",
    "EAGAIN": "ressource momentanément indisponible",
    "EINVAL": "valeur refusée par le système",
}


def reason_fr(error: OSError) -> str:
    """The system's reason for an OSError, in French: « plus de place sur le disque », « permission refusée »…"""
    import errno

    name = errno.errorcode.get(error.errno or 0, "")
    if name in _REASONS:
        return _REASONS[name]
    return f"erreur du système {name}" if name else "erreur du système"
