"""The merged materials list of a programme: every sheet's items once (compared folded), with a quantity where an
item says how many per person or per group (« un par personne », « trois par participant·e », « un jeu par groupe
de quatre », « une par îlot », « deux de réserve »). Groups are of 4 unless the item says otherwise; quantities
are for the largest group the programme allows. The same rule runs in the browser's composer from `quantity_rule`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Sequence

from .sheet import Sheet
from .vocabulary import fold_key

GROUP_SIZE = 4
NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
           "neuf": 9, "dix": 10}
GROUPS = {"groupe": GROUP_SIZE, "ilot": GROUP_SIZE, "table": GROUP_SIZE, "equipe": GROUP_SIZE, "trio": 3,
          "binome": 2}
_NUMBER = r"(\d+|" + "|".join(NUMBERS) + ")"
_PERSON = re.compile(r"(?:^|-)(?:" + _NUMBER + r"-(?:de-chaque-)?)?(?:par|pour-chaque)-(?:personne|participant|participante|"
                     r"participants|stagiaire|eleve)(?:-|$)")
_GROUP = re.compile(r"(?:^|-)(?:" + _NUMBER + r"-(?:[a-z]+-)?)?par-(" + "|".join(GROUPS) + r")(?:-de-" + _NUMBER + r")?(?:-|$)")
_RESERVE = re.compile(r"(?:^|-)" + _NUMBER + r"-de-reserve(?:-|$)")
_LEADING = re.compile(r"^" + _NUMBER + r"-")


def _number(word: str | None) -> int | None:
    if not word:
        return None
    return int(word) if word.isdigit() else NUMBERS.get(word)


@dataclass(frozen=True)
class Rule:
    """How many of an item: `count` per person (`per` 1) or per group of `per` people, plus `reserve`."""

    count: int
    per: int
    reserve: int = 0

    def quantity(self, participants: int) -> int:
        return self.count * math.ceil(participants / self.per) + self.reserve


def quantity_rule(item: str) -> Rule | None:
    """The quantity rule an item of `materials` states, or None when it says none."""
    key = fold_key(item)
    reserve = _number(match.group(1)) if (match := _RESERVE.search(key)) else 0
    leading = _number(match.group(1)) if (match := _LEADING.match(key)) else None
    person = _PERSON.search(key)
    if person:
        return Rule(_number(person.group(1)) or leading or 1, 1, reserve or 0)
    group = _GROUP.search(key)
    if group:
        size = _number(group.group(3)) or GROUPS[group.group(2)]
        return Rule(_number(group.group(1)) or leading or 1, size, reserve or 0)
    return None


@dataclass(frozen=True)
class Material:
    """One line of the merged list: the item as first written, the sheets asking for it, its quantity if any."""

    text: str
    sheets: tuple[str, ...]
    quantity: int | None


def merged_materials(sheets: Sequence[Sheet], participants: int | None) -> list[Material]:
    """Every sheet's materials once, in order of first appearance; the largest quantity when two sheets ask."""
    found: dict[str, tuple[str, list[str], int | None]] = {}
    for sheet in sheets:
        for item in sheet.materials:
            rule = quantity_rule(item)
            quantity = rule.quantity(participants) if rule and participants else None
            text, users, known = found.setdefault(fold_key(item), (item, [], None))
            if sheet.title not in users:
                users.append(sheet.title)
            if quantity is not None and (known is None or quantity > known):
                found[fold_key(item)] = (text, users, quantity)
    return [Material(text, tuple(users), quantity) for text, users, quantity in found.values()]


def materials_text(title: str, materials: Sequence[Material], participants: int | None) -> str:
    """The merged list as a plain text file for the kit."""
    heading = f"Matériel du programme « {title} »"
    lines = [heading, "=" * len(heading), ""]
    if participants:
        lines += [f"Quantités calculées pour {participants} participant·e·s (groupes de {GROUP_SIZE} sauf mention "
                  "contraire).", ""]
    for material in materials:
        amount = f" — quantité : {material.quantity}" if material.quantity is not None else ""
        lines.append(f"- {material.text}{amount} ({', '.join(material.sheets)})")
    return "\n".join(lines) + "\n"


def rule_data(item: str) -> list[Any] | None:
    """The rule of an item for the browser: [count, per, reserve], or None."""
    rule = quantity_rule(item)
    return [rule.count, rule.per, rule.reserve] if rule else None
