"""Programmes in the site: a page per valid programme (agenda, sheets, merged materials, notes), its printable
participants' agenda and facilitators' script (« régie »), its `.ics`, its kit, and the composer page.

The kit (`telechargements/programmes/<slug>.zip`, reproducible) holds the programme's source, the agenda and the
script (PDF, and HTML), the merged materials list, the calendar, the programme's licence and the credits of every
sheet, and each sheet's own kit unpacked under `fiches/<sheet>/`.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol, Sequence

from ..sheets.agenda import Agenda, build_agenda, is_break_step
from ..sheets.clock import day_text
from ..sheets.programme_materials import Material, materials_text, merged_materials, rule_data
from ..sheets.programme_rules import participant_range
from ..sheets.programmes import Programme
from ..sheets.sheet import Sheet
from ..sheets.snapshot import Snapshot
from ..sheets.vocabulary import Vocabulary
from .calendar import programme_calendar
from .kits import credits_text, kit_filename, licence_text, write_zip
from .markdown import render_markdown
from .pages import citation

Mark = Callable[[str], Any]  # export._trusted: the one place that marks HTML safe


class Site(Protocol):
    """What a programme needs of the export in progress."""

    environment: Any
    snapshot: Snapshot
    sheets: list[Sheet]
    vocabulary: Vocabulary
    options: Mapping[str, Any]
    style: Any

    def render(self, template: str, target: Path, **context: Any) -> None: ...


@dataclass(frozen=True)
class ProgrammeCard:
    """A programme as the catalogue lists it."""

    programme: Programme
    total: int
    sessions: int


def write_programmes(site: Site, work: Path, mark: Mark) -> list[ProgrammeCard]:
    """Every valid programme whose sheets are all published: its page, printables, calendar and kit."""
    published = {sheet.slug: sheet for sheet in site.sheets}
    cards = []
    for programme in site.snapshot.programmes():
        if not all(slug in published for slug in programme.sheet_slugs):
            continue  # a sheet left out of this export (a draft, a failure): the programme would have holes
        programme = site.snapshot.full_programme(programme)
        agenda = build_agenda(programme, published)
        _write_programme(site, work, programme, agenda, [published[s] for s in programme.sheet_slugs], mark)
        cards.append(ProgrammeCard(programme, agenda.total, len(agenda.sessions)))
    write_composer(site, work, mark)
    return cards


def group_size(programme: Programme, sheets: Sequence[Sheet]) -> int | None:
    """The number of participants quantities are computed for: the largest group the programme allows."""
    span = programme.participants or participant_range(list(sheets))
    return span[1] if span else None


def _write_programme(site: Site, work: Path, programme: Programme, agenda: Agenda, sheets: list[Sheet],
                     mark: Mark) -> None:
    folder = work / "programmes" / programme.slug
    folder.mkdir(parents=True)
    participants = group_size(programme, sheets)
    materials = merged_materials(sheets, participants)
    context = _context(site, programme, agenda, sheets, materials, participants, mark)
    calendar = programme_calendar(programme, agenda)
    printables = {name: site.environment.get_template(f"programme-{name}.html").render(style=site.style, **context)
                  for name in ("agenda", "regie")}  # standalone, for the kit and its PDFs
    for name in printables:  # on the site: the shared stylesheet, since `serve` forbids inline styles
        html = site.environment.get_template(f"programme-{name}.html").render(stylesheet="../../static/style.css",
                                                                             **context)
        (folder / f"{name}.html").write_text(html, encoding="utf-8", newline="\n")
    listing = materials_text(programme.title, materials, participants)
    (folder / "materiel.txt").write_text(listing, encoding="utf-8", newline="\n")
    (folder / "index.md").write_bytes(programme.path.read_bytes())
    if calendar:
        (folder / "programme.ics").write_bytes(calendar)
    entries = _kit_entries(site, work, programme, sheets, printables, listing, calendar)
    kit = work / "telechargements" / "programmes" / f"{programme.slug}.zip"
    kit.parent.mkdir(parents=True, exist_ok=True)
    write_zip(kit, entries)
    site.render("programme.html", folder / "index.html", root="../../", kit_size=kit.stat().st_size,
                kit_filename=kit_filename(programme.title), has_calendar=bool(calendar), **context)


def _context(site: Site, programme: Programme, agenda: Agenda, sheets: list[Sheet], materials: list[Material],
             participants: int | None, mark: Mark) -> dict[str, Any]:
    vocabulary = site.vocabulary
    notes = render_markdown(programme.body, shift=1) if programme.body.strip() else None
    return {
        "programme": programme, "agenda": agenda, "sheets": sheets, "materials": materials,
        "participants": participants, "notes": mark(notes.html) if notes else None,
        "licence": vocabulary.licenses.get(programme.license),
        "objectives": [vocabulary.label("objectives", s) for s in programme.objectives],
        "publics": [vocabulary.label("audiences", s) for s in programme.public],
        "credits": [(sheet, vocabulary.licenses.get(sheet.license), citation(sheet, vocabulary, None))
                    for sheet in sheets],
        "by_slug": {sheet.slug: sheet for sheet in sheets}, "day": day_text,
    }


def _kit_entries(site: Site, work: Path, programme: Programme, sheets: list[Sheet], printables: Mapping[str, str],
                 listing: str, calendar: bytes | None) -> list[tuple[str, bytes]]:
    folder = programme.slug
    entries = [(f"{folder}/programme.md", programme.path.read_bytes()),
               (f"{folder}/materiel.txt", listing.encode("utf-8")),
               (f"{folder}/LICENCE.txt", licence_text(programme.license, site.vocabulary).encode("utf-8")),
               (f"{folder}/CREDITS.txt", _credits(site, programme, sheets).encode("utf-8"))]
    names = {"agenda": "agenda-participants", "regie": "regie"}
    for name, html in printables.items():
        entries.append((f"{folder}/{names[name]}.html", html.encode("utf-8")))
        if site.options.get("pdf", True):
            entries.append((f"{folder}/{names[name]}.pdf", _pdf(html, work)))
    if calendar:
        entries.append((f"{folder}/programme.ics", calendar))
    for sheet in sheets:
        kit = work / "telechargements" / f"{sheet.slug}.zip"
        if kit.is_file():
            with zipfile.ZipFile(kit) as archive:
                entries += [(f"{folder}/fiches/{info.filename}", archive.read(info)) for info in archive.infolist()
                            if not info.is_dir()]
    return entries


def _pdf(html: str, work: Path) -> bytes:
    from .pdf import write_pdf

    target = work / ".programme.pdf"
    try:
        write_pdf(html, target, None)
        return target.read_bytes()
    finally:
        target.unlink(missing_ok=True)


def _credits(site: Site, programme: Programme, sheets: list[Sheet]) -> str:
    term = site.vocabulary.licenses.get(programme.license)
    lines = [programme.title, "=" * len(programme.title), "", "Auteurs du programme : " + ", ".join(programme.authors),
             f"Licence du programme : {term.label if term else programme.license} ({programme.license})", "",
             "Le programme reprend les fiches suivantes ; chacune garde sa licence et ses auteurs.", ""]
    for sheet in sheets:
        history = None
        lines.append(credits_text(sheet, history, site.vocabulary, citation(sheet, site.vocabulary, None)))
    return "\n".join(lines)


def composer_sheet(sheet: Sheet) -> dict[str, Any]:
    """What the composer needs of one published sheet."""
    return {"slug": sheet.slug, "title": sheet.title, "duration": sheet.duration, "license": sheet.license,
            "participants": list(sheet.participants) if sheet.participants else None,
            "objective": sheet.objective, "public": list(sheet.public),
            "steps": [[step.title, step.minutes or 0, is_break_step(step.title)] for step in sheet.steps],
            "materials": [[item, rule_data(item)] for item in sheet.materials]}


def composer_data(sheets: Sequence[Sheet], vocabulary: Vocabulary,
                  known: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """What the composer needs of every published sheet (no fetch: it is embedded in the page); `known`: what
    `composer_sheet` gave for some of them (kept by the export's memory)."""
    known = known or {}
    return {"sheets": [known.get(sheet.slug) or composer_sheet(sheet) for sheet in sheets],
            "licenses": {slug: term.short or term.label for slug, term in vocabulary.licenses.items()}}


def write_composer(site: Site, work: Path, mark: Mark) -> None:
    """The composer page: the programme panel, working from file:// with the sheets' data embedded."""
    from .catalogue import embed_json

    data = composer_data(sorted(site.sheets, key=lambda s: s.title), site.vocabulary, getattr(site, "composer", None))
    site.render("composer.html", work / "composer" / "index.html", root="../", data=mark(embed_json(data)))


def programme_card_html(site: Site, card: ProgrammeCard) -> str:
    """The catalogue card of a programme."""
    return str(site.environment.get_template("_programme_card.html").render(card=card, vocabulary=site.vocabulary))
