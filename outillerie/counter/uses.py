"""Declared uses (« J'ai animé cet atelier »): the answers a declaration may hold and their validation.

Every field is a choice from a fixed list (no free text, nothing about the person); anything else is refused
with a French message and never stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping, Sequence

from ..errors import CounterError
from ..sheets.vocabulary import load_vocabulary

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
BANDS = {"1-5": "1 à 5", "6-12": "6 à 12", "13-25": "13 à 25", "26+": "plus de 25"}
BAND_RANGES = {"1-5": (1, 5), "6-12": (6, 12), "13-25": (13, 25), "26+": (26, None)}
RECOMMEND = {"non": "Non", "moyennement": "Moyennement", "oui": "Oui", "beaucoup": "Beaucoup"}
MAX_BODY = 4096  # bytes: the largest honest form (every public ticked) is under 1 KB
FIELDS = ("month", "departement", "participants", "public", "recommend")


class DeclarationError(CounterError):
    """A declaration that cannot be accepted: the message says which answer is wrong and what to do."""


@dataclass(frozen=True)
class Territories:
    """The official départements and régions (INSEE codes), shipped in outillerie/data/departements.json."""

    departements: dict[str, str]  # code -> name
    region_of: dict[str, str]  # département code -> région code
    regions: dict[str, str]  # code -> name


@lru_cache(maxsize=1)
def load_territories() -> Territories:
    data = json.loads(resources.files("outillerie").joinpath("data/departements.json").read_text(encoding="utf-8"))
    return Territories(
        departements={d["code"]: d["name"] for d in data["departements"]},
        region_of={d["code"]: d["region"] for d in data["departements"]},
        regions={r["code"]: r["name"] for r in data["regions"]},
    )


@dataclass(frozen=True)
class Use:
    """One declared use: when (month), where (département), how many, which publics, and the recommendation."""

    month: str  # 'YYYY-MM'
    departement: str
    participants: str
    publics: tuple[str, ...]
    recommend: str


def month_of(number: int, today: date) -> str:
    """The most recent month `number` (1-12) that is not in the future: the form asks only for the month's name."""
    year = today.year if number <= today.month else today.year - 1
    return f"{year:04d}-{number:02d}"


def form_choices() -> dict[str, Any]:
    """The lists the form offers, as plain data for the pages."""
    territories = load_territories()
    audiences = load_vocabulary().terms("audiences")
    return {
        "months": [(f"{n:02d}", name) for n, name in enumerate(MONTHS, start=1)],
        "departements": [(code, f"{code} – {name}") for code, name in territories.departements.items()],
        "bands": list(BANDS.items()),
        "publics": [(slug, term.label) for slug, term in audiences.items()],
        "recommend": list(RECOMMEND.items()),
    }


def parse_use(form: Mapping[str, Sequence[str]], today: date) -> Use:
    """Read a posted form into a Use; a missing, repeated, unknown or extra answer is a DeclarationError."""
    unknown = sorted(set(form) - set(FIELDS))
    if unknown:
        raise DeclarationError(f"la déclaration contient un champ inconnu (« {unknown[0][:40]} »). Pour corriger : "
                               "envoyez le formulaire de la page de la fiche, sans l'ajouter.")
    month = _one(form, "month", "le mois de l'animation")
    if month not in {f"{n:02d}" for n in range(1, 13)}:
        raise _bad("le mois de l'animation", month, "choisissez un mois dans la liste")
    departement = _one(form, "departement", "le département")
    if departement not in load_territories().departements:
        raise _bad("le département", departement, "choisissez un département dans la liste")
    participants = _one(form, "participants", "le nombre de participant·e·s")
    if participants not in BANDS:
        raise _bad("le nombre de participant·e·s", participants, "choisissez 1 à 5, 6 à 12, 13 à 25 ou plus de 25")
    recommend = _one(form, "recommend", "la recommandation")
    if recommend not in RECOMMEND:
        raise _bad("la recommandation", recommend, "choisissez Non, Moyennement, Oui ou Beaucoup")
    audiences = load_vocabulary().terms("audiences")
    publics = tuple(form.get("public", ()))
    if not publics:
        raise DeclarationError("aucun public touché n'est coché. Pour corriger : cochez au moins un public.")
    for public in publics:
        if public not in audiences:
            raise _bad("un public touché", public, "cochez des publics de la liste")
    if len(set(publics)) != len(publics):
        raise DeclarationError("un public est coché deux fois. Pour corriger : cochez chaque public une seule fois.")
    return Use(month_of(int(month), today), departement, participants, tuple(sorted(publics)), recommend)


def _one(form: Mapping[str, Sequence[str]], name: str, label: str) -> str:
    values = form.get(name, ())
    if len(values) != 1 or not values[0]:
        raise DeclarationError(f"{label} {'manque' if not values or not values[0] else 'est donné plusieurs fois'}. "
                               f"Pour corriger : choisissez une réponse pour {label}.")
    return values[0]


def _bad(label: str, value: str, fix: str) -> DeclarationError:
    shown = value[:40].encode("unicode_escape").decode("ascii")
    return DeclarationError(f"« {shown} » n'est pas une réponse possible pour {label}. Pour corriger : {fix}.")
