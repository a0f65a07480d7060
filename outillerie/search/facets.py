"""Facet counts of a search (`--facets`, JSON): how many results per objective, public, level, theme and duration
band. Loaded only when they are asked for: a plain search does not pay for these classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..sheets.vocabulary import load_vocabulary

if TYPE_CHECKING:
    from .matches import Matches

# Duration bands of the facets: (slug, French label, lowest minutes, highest minutes).
DURATION_BANDS = (
    ("moins-d-une-heure", "Moins d'une heure", 0, 59),
    ("une-a-deux-heures", "De 1 h à 2 h", 60, 120),
    ("demi-journee", "De 2 h à une demi-journée", 121, 210),
    ("plus-d-une-demi-journee", "Plus d'une demi-journée", 211, 10**6),
)
FACETS = (("objective", "objectives", "Objectif"), ("public", "audiences", "Public"),
          ("level", "levels", "Niveau"), ("themes", "themes", "Thème"))


@dataclass(frozen=True)
class FacetCount:
    slug: str
    label: str
    count: int


@dataclass(frozen=True)
class Facet:
    """Counts of one kind (objective, public, level, theme, duration band) over all the results."""

    name: str
    label: str
    counts: tuple[FacetCount, ...]


def facets(matches: Matches) -> tuple[Facet, ...]:
    vocabulary = load_vocabulary()
    found = []
    for fieldname, kind, label in FACETS:
        counts = matches.counts(fieldname)
        found.append(Facet(fieldname, label, tuple(FacetCount(slug, term.label, counts[slug])
                                                   for slug, term in vocabulary.terms(kind).items() if slug in counts)))
    durations = matches.durations()
    bands = tuple(FacetCount(slug, label, n) for slug, label, low, high in DURATION_BANDS
                  if (n := sum(low <= minutes <= high for minutes in durations)))
    found.append(Facet("duration", "Durée", bands))
    return tuple(found)
