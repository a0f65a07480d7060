"""Printed materials a sheet calls for, and the supports that provide them.

An item of `materials` is printed when it names a printed thing (« imprimé », « carte », « fiche », « grille »,
« mémo », « affiche », « questionnaire »). A support provides it when the item and the support's title share a
significant word (folded and stemmed by `french.analysis`; the printed-thing words and a few generic ones do
not count). Items the facilitator brings are listed in `materials_outside_kit`.
"""

from __future__ import annotations

import posixpath
from functools import cache
from typing import Iterable, Iterator, Mapping

from ..french.analysis import analyze
from .vocabulary import fold_key

PRINTED_WORDS = "imprimé imprimée imprimés imprimées carte cartes fiche fiches grille grilles mémo affiche affiches questionnaire"
GENERIC_WORDS = ("imprimer découpé découpée découpées découper exemplaire exemplaires page pages format papier épais "
                 "personne personnes participant participante participants groupe groupes animateur animatrice "
                 "recto verso modèle support supports jeu jeux chaque un une deux trois quatre cinq six huit dix "
                 "A0 A1 A2 A3 A4 A5 atelier")


_GENERIC_PRINTED = frozenset(analyze("imprimé imprimée imprimés imprimées"))


@cache
def _printed_stems() -> frozenset[str]:
    return frozenset(analyze(PRINTED_WORDS))


@cache
def _ignored_stems() -> frozenset[str]:
    return _printed_stems() | frozenset(analyze(GENERIC_WORDS))


def is_printed(item: str) -> bool:
    """True when a materials item names something printed."""
    return bool(_printed_stems().intersection(analyze(item)))


def significant_words(text: str) -> set[str]:
    """The stems that tell one printed thing from another (generic and printed-thing words left out)."""
    return {stem for stem in analyze(text) if stem not in _ignored_stems() and not stem.isdigit()}


def _kind_words(text: str) -> set[str]:
    """The printed-thing words of a text (« mémo », « affiche »…), for an item that names nothing else."""
    return {stem for stem in analyze(text) if stem in _printed_stems() and stem not in _GENERIC_PRINTED}


def support_label(path: str, title: str | None) -> str:
    """What a support is called: its Markdown title, else its file name without extension."""
    return title or posixpath.splitext(posixpath.basename(path))[0].replace("-", " ").replace("_", " ")


def provider(item: str, labels: Mapping[str, str]) -> str | None:
    """The support (path) whose label shares the most significant words with the item (None: no word shared);
    on a tie, the one whose file name shares the most (« Cas pratiques » is cas-pratiques.md)."""
    words = significant_words(item) or _kind_words(item)  # « Mémo imprimé » : the kind of thing is all it says
    scored = []
    for path, label in sorted(labels.items(), reverse=True):
        named = words & significant_words(support_label(path, None))
        said = significant_words(label) | _kind_words(label)
        scored.append((len(words & (said | named)), len(named), path))
    best = max(scored, default=(0, 0, ""))
    return best[2] if best[0] else None


def unprovided(materials: Iterable[str], outside: Iterable[str], labels: Mapping[str, str]) -> Iterator[str]:
    """The printed items that no support provides and that are not declared as brought by the facilitator."""
    declared = {fold_key(item) for item in outside}
    for item in materials:
        if fold_key(item) not in declared and is_printed(item) and provider(item, labels) is None:
            yield item


def stray_declarations(materials: Iterable[str], outside: Iterable[str]) -> Iterator[str]:
    """Items of `materials_outside_kit` that `materials` does not list (a typo silences nothing)."""
    listed = {fold_key(item) for item in materials}
    return (item for item in outside if fold_key(item) not in listed)
