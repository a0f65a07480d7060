"""`programme new`: a programme written from a list of sheets, valid for `check` at once.

With the automatic pauses, it adds what people forget, each item titled « (ajouté·e automatiquement) » so that
the author sees it and can remove it: a welcome and a closing round in every session, a 10-minute break as soon
as more than 90 minutes of activity would follow one another (a sheet's own « Pause » step counts), and, for a
day of 6 hours or more, a one-hour meal at the first point between 12:00 and 14:00.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Any, Mapping, Sequence, Union

from ..errors import OutillerieError
from .agenda import LONGEST_RUN, is_break_step
from .clock import start_text
from .programme_rules import SHARE_ALIKE, participant_range
from .programmes import FOLDER, read_programme
from .scaffold import slug_for
from .sheet import SLUG_RE, Sheet
from .snapshot import Snapshot, take_snapshot
from .writing import dump_document

WELCOME = {"title": "Accueil et tour de table (ajouté automatiquement)", "duration": 10}
CLOSING = {"title": "Tour de clôture (ajouté automatiquement)", "duration": 10}
BREAK = {"break": 10, "title": "Pause (ajoutée automatiquement)"}
MEAL = {"meal": 60, "title": "Repas (ajouté automatiquement)"}
DAY_WITH_MEAL = 6 * 60
MEAL_WINDOW = (12 * 60, 14 * 60)
SUMMARY = "À compléter : une ou deux phrases qui disent ce que le programme permet et pour qui."
NOTES = """## Pourquoi cet ordre

À compléter : pourquoi ces fiches, dans cet ordre.

## Qui fait quoi

À compléter : qui anime, qui co-anime, qui tient le temps.

## Préparer le programme

À compléter : ce qu'il faut faire avant chaque séance.
"""

Entry = Union[str, dict[str, Any]]


def chosen_sheets(snapshot: Snapshot, slugs: Sequence[str]) -> list[Sheet]:
    """The sheets named on the command line, or a message naming the closest slug."""
    valid = {sheet.slug: sheet for sheet in snapshot.sheets()}
    found = []
    for slug in slugs:
        sheet = valid.get(slug)
        if sheet is None:
            close = difflib.get_close_matches(slug, sorted(snapshot.states), n=1, cutoff=0.6)
            state = "n'est pas valide (outillerie check la décrit)" if slug in snapshot.states else "n'existe pas"
            hint = f" Vouliez-vous dire « {close[0]} » ?" if close and slug not in snapshot.states else ""
            raise OutillerieError(f"la fiche « {slug} » {state}.{hint} Pour corriger : donnez le nom du dossier d'une "
                                  "fiche valide (outillerie search sans mot les liste).")
        if not sheet.is_published:
            raise OutillerieError(f"la fiche « {slug} » n'est pas publiée (status: {sheet.status}) : un programme ne "
                                  "peut s'appuyer que sur des fiches publiées. Pour corriger : choisissez une autre "
                                  "fiche, ou publiez celle-ci.")
        found.append(sheet)
    return found


def pieces(entry: Entry, sheets: Mapping[str, Sheet]) -> list[tuple[int, bool]]:
    """An entry as (minutes, is a break) pieces: a sheet's steps, or the entry whole."""
    if isinstance(entry, str):
        sheet = sheets[entry]
        steps = [(step.minutes or 0, is_break_step(step.title)) for step in sheet.steps]
        return steps if sum(m for m, _ in steps) == sheet.duration else [(sheet.duration, False)]
    if "break" in entry or "meal" in entry:
        return [(entry.get("break") or entry.get("meal") or 0, True)]
    return [(entry["duration"], False)]


def with_breaks(entries: list[Entry], sheets: Mapping[str, Sheet]) -> list[Entry]:
    """The entries with a break wherever more than 90 minutes of activity would follow one another."""
    done: list[Entry] = []
    run = 0
    for entry in (e for e in entries if e != BREAK):
        parts = pieces(entry, sheets)
        if all(is_break for _, is_break in parts):
            done.append(entry)
            run = 0
            continue
        head = next((i for i, (_, is_break) in enumerate(parts) if is_break), len(parts))
        if run and run + sum(m for m, _ in parts[:head]) > LONGEST_RUN:
            done.append(dict(BREAK))
            run = 0
        done.append(entry)
        last = max((i for i, (_, is_break) in enumerate(parts) if is_break), default=None)
        run = sum(m for m, _ in parts[last + 1:]) if last is not None else run + sum(m for m, _ in parts)
    return done


