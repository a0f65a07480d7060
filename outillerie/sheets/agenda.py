"""Clock-time arithmetic of a programme: when each item and each step of each sheet starts, in every session.

A shortened sheet keeps its « Pause » steps whole; its other steps are scaled in proportion, rounded to 5 minutes
(largest remainders first, earlier steps first on a tie), at least 5 minutes each when the time allows, and they
add up exactly to the new duration (a duration that is not a multiple of 5 leaves its remainder to the last step).
An author may also give the cut step by step (`steps: [10, 25, 0, …]`, 0 drops a step).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping, Sequence

from .programmes import Item, Programme
from .sheet import Sheet
from .vocabulary import fold_key

ROUNDING = 5
LONGEST_RUN = 90  # minutes of activity without a break, at most
def is_break_step(title: str) -> bool:
    """A step of a sheet that is a break (« Pause », « Pause café »): it counts as a break, never as activity."""
    return fold_key(title).split("-")[0] == "pause"


@dataclass(frozen=True)
class TimedStep:
    """A step of a sheet inside the programme: when it starts, its length here and in the sheet."""

    title: str
    start: int
    minutes: int
    original: int | None
    is_break: bool


@dataclass(frozen=True)
class TimedItem:
    """An item of a session with its clock time; a sheet carries its timed steps."""

    item: Item
    title: str
    start: int
    minutes: int
    steps: tuple[TimedStep, ...] = ()
    sheet_minutes: int | None = None  # the sheet's own duration, when the item is a sheet

    @property
    def end(self) -> int:
        return self.start + self.minutes

    @property
    def kind(self) -> str:
        return self.item.kind

    @property
    def is_break(self) -> bool:
        return self.item.kind in ("break", "meal")

    @property
    def activity(self) -> int:
        """Minutes spent in activity: none for a break or a meal, a sheet's minutes less its own pauses."""
        if self.is_break:
            return 0
        return self.minutes - sum(step.minutes for step in self.steps if step.is_break)


@dataclass(frozen=True)
class TimedSession:
    """One session of the agenda: its date, its start and its timed items."""

    number: int
    date: dt.date | None
    start: int
    items: tuple[TimedItem, ...]
    line: int

    @property
    def end(self) -> int:
        return self.items[-1].end if self.items else self.start

    @property
    def minutes(self) -> int:
        return self.end - self.start

    @property
    def activity(self) -> int:
        return sum(item.activity for item in self.items)


@dataclass(frozen=True)
class Agenda:
    """The whole timed programme: its sessions, the total time and the time actually spent in activity."""

    sessions: tuple[TimedSession, ...]

    @property
    def total(self) -> int:
        return sum(session.minutes for session in self.sessions)

    @property
    def activity(self) -> int:
        return sum(session.activity for session in self.sessions)


def break_title(item: Item) -> str:
    """What a break, a meal or a free slot is called on the agenda."""
    if item.title:
        return item.title
    return {"break": "Pause", "meal": "Repas"}.get(item.kind, "Temps libre")


def scale_steps(lengths: Sequence[int], breaks: Sequence[bool], target: int) -> list[int]:
    """The steps of a sheet fitted into `target` minutes (see the module's docstring for the rule)."""
    kept = sum(length for length, is_break in zip(lengths, breaks) if is_break)
    others = [number for number, is_break in enumerate(breaks) if not is_break]
    if kept > target or not others:  # too short even for the pauses, or nothing else to scale: everything scales
        kept, others = 0, list(range(len(lengths)))
    result = [length if number not in others else 0 for number, length in enumerate(lengths)]
    room = target - kept
    base = sum(lengths[number] for number in others)
    if not others:
        return result
    units, remainder = divmod(room, ROUNDING)
    shares = [lengths[number] * units / base if base else units / len(others) for number in others]
    floor = 1 if units >= len(others) else 0
    given = [max(floor, int(share)) for share in shares]
    while sum(given) > units:  # the floors took more than there is: take back from the largest
        largest = max(range(len(given)), key=lambda n: (given[n] > floor, given[n] - shares[n]))
        given[largest] -= 1
    order = sorted(range(len(others)), key=lambda n: (-(shares[n] - int(shares[n])), n))
    for position in order[: units - sum(given)]:
        given[position] += 1
    for position, number in enumerate(others):
        result[number] = given[position] * ROUNDING
    result[others[-1]] += remainder
    return result


def shortest(sheet: Sheet) -> int:
    """The shortest duration a sheet can be scaled to: its pauses whole and 5 minutes for every other step."""
    return sum((s.minutes or 0) if is_break_step(s.title) else ROUNDING for s in sheet.steps)


def item_minutes(item: Item, sheets: Mapping[str, Sheet]) -> int:
    """How long an item lasts: its own minutes, or the sheet's duration (0 for an unknown sheet)."""
    if item.minutes is not None:
        return item.minutes
    if item.steps is not None:
        return sum(item.steps)
    sheet = sheets.get(item.sheet or "")
    return sheet.duration if sheet else 0


def _timed_steps(item: Item, sheet: Sheet, start: int, minutes: int) -> tuple[TimedStep, ...]:
    lengths = [step.minutes or 0 for step in sheet.steps]
    breaks = [is_break_step(step.title) for step in sheet.steps]
    if item.steps is not None and len(item.steps) == len(lengths):
        fitted = list(item.steps)
    elif sum(lengths) == minutes:
        fitted = lengths
    else:
        fitted = scale_steps(lengths, breaks, minutes)
    steps, clock = [], start
    for step, length, is_break in zip(sheet.steps, fitted, breaks):
        steps.append(TimedStep(step.title, clock, length, step.minutes, is_break))
        clock += length
    return tuple(steps)


def build_agenda(programme: Programme, sheets: Mapping[str, Sheet]) -> Agenda:
    """Every item and step of every session with its clock time (minutes since the session day's midnight)."""
    sessions = []
    for number, session in enumerate(programme.sessions, 1):
        clock, timed = session.start, []
        for item in session.items:
            minutes = item_minutes(item, sheets)
            sheet = sheets.get(item.sheet or "") if item.kind == "sheet" else None
            if sheet is not None:
                timed.append(TimedItem(item, sheet.title, clock, minutes, _timed_steps(item, sheet, clock, minutes),
                                       sheet.duration))
            else:
                title = item.sheet or "" if item.kind == "sheet" else break_title(item)
                timed.append(TimedItem(item, title, clock, minutes))
            clock += minutes
        sessions.append(TimedSession(number, session.date, session.start, tuple(timed), session.line))
    return Agenda(tuple(sessions))


def long_runs(session: TimedSession, limit: int = LONGEST_RUN) -> list[tuple[TimedItem, int, int]]:
    """Where activity goes on for more than `limit` minutes without a break: (item where it passes the limit,
    clock time when the run began, its length up to the next break)."""
    found: list[tuple[TimedItem, int, int]] = []
    run, began, crossing = 0, session.start, None

    def close() -> None:
        if crossing is not None:
            found.append((crossing, began, run))

    for item in session.items:
        pieces = [(s.minutes, s.is_break) for s in item.steps] if item.steps else [(item.minutes, item.is_break)]
        clock = item.start
        for minutes, is_break in pieces:
            if is_break and minutes:
                close()
                run, crossing, began = 0, None, clock + minutes
            elif not is_break:
                run += minutes
                if run > limit and crossing is None:
                    crossing = item
            clock += minutes
    close()
    return found
