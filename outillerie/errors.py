"""Expected failures and check findings: the only errors a person ever reads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Characters that must never reach a terminal raw nor hide in a sheet's text: C0 controls but tab and newline,
# DEL and C1, the bidirectional overrides and isolates (« trojan source »), the line and paragraph separators
# (YAML counts them as line breaks), lone surrogates and the two non-characters.
# Compiled on first use (`__getattr__` below): a class reaching above U+00FF costs ~0.7 ms to compile, and a text
# that is all printable (`str.isprintable`, false for every one of these) never needs it.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff"
_PATTERNS = {"CONTROL": f"[{_CONTROLS}]", "_ANY_CONTROL": f"[\t\n{_CONTROLS}]"}  # the second: tab and newline too
CONTROL: re.Pattern[str]
_C0_NAMES = ("NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB "
             "ESC FS GS RS US").split()
EXCERPT = 60


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
        return visible(f"{where}: {self.severity} : {self.message}", keep="")  # one finding, one line


class OutillerieError(Exception):
    """An expected failure; its message is French, names the place and says how to fix it."""


class SheetError(OutillerieError):
    """A sheet that cannot be read or is invalid; carries every problem found in it."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


class ConfigError(SheetError):
    """A library configuration (`outillerie.yml`) with errors; carries them, each at its line."""


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


def failure_message(error: OutillerieError | OSError) -> str:
    """What a person reads for an expected failure or a system's refusal (the CLI: « Erreur : … », exit code 1)."""
    if isinstance(error, OutillerieError):
        return visible(str(error))
    where = f" sur « {error.filename} »" if error.filename else ""  # a disk, a permission, a path
    return (f"opération impossible{where} : {reason_fr(error)}. Pour corriger : "
            "vérifiez que le chemin existe, qu'il reste de la place et que vous avez les droits.")


def visible(text: str, keep: str = "\n\t") -> str:
    """`text` safe for a terminal: every control character (but those in `keep`) written as an escape, « \\x1b »."""
    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in keep:
            return char
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte the disk gave that is not UTF-8 (surrogateescape): show that byte
            code -= 0xDC00
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    if text.isprintable():
        return text
    return _compiled("CONTROL" if "\n" in keep and "\t" in keep else "_ANY_CONTROL").sub(escape, text)


def visible_json(text: str) -> str:
    """JSON text safe for a terminal: the control characters that `json.dumps` leaves raw, as \\u escapes."""
    if text.isprintable():
        return text
    return _compiled("CONTROL").sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _compiled(name: str) -> re.Pattern[str]:
    pattern = globals().get(name)
    if pattern is None:
        pattern = globals()[name] = re.compile(_PATTERNS[name])
    return pattern


def __getattr__(name: str) -> re.Pattern[str]:
    """`CONTROL` (and `_ANY_CONTROL`), compiled when first asked for."""
    if name in _PATTERNS:
        return _compiled(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def control_name(char: str) -> str:
    """« U+001B (ESC) »: a control character as a person can look it up."""
    code = ord(char)
    if code < 0x20:
        name = _C0_NAMES[code]
    elif code == 0x7F:
        name = "DEL"
    elif code < 0xA0:
        name = "NEL" if code == 0x85 else "contrôle C1"
    elif 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        name = "sens de l'écriture"
    elif code in (0x2028, 0x2029):
        name = "séparateur de ligne" if code == 0x2028 else "séparateur de paragraphe"
    else:
        name = "caractère invalide"
    return f"U+{code:04X} ({name})"


def excerpt(value: Any, limit: int = EXCERPT) -> str:
    """A value as a message may quote it: on one line, controls escaped, cut to about `limit` characters with « … ».

    Never renders more than it shows, so a huge or deeply shared value costs nothing."""
    pieces: list[str] = []
    _render(value, pieces, limit + 1)
    text = "".join(pieces)
    text = visible(text, keep="")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _render(value: Any, pieces: list[str], budget: int, depth: int = 0) -> int:
    """Append the text of `value` to `pieces` until `budget` characters are written; return what is left."""
    if budget <= 0:
        return 0
    if isinstance(value, str):
        text = value[:budget]
    elif isinstance(value, (list, tuple, dict)) and depth < 20:
        items = value.items() if isinstance(value, dict) else value
        opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
        pieces.append(opening)
        budget -= 1
        for number, item in enumerate(items):
            if budget <= 0:
                return 0
            if number:
                pieces.append(", ")
                budget -= 2
            if isinstance(value, dict):
                budget = _render(item[0], pieces, budget, depth + 1)
                pieces.append(": ")
                budget = _render(item[1], pieces, budget - 2, depth + 1)
            else:
                budget = _render(item, pieces, budget, depth + 1)
        text = closing
    elif isinstance(value, int) and value.bit_length() > 256:  # str() of a huge int is slow, or refused
        text = "un nombre de plus de 77 chiffres"
    else:
        text = str(value)[:budget] if not isinstance(value, (list, tuple, dict)) else "…"
    pieces.append(text)
    return budget - len(text)
