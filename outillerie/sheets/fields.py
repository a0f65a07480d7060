"""Front-matter fields: each value checked and normalised (slugs, minutes, dates), a problem per bad field."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, Mapping

from ..errors import CONTROL, Problem, SheetError, control_name, excerpt
from .durations import parse_duration
from .vocabulary import Vocabulary

REQUIRED = ("title", "summary", "objective", "public", "duration", "license", "authors")
OPTIONAL = ("participants", "level", "themes", "tags", "materials", "materials_outside_kit", "status", "created",
            "updated", "based_on")
KNOWN_KEYS = REQUIRED + OPTIONAL
ERROR, WARNING = "erreur", "avertissement"
# Bounds at reading time (CONTRIBUTING.md, « Robustesse de la lecture »): what no workshop needs is an error.
MAX_TEXT = {"title": 200, "summary": 1000}  # characters; any other text value: MAX_ITEM
MAX_ITEM = 300  # characters of one item of a list (a material, an author, a tag)
MAX_ITEMS = 100  # items of one list
MAX_PARTICIPANTS = 1000


class Collector:
    """Problems of one file, with its displayed path."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.problems: list[Problem] = []

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.shown, line, ERROR, message))

    def fail(self) -> SheetError:
        return SheetError(list(self.problems))


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"un booléen (YAML lit ce mot comme {'vrai' if value else 'faux'})"
    if isinstance(value, (dt.date, dt.datetime)):
        return "une date"
    if isinstance(value, (int, float)):
        return f"un nombre ({excerpt(value, 30)})"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, dict):
        return "un ensemble de clés"
    if value is None:
        return "une valeur vide"
    return "un texte"


class _FieldReader:
    """Reads the values of one front matter, reporting each bad one at its line."""

    def __init__(self, meta: dict[str, Any], lines: Mapping[str, int], vocabulary: Vocabulary, out: Collector) -> None:
        self.meta, self.lines, self.vocabulary, self.out = meta, lines, vocabulary, out

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    def text(self, key: str) -> str | None:
        value = self.meta.get(key)
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            self.out.error(self.line(key), f"« {key} » doit être un texte, or c'est {_describe(value)}. "
                                           f"Pour corriger : mettez la valeur entre guillemets.")
            return None
        return self.clean(key, value, MAX_TEXT.get(key, MAX_ITEM))

    def clean(self, key: str, value: str, limit: int) -> str | None:
        """A text on one line, in NFC; None after an error for a control character or a text far too long."""
        control = CONTROL.search(value)
        if control:
            self.out.error(self.line(key), f"« {key} » contient le caractère de contrôle {control_name(control.group())}, "
                                           "invisible et dangereux dans un terminal ou une page. Pour corriger : "
                                           "retirez-le (entre guillemets doubles, « \\e » ou « \\x1b » l'écrivent aussi).")
            return None
        text = unicodedata.normalize("NFC", " ".join(value.split()))
        if len(text) > limit:
            self.out.error(self.line(key), f"« {key} » fait {len(text)} caractères (« {excerpt(text)} »), plus que la "
                                           f"limite de {limit}. Pour corriger : raccourcissez-le.")
            return None
        return text

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.meta.get(key)
        if value in (None, "", []):
            return ()
        if isinstance(value, str):
            value = [part for part in value.split(",")]
        if not isinstance(value, list):
            self.out.error(self.line(key), f"« {key} » doit être une liste, or c'est {_describe(value)}. "
                                           f"Pour corriger : écrivez {key}: [premier, second].")
            return ()
        if len(value) > MAX_ITEMS:
            self.out.error(self.line(key), f"« {key} » a {len(value)} éléments, plus que la limite de {MAX_ITEMS}. "
                                           "Pour corriger : gardez les plus utiles.")
            return ()
        items: list[str] = []
        for item in value:
            if not isinstance(item, str):
                self.out.error(self.line(key), f"« {key} » contient {_describe(item)} au lieu d'un texte. "
                                               "Pour corriger : mettez cet élément entre guillemets.")
                continue
            text = self.clean(key, item, MAX_ITEM) if item.strip() else None
            if text:
                items.append(text)
        return tuple(items)

    def vocab(self, kind: str, key: str, raw: str | None) -> str | None:
        if not raw:
            return None
        slug = self.vocabulary.normalise(kind, raw)
        if slug:
            return slug
        guess = self.vocabulary.closest(kind, raw) if len(raw) <= 100 else None
        hint = f" (vouliez-vous dire « {guess} » ?)" if guess else ""
        valid = ", ".join(self.vocabulary.terms(kind))
        self.out.error(self.line(key), f"« {excerpt(raw)} » n'est pas une valeur connue pour « {key} »{hint}. "
                                       f"Pour corriger : choisissez parmi {valid}.")
        return None

    def vocab_list(self, kind: str, key: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for s in (self.vocab(kind, key, v) for v in self.text_list(key)) if s))


