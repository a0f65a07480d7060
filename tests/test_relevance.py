"""Relevance over the shipped commons: queries typed the way people type them, each with the sheet(s)
that must be in the top 3. A failing case means search got worse for someone: fix ranking, not the test.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from outillerie.search.query import Filters, search_library

from .conftest import REPO

# (query, filters, sheets of which at least one must be in the top 3)
CASES: list[tuple[str, dict[str, object], set[str]]] = [
    # typed without accents
    ("hameconnage", {}, {"reperer-les-arnaques-en-ligne"}),
    ("accessibilite", {}, {"accessibilite-numerique-mise-en-situation"}),
    ("lecteur d'ecran", {}, {"accessibilite-numerique-mise-en-situation"}),
    ("donnees personnelles", {}, {"donnees-personnelles-accompagnement"}),
    ("mecenat budget", {}, {"financer-un-projet-collectif"}),
    ("reconditionne", {}, {"impact-environnemental-du-numerique"}),
    ("exclusion numerique", {}, {"comprendre-exclusion-numerique"}),
    ("world cafe habitants", {}, {"de-l-idee-au-projet-atelier-des-besoins"}),
    # singular for plural and plural for singular
    ("arnaque", {}, {"reperer-les-arnaques-en-ligne"}),
    ("subvention", {}, {"financer-un-projet-collectif"}),
    ("mot de passe", {}, {"donnees-personnelles-accompagnement"}),
    ("licence libre", {}, {"publier-une-ressource-en-commun"}),
    ("communaute de pratique", {}, {"animer-une-communaute-de-pratiques"}),
    ("bibliothecaire", {}, {"publier-une-ressource-en-commun"}),
    ("benevoles", {}, {"lancer-projet-collectif-local", "de-l-idee-au-projet-atelier-des-besoins"}),
    # inclusive writing, in the query or in the sheet only
    ("elus", {}, {"feuille-de-route-inclusion-numerique"}),
    ("élu·e·s feuille de route", {}, {"feuille-de-route-inclusion-numerique"}),
    ("mediatrices numeriques communaute", {}, {"animer-une-communaute-de-pratiques"}),
    ("médiateur.rice.s entraide", {}, {"animer-une-communaute-de-pratiques", "cafe-de-la-mediation"}),
    # a word of the body, not of the title
    ("codeveloppement", {}, {"cafe-de-la-mediation"}),
    ("illectronisme", {}, {"comprendre-exclusion-numerique"}),
    ("faux sms", {}, {"reperer-les-arnaques-en-ligne"}),
    ("chatgpt", {}, {"ia-generative-au-guichet"}),
    ("zoom clavier", {}, {"accessibilite-numerique-mise-en-situation"}),
    ("minuteur", {}, {"cafe-de-la-mediation"}),
    ("aidants connect mandat", {}, {"demarche-en-ligne-jeu-de-role"}),
    ("empreinte environnementale", {}, {"impact-environnemental-du-numerique"}),
    ("de guichet en guichet", {}, {"orienter-vers-le-bon-interlocuteur", "se-connaitre-entre-metiers"}),
    # titles and tags, as remembered
    ("cafe mediation", {}, {"cafe-de-la-mediation"}),
    ("cartographie acteurs", {}, {"cartographier-acteurs-inclusion"}),
    ("jeu de role", {}, {"demarche-en-ligne-jeu-de-role"}),
    ("diagnostic territoire", {}, {"diagnostic-partage-territoire"}),
    ("speed meeting", {}, {"se-connaitre-entre-metiers"}),
    ("plan d'action quartier", {}, {"lancer-projet-collectif-local"}),
    ("intelligence artificielle", {}, {"ia-generative-au-guichet"}),
    # operators and prefixes
    ("numér* SAUF environnement", {"max_duration": 60}, {"se-connaitre-entre-metiers"}),
    ("orientation OU annuaire", {"objective": "reseau", "public": ("agents-accueil",)},
     {"orienter-vers-le-bon-interlocuteur"}),
    # two filters
    ("orientation", {"objective": "reseau", "public": ("agents-accueil",)}, {"orienter-vers-le-bon-interlocuteur"}),
    ("jeu", {"objective": "sensibiliser", "max_duration": 60}, {"impact-environnemental-du-numerique"}),
    ("priorites", {"objective": "projets-collectifs", "public": ("elus",)}, {"feuille-de-route-inclusion-numerique"}),
    ("sms", {"level": "debutant", "theme": "usage-securise-du-numerique"}, {"reperer-les-arnaques-en-ligne"}),
]


@pytest.fixture(scope="module")
def commons(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped commons with its own index (the repository's index/ is left alone)."""
    library = tmp_path_factory.mktemp("communs")
    shutil.copytree(REPO / "resources", library / "resources")
    return library


def test_there_are_at_least_25_queries() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("query, filters, expected", CASES, ids=[case[0] for case in CASES])
def test_the_expected_sheet_is_in_the_top_3(commons: Path, query: str, filters: dict[str, object],
                                             expected: set[str]) -> None:
    result = search_library(commons, commons / "index", query, Filters(**filters), limit=3)  # type: ignore[arg-type]
    top = [hit.slug for hit in result.hits]
    assert expected & set(top), f"{query!r} {filters}: top 3 = {top}"
