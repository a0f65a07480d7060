"""How a Markdown support is laid out on paper and on its page: a document, cards on a grid with cut lines
(front only, or front and back with the backs mirrored so that duplex printing lines them up), or one section
per A4 page. Plain values for the templates; the sizes live in the stylesheet."""

from __future__ import annotations

import html
from dataclasses import dataclass

from ..sheets.layout import SupportLayout, SupportText
from .markdown import LinkMap, Section, render_markdown, render_sections, without_ids

GRIDS = {1: (1, 1), 2: (1, 2), 4: (2, 2), 6: (2, 3), 8: (2, 4)}  # cards per A4 page: (columns, rows)


@dataclass(frozen=True)
class Plate:
    """One printed A4 page of cards: its side and the HTML of each cell, row by row (None: a cell left empty)."""

    side: str  # "recto" or "verso"
    cells: tuple[str | None, ...]


@dataclass(frozen=True)
class SupportView:
    """What a support page and its printable twin show."""

    layout: SupportLayout
    body: str  # a document's whole body; the introduction of cards and pages
    sections: tuple[Section, ...] = ()
    plates: tuple[Plate, ...] = ()
    notes: str = ""
    headings: tuple[str, ...] = ()

    @property
    def has_backs(self) -> bool:
        return any(section.back is not None for section in self.sections)

    @property
    def columns(self) -> int:
        return GRIDS[self.layout.cards_per_page][0]


def support_view(text: SupportText, links: LinkMap | None = None) -> SupportView:
    """Render a support's body the way its front matter asks."""
    layout = text.layout
    if layout.mode == "document":
        rendered = render_markdown(text.body, links=links, shift=0)
        return SupportView(layout, rendered.html, headings=tuple(h.text for h in rendered.headings))
    cut = render_sections(text.body, backs=layout.mode == "cartes", links=links)
    plates = plates_of(cut.sections, layout.cards_per_page) if layout.mode == "cartes" else ()
    return SupportView(layout, cut.intro, cut.sections, plates, cut.notes, tuple(h.text for h in cut.headings))


def _back_label(title: str) -> str:
    """A small line on each printed back, so that a card cut out of a badly aligned sheet finds its front."""
    return f'<p class="etiquette-verso">Verso · {html.escape(title)}</p>\n'


def plates_of(cards: tuple[Section, ...], per_page: int) -> tuple[Plate, ...]:
    """The cards on their A4 pages; when any card has a back, each page of fronts is followed by the page of
    backs, each row's cells in reverse order (the sheet is turned over along its long edge)."""
    columns, rows = GRIDS[per_page]
    duplex = any(card.back is not None for card in cards)
    plates: list[Plate] = []
    for start in range(0, len(cards), per_page):
        chunk = list(cards[start:start + per_page])
        fronts = [without_ids(card.front) for card in chunk] + [None] * (per_page - len(chunk))
        plates.append(Plate("recto", tuple(fronts)))
        if duplex:
            backs = [_back_label(card.title) + without_ids(card.back) if card.back is not None else None
                     for card in chunk]
            backs += [None] * (per_page - len(chunk))
            mirrored = [backs[row * columns + column] for row in range(rows) for column in reversed(range(columns))]
            plates.append(Plate("verso", tuple(mirrored)))
    return tuple(plates)
