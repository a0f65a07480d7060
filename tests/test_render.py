"""Markdown -> HTML: hostile input stays text, only safe links are links, French spacing, headings."""

from __future__ import annotations

import pytest

from outillerie.publish.markdown import Body, french_spacing, is_safe_url, render_markdown

from .htmltree import parse

NBSP, NNBSP = "\u00a0", "\u202f"


def test_raw_html_and_scripts_are_escaped_as_text() -> None:
    source = ("<script>alert('bloc')</script>\n\n"
              "Texte <img src=x onerror=alert(1)> et <b onclick=\"alert(2)\">gras</b> "
              "<iframe src=\"https://evil.example\"></iframe>\n\n"
              "<div style=\"background:url(javascript:alert(3))\">\n\nbloc\n\n</div>\n")
    html = render_markdown(source).html
    tree = parse(html)
    for tag in ("script", "img", "b", "iframe", "div", "style"):
        assert tree.find_all(tag) == [], tag
    assert all(not name.startswith("on") for element in tree.iter() for name in element.attrs)
    assert "<script>alert('bloc')</script>" in tree.text
    assert "<img src=x onerror=alert(1)>" in tree.text


@pytest.mark.parametrize("link", [
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](javascript&#58;alert(1))",
    "[clic](<java\tscript:alert(1)>)",
    "[clic](java%09script:alert(1))",
    "[clic](&#x6A;avascript:alert(1))",
    "[clic](vbscript:msgbox(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[clic](DATA:text/html,<script>alert(1)</script>)",
    "[clic](file:///etc/passwd)",
    "[clic][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<data:text/html,hi>",
])
def test_dangerous_links_are_not_links(link: str) -> None:
    tree = parse(render_markdown(f"Avant {link} après").html)
    assert tree.find_all("a") == []
    assert "Avant" in tree.text and "après" in tree.text


@pytest.mark.parametrize("image", [
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](javascript:alert(1))",
])
def test_data_and_script_images_are_not_images(image: str) -> None:
    tree = parse(render_markdown(image).html)
    assert tree.find_all("img") == []
    assert tree.find_all("a") == []


def test_an_image_from_outside_the_site_becomes_a_link_and_is_never_loaded() -> None:
    tree = parse(render_markdown("![Carte du quartier](https://tracker.example/pixel.png) ![local](carte.png)").html)
    images = tree.find_all("img")
    assert [img.get("src") for img in images] == ["carte.png"]
    link = tree.find("a")
    assert link.get("href") == "https://tracker.example/pixel.png"
    assert link.text == "Image\u00a0: Carte du quartier"
    assert is_safe_url("//evil.example/x") is True  # a link may leave the site; an image may not:
    tree = parse(render_markdown("![x](//evil.example/x.png)").html)
    assert tree.find_all("img") == []


def test_safe_links_stay_links_and_a_title_cannot_add_attributes() -> None:
    source = ('[site](https://lesbases.anct.gouv.fr) [mail](mailto:contact@exemple.fr) [tel](tel:+33100000000) '
              '[support](grille.md) [ancre](#deroule) [titre](https://a.example "x\\" onmouseover=\\"alert(1)")')
    links = parse(render_markdown(source).html).find_all("a")
    assert [a.get("href") for a in links] == ["https://lesbases.anct.gouv.fr", "mailto:contact@exemple.fr",
                                               "tel:+33100000000", "grille.md", "#deroule", "https://a.example"]
    assert links[-1].get("onmouseover") is None
    assert links[-1].get("title") == 'x" onmouseover="alert(1)'


def test_links_can_be_rewritten_for_the_site() -> None:
    html = render_markdown("[grille](grille.md) [autre](https://x.example)",
                           links=lambda href: "grille.html" if href == "grille.md" else None).html
    assert [a.get("href") for a in parse(html).find_all("a")] == ["grille.html", "https://x.example"]


