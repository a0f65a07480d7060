"""The controlled vocabularies (objectives, audiences, themes, levels, statuses, licences).

They live in ONE data file, `data/vocabulary.json`; everything that lists them reads it from here. The same file
maps our themes and audiences onto those of the national platform « Les Bases du numérique d'intérêt général »
(`les_bases` on each term, the platform's codes and labels at the top level), for open data others can take in.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from pathlib import Path
from typing import Any, Iterable, Mapping, NamedTuple

KINDS = ("objectives", "audiences", "themes", "levels", "statuses", "licenses")


# NamedTuples, not dataclasses: immutable and compared by their fields alike, and free at import (a frozen dataclass
# costs ~1 ms to create; every search loads this module).
class Term(NamedTuple):
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


class LesBases(NamedTuple):
    """Where our vocabularies meet Les Bases': their codes for each of our themes and audiences, and their labels."""

    name: str
    resource_type: str
    labels: Mapping[str, Mapping[str, str]]  # themes, professional_sectors, beneficiaries, resource_types
    themes: Mapping[str, tuple[str, ...]]  # our theme -> their themes (none for a theme they do not have)
    sectors: Mapping[str, tuple[str, ...]]  # our audience -> their professional sectors
    beneficiaries: Mapping[str, tuple[str, ...]]  # our audience -> their beneficiaries

    def of_sheet(self, themes: Iterable[str], public: Iterable[str]) -> dict[str, Any]:
        """A sheet's place on the platform: codes and labels of its themes, sectors, beneficiaries and type."""
        public = tuple(public)
        found = {"themes": [c for s in themes for c in self.themes.get(s, ())],
                 "professional_sectors": [c for s in public for c in self.sectors.get(s, ())],
                 "beneficiaries": [c for s in public for c in self.beneficiaries.get(s, ())]}
        data: dict[str, Any] = {}
        for (group, codes), singular in zip(found.items(), ("theme", "professional_sector", "beneficiary")):
            data[group] = list(dict.fromkeys(codes))
            data[f"{singular}_labels"] = [self.labels[group].get(code, code) for code in data[group]]
        data["resource_type"] = self.resource_type
        data["resource_type_label"] = self.labels["resource_types"].get(self.resource_type, self.resource_type)
        return data


class Vocabulary(NamedTuple):
    """All vocabularies, each a mapping slug -> Term, in the file's order, and their mapping onto Les Bases."""

    objectives: Mapping[str, Term]
    audiences: Mapping[str, Term]
    themes: Mapping[str, Term]
    levels: Mapping[str, Term]
    statuses: Mapping[str, Term]
    licenses: Mapping[str, Term]
    les_bases: LesBases | None = None

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
        les_bases=_les_bases(raw),
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


def _les_bases(raw: Mapping[str, Any]) -> LesBases:
    """The `les_bases` entries of the vocabulary file: on each theme a list, on each audience sectors and beneficiaries."""
    top = raw["les_bases"]
    audiences = {slug: entry.get("les_bases", {}) for slug, entry in raw["audiences"].items()}
    return LesBases(
        name=top["name"], resource_type=top["resource_type"], labels=top["labels"],
        themes={slug: tuple(entry.get("les_bases", ())) for slug, entry in raw["themes"].items()},
        sectors={slug: tuple(entry.get("professional_sectors", ())) for slug, entry in audiences.items()},
        beneficiaries={slug: tuple(entry.get("beneficiaries", ())) for slug, entry in audiences.items()},
    )
