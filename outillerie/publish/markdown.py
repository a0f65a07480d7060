"""Markdown -> safe HTML for the site, the printable pages and the PDFs (the only module that imports
markdown-it-py and mdit-py-plugins).

Markdown as contributors write it: CommonMark plus GitHub's tables (alignment as classes, since the site's
Content-Security-Policy forbids style attributes), task lists and footnotes. Raw HTML is escaped, only
http(s)/mailto/tel and relative links stay links, images load only from the sheet's own folder, and French
spacing is applied to text (never to code). `render_sections` cuts a support into its cards or pages.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from functools import cache
from typing import Any, Callable, Sequence

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ..sheets.vocabulary import fold_key

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_INVISIBLE_RE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_BEFORE_HIGH = re.compile(r"[ \u00a0]+([;!?])")
_BEFORE_COLON = re.compile(r"[ \u00a0\u202f]+([:»])")
_AFTER_OPENING = re.compile(r"«[ \u00a0\u202f]+")

_ID_ATTRIBUTE = re.compile(r'\s(?:id|for)="[^"<>]*"(?=[^<>]*>)')  # inside our own tags: text escapes every "
LinkMap = Callable[[str], "str | tuple[str, str] | None"]  # a tuple: (address, name to download it under)


@dataclass(frozen=True)
class Heading:
    """A heading of the rendered body: its level on the page, its text and its anchor."""

    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Rendered:
    """A rendered body: safe HTML and the outline it has."""

    html: str
    headings: tuple[Heading, ...]


@dataclass(frozen=True)
class Section:
    """One `## ` section of a support: a card (its front, and its back when it has a `### Verso`) or a page."""

    title: str
    front: str
    back: str | None = None


@dataclass(frozen=True)
class Sections:
    """A support cut for print: what comes before the first `## `, each section, then the footnotes."""

    intro: str
    sections: tuple[Section, ...]
    notes: str
    headings: tuple[Heading, ...]

    @property
    def has_backs(self) -> bool:
        return any(section.back is not None for section in self.sections)


def french_spacing(text: str) -> str:
    """Non-breaking spaces where French typography wants them: before : ; ? ! », after «."""
    if not any(mark in text for mark in ":;?!«»"):
        return text
    text = _BEFORE_HIGH.sub("\u202f\\1", text)
    text = _BEFORE_COLON.sub("\u00a0\\1", text)
    return _AFTER_OPENING.sub("«\u00a0", text)


def is_safe_url(url: str) -> bool:
    """True for relative URLs and http(s)/mailto/tel: never javascript:, data:, vbscript:, file:…

    Percent-escapes and invisible characters are removed first, so `java%09script:` is refused too.
    """
    cleaned = _INVISIBLE_RE.sub("", urllib.parse.unquote(url))
    match = _SCHEME_RE.match(cleaned)
    return match is None or match.group(1).lower() in SAFE_SCHEMES


def is_local_url(url: str) -> bool:
    """True for a URL inside the site (no scheme, no host): the only kind an image may load."""
    cleaned = _INVISIBLE_RE.sub("", urllib.parse.unquote(url))
    return _SCHEME_RE.match(cleaned) is None and not cleaned.startswith(("//", "\\\\", "/\\", "\\/"))


_ALIGNMENTS = {"text-align:left": "aligne-gauche", "text-align:center": "aligne-centre",
               "text-align:right": "aligne-droite"}


@cache
def _parser() -> MarkdownIt:
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    md.use(tasklists_plugin, label=True).use(footnote_plugin)
    md.validateLink = is_safe_url  # type: ignore[method-assign]
    md.core.ruler.push("outillerie_text", _typography_and_images)
    md.core.ruler.push("outillerie_tables", _alignment_classes)
    md.add_render_rule("footnote_anchor", _footnote_back_link)
    md.add_render_rule("footnote_block_open", lambda *_: '<section class="notes" aria-label="Notes">\n<ol>\n')
    md.add_render_rule("footnote_block_close", lambda *_: "</ol>\n</section>\n")
    return md


def _alignment_classes(state: StateCore) -> None:
    """`style="text-align:right"` (what markdown-it writes for `--:`) becomes a class the stylesheet aligns."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and "style" in token.attrs:
            alignment = _ALIGNMENTS.get(str(token.attrs.pop("style")))
            if alignment:
                token.attrSet("class", alignment)