def automatic_items(sheets: Sequence[Sheet], start: int) -> list[Entry]:
    """Welcome, sheets, closing, with the breaks and the meal people forget."""
    by_slug = {sheet.slug: sheet for sheet in sheets}
    entries = with_breaks([dict(WELCOME), *(sheet.slug for sheet in sheets), dict(CLOSING)], by_slug)
    clocks, clock = [], start
    for entry in entries:
        clocks.append(clock)
        clock += sum(m for m, _ in pieces(entry, by_slug))
    if clock - start < DAY_WITH_MEAL:
        return entries
    spot = next((i for i, at in enumerate(clocks) if i and MEAL_WINDOW[0] <= at <= MEAL_WINDOW[1]), None)
    if spot is None:
        return entries
    entries.insert(spot, dict(MEAL))
    return with_breaks(entries, by_slug)


def programme_meta(title: str, sheets: Sequence[Sheet], authors: Sequence[str], summary: str | None) -> dict[str, Any]:
    """The front matter of a new programme, drawn from its sheets."""
    objectives = list(dict.fromkeys(sheet.objective for sheet in sheets))
    shared = [s for s in sheets[0].public if all(s in sheet.public for sheet in sheets)]
    public = shared or list(dict.fromkeys(s for sheet in sheets for s in sheet.public))
    licence = next((sheet.license for sheet in sheets if sheet.license in SHARE_ALIKE), "CC-BY-SA-4.0")
    meta: dict[str, Any] = {"title": title, "summary": summary or SUMMARY,
                            "objective": objectives[0] if len(objectives) == 1 else objectives, "public": public,
                            "license": licence, "authors": list(authors) or ["À compléter"]}
    span = participant_range(list(sheets))
    if span and span[0] <= span[1]:
        meta["participants"] = f"{span[0]}-{span[1]}"
    return meta


def write_new_programme(root: Path, title: str, slugs: Sequence[str], *, start: int, day: dt.date | None = None,
                        automatic: bool = False, authors: Sequence[str] = (), summary: str | None = None,
                        slug: str | None = None, cache_dir: Path | None = None) -> Path:
    """Create `programmes/<slug>/index.md`; never overwrite; refuse (and write nothing) what check would refuse."""
    slug = slug or slug_for(title)
    if not SLUG_RE.fullmatch(slug):
        raise OutillerieError(f"« {slug} » n'est pas un nom de dossier valide. Pour corriger : utilisez des minuscules "
                              "sans accents, des chiffres et des tirets (--slug mon-programme).")
    folder = root / FOLDER / slug
    if folder.exists():
        raise OutillerieError(f"le dossier « {folder} » existe déjà : outillerie programme new ne remplace jamais un "
                              "programme. Pour corriger : choisissez un autre titre ou un autre nom avec --slug.")
    snapshot = take_snapshot(root, cache_dir)
    sheets = chosen_sheets(snapshot, slugs)
    items = automatic_items(sheets, start) if automatic else [sheet.slug for sheet in sheets]
    session: dict[str, Any] = {"date": day} if day else {}
    session.update(start=start_text(start), items=items)
    meta = {**programme_meta(title, sheets, authors, summary), "sessions": [session]}
    folder.mkdir(parents=True)
    path = folder / "index.md"
    path.write_text(dump_document(meta, NOTES), encoding="utf-8")
    problems = [p for p in take_snapshot(root, cache_dir).programme_errors if p.path.endswith(f"/{slug}/index.md")]
    if problems:
        path.unlink()
        folder.rmdir()
        raise OutillerieError("ces fiches ne peuvent pas former un programme valide :\n" + "\n".join(map(str, problems))
                              + "\nPour corriger : changez les fiches choisies.")
    read_programme(path, root)
    return path
