"""Programmes: read one `programmes/<slug>/index.md` (front matter + facilitators' notes) into a `Programme`.

A programme chains sheets, breaks, meals and free slots in timed sessions. Reading checks the file itself (keys,
times, dates, items) and collects every problem at once, like `read_sheet`; what depends on the sheets (unknown or
draft sheets, licences, participants, midnight) is `programme_rules`' business, answered with the snapshot.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..errors import LibraryError, Problem, relative, reason_fr
from .fields import WARNING, Collector, _FieldReader, _license, _participants
from .programme_items import Item, ItemReader, Session, locate_lines
from .sheet import MAX_BYTES, MAX_SLUG, SLUG_RE, read_front_matter
from .vocabulary import Vocabulary, fold_key, load_vocabulary

FOLDER = "programmes"
REQUIRED = ("title", "summary", "objective", "public", "license", "authors", "sessions")
OPTIONAL = ("participants", "created", "updated")
KNOWN_KEYS = REQUIRED + OPTIONAL
FRENCH_KEYS = {"titre": "title", "resume": "summary", "objectif": "objective", "objectifs": "objective",
               "licence": "license", "auteurs": "authors", "auteur": "authors", "seances": "sessions",
               "seance": "sessions", "publics": "public"}
EXAMPLES = {
    "title": 'title: "Sensibiliser les élu·e·s en trois soirées"',
    "summary": 'summary: "Une ou deux phrases : ce que le programme permet, pour qui."',
    "objective": "objective: sensibiliser (ou une liste : [sensibiliser, reseau])",
    "public": "public: [elus, agents-collectivites]",
    "license": "license: CC-BY-SA-4.0",
    "authors": 'authors: ["Nom ou structure"]',
    "sessions": 'sessions: puis, en retrait, - start: "9:30" et items: [une-fiche]',
}


@dataclass(frozen=True)
class Programme:
    """A programme with normalised values (slugs, minutes, tuples) and the facilitators' notes."""

    slug: str
    path: Path
    title: str
    summary: str
    objectives: tuple[str, ...]
    public: tuple[str, ...]
    license: str
    authors: tuple[str, ...]
    sessions: tuple[Session, ...]
    participants: tuple[int, int] | None = None
    created: dt.date | None = None
    updated: dt.date | None = None
    body: str = ""
    body_line: int = field(default=1, compare=False)
    key_lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def sheet_slugs(self) -> tuple[str, ...]:
        """Every sheet the programme uses, once, in order of first use."""
        return tuple(dict.fromkeys(item.sheet for session in self.sessions for item in session.items
                                   if item.kind == "sheet" and item.sheet))


def programme_path(root: Path, slug: str) -> Path:
    return root / FOLDER / slug / "index.md"


def read_programme(path: Path, root: Path, vocabulary: Vocabulary | None = None) -> tuple[Programme, list[Problem]]:
    """Parse and normalise one programme: the programme and its warnings, or SheetError listing every problem."""
    vocabulary = vocabulary or load_vocabulary()
    out = Collector(relative(path, root))
    slug = path.parent.name
    if not SLUG_RE.fullmatch(slug):
        out.error(0, f"le nom du dossier « {slug} » n'est pas un identifiant valide (minuscules sans accents, "
                     f"chiffres et tirets). Pour corriger : renommez le dossier en « {fold_key(slug) or 'mon-programme'} ».")
    text = _read_text(path, root, out)
    document = read_front_matter(text, out, max_depth=6) if text is not None else None  # sessions, items, steps
    if document is None:
        raise out.fail()
    meta, key_lines, body, body_line = document
    warnings = _unknown_keys(key_lines, out.shown)
    values = _fields(meta, key_lines, vocabulary, out)
    lines = locate_lines(text or "", key_lines.get("sessions", 1))
    sessions = ItemReader(out, key_lines.get("sessions", 1), lines).sessions(meta.get("sessions"))
    if any(p.is_error for p in out.problems):
        raise out.fail()
    return Programme(slug=slug, path=path, sessions=sessions, body=body, body_line=body_line, key_lines=key_lines,
                     **values), warnings


def _read_text(path: Path, root: Path, out: Collector) -> str | None:
    folder = (root / FOLDER).resolve()
    try:
        if not path.resolve().is_relative_to(folder):
            out.error(0, "ce fichier est un lien symbolique qui sort de la bibliothèque. Pour corriger : copiez le "
                         "fichier dans le dossier du programme au lieu d'un lien.")
            return None
        if path.stat().st_size > MAX_BYTES:
            out.error(0, "le fichier pèse plus que la limite de 1 Mo. Pour corriger : gardez dans index.md le "
                         "programme et les notes d'animation, sans image.")
            return None
        data = path.read_bytes()
    except FileNotFoundError:
        out.error(0, "le fichier index.md est introuvable. Pour corriger : chaque dossier de programmes/ doit "
                     "contenir un index.md (outillerie programme new \"Titre\" --sheet … en crée un).")
        return None
    except OSError as error:
        out.error(0, f"le fichier ne peut pas être lu ({reason_fr(error)}). Pour corriger : vérifiez ses droits de lecture.")
        return None
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        out.error(data[: error.start].count(b"\n") + 1, "le fichier n'est pas en UTF-8. Pour corriger : enregistrez-le "
                                                         "en UTF-8 (dans votre éditeur : « Enregistrer sous », encodage UTF-8).")
        return None
    if not text.strip():
        out.error(1, "le fichier est vide. Pour corriger : partez de outillerie programme new \"Titre\" --sheet une-fiche.")
        return None
    return text