def _footnote_back_link(self: Any, tokens: Sequence[Token], index: int, options: Any, env: Any) -> str:
    """The way back from a footnote: an arrow every font of the PDF has, with a name for screen readers."""
    ident = str(tokens[index].meta["id"] + 1)
    if tokens[index].meta.get("subId", 0) > 0:
        ident += f":{tokens[index].meta['subId']}"
    return f' <a href="#fnref{ident}" class="footnote-backref" aria-label="Retour au texte">↑</a>'


MAX_BRACKETS = 5_000  # far above any real sheet; markdown-it rereads the rest of a paragraph from each « [ »


def _tamed(text: str) -> str:
    """A text with thousands of « [ » (no real sheet has them) gets them escaped, so markdown-it shows them as
    text instead of trying a link from each one: seconds per megabyte otherwise, for nothing."""
    if text.count("[") <= MAX_BRACKETS:
        return text
    return text.replace("\\", "\\\\").replace("[", "\\[")


def render_markdown(text: str, *, links: LinkMap | None = None, shift: int | None = None) -> Rendered:
    """Render a sheet body: headings get anchors and sit below the page's h1, `###` blocks are grouped for print.

    `links` may rewrite a relative link (a Markdown support to its HTML page); `shift` is added to every
    heading level (default: 1 when the body uses `#`, so the page keeps a single h1).
    """
    return Body(text, shift).render(links)


class Body:
    """A body parsed once and rendered as often as needed, each time with its own links (the sheet's page and its
    printable twin in the kit: parsing is three quarters of the work). Same HTML as `render_markdown`."""

    def __init__(self, text: str, shift: int | None = None) -> None:
        self.env: dict[str, Any] = {}
        self.tokens = _parser().parse(_tamed(text), self.env)
        if shift is None:
            shift = 1 if any(t.type == "heading_open" and t.tag == "h1" for t in self.tokens) else 0
        self.shift = shift
        self.headings = tuple(_rework_headings(self.tokens, shift))

    def render(self, links: LinkMap | None = None) -> Rendered:
        md = _parser()
        saved = [] if links is None else [(token, dict(token.attrs)) for block in self.tokens
                                          for token in block.children or () if token.type == "link_open"]
        try:
            if links is not None:
                _rewrite_links(self.tokens, links)
            html = md.renderer.render(_group_blocks(self.tokens, 3 + self.shift), md.options, self.env)
        finally:
            for token, attrs in saved:  # the links as written, for the next rendering
                token.attrs = attrs
        return Rendered(html=html, headings=self.headings)


def render_sections(text: str, *, backs: bool, links: LinkMap | None = None) -> Sections:
    """A support cut at its `## ` headings (cards or pages); with `backs`, a `### Verso` heading starts the back
    of its card (the heading itself is not shown: the page says « Verso » its own way)."""
    md = _parser()
    env: dict[str, Any] = {}
    tokens = md.parse(_tamed(text), env)
    headings = _rework_headings(tokens, 0)
    if links is not None:
        _rewrite_links(tokens, links)
    intro: list[Token] = []
    notes: list[Token] = []
    parts: list[tuple[str, list[Token], list[Token] | None]] = []
    current = intro
    index = 0
    while index < len(tokens):
        token = tokens[index]
        top_heading = token.level == 0 and token.type == "heading_open" and current is not notes
        if token.type == "footnote_block_open":
            current = notes
        elif top_heading and token.tag == "h2":
            parts.append((_plain(tokens[index + 1]), [], None))
            current = parts[-1][1]
        elif (top_heading and backs and token.tag == "h3" and parts and parts[-1][2] is None
              and fold_key(_plain(tokens[index + 1])) == "verso"):
            back: list[Token] = []
            parts[-1] = (parts[-1][0], parts[-1][1], back)
            current = back
            index += 3  # heading_open, its text, heading_close
            continue
        current.append(token)
        index += 1

    def render(part: list[Token]) -> str:
        return md.renderer.render(part, md.options, env)

    sections = tuple(Section(title, render(front), render(back) if back is not None else None)
                     for title, front, back in parts)
    return Sections(render(intro), sections, render(notes), tuple(headings))


