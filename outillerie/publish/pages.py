"""What a sheet page shows, as plain values for the templates: key facts, timed steps, citation, JSON-LD, links."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any, Collection, Sequence

from ..sheets.history import SheetHistory
from ..sheets.sheet import Sheet
from ..sheets.vocabulary import Vocabulary, fold_key
from .markdown import Heading, french_spacing
from .downloads import download_name, site_names

DEFAULT_START = 9 * 60  # the clock times shown before anyone picks a start: 9 h 00
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
_ORGANISATION_WORDS = {"collectif", "association", "asso", "reseau", "hub", "tiers-lieu", "cooperative", "scop",
                       "scic", "federation", "ville", "mairie", "commune", "departement", "region", "centre",
                       "maison", "conseil", "agence", "fondation", "institut", "universite", "ministere",
                       "mediatheque", "bibliotheque", "france", "ccas", "epn", "fablab", "groupe", "union"}


@dataclass(frozen=True)
class TimedStep:
    """A step of the timeline: its anchor in the body, its length and when it starts."""

    title: str
    minutes: int | None
    offset: int
    anchor: str | None

    @property
    def clock(self) -> str:
        return clock(DEFAULT_START + self.offset)


def clock(minutes: int) -> str:
    """A time of day the French way: 9 h 05, 14 h 30."""
    hours, rest = divmod(minutes % (24 * 60), 60)
    return f"{hours}\u00a0h\u00a0{rest:02d}"


def french_date(day: dt.date) -> str:
    """25 novembre 2026, 1er mars 2026."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def iso_duration(minutes: int) -> str:
    """ISO 8601 duration for schema.org: 90 -> PT1H30M."""
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


def timeline(sheet: Sheet, headings: Sequence[Heading]) -> list[TimedStep]:
    """The steps with their start offsets, each linked to its heading in the rendered body."""
    anchors: list[str] = []
    section_level: int | None = None
    for heading in headings:
        if section_level is not None and heading.level <= section_level:
            break
        if section_level is None and fold_key(heading.text) == "deroule":
            section_level = heading.level
        elif section_level is not None and heading.level == section_level + 1:
            anchors.append(heading.anchor)
    steps, offset = [], 0
    for number, step in enumerate(sheet.steps):
        anchor = anchors[number] if number < len(anchors) else None
        steps.append(TimedStep(step.title, step.minutes, offset, anchor))
        offset += step.minutes or 0
    return steps


def citation(sheet: Sheet, vocabulary: Vocabulary, page_url: str | None) -> str:
    """The ready-to-copy attribution text that the licence asks for."""
    term = vocabulary.licenses.get(sheet.license)
    licence = f"{term.short or term.label} ({term.url})" if term else sheet.license
    year = (sheet.updated or sheet.created)
    authors = ", ".join(sheet.authors)
    where = f" Source : {page_url}" if page_url else ""
    dated = f", {year.year}" if year else ""
    return french_spacing(f"« {sheet.title} », {authors}{dated}, sous licence {licence}.{where}")


def is_organisation(name: str) -> bool:
    """A guess for schema.org: « Collectif outillerie » is an organisation, « Camille Martin » a person."""
    return any(word in _ORGANISATION_WORDS for word in fold_key(name).split("-"))


def json_ld(sheet: Sheet, vocabulary: Vocabulary, steps: Sequence[TimedStep], page_url: str | None,
            history: SheetHistory | None) -> dict[str, Any]:
    """schema.org LearningResource: objective as educationalUse, publics, ISO duration, licence, steps as parts."""
    term = vocabulary.licenses.get(sheet.license)
    bases = les_bases_terms(sheet, vocabulary)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LearningResource",
        "name": sheet.title,
        "description": sheet.summary,
        "inLanguage": "fr",
        "learningResourceType": ["fiche atelier", *bases["learningResourceType"]],
        "educationalUse": vocabulary.label("objectives", sheet.objective),
        "audience": [{"@type": "Audience", "audienceType": vocabulary.label("audiences", s)} for s in sheet.public]
        + bases["audience"],
        "timeRequired": iso_duration(sheet.duration),
        "license": term.url if term and term.url else sheet.license,
        "author": [{"@type": "Organization" if is_organisation(a) else "Person", "name": a} for a in sheet.authors],
        "keywords": list(sheet.tags),
        "about": [vocabulary.label("themes", s) for s in sheet.themes] + bases["about"],
        "hasPart": [{"@type": "LearningResource", "name": s.title, "position": n,
                     **({"timeRequired": iso_duration(s.minutes)} if s.minutes else {})}
                    for n, s in enumerate(steps, start=1)],
    }
    if sheet.level:
        data["educationalLevel"] = vocabulary.label("levels", sheet.level)
    if history and history.contributors:
        data["contributor"] = [{"@type": "Person", "name": c.name} for c in history.contributors]
    created = sheet.created or (history.first if history else None)
    modified = sheet.updated or (history.last if history else None)
    if created:
        data["dateCreated"] = created.isoformat()
    if modified:
        data["dateModified"] = modified.isoformat()
    if page_url:
        data["url"] = page_url
    return data


def les_bases_terms(sheet: Sheet, vocabulary: Vocabulary) -> dict[str, list[dict[str, str]]]:
    """The sheet's place on Les Bases du numérique d'intérêt général, as schema.org terms: its themes (`about`), its
    professional sectors and beneficiaries (`audience`), its resource type (`learningResourceType`)."""
    bases = vocabulary.les_bases
    if bases is None:
        return {"about": [], "audience": [], "learningResourceType": []}
    place = bases.of_sheet(sheet.themes, sheet.public)

    def terms(group: str, singular: str, scheme: str) -> list[dict[str, str]]:
        return [{"@type": "DefinedTerm", "name": label, "termCode": code, "inDefinedTermSet": f"{bases.name} : {scheme}"}
                for code, label in zip(place[group], place[f"{singular}_labels"])]

    audience = [{"@type": "Audience", "audienceType": label, "identifier": code,
                 "description": f"{what} selon {bases.name}"}
                for group, singular, what in (("professional_sectors", "professional_sector", "Secteur professionnel"),
                                              ("beneficiaries", "beneficiary", "Public bénéficiaire"))
                for code, label in zip(place[group], place[f"{singular}_labels"])]
    resource = [{"@type": "DefinedTerm", "name": place["resource_type_label"], "termCode": place["resource_type"],
                 "inDefinedTermSet": f"{bases.name} : types de ressources"}]
    return {"about": terms("themes", "theme", "thématiques"), "audience": audience, "learningResourceType": resource}


def relative_link(href: str, sheet: Sheet, rendered_supports: Collection[str]) -> str | tuple[str, str] | None:
    """Where a relative link of a sheet body should point on the site (None: leave it as written).

    A Markdown support becomes its HTML page; another support a download (address, name to save it under),
    under the name the site gives it; another sheet (`../slug/index.md` or `../slug/`) its page.
    """
    parts = urllib.parse.urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return None
    path = posixpath.normpath(urllib.parse.unquote(parts.path))
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    if path in rendered_supports:
        return urllib.parse.quote(re.sub(r"\.md$", ".html", path)) + fragment
    if path in sheet.supports:
        return urllib.parse.quote(site_names(sheet.supports)[path]), download_name(path)
    match = re.fullmatch(r"\.\./([a-z0-9-]+)(?:/(?:index\.md)?)?", path)
    if match and match.group(1) != sheet.slug:
        return f"../{match.group(1)}/index.html{fragment}"
    return None
