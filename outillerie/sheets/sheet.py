"""Sheets: read one `resources/<slug>/index.md` into a normalised `Sheet`, and load a whole library.

Reading collects every problem of a file at once (a person fixes them all in one go) and raises
`SheetError` with that list when the sheet cannot be built.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from ..errors import LibraryError, relative
from .durations import format_duration, parse_duration
from .fields import KNOWN_KEYS, Collector, normalise_fields
from .vocabulary import Vocabulary, fold_key, load_vocabulary

MAX_BYTES = 1_000_000
MAX_SLUG = 100
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_STEP_RE = re.compile(r"^###\s+(?P<title>.+?)\s*(?:\((?P<time>[^()]*)\))?\s*#*\s*$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_BOUNDARY = re.compile(r"^-{3,}\s*$")


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
    body: str = ""
    steps: tuple[Step, ...] = ()
    supports: tuple[str, ...] = ()
    body_line: int = field(default=1, compare=False)
    key_lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    headings: tuple[tuple[int, str, int], ...] = field(default=(), compare=False, repr=False)

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
    shown = relative(path, root)
    out = Collector(shown)
    slug = path.parent.name
    if not SLUG_RE.fullmatch(slug):
        suggestion = fold_key(slug) or "ma-fiche"
        out.error(0, f"le nom du dossier « {slug} » n'est pas un identifiant valide (minuscules sans accents, "
                     f"chiffres et tirets). Pour corriger : renommez le dossier en « {suggestion} ».")
    text = _read_text(path, root, out)
    if text is None:
        raise out.fail()
    document = _split(text, out)
    if document is None:
        raise out.fail()
    meta, key_lines, body, body_line = document
    values = normalise_fields(meta, key_lines, vocabulary, out)
    headings = tuple(_headings(body, body_line))
    steps = tuple(_steps(headings))
    if any(p.is_error for p in out.problems):
        raise out.fail()
    return Sheet(
        slug=slug,
        path=path,
        body=body,
        steps=steps,
        supports=tuple(_supports(path.parent)),
        body_line=body_line,
        key_lines=key_lines,
        headings=headings,
        **values,
    )


def _read_text(path: Path, root: Path, out: Collector) -> str | None:
    resources = (root / "resources").resolve()
    try:
        real = path.resolve()
        if not real.is_relative_to(resources):
            out.error(0, f"ce fichier est un lien symbolique vers « {real} », hors de la bibliothèque. "
                         "Pour corriger : copiez le fichier dans le dossier de la fiche au lieu d'un lien.")
            return None
        size = path.stat().st_size
        if size > MAX_BYTES:
            out.error(0, f"le fichier pèse {size // 1000} ko, plus que la limite de 1 Mo. Pour corriger : "
                         "placez les images et documents lourds à côté de index.md, comme supports.")
            return None
        data = path.read_bytes()
    except FileNotFoundError:
        out.error(0, "le fichier index.md est introuvable. Pour corriger : chaque dossier de resources/ "
                     "doit contenir un index.md (outillerie new \"Titre\" en crée un).")
        return None
    except OSError as error:
        out.error(0, f"le fichier ne peut pas être lu ({error.strerror}). Pour corriger : vérifiez ses droits de lecture.")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        out.error(line, "le fichier n'est pas en UTF-8. Pour corriger : enregistrez-le en UTF-8 "
                        "(dans votre éditeur : « Enregistrer sous », encodage UTF-8).")
        return None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        out.error(1, "le fichier est vide. Pour corriger : partez du modèle créé par outillerie new \"Titre\".")
        return None
    return text


def _split(text: str, out: Collector) -> tuple[dict[str, Any], dict[str, int], str, int] | None:
    """Front matter values, the line of each key, the body and the body's first line."""
    lines = text.split("\n")
    if not _BOUNDARY.match(lines[0]):
        out.error(1, "la fiche n'a pas d'en-tête YAML. Pour corriger : commencez le fichier par une ligne « --- », "
                     "les clés (title, summary, objective…), puis une autre ligne « --- ».")
        return None
    closing = next((i for i in range(1, len(lines)) if _BOUNDARY.match(lines[i])), None)
    if closing is None:
        out.error(1, "l'en-tête YAML n'est pas fermé. Pour corriger : ajoutez une ligne « --- » après la dernière clé.")
        return None
    front = "\n" + "\n".join(lines[1:closing])  # the leading newline keeps YAML's line numbers equal to the file's
    body = "\n".join(lines[closing + 1:])
    closing_line = closing + 1
    loader = yaml.CSafeLoader(front) if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader(front)
    try:
        node = loader.get_single_node()
        meta = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.context_mark or error.problem_mark  # where the broken list or key began
        line = mark.line + 1 if mark else 1
        out.error(line, f"erreur de syntaxe YAML : {_yaml_problem(error.problem or '')}. Pour corriger : vérifiez "
                        "l'indentation, les deux-points, et mettez entre guillemets un texte qui contient « : » ou « # ».")
        return None
    except (yaml.YAMLError, TypeError, ValueError) as error:
        out.error(1, f"l'en-tête YAML ne peut pas être lu ({error}). Pour corriger : suivez le modèle de outillerie new.")
        return None
    finally:
        loader.dispose()
    if not isinstance(meta, dict) or not isinstance(node, yaml.MappingNode):
        out.error(1, "l'en-tête YAML doit être une liste de clés « clé: valeur ». Pour corriger : suivez le modèle "
                     "de outillerie new.")
        return None
    key_lines: dict[str, int] = {}
    clean: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if key_node.tag != "tag:yaml.org,2002:str":
            out.error(line, f"la clé « {key_node.value} » est lue par YAML comme "
                            f"{'un booléen' if key_node.tag.endswith('bool') else 'autre chose qu’un nom'}. "
                            f"Pour corriger : écrivez une clé connue ({', '.join(KNOWN_KEYS[:4])}…) ou mettez-la entre guillemets.")
            continue
        key = key_node.value
        key_lines[key] = line
        surprise = _yaml_surprise(value_node)
        if surprise:
            out.error(value_node.start_mark.line + 1, f"« {key} » : {surprise}")
            continue
        clean[key] = meta.get(key)
    return clean, key_lines, body, closing_line + 1


