"""Times of day and dates as French people write them: "9:30", "9 h 30", jeudi 4 mars 2027."""

from __future__ import annotations

import datetime as dt
import re

DAY = 24 * 60
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
_CLOCK = re.compile(r"^\s*(\d{1,2})\s*(?:[:hH]\s*(\d{2})?)?\s*$")


def parse_clock(text: str) -> int:
    """Minutes since midnight from "9:30", "09:30", "9h30", "9 h 30" or "9h"; ValueError otherwise."""
    match = _CLOCK.match(text.replace("\u00a0", " ").replace("\u202f", " "))
    if not match or (":" in text and match.group(2) is None):
        raise ValueError(f"« {text} » n'est pas une heure comprise")
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"« {text} » n'est pas une heure de la journée (de 0:00 à 23:59)")
    return hours * 60 + minutes


def clock_text(minutes: int) -> str:
    """A time of day for the terminal, the French way: 9 h 05, 18 h 30 (24:00 and after say the next day's time)."""
    hours, rest = divmod(minutes % DAY, 60)
    return f"{hours} h {rest:02d}"


def start_text(minutes: int) -> str:
    """A start time as the format writes it: "9:30"."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def day_text(day: dt.date) -> str:
    """jeudi 4 mars 2027, samedi 1er mai 2027."""
    return f"{WEEKDAYS[day.weekday()]} {'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"
