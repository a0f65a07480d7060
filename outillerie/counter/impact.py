"""What the server answers for declared uses and for « Les chiffres du commun », without HTTP plumbing.

The pages themselves are made by the site's templates: the CLI hands the server an object with the methods
of `ImpactPages` (publish/served.py), so the counter never imports the site nor the site the counter.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Mapping, Protocol, Sequence
from urllib.parse import urlsplit

from .database import CounterStore, Target
from .figures import public_figures
from .uses import MAX_BODY, DeclarationError, form_choices, parse_use

FIGURES_TTL = 30.0  # seconds a rendered statistics page is reused: many visitors, one database read


class ImpactPages(Protocol):
    """The pages the server shows, rendered by the site's templates from plain data."""

    def declaration_form(self, slug: str, title: str, choices: Mapping[str, Any]) -> str: ...

    def declaration_answer(self, slug: str, title: str, message: str, ok: bool) -> str: ...

    def figures(self, data: Mapping[str, Any]) -> str: ...


@dataclass(frozen=True)
class Answer:
    """A response without HTTP types: status, body, content type, extra headers."""

    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


THANKS = "Merci ! Votre animation est comptée. Elle apparaîtra dans « Les chiffres du commun »."
ALREADY = ("Votre animation de cette fiche est déjà comptée aujourd'hui : une seule déclaration par fiche et par "
           "jour est gardée.")
ROBOT = "Ce programme est reconnu comme un robot : les robots ne peuvent pas déclarer d'animation."
FOREIGN = ("Cette déclaration vient d'un autre site : elle est refusée. Pour déclarer une animation, utilisez le "
           "formulaire de la page de la fiche sur ce site.")
TOO_BIG = f"La déclaration dépasse {MAX_BODY} octets : elle est refusée. Pour corriger : envoyez le formulaire tel quel."


def foreign_origin(headers: Mapping[str, str], host: str) -> bool:
    """True for a request sent by another site. A browser's Sec-Fetch-Site decides when it is sent: our pages
    ask for no referrer, so a browser's plain form POST says `Origin: null` even from this very site. Without
    it, an Origin other than this host (or null) is refused. A client sending neither (an old browser, a
    script) is not refused here (robots are, later)."""
    site = headers.get("Sec-Fetch-Site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = headers.get("Origin")
    if origin is None:
        return False
    return origin == "null" or urlsplit(origin).netloc.lower() != host.lower()


def declare(counter: CounterStore, pages: ImpactPages, slug: str, title: str, form: Mapping[str, Sequence[str]],
            client: str, user_agent: str, wants_json: bool, today: date) -> Answer:
    """Validate and count one declaration; the person reads a French answer (a page, or JSON for the script)."""
    try:
        use = parse_use(form, today)
    except DeclarationError as error:
        return _said(pages, slug, title, 400, f"Déclaration refusée : {error}", wants_json)
    outcome = counter.declare(slug, use, client=client, user_agent=user_agent)
    if outcome == "robot":
        return _said(pages, slug, title, 403, ROBOT, wants_json)
    return _said(pages, slug, title, 200, THANKS if outcome == "counted" else ALREADY, wants_json,
                 counted=outcome == "counted")


def refused(pages: ImpactPages, slug: str, title: str, status: int, message: str, wants_json: bool) -> Answer:
    """A declaration refused before reading it (another origin, too big)."""
    return _said(pages, slug, title, status, message, wants_json)


def form_page(pages: ImpactPages, slug: str, title: str) -> Answer:
    """The declaration form on its own page (for a site hosted elsewhere that points to this counter)."""
    return _html(200, pages.declaration_form(slug, title, form_choices()))


def _said(pages: ImpactPages, slug: str, title: str, status: int, message: str, wants_json: bool,
          counted: bool = False) -> Answer:
    if wants_json:
        body = json.dumps({"ok": status == 200, "counted": counted, "message": message}, ensure_ascii=False)
        return Answer(status, body.encode(), "application/json", {"Cache-Control": "no-store"})
    return _html(status, pages.declaration_answer(slug, title, message, status == 200))


def _html(status: int, page: str) -> Answer:
    return Answer(status, page.encode("utf-8"), "text/html; charset=utf-8", {"Cache-Control": "no-store"})


class FiguresCache:
    """The statistics page and its JSON, made at most every FIGURES_TTL seconds."""

    def __init__(self, target: Target, titles: Mapping[str, str], clock: Callable[[], float] = time.monotonic) -> None:
        self.target, self.titles, self.clock = target, dict(titles), clock
        self._lock = threading.Lock()
        self._made: tuple[float, dict[str, Any]] | None = None
        self._page: tuple[float, bytes] | None = None

    def data(self) -> dict[str, Any]:
        with self._lock:
            if self._made is None or self.clock() - self._made[0] > FIGURES_TTL:
                figures = public_figures(self.target)
                figures["titles"] = self.titles
                self._made = (self.clock(), figures)
            return self._made[1]

    def page(self, pages: ImpactPages) -> Answer:
        data = self.data()
        with self._lock:
            if self._page is None or self._made is None or self._page[0] != self._made[0]:
                self._page = (self._made[0] if self._made else 0.0, pages.figures(data).encode("utf-8"))
            return _html(200, self._page[1].decode("utf-8"))

    def json(self) -> Answer:
        body = json.dumps(self.data(), ensure_ascii=False).encode("utf-8")
        return Answer(200, body, "application/json", {"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"})
