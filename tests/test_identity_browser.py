"""A hub's identity as a visitor sees it in Debian's Chromium: its name and logo in the header, its contact in the
footer, and on a 390 px phone the filters folded so that a whole result card fits in the first screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from outillerie.publish.export import export_site

from .test_config import hub_library
from .test_site_browser import axe_violations, base_url, browser_type_launch_args, url, visible  # noqa: F401


@pytest.fixture(scope="module")
def hub_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("identite")
    site = folder / "site"
    export_site(hub_library(folder), site, cache_dir=folder / "cache", keep_going=True)
    return site


def test_the_header_shows_the_hubs_name_and_logo_and_the_footer_its_contact(page: Page, hub_site: Path) -> None:
    for name in ("index.html", "fiches/elus-et-reseau/index.html"):
        page.goto(url(hub_site, name))
        header = page.locator("header.entete")
        assert header.locator(".nom-site").inner_text().strip() == "Les fiches du Hub normand"
        assert header.locator(".nom-pole").inner_text() == "Hub du numérique de Normandie"
        logo = header.locator(".nom-site img")
        assert logo.is_visible() and logo.evaluate("img => img.naturalWidth") == 2, name
        assert logo.bounding_box()["height"] >= 40  # drawn at the header's size, not the file's 1 pixel
        footer = page.locator("footer.pied")
        assert footer.get_by_role("link", name="contact@hub.exemple.fr").get_attribute("href") == \
            "mailto:contact@hub.exemple.fr"
        assert footer.get_by_role("link", name="hub.exemple.fr", exact=True).get_attribute("href") == "https://hub.exemple.fr"
        assert [footer.get_by_role("link", name=text, exact=True).count() for text in ("Proposer une fiche", "À propos")] == [1, 1]
        assert "licence CC BY 4.0 sauf mention contraire" in footer.inner_text()


def test_on_a_phone_a_whole_result_card_is_in_the_first_screen(browser: Browser, hub_site: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(url(hub_site))
    assert visible(page)
    assert page.locator("#filtres-replier").evaluate("details => details.open") is False
    assert page.locator("#f-q").is_visible() and not page.locator("#f-objective").is_visible()
    card = page.locator("#fiches > li").first.bounding_box()
    assert card is not None and card["y"] >= 0 and card["y"] + card["height"] <= 844, card
    assert axe_violations(page) == []
    page.get_by_text("Filtrer les fiches").click()
    page.select_option("#f-objective", "reseau")
    assert visible(page) == ["elus-et-reseau"]
    page.goto(url(hub_site) + "#public=habitants")  # a link that sets a filter shows it
    page.reload()
    assert page.locator("#filtres-replier").evaluate("details => details.open") is True
    context.close()


def test_on_a_wide_screen_the_filters_are_open_and_the_cards_have_badges(page: Page, hub_site: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(url(hub_site))
    assert visible(page)
    assert page.locator("#f-objective").is_visible()
    card = page.locator("#fiches > li", has=page.locator('a[href="fiches/elus-et-reseau/index.html"]'))
    badge = card.locator(".badge.objectif")
    assert badge.inner_text() == "Travailler en réseau"
    assert badge.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(236, 230, 250)"
    assert card.locator(".badge.duree").is_visible() and card.locator(".badge.public").is_visible()
    summary = card.locator(".resume")
    lines = summary.evaluate("p => p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight)")
    assert lines <= 3.05
    page.focus('#fiches a[href="fiches/elus-et-reseau/index.html"]')
    ring = card.locator("article").evaluate("a => [getComputedStyle(a).outlineStyle, getComputedStyle(a).outlineColor]")
    assert ring == ["solid", "rgb(138, 21, 56)"]  # the hub's accent colour (#8A1538)
    assert axe_violations(page) == []
