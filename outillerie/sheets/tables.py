"""GitHub tables as contributors type them: a row whose number of cells differs from its header's is lost
or padded by the renderer, so `check` points at it. Plain line reading, linear in the text's length."""

from __future__ import annotations

import re
from typing import Iterator

_FENCE = re.compile(r"^\s*(```|~~~)")
_DELIMITER_CELL = re.compile(r"^\s*:?-+:?\s*$")


def cells(line: str) -> list[str]:
    """The cells of a table row: split on `|` not escaped by a backslash, outer pipes dropped."""
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for char in line.strip():
        if char == "|" and not escaped:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        escaped = char == "\\" and not escaped
    parts.append("".join(current))
    if parts and not parts[0].strip() and line.strip().startswith("|"):
        parts = parts[1:]
    if parts and not parts[-1].strip() and line.strip().endswith("|") and not line.strip().endswith("\\|"):
        parts = parts[:-1]
    return parts


def _is_delimiter(line: str) -> bool:
    return "-" in line and all(_DELIMITER_CELL.match(cell) for cell in cells(line))


def table_problems(text: str, first_line: int) -> Iterator[tuple[int, str]]:
    """(line, message) for every table row whose cell count differs from the header's."""
    lines = text.split("\n")
    fenced = False
    index = 0
    while index < len(lines):
        line = lines[index]
        if _FENCE.match(line):
            fenced = not fenced
        if fenced or "|" not in line or index + 1 >= len(lines) or not _is_delimiter(lines[index + 1]):
            index += 1
            continue
        expected = len(cells(line))
        delimiter = len(cells(lines[index + 1]))
        if delimiter != expected:
            yield (first_line + index + 1, _message(delimiter, expected, "la ligne de séparation",
                                                    "le tableau sera affiché comme du texte"))
        index += 2
        while index < len(lines) and lines[index].strip() and "|" in lines[index]:
            found = len(cells(lines[index]))
            if found != expected:
                effect = ("les cellules en trop ne seront pas affichées" if found > expected
                          else "les cellules manquantes seront laissées vides")
                yield (first_line + index, _message(found, expected, "cette ligne du tableau", effect))
            index += 1


def _message(found: int, expected: int, what: str, effect: str) -> str:
    plural = lambda n: f"{n} cellule{'s' if n > 1 else ''}"  # noqa: E731
    return (f"{what} a {plural(found)} alors que l'en-tête du tableau en a {expected} : {effect}. Pour corriger : "
            "donnez à chaque ligne autant de « | » que l'en-tête (écrivez « \\| » pour un « | » dans une cellule).")