def _plain(inline: Token) -> str:
    return "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))


def without_ids(html: str) -> str:
    """A second copy of rendered HTML (the print layout of cards) without the ids and label targets of the first."""
    return _ID_ATTRIBUTE.sub("", html)


def _typography_and_images(state: StateCore) -> None:
    """French spacing in text; an image from outside the site becomes a plain link to it."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for token in block.children:
            if token.type == "text":
                token.content = french_spacing(token.content)
            if token.type == "image" and not is_local_url(str(token.attrGet("src") or "")):
                children.extend(_image_as_link(token))
                continue
            children.append(token)
        block.children = children


def _image_as_link(image: Token) -> Sequence[Token]:
    opening = Token("link_open", "a", 1)
    opening.attrSet("href", str(image.attrGet("src")))
    label = Token("text", "", 0)
    label.content = f"Image\u00a0: {image.content or image.attrGet('src')}"
    return (opening, label, Token("link_close", "a", -1))


def _without_time(title: str) -> str:
    """« Accueil (15 min) » -> « Accueil »: a last parenthesis with no other inside is cut, without a pattern that
    would try every space of a 200,000-space title."""
    text = title.rstrip()
    if not text.endswith(")"):
        return title
    opening = text.rfind("(")
    if opening < 0 or ")" in text[opening:-1]:
        return title
    return text[:opening].rstrip()


def _rework_headings(tokens: list[Token], shift: int) -> list[Heading]:
    found: list[Heading] = []
    used: set[str] = set()
    next_number: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type not in ("heading_open", "heading_close"):
            continue
        level = min(int(token.tag[1]) + shift, 6)
        token.tag = f"h{level}"
        if token.type == "heading_close":
            continue
        inline = tokens[index + 1]
        plain = _plain(inline)
        anchor = base = fold_key(_without_time(plain)) or fold_key(plain) or "section"
        number = next_number.get(base, 2)
        while anchor in used:  # starts from the last number given to this base: linear for 20,000 equal titles
            anchor, number = f"{base}-{number}", number + 1
        next_number[base] = number
        used.add(anchor)
        token.attrSet("id", anchor)
        found.append(Heading(level=level, text=plain, anchor=anchor))
    return found


def _rewrite_links(tokens: list[Token], links: LinkMap) -> None:
    for block in tokens:
        for token in block.children or ():
            if token.type == "link_open":
                target = links(str(token.attrGet("href") or ""))
                if isinstance(target, tuple):  # a support: a download, saved under its own name
                    target, name = target
                    token.attrSet("download", name)
                if target is not None:
                    token.attrSet("href", target)


def _group_blocks(tokens: list[Token], level: int) -> list[Token]:
    """Wrap each heading of `level` and what follows it in a div, so print can keep a step on one page."""
    grouped: list[Token] = []
    inside = False
    for token in tokens:
        if token.type == "heading_open" and token.level == 0 and int(token.tag[1]) <= level:
            if inside:
                grouped.append(_html("</div>\n"))
                inside = False
            if int(token.tag[1]) == level:
                grouped.append(_html('<div class="bloc">\n'))
                inside = True
        grouped.append(token)
    if inside:
        grouped.append(_html("</div>\n"))
    return grouped


def _html(markup: str) -> Token:
    token = Token("html_block", "", 0)
    token.content = markup
    return token
