"""Sheets: read one `resources/<slug>/index.md` into a normalised `Sheet`, and load a whole library.

Reading collects every problem of a file at once (a person fixes them all in one go) and raises
`SheetError` with that list when the sheet cannot be built.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..errors import CONTROL, LibraryError, control_name, excerpt, relative
from .durations import format_duration, parse_duration
from .fields import Collector, normalise_fields
from .files import FileTrouble, read_regular, real_path
from .frontmatter import split_front_matter
from .supports import scan_supports
from .vocabulary import Vocabulary, fold_key, load_vocabulary

MAX_BYTES = 1_000_000
MAX_SLUG = 100  # characters of a sheet's folder name: file names of the site and the kit stay far below 255
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_FENCE_RE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Step:
    """A timed step of the `## Déroulé` section, from a heading `### Titre (15 min)`."""

    title: str
    minutes: int | None
    line: int


@dataclass(frozen=True)
class Sheet:
    """One workshop sheet with normalised values (slugs, minutes, tuples)."""

    slug: str
    path: Path
    title: str
    summary: str
    objective: str
    public: tuple[str, ...]
    duration: int
    license: str
    authors: tuple[str, ...]
    participants: tuple[int, int] | None = None
    level: str | None = None
    themes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    materials_outside_kit: tuple[str, ...] = ()  # printed items the facilitator brings: no support provides them
    status: str = "publiee"
    created: dt.date | None = None
    updated: dt.date | None = None
    based_on: str | None = None  # the sheet this one adapts: a web address, or the slug of a sheet of the library
    body: str = ""
    steps: tuple[Step, ...] = ()
    supports: tuple[str, ...] = ()
    body_line: int = field(default=1, compare=False)
    key_lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    headings: tuple[tuple[int, str, int], ...] = field(default=(), compare=False, repr=False)
    findings: tuple[str, ...] = field(default=(), compare=False, repr=False)  # warnings met while reading the folder

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def is_published(self) -> bool:
        return self.status == "publiee"


def find_sheet_files(resources: Path) -> list[Path]:
    """Every `resources/<slug>/index.md`, sorted by slug."""
    if not resources.is_dir():
        return []
    return sorted(p / "index.md" for p in resources.iterdir() if p.is_dir() and not p.name.startswith("."))


def read_sheet(path: Path, root: Path, vocabulary: Vocabulary | None = None) -> Sheet:
    """Parse and normalise one sheet; raise SheetError listing every problem found."""
    vocabulary = vocabulary or load_vocabulary()
    out = Collector(relative(path, root))
    slug = path.parent.name
    _check_slug(slug, out)
    try:
        resources = real_path(root / "resources")
    except FileTrouble:
        resources = (root / "resources").absolute()
    text = _read_text(path, resources, out)
    if text is None:
        raise out.fail()
    document = split_front_matter(text, out)
    if document is None:
        raise out.fail()
    values = normalise_fields(document.meta, document.key_lines, vocabulary, out)
    _check_body_controls(document.body, document.body_line, out)
    headings = tuple(_headings(document.body, document.body_line))
    steps = tuple(_steps(headings))
    supports = scan_supports(path.parent, resources)
    for message in supports.errors:
        out.error(0, message)
    if any(p.is_error for p in out.problems):
        raise out.fail()
    return Sheet(
        slug=slug,
        path=path,
        body=document.body,
        steps=steps,
        supports=supports.files,
        body_line=document.body_line,
        key_lines=document.key_lines,
        headings=headings,
        findings=supports.warnings,
        **values,
    )


def _check_slug(slug: str, out: Collector) -> None:
    if len(slug) > MAX_SLUG:
        out.error(0, f"le nom du dossier fait {len(slug)} caractères, plus que la limite de {MAX_SLUG} (les fichiers "
                     "du site et du kit en tirent leur nom). Pour corriger : raccourcissez-le, par exemple en "
                     f"« {_shortened(fold_key(slug)) or 'ma-fiche'} ».")
    elif not SLUG_RE.fullmatch(slug):
        suggestion = fold_key(slug)[:MAX_SLUG].strip("-") or "ma-fiche"
        out.error(0, f"le nom du dossier « {excerpt(slug)} » n'est pas un identifiant valide (minuscules sans "
                     f"accents, chiffres et tirets). Pour corriger : renommez le dossier en « {suggestion} ».")


def _shortened(slug: str, length: int = 50) -> str:
    """A slug cut to about `length` characters, at a hyphen when there is one."""
    short = slug[:length]
    cut = short.rfind("-")
    return (short[:cut] if len(slug) > length and cut > length // 3 else short).strip("-")


def _read_text(path: Path, resources: Path, out: Collector) -> str | None:
    """The text of index.md with `\n` newlines and no BOM, or None after saying why it cannot be read."""
    try:
        if not path.exists() and not path.is_symlink():
            out.error(0, "le fichier index.md est introuvable. Pour corriger : chaque dossier de resources/ "
                         "doit contenir un index.md (outillerie new \"Titre\" en crée un).")
            return None
        if not _inside_own_folder(path, resources, out):
            return None
        data = read_regular(path, MAX_BYTES)
    except FileTrouble as trouble:
        out.error(0, str(trouble))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        out.error(line, "le fichier n'est pas en UTF-8. Pour corriger : enregistrez-le en UTF-8 "
                        "(dans votre éditeur : « Enregistrer sous », encodage UTF-8).")
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        out.error(1, "le fichier est vide. Pour corriger : partez du modèle créé par outillerie new \"Titre\".")
        return None
    return text


def _inside_own_folder(path: Path, resources: Path, out: Collector) -> bool:
    """index.md (and its folder) must lead into the sheet's own folder: a link to another sheet is a copy."""
    real = real_path(path)
    if not real.is_relative_to(resources):
        out.error(0, f"ce fichier est un lien symbolique vers « {real} », hors de la bibliothèque. "
                     "Pour corriger : copiez le fichier dans le dossier de la fiche au lieu d'un lien.")
        return False
    folder = path.parent
    if os.path.islink(folder) or not real.is_relative_to(real_path(folder)):
        other = real.parent.name if real.parent.parent == resources else relative(real, resources.parent)
        out.error(0, f"{'ce dossier' if os.path.islink(folder) else 'ce fichier'} est un lien symbolique vers la fiche "
                     f"« {excerpt(other)} » : ce serait la même fiche deux fois. Pour corriger : supprimez le lien, ou "
                     "copiez la fiche et donnez-lui un autre titre.")
        return False
    return True