_YAML_PROBLEMS = (
    ("did not find expected ',' or ']'", "un crochet « ] » ou une virgule manque dans une liste"),
    ("did not find expected ',' or '}'", "une accolade « } » ou une virgule manque"),
    ("mapping values are not allowed here", "un deux-points inattendu (un texte qui contient « : » doit être entre guillemets)"),
    ("could not find expected ':'", "une clé sans deux-points"),
    ("cannot start any token", "un caractère interdit à cet endroit (une tabulation ? utilisez des espaces)"),
    ("found undefined alias", "un « * » en début de valeur (mettez la valeur entre guillemets)"),
    ("expected <block end>", "une indentation incohérente"),
    ("found unexpected end of stream", "un guillemet ouvert et jamais fermé"),
    ("found duplicate anchor", "une ancre « & » répétée"),
)


def _yaml_problem(problem: str) -> str:
    """PyYAML's English diagnosis, said in French."""
    return next((french for english, french in _YAML_PROBLEMS if english in problem), "la structure n'est pas comprise")


def _yaml_surprise(node: yaml.Node) -> str | None:
    """YAML 1.1 reads `1:30` as 90 and `no` as false: say so rather than accept a silent change."""
    if not isinstance(node, yaml.ScalarNode) or node.style:
        return None
    if node.tag.endswith(":int") or node.tag.endswith(":float"):
        if _SEXAGESIMAL.match(node.value):
            return (f"YAML lit « {node.value} » comme un nombre en base 60, pas comme une durée. "
                    f"Pour corriger : écrivez \"{node.value.replace(':', 'h')}\" entre guillemets, ou des minutes (90).")
    return None


def _headings(body: str, first_line: int) -> Iterable[tuple[int, str, int]]:
    """(level, text, line) of every ATX heading outside code fences."""
    fenced = False
    for offset, raw in enumerate(body.split("\n")):
        if _FENCE_RE.match(raw):
            fenced = not fenced
            continue
        if fenced:
            continue
        match = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", raw)
        if match:
            yield len(match.group(1)), match.group(2), first_line + offset


def _steps(headings: Iterable[tuple[int, str, int]]) -> Iterable[Step]:
    """The `###` headings of the `## Déroulé` section, with their minutes."""
    inside = False
    for level, title, line in headings:
        if level <= 2:
            inside = level == 2 and title.strip().lower() in ("déroulé", "deroule")
            continue
        if not inside or level != 3:
            continue
        match = _STEP_RE.match(f"### {title}")
        name, time = (match.group("title"), match.group("time")) if match else (title, None)
        minutes = None
        if time:
            try:
                minutes = parse_duration(time)
            except ValueError:
                name = title
        yield Step(title=name.strip(), minutes=minutes, line=line)


def _supports(folder: Path) -> Iterable[str]:
    """The other files of the sheet's folder (cards, slides, PDF…), as sorted relative paths."""
    found = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or rel.as_posix() == "index.md":
            continue
        if path.is_file():
            found.append(rel.as_posix())
    return sorted(found)


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
        "steps": [{"title": s.title, "minutes": s.minutes} for s in sheet.steps],
        "supports": list(sheet.supports),
    }


def find_sheet(root: Path, slug: str) -> Sheet:
    """The sheet named `slug`, or a message naming the closest slugs."""
    folder = root / "resources" / slug
    if len(slug) > MAX_SLUG or not SLUG_RE.fullmatch(slug) or not (folder / "index.md").is_file():
        slugs = [path.parent.name for path in find_sheet_files(root / "resources")]
        close = difflib.get_close_matches(slug, slugs, n=3, cutoff=0.5)
        hint = f" Vouliez-vous dire {' ou '.join(f'« {s} »' for s in close)} ?" if close else ""
        shown = slug if len(slug) <= MAX_SLUG else slug[:MAX_SLUG] + "…"
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


def read_front_matter(text: str, out: Collector) -> tuple[dict[str, Any], dict[str, int], str, int] | None:
    """The front matter of any Markdown file of the library (a sheet, a support), read with the same safe YAML
    loader and the same messages: values, the line of each key, the body and its first line (None: reported)."""
    return _split(text, out)