def normalise_fields(meta: dict[str, Any], lines: Mapping[str, int], vocabulary: Vocabulary, out: Collector) -> dict[str, Any]:
    """Every field checked and normalised; a problem per bad field."""
    for key in REQUIRED:
        if key not in meta and key in lines:
            continue  # already reported as a YAML surprise
        value = meta.get(key)
        if value in (None, "", []) or (isinstance(value, str) and not value.strip()):
            out.error(lines.get(key, 1), _missing_message(key))
    read = _FieldReader(meta, lines, vocabulary, out)
    values: dict[str, Any] = {
        "title": read.text("title") or "",
        "summary": read.text("summary") or "",
        "objective": read.vocab("objectives", "objective", read.text("objective")) or "",
        "public": read.vocab_list("audiences", "public"),
        "themes": read.vocab_list("themes", "themes"),
        "tags": tuple(dict.fromkeys(t.lower() for t in read.text_list("tags"))),
        "materials": read.text_list("materials"),
        "materials_outside_kit": read.text_list("materials_outside_kit"),
        "authors": read.text_list("authors"),
        "level": read.vocab("levels", "level", read.text("level")),
        "status": read.vocab("statuses", "status", read.text("status")) or "publiee",
        "license": _license(meta.get("license"), read.line("license"), vocabulary, out) or "",
        "duration": 0,
    }
    if meta.get("duration") not in (None, ""):
        try:
            values["duration"] = parse_duration(meta["duration"])
        except ValueError as error:
            out.error(read.line("duration"), f"« duration » : {error}. Pour corriger : écrivez des minutes (90) "
                                             "ou \"1h30\", \"45 min\", \"2 h\", \"1 journée\".")
    values["participants"] = _participants(meta.get("participants"), read.line("participants"), out)
    values["based_on"] = _based_on(read.text("based_on"), read.line("based_on"), out)
    for key in ("created", "updated"):
        values[key] = _date(key, meta.get(key), read.line(key), out)
    return values


def _missing_message(key: str) -> str:
    examples = {
        "title": 'title: "Cartographier les acteurs de son territoire"',
        "summary": 'summary: "Une ou deux phrases : ce que l’atelier permet, pour qui."',
        "objective": "objective: sensibiliser (ou reseau, projets-collectifs)",
        "public": "public: [mediateurs-numeriques, travailleurs-sociaux]",
        "duration": "duration: 90",
        "license": "license: CC-BY-SA-4.0",
        "authors": 'authors: ["Nom ou structure"]',
    }
    return f"la clé obligatoire « {key} » manque ou est vide. Pour corriger : ajoutez dans l'en-tête {examples[key]}."


def _license(value: Any, line: int, vocabulary: Vocabulary, out: Collector) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 100 or CONTROL.search(value):
        what = _describe(value) if not isinstance(value, str) else f"« {excerpt(value)} »"
        out.error(line, f"« license » doit être un identifiant SPDX, or c'est {what}. "
                        "Pour corriger : écrivez par exemple license: CC-BY-SA-4.0.")
        return None
    slug = vocabulary.normalise("licenses", value.strip())
    if slug:
        return slug
    if re.search(r"(^|[-\s])(nc|nd)([-\s]|$)", value.strip().lower()):
        out.error(line, f"la licence « {excerpt(value)} » n'est pas libre (NC interdit l'usage commercial, ND la modification) : "
                        "un commun doit pouvoir être adapté et partagé. Pour corriger : choisissez CC-BY-SA-4.0 ou CC-BY-4.0.")
        return None
    guess = vocabulary.closest("licenses", value)
    hint = f" (vouliez-vous dire « {guess} » ?)" if guess else ""
    out.error(line, f"la licence « {excerpt(value)} » est inconnue{hint}. Pour corriger : choisissez parmi "
                    f"{', '.join(vocabulary.licenses)}.")
    return None


def _participants(value: Any, line: int, out: Collector) -> tuple[int, int] | None:
    if value in (None, ""):
        return None
    low = high = None
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        low = high = value
    elif isinstance(value, str) and len(value) <= 40:
        match = re.fullmatch(r"\s*(\d{1,9})\s*(?:-|à|a|–)\s*(\d{1,9})\s*", value)
        if match:
            low, high = int(match.group(1)), int(match.group(2))
        elif value.strip().isdecimal() and len(value.strip()) <= 9:
            low = high = int(value)
    elif isinstance(value, dict) and isinstance(value.get("min"), int) and isinstance(value.get("max"), int):
        low, high = value["min"], value["max"]
    if low is None or high is None or not 0 < low <= high:
        out.error(line, f"« participants » : « {excerpt(value)} » n'est pas compris. Pour corriger : écrivez "
                        "participants: \"6-20\" (minimum-maximum).")
        return None
    if high > MAX_PARTICIPANTS:
        out.error(line, f"« participants » : {excerpt(high, 30)} personnes, plus que la limite de {MAX_PARTICIPANTS} "
                        "pour un atelier. Pour corriger : écrivez le nombre de personnes d'un groupe, "
                        "participants: \"6-20\".")
        return None
    return (low, high)


def _based_on(value: str | None, line: int, out: Collector) -> str | None:
    """The sheet this one adapts: the web address of the original, or the folder name of a sheet of the library."""
    if value is None:
        return None
    address = re.fullmatch(r"https?://[^\s/?#.]+(?:\.[^\s/?#.]+)+(?:[/?#]\S*)?", value)  # linear: dots split the host
    if address or re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value):
        return value
    out.error(line, f"« based_on » : « {excerpt(value)} » n'est ni une adresse web ni le nom d'une fiche de la "
                    "bibliothèque. Pour corriger : écrivez l'adresse de la fiche d'origine (https://…) ou le nom de son "
                    "dossier dans resources/ (based_on: reperer-les-arnaques-en-ligne).")
    return None


def _date(key: str, value: Any, line: int, out: Collector) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) <= 40:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    out.error(line, f"« {key} » : « {excerpt(value)} » n'est pas une date. Pour corriger : écrivez {key}: 2026-01-31 (année-mois-jour).")
    return None