def _check_body_controls(body: str, first_line: int, out: Collector) -> None:
    """A control character in the body is invisible on the page and dangerous in a terminal: said at its line."""
    found = CONTROL.search(body)
    if found is None:
        return
    count = len(CONTROL.findall(body))
    more = f" ({count} dans le contenu)" if count > 1 else ""
    out.error(first_line + body.count("\n", 0, found.start()),
              f"le contenu contient le caractère de contrôle {control_name(found.group())}{more}, invisible et "
              "dangereux dans un terminal ou une page. Pour corriger : retirez-le (il vient souvent d'un copier-coller).")


def heading_of(line: str) -> tuple[int, str] | None:
    """(level, text) of an ATX heading line (`## Déroulé ##`), in linear time; None for any other line."""
    hashes = len(line) - len(line.lstrip("#"))
    rest = line[hashes:]
    if not 1 <= hashes <= 6 or not rest or not rest[0].isspace():
        return None
    text = rest.strip()
    closed = text.rstrip("#")
    if closed != text and (not closed or closed[-1].isspace()):  # a closing sequence follows a space
        text = closed.rstrip()
    return hashes, text


def _headings(body: str, first_line: int) -> Iterable[tuple[int, str, int]]:
    """(level, text, line) of every ATX heading outside code fences."""
    fenced = False
    for offset, raw in enumerate(body.split("\n")):
        if _FENCE_RE.match(raw):
            fenced = not fenced
            continue
        if fenced:
            continue
        heading = heading_of(raw)
        if heading:
            yield heading[0], heading[1], first_line + offset


def step_parts(title: str) -> tuple[str, str | None]:
    """A step's name and the text of its final parentheses: "Accueil (15 min)" -> ("Accueil", "15 min")."""
    text = title.rstrip()
    opening = text.rfind("(")
    if text.endswith(")") and opening > 0:
        inside = text[opening + 1: -1]
        name = text[:opening].rstrip()
        if name and "(" not in inside and ")" not in inside:
            return name, inside
    return text, None


def _steps(headings: Iterable[tuple[int, str, int]]) -> Iterable[Step]:
    """The `###` headings of the `## Déroulé` section, with their minutes."""
    inside = False
    for level, title, line in headings:
        if level <= 2:
            inside = level == 2 and title.strip().lower() in ("déroulé", "deroule")
            continue
        if not inside or level != 3:
            continue
        name, time = step_parts(title)
        minutes = None
        if time:
            try:
                minutes = parse_duration(time)
            except ValueError:
                name = title
        yield Step(title=name.strip(), minutes=minutes, line=line)


