"""The `sessions` of a programme: each session's start, date and items, checked one by one with their lines.

YAML gives values without the line of nested keys, so `locate_lines` finds, in the text of a block-style front
matter, the line of each session, of its keys and of each of its items (flow style falls back on the line of
the enclosing key). French keys are accepted and normalised: `pause`, `repas`, `titre`, `duree`, `fiche`, `debut`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from .clock import parse_clock, start_text
from .durations import parse_duration
from .fields import Collector
from .sheet import SLUG_RE
from .vocabulary import fold_key

ITEM_KEYS = {"sheet": "sheet", "fiche": "sheet", "break": "break", "pause": "break", "meal": "meal", "repas": "meal",
             "title": "title", "titre": "title", "duration": "duration", "duree": "duration", "steps": "steps",
             "etapes": "steps"}
SESSION_KEYS = {"start": "start", "debut": "start", "date": "date", "items": "items"}
ITEM_EXAMPLE = ("une fiche (nom-de-la-fiche), {sheet: nom-de-la-fiche, duration: 60}, {break: 10}, {meal: 60} "
                "ou {title: \"Tour de table\", duration: 10}")
_DASH = re.compile(r"^( *)-(?:\s+|$)(.*)$")
_KEY = re.compile(r"^( *)(?:- +)?([^\s:#'\"{\[][^:#]*?)\s*:(?:\s|$)")


@dataclass(frozen=True)
class Item:
    """One item of a session: a sheet (`minutes` None: its own duration), a break, a meal or a free slot."""

    kind: str  # "sheet", "break", "meal" or "slot"
    line: int
    sheet: str | None = None
    title: str = ""
    minutes: int | None = None
    steps: tuple[int, ...] | None = None  # the author's own cut of a sheet's steps


@dataclass(frozen=True)
class Session:
    """A session: its start (minutes since midnight), an optional date and its items in order."""

    start: int
    items: tuple[Item, ...]
    line: int
    date: dt.date | None = None
    start_line: int = 0


@dataclass
class Located:
    """Where a session of the front matter is: its own line, its keys' lines, its items' lines."""

    line: int
    keys: dict[str, int] = field(default_factory=dict)
    items: list[int] = field(default_factory=list)


def locate_lines(text: str, sessions_line: int) -> list[Located]:
    """The lines of each block-style session, its keys and its items (an approximation that never fails)."""
    found: list[Located] = []
    session_col = item_col = None
    items_col: int | None = None
    for index, raw in enumerate(text.split("\n")[sessions_line:], start=sessions_line + 1):
        stripped = raw.strip()
        if re.fullmatch(r"-{3,}", stripped) and not raw.startswith(" "):
            break
        if not stripped or stripped.startswith("#"):
            continue
        col = len(raw) - len(raw.lstrip(" "))
        dash = _DASH.match(raw)
        if col == 0 and not dash:
            break  # the next top-level key
        if dash and (session_col is None or col == session_col):
            session_col, items_col, item_col = col, None, None
            found.append(Located(index))
        elif dash and items_col is not None and found and col >= items_col and (item_col is None or col == item_col):
            item_col = col
            found[-1].items.append(index)
            continue
        key = _KEY.match(raw[:200])  # a key is short: never run the pattern over a huge line
        if key and found and session_col is not None and (dash or col == session_col + 2):
            name = SESSION_KEYS.get(fold_key(key.group(2)), fold_key(key.group(2)))
            found[-1].keys.setdefault(name, index)
            items_col = (col + 2 if dash else col) if name == "items" else None
            item_col = None
    return found


class ItemReader:
    """Reads the sessions of one programme, reporting each bad value at its line."""

    def __init__(self, out: Collector, line: int, located: list[Located]) -> None:
        self.out, self.line, self.located = out, line, located

    def sessions(self, value: Any) -> tuple[Session, ...]:
        if value in (None, "", []):
            return ()
        if not isinstance(value, list):
            self.out.error(self.line, "« sessions » doit être une liste de séances. Pour corriger : écrivez sessions:, "
                                      "puis une séance par ligne commençant par « - start: \"9:30\" », suivie de ses items.")
            return ()
        sessions = []
        for number, raw in enumerate(value, 1):
            where = self.located[number - 1] if number <= len(self.located) else Located(self.line)
            if not isinstance(raw, dict):
                self.out.error(where.line, f"la séance {number} doit être un ensemble de clés (start, date, items). "
                                           "Pour corriger : écrivez « - start: \"9:30\" » puis « items: » en dessous.")
                continue
            keys = {SESSION_KEYS.get(fold_key(str(k)), str(k)): v for k, v in raw.items()}
            for unknown in sorted(set(keys) - set(SESSION_KEYS.values())):
                self.out.error(where.keys.get(fold_key(unknown), where.line),
                               f"la séance {number} a une clé « {unknown} » inconnue. Pour corriger : une séance "
                               "n'a que date (facultative), start et items.")
            start = self._start(keys.get("start"), number, where)
            day = self._date(keys.get("date"), number, where)
            items = self._items(keys.get("items"), number, where)
            sessions.append(Session(start=start if start is not None else 0, items=items, line=where.line, date=day,
                                    start_line=where.keys.get("start", where.line)))
        return tuple(sessions)

    def _start(self, value: Any, number: int, where: Located) -> int | None:
        line = where.keys.get("start", where.line)
        if value in (None, ""):
            self.out.error(line, f"la séance {number} n'a pas d'heure de début. Pour corriger : ajoutez start: \"9:30\".")
            return None
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
            self.out.error(line, f"« start » : YAML lit {start_text(value)} sans guillemets comme un nombre en base 60 "
                                 f"({value}). Pour corriger : écrivez start: \"{start_text(value)}\" entre guillemets.")
            return None
        try:
            return parse_clock(str(value)) if isinstance(value, str) else parse_clock("x")
        except ValueError as error:
            shown = str(error) if isinstance(value, str) else f"« {value} » n'est pas une heure comprise"
            self.out.error(line, f"la séance {number} : {shown}. Pour corriger : écrivez start: \"9:30\" "
                                 "(heures:minutes, de 0:00 à 23:59).")
            return None

    def _date(self, value: Any, number: int, where: Located) -> dt.date | None:
        if value in (None, ""):
            return None
        if isinstance(value, dt.date):
            return value if not isinstance(value, dt.datetime) else value.date()
        try:
            return dt.date.fromisoformat(str(value).strip()) if isinstance(value, str) else None
        except ValueError:
            pass
        self.out.error(where.keys.get("date", where.line), f"la séance {number} : « {value} » n'est pas une date. "
                                                           "Pour corriger : écrivez date: 2027-03-04 (année-mois-jour).")
        return None

    def _items(self, value: Any, number: int, where: Located) -> tuple[Item, ...]:
        line = where.keys.get("items", where.line)
        if value in (None, "", []):
            self.out.error(line, f"la séance {number} n'a aucun élément. Pour corriger : ajoutez items: puis, en "
                                 f"retrait, {ITEM_EXAMPLE}.")
            return ()
        if not isinstance(value, list):
            self.out.error(line, f"les items de la séance {number} doivent être une liste. Pour corriger : un élément "
                                 f"par ligne commençant par « - » : {ITEM_EXAMPLE}.")
            return ()
        found = []
        for position, raw in enumerate(value, 1):
            item_line = where.items[position - 1] if len(where.items) == len(value) else line
            item = self._item(raw, item_line, f"séance {number}, élément {position}")
            if item is not None:
                found.append(item)
        return tuple(found)

    def _item(self, raw: Any, line: int, label: str) -> Item | None:
        if isinstance(raw, str) and raw.strip():
            return Item("sheet", line, sheet=raw.strip())
        if not isinstance(raw, dict) or not raw:
            self.out.error(line, f"{label} : ce n'est ni le nom d'une fiche ni un ensemble de clés. Pour corriger : "
                                 f"écrivez {ITEM_EXAMPLE}.")
            return None
        keys: dict[str, Any] = {}
        for key, value in raw.items():
            name = ITEM_KEYS.get(fold_key(str(key)))
            if name is None:
                self.out.error(line, f"{label} : la clé « {key} » est inconnue. Pour corriger : un élément a les clés "
                                     "sheet, break, meal, title, duration ou steps (pause, repas, titre, duree en français).")
                return None
            keys[name] = value
        kinds = [kind for kind in ("sheet", "break", "meal") if kind in keys]
        if len(kinds) > 1:
            self.out.error(line, f"{label} : un élément est une fiche, une pause ou un repas, pas plusieurs à la fois "
                                 f"({', '.join(kinds)}). Pour corriger : écrivez un élément par ligne.")
            return None
        kind = kinds[0] if kinds else "slot"
        return getattr(self, f"_{kind}")(keys, line, label)

    def _minutes(self, value: Any, key: str, line: int, label: str) -> int | None:
        try:
            return parse_duration(value)
        except ValueError as error:
            self.out.error(line, f"{label} : « {key} » : {error}. Pour corriger : écrivez des minutes (15) ou \"1h30\".")
            return None

    def _sheet(self, keys: dict[str, Any], line: int, label: str) -> Item | None:
        slug, extra = keys.get("sheet"), sorted(set(keys) - {"sheet", "duration", "steps"})
        if not isinstance(slug, str) or not slug.strip():
            self.out.error(line, f"{label} : « sheet » doit donner le nom d'une fiche. Pour corriger : écrivez "
                                 "{sheet: nom-de-la-fiche, duration: 60}.")
            return None
        if extra:
            self.out.error(line, f"{label} : une fiche n'a pas de clé « {extra[0]} ». Pour corriger : gardez sheet, "
                                 "duration (pour la raccourcir) et steps (la durée de chaque étape).")
            return None
        minutes = self._minutes(keys["duration"], "duration", line, label) if "duration" in keys else None
        steps = self._steps(keys.get("steps"), line, label)
        if "duration" in keys and minutes is None or "steps" in keys and steps is None:
            return None
        if steps is not None and minutes is not None and sum(steps) != minutes:
            self.out.error(line, f"{label} : les étapes données totalisent {sum(steps)} min mais « duration » vaut "
                                 f"{minutes} min. Pour corriger : ajustez l'une ou l'autre.")
            return None
        return Item("sheet", line, sheet=slug.strip(), minutes=minutes, steps=steps)

    def _steps(self, value: Any, line: int, label: str) -> tuple[int, ...] | None:
        if value is None:
            return None
        if not isinstance(value, list) or not value or not all(
                isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value) or not sum(value):
            self.out.error(line, f"{label} : « steps » doit être la liste des minutes de chaque étape de la fiche "
                                 "(0 pour en retirer une). Pour corriger : écrivez steps: [10, 25, 0, 15].")
            return None
        return tuple(value)

    def _break(self, keys: dict[str, Any], line: int, label: str, kind: str = "break") -> Item | None:
        extra = sorted(set(keys) - {kind, "title"})
        if extra:
            self.out.error(line, f"{label} : {'une pause' if kind == 'break' else 'un repas'} n'a pas de clé "
                                 f"« {extra[0]} ». Pour corriger : écrivez {{{kind}: 15}}, avec au besoin un title.")
            return None
        minutes = self._minutes(keys[kind], kind, line, label)
        title = keys.get("title")
        if title is not None and not isinstance(title, str):
            self.out.error(line, f"{label} : « title » doit être un texte. Pour corriger : mettez-le entre guillemets.")
            return None
        return Item(kind, line, title=" ".join((title or "").split()), minutes=minutes) if minutes else None

    def _meal(self, keys: dict[str, Any], line: int, label: str) -> Item | None:
        return self._break(keys, line, label, kind="meal")

    def _slot(self, keys: dict[str, Any], line: int, label: str) -> Item | None:
        title, extra = keys.get("title"), sorted(set(keys) - {"title", "duration"})
        if extra or not isinstance(title, str) or not title.strip() or "duration" not in keys:
            missing = "une durée" if isinstance(title, str) and title.strip() and not extra else "un titre"
            self.out.error(line, f"{label} : un temps libre demande un titre et une durée ({missing} manque). "
                                 "Pour corriger : écrivez {title: \"Tour de table\", duration: 10}.")
            return None
        minutes = self._minutes(keys["duration"], "duration", line, label)
        return Item("slot", line, title=" ".join(title.split()), minutes=minutes) if minutes else None


def is_slug(text: str) -> bool:
    return bool(SLUG_RE.fullmatch(text))
