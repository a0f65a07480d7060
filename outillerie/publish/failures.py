"""What the export says when one sheet cannot be published, and the text it never writes raw into XML."""

from __future__ import annotations

import errno
import re
from pathlib import Path

from ..errors import OutillerieError, Problem, reason_fr, relative
from ..sheets.sheet import MAX_SLUG, Sheet

# Errors about the whole output, not one sheet: every other sheet would fail too, so the export stops and the
# previous site stays in place rather than being replaced by an empty one.
WHOLE_SITE_ERRORS = frozenset({"ENOSPC", "EDQUOT", "EROFS", "EIO", "EMFILE", "ENFILE", "ENOMEM"})
# XML 1.0 allows tab, line feed, carriage return and the characters from the space on, surrogates and
# U+FFFE/U+FFFF aside: anything else makes the whole file unreadable for a feed reader or a search engine.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """The text with every character XML 1.0 forbids removed (control characters, U+FFFE, U+FFFF)."""
    return _NOT_XML.sub("", text)


def unpublishable(sheet: Sheet, error: Exception, root: Path, work: Path) -> Problem:
    """Why `sheet` is left out of the site: the file that could not be read or written, and what to do."""
    shown = sheet.slug if len(sheet.slug) <= 60 else sheet.slug[:59] + "…"
    left = f"la fiche « {shown} » n'est pas publiée, les autres le sont"
    if isinstance(error, OSError) and error.filename:
        where = Path(str(error.filename))
        if where.is_relative_to(sheet.folder):
            fix = ("rendez-le lisible (par exemple chmod a+r)" if error.errno in (errno.EACCES, errno.EPERM)
                   else "remplacez-le par un fichier ordinaire lisible")
            return Problem(relative(where, root), 0, "erreur", f"ce fichier ne peut pas être lu ({reason_fr(error)}) : "
                           f"{left}. Pour corriger : {fix}, ou retirez-le du dossier de la fiche.")
        shown = _short(relative(where, work))
        fix = (f"raccourcissez le nom du dossier de la fiche ({MAX_SLUG} caractères au plus) ou de ses supports"
               if error.errno == errno.ENAMETOOLONG else "vérifiez la place et les droits du dossier de sortie")
        return Problem(relative(sheet.path, root), 0, "erreur", f"« {shown} » ne peut pas être écrit dans le site "
                       f"({reason_fr(error)}) : {left}. Pour corriger : {fix}, puis relancez l'export.")
    if isinstance(error, OSError):
        why = reason_fr(error)
    elif isinstance(error, OutillerieError):
        why = str(error).splitlines()[0][:300]
    else:
        why = f"erreur interne {type(error).__name__}"
    return Problem(relative(sheet.path, root), 0, "erreur", f"elle ne peut pas être publiée ({why}) : {left}. "
                   "Pour corriger : relancez l'export ; si cela se reproduit, signalez-le avec ce message.")


def _short(path: str, limit: int = 80) -> str:
    """A path to show in a message, shortened in its middle when a name is absurdly long."""
    return path if len(path) <= limit else f"{path[: limit // 2]}…{path[-limit // 2:]}"