def sheet_source(sheet: Sheet) -> str:
    """The Markdown file of a sheet as its authors wrote it (read like the sheet itself: never blocks)."""
    try:
        return read_regular(sheet.path, MAX_BYTES).decode("utf-8", errors="replace")
    except FileTrouble as trouble:
        raise LibraryError(f"{sheet.path} : {trouble}") from None


def sheet_as_dict(sheet: Sheet, vocabulary: Vocabulary | None = None) -> dict[str, Any]:
    """Every field of a sheet as plain JSON values, with the French labels beside the slugs."""
    vocabulary = vocabulary or load_vocabulary()
    return {
        "slug": sheet.slug,
        "title": sheet.title,
        "summary": sheet.summary,
        "objective": sheet.objective,
        "objective_label": vocabulary.label("objectives", sheet.objective),
        "public": list(sheet.public),
        "public_labels": [vocabulary.label("audiences", s) for s in sheet.public],
        "duration": sheet.duration,
        "participants": {"min": sheet.participants[0], "max": sheet.participants[1]} if sheet.participants else None,
        "level": sheet.level,
        "level_label": vocabulary.label("levels", sheet.level) if sheet.level else None,
        "themes": list(sheet.themes),
        "theme_labels": [vocabulary.label("themes", s) for s in sheet.themes],
        "tags": list(sheet.tags),
        "materials": list(sheet.materials),
        "license": sheet.license,
        "license_url": vocabulary.licenses[sheet.license].url if sheet.license in vocabulary.licenses else None,
        "authors": list(sheet.authors),
        "status": sheet.status,
        "created": sheet.created.isoformat() if sheet.created else None,
        "updated": sheet.updated.isoformat() if sheet.updated else None,
        "based_on": sheet.based_on,
        "steps": [{"title": s.title, "minutes": s.minutes} for s in sheet.steps],
        "supports": list(sheet.supports),
    }


def find_sheet(root: Path, slug: str) -> Sheet:
    """The sheet named `slug`, or a message naming the closest slugs."""
    folder = root / "resources" / slug
    if len(slug) > MAX_SLUG or not SLUG_RE.fullmatch(slug) or not folder.is_dir():
        slugs = [path.parent.name for path in find_sheet_files(root / "resources")]
        close = difflib.get_close_matches(slug, slugs, n=3, cutoff=0.5)
        hint = f" Vouliez-vous dire {' ou '.join(f'« {s} »' for s in close)} ?" if close else ""
        shown = excerpt(slug, MAX_SLUG + 1)
        raise LibraryError(f"aucune fiche « {shown} » dans {root / 'resources'}.{hint} Pour corriger : "
                           "lancez outillerie search sans mot pour lister les fiches.")
    return read_sheet(folder / "index.md", root)


def key_facts(sheet: Sheet, vocabulary: Vocabulary) -> list[tuple[str, str | list[str]]]:
    """The key facts of a sheet, in the order a mediator checks them."""
    rows: list[tuple[str, str | list[str]]] = [
        ("Objectif", vocabulary.label("objectives", sheet.objective)),
        ("Public", [vocabulary.label("audiences", s) for s in sheet.public]),
        ("Durée", format_duration(sheet.duration)),
    ]
    if sheet.participants:
        low, high = sheet.participants
        rows.append(("Participants", f"de {low} à {high}" if low != high else str(low)))
    if sheet.level:
        rows.append(("Niveau", vocabulary.label("levels", sheet.level)))
    if sheet.themes:
        rows.append(("Thèmes", [vocabulary.label("themes", s) for s in sheet.themes]))
    if sheet.materials:
        rows.append(("Matériel", list(sheet.materials)))
    if sheet.tags:
        rows.append(("Mots-clés", list(sheet.tags)))
    return rows


def read_front_matter(text: str, out: Collector,
                      max_depth: int | None = None) -> tuple[dict[str, Any], dict[str, int], str, int] | None:
    """The front matter of any Markdown file of the library (a sheet, a support, a programme), read with the same
    safe YAML loader and the same messages: values, the line of each key, the body and its first line (None:
    reported). `max_depth`: how deeply lists and keys may nest (a sheet's bound by default)."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    document = split_front_matter(normalised, out) if max_depth is None else split_front_matter(normalised, out, max_depth)
    return None if document is None else (document.meta, document.key_lines, document.body, document.body_line)