def _unknown_keys(key_lines: Mapping[str, int], shown: str) -> list[Problem]:
    found = []
    for key, line in key_lines.items():
        if key in KNOWN_KEYS:
            continue
        guess = FRENCH_KEYS.get(fold_key(key)) or next(iter(difflib.get_close_matches(key, KNOWN_KEYS, n=1)), None)
        hint = f" ; vouliez-vous dire « {guess} » ?" if guess else ""
        found.append(Problem(shown, line, WARNING, f"la clé « {key} » est inconnue et sera ignorée{hint} Pour corriger : "
                                                   f"renommez-la ou supprimez-la (clés connues : {', '.join(KNOWN_KEYS)})."))
    return found


def _fields(meta: dict[str, Any], lines: Mapping[str, int], vocabulary: Vocabulary, out: Collector) -> dict[str, Any]:
    for key in REQUIRED:
        if key not in meta and key in lines:
            continue  # already reported as a YAML surprise
        if meta.get(key) in (None, "", []):
            out.error(lines.get(key, 1), f"la clé obligatoire « {key} » manque ou est vide. Pour corriger : ajoutez "
                                         f"dans l'en-tête {EXAMPLES[key]}.")
    read = _FieldReader(meta, lines, vocabulary, out)
    values: dict[str, Any] = {
        "title": read.text("title") or "",
        "summary": read.text("summary") or "",
        "objectives": read.vocab_list("objectives", "objective"),
        "public": read.vocab_list("audiences", "public"),
        "authors": read.text_list("authors"),
        "license": _license(meta.get("license"), read.line("license"), vocabulary, out) or "",
        "participants": _participants(meta.get("participants"), read.line("participants"), out),
    }
    for key in ("created", "updated"):
        values[key] = _date(meta.get(key), key, read.line(key), out)
    return values


def _date(value: Any, key: str, line: int, out: Collector) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        out.error(line, f"« {key} » : « {value} » n'est pas une date. Pour corriger : écrivez {key}: 2027-03-04 "
                        "(année-mois-jour).")
        return None


def find_programme(root: Path, slug: str) -> Programme:
    """The programme named `slug` (read again, notes included), or a message naming the closest slugs."""
    folder = root / FOLDER / slug
    if len(slug) > MAX_SLUG or not SLUG_RE.fullmatch(slug) or not (folder / "index.md").is_file():
        known = sorted(p.name for p in (root / FOLDER).iterdir() if p.is_dir()) if (root / FOLDER).is_dir() else []
        close = difflib.get_close_matches(slug, known, n=3, cutoff=0.5)
        hint = f" Vouliez-vous dire {' ou '.join(f'« {s} »' for s in close)} ?" if close else ""
        listed = f" Programmes de la bibliothèque : {', '.join(known)}." if known and not close else ""
        raise LibraryError(f"aucun programme « {slug[:MAX_SLUG]} » dans {root / FOLDER}.{hint}{listed} Pour corriger : "
                           "donnez le nom d'un dossier de programmes/, ou créez-en un avec outillerie programme new.")
    return read_programme(folder / "index.md", root)[0]


# --- Records: a programme as plain JSON, what the snapshot remembers ---------------------------------------------


def programme_to_record(programme: Programme, root: Path) -> dict[str, Any]:
    """A programme's fields as JSON, without its notes."""
    return {
        "slug": programme.slug, "path": programme.path.relative_to(root).as_posix(), "title": programme.title,
        "summary": programme.summary, "objectives": list(programme.objectives), "public": list(programme.public),
        "license": programme.license, "authors": list(programme.authors),
        "participants": list(programme.participants) if programme.participants else None,
        "created": programme.created.isoformat() if programme.created else None,
        "updated": programme.updated.isoformat() if programme.updated else None,
        "body_line": programme.body_line, "key_lines": dict(programme.key_lines),
        "sessions": [[s.start, s.line, s.date.isoformat() if s.date else None, s.start_line,
                      [[i.kind, i.line, i.sheet, i.title, i.minutes, list(i.steps) if i.steps is not None else None]
                       for i in s.items]] for s in programme.sessions],
    }


def programme_from_record(data: Mapping[str, Any], root: Path) -> Programme:
    """The Programme remembered by `programme_to_record` (notes empty)."""
    sessions = tuple(
        Session(start=start, line=line, date=dt.date.fromisoformat(day) if day else None, start_line=start_line,
                items=tuple(Item(kind, item_line, sheet, title, minutes, tuple(steps) if steps is not None else None)
                            for kind, item_line, sheet, title, minutes, steps in items))
        for start, line, day, start_line, items in data["sessions"])
    return Programme(
        slug=data["slug"], path=root / data["path"], title=data["title"], summary=data["summary"],
        objectives=tuple(data["objectives"]), public=tuple(data["public"]), license=data["license"],
        authors=tuple(data["authors"]), sessions=sessions,
        participants=(data["participants"][0], data["participants"][1]) if data["participants"] else None,
        created=dt.date.fromisoformat(data["created"]) if data["created"] else None,
        updated=dt.date.fromisoformat(data["updated"]) if data["updated"] else None,
        body_line=data["body_line"], key_lines=dict(data["key_lines"]))