def test_a_body_parsed_once_renders_each_time_as_if_parsed_again() -> None:
    """The export parses a sheet's body once for its page and its printable page, each with its own links."""
    source = ("# Titre\n\n## Déroulé\n\n### Accueil (10 min)\n\nLire [la grille](grille.md), [le site](https://x.example) "
              "et [la carte](carte.pdf)[^1].\n\n| a | b |\n|--:|:-:|\n| [grille](grille.md) | 2 |\n\n[^1]: Une note.\n")
    page = lambda href: ("grille.html", "Grille.md") if href == "grille.md" else None  # noqa: E731
    kit = lambda href: f"supports/{href}" if not href.startswith("http") else None  # noqa: E731
    body = Body(source)
    for links in (page, kit, None, page):
        again = render_markdown(source, links=links)
        assert body.render(links) == again
    assert 'href="supports/grille.md"' in body.render(kit).html and 'download="Grille.md"' not in body.render(kit).html


def test_french_spacing_in_text_but_not_in_code() -> None:
    html = render_markdown("Bonjour : ça va ? Oui ! « Bien » ; fin.\n\n`a : b ?`\n\n    code : ici ?\n").html
    tree = parse(html)
    paragraph = tree.find("p").text
    assert f"Bonjour{NBSP}: ça va{NNBSP}? Oui{NNBSP}! «{NBSP}Bien{NBSP}»{NNBSP}; fin." == paragraph
    assert tree.find("code").text == "a : b ?"
    assert "code : ici ?" in tree.find("pre").text
    assert french_spacing("https://exemple.fr") == "https://exemple.fr"


def test_headings_get_anchors_sit_below_the_page_title_and_steps_are_grouped() -> None:
    source = "## Déroulé\n\n### Accueil (15 min)\n\nTexte.\n\n### Accueil (10 min)\n\nSuite.\n\n## Variantes\n\nFin.\n"
    rendered = render_markdown(source)
    assert [(h.level, h.anchor) for h in rendered.headings] == [(2, "deroule"), (3, "accueil"), (3, "accueil-2"),
                                                                (2, "variantes")]
    tree = parse(rendered.html)
    blocks = tree.find_all("div", class_="bloc")
    assert [b.find("h3").get("id") for b in blocks] == ["accueil", "accueil-2"]
    assert "Variantes" not in "".join(b.text for b in blocks)
    shifted = render_markdown("# Titre\n\n## Partie\n")
    assert [h.level for h in shifted.headings] == [2, 3]
    assert parse(shifted.html).find_all("h1") == []


def test_tables_task_lists_and_footnotes_keep_the_safety_rules() -> None:
    source = ("| a | b |\n|:-:|--:|\n| <script>x</script> | [l](javascript:alert(1)) |\n\n"
              "- [ ] <b>tâche</b>\n\nTexte[^n].\n\n[^n]: Note [piège](javascript:alert(2)) et [bon](https://a.example).\n")
    tree = parse(render_markdown(source).html)
    cells = tree.find("table").find_all("td")
    assert [c.get("class") for c in cells] == ["aligne-centre", "aligne-droite"]
    assert cells[0].text == "<script>x</script>" and tree.find_all("script") == [] and tree.find_all("b") == []
    assert [a.get("href") for a in tree.find_all("a")] == ["#fn1", "https://a.example", "#fnref1"]
    assert tree.find("input").get("type") == "checkbox" and tree.find("input").get("disabled") == "disabled"


def test_a_support_is_cut_into_cards_with_their_backs() -> None:
    from outillerie.publish.markdown import render_sections

    source = ("# Titre\n\nIntro.\n\n## Carte 1\n\nRecto un.\n\n### Verso\n\nVerso un.\n\n"
              "## Carte 2\n\nRecto deux.\n\n```\n## pas une carte\n```\n")
    cut = render_sections(source, backs=True)
    assert "Intro." in cut.intro and "<h1" in cut.intro
    assert [s.title for s in cut.sections] == ["Carte 1", "Carte 2"]
    assert "Recto un." in cut.sections[0].front and "Verso" not in cut.sections[0].front
    assert cut.sections[0].back is not None and "Verso un." in cut.sections[0].back
    assert cut.sections[1].back is None and "## pas une carte" in cut.sections[1].front
    pages = render_sections(source, backs=False)
    assert pages.sections[0].back is None and "Verso un." in pages.sections[0].front
