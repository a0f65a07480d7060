"""The controlled vocabularies (objectives, audiences, themes, levels, statuses, licences).

They live in ONE data file, `data/vocabulary.json`; everything that lists them reads it from here.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

KINDS = ("objectives", "audiences", "themes", "levels", "statuses", "licenses")


@dataclass(frozen=True)
class Term:
    """One value of a vocabulary: its slug, its French label and, for licences, a short name and a URL."""

    slug: str
    label: str
    aliases: tuple[str, ...] = ()
    short: str = ""
    url: str = ""


def fold_key(text: str) -> str:
    """Lowercase, accents removed, every run of other characters as one hyphen: "Élus et décideurs" -> "elus-et-decideurs"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "oe"))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


@dataclass(frozen=True)
class Vocabulary:
    """All vocabularies, each a mapping slug -> Term, in the file's order."""

    objectives: Mapping[str, Term]
    audiences: Mapping[str, Term]
    themes: Mapping[str, Term]
    levels: Mapping[str, Term]
    statuses: Mapping[str, Term]
    licenses: Mapping[str, Term]

    def terms(self, kind: str) -> Mapping[str, Term]:
        return getattr(self, kind)

    def label(self, kind: str, slug: str) -> str:
        term = self.terms(kind).get(slug)
        return term.label if term else slug

    def normalise(self, kind: str, value: str) -> str | None:
        """The slug meant by `value` (a slug, a label or an alias, with or without accents), or None."""
        terms = self.terms(kind)
        if value in terms:
            return value
        key = fold_key(value)
        for term in terms.values():
            names = (term.slug, term.label, term.short, *term.aliases)
            if any(name and fold_key(name) == key for name in names):
                return term.slug
        return None

    def closest(self, kind: str, value: str) -> str | None:
        """The valid slug nearest to a mistyped value, for "vouliez-vous dire" messages."""
        terms = self.terms(kind)
        by_key: dict[str, str] = {}
        for term in terms.values():
            for name in (term.slug, term.label, *term.aliases):
                by_key.setdefault(fold_key(name), term.slug)
        import difflib  # only for mistakes: keep it off the start-up path

        match = difflib.get_close_matches(fold_key(value), list(by_key), n=1, cutoff=0.6)
        return by_key[match[0]] if match else None


@functools.cache
def load_vocabulary() -> Vocabulary:
    """Read the vocabulary file shipped in the package (once per process)."""
    text = (Path(__file__).parent.parent / "data" / "vocabulary.json").read_text(encoding="utf-8")  # importlib.resources costs 10 ms
    raw = json.loads(text)
    return Vocabulary(
        **{
            kind: {
                slug: Term(
                    slug=slug,
                    label=entry["label"],
                    aliases=tuple(entry.get("aliases", ())),
                    short=entry.get("short", ""),
                    url=entry.get("url", ""),
                )
                for slug, entry in raw[kind].items()
            }
            for kind in KINDS
        }
    )
