"""A hub's site in Debian's Chromium: its logo, colour and contact pass axe-core, and the shipped sheets' tags, now
written with their accents, are found by the catalogue's search with or without them."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from outillerie.publish.export import export_site

from .conftest import REPO
from .test_config import hub_library
from .test_site_browser import axe_violations, base_url, browser_type_launch_args, url, visible  # noqa: F401


@pytest.fixture(scope="module")
def commons(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The commons shipped with outillerie, exported (its cache beside the site, never in the repository)."""
    output = tmp_path_factory.mktemp("commun") / "site"
    export_site(REPO, output, cache_dir=output.parent / "cache", keep_going=True)
    return output


@pytest.mark.parametrize("typed, slug", [("hameconnage", "reperer-les-arnaques-en-ligne"),
                                         ("hameçonnage", "reperer-les-arnaques-en-ligne"),
                                         ("reemploi", "impact-environnemental-du-numerique"),
                                         ("réemploi", "impact-environnemental-du-numerique"),
                                         ("strategie", "feuille-de-route-inclusion-numerique")])
def test_a_tag_typed_with_or_without_its_accents_finds_its_sheet(page: Page, commons: Path, typed: str,
                                                                 slug: str) -> None:
    page.goto(url(commons))
    page.fill("#f-q", typed)
    assert slug in visible(page), typed


def test_a_hub_site_with_logo_colour_and_contact_has_no_axe_violation(page: Page, tmp_path: Path) -> None:
    site = tmp_path / "site"
    export_site(hub_library(tmp_path), site, keep_going=True)
    found = {}
    for name in ("index.html", "a-propos/index.html", "fiches/elus-et-reseau/index.html"):
        page.goto(url(site, name))
        assert page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()") == "#8a1538"
        assert page.evaluate("document.querySelector('.nom-site img').naturalWidth") == 2  # the logo was loaded
        violations = axe_violations(page)
        if violations:
            found[name] = violations
    assert found == {}
