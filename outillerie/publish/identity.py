"""Who publishes the site and how to reach them, from the library's configuration (`outillerie.yml`): the commons'
name and description, the hub, its logo and accent colour, the site's and the counter's addresses, and where
« Proposer une modification » leads (the repository's web editor, else an e-mail to the hub, else the Git remote).
"""

from __future__ import annotations

import json
import shutil
import urllib.parse
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Mapping

from ..errors import ExportError
from ..sheets.config import DEFAULT_NAME, Config
from ..sheets.history import edit_base_url
from ..sheets.sheet import Sheet
from ..sheets.vocabulary import load_vocabulary

SITE_NAME = DEFAULT_NAME  # the name of a site whose library says none (served pages without a configuration)
LOGO_STEM = "static/logo"  # + the logo's own suffix: no file of publish/static/ has this name
ACCENT_CSS = "static/identite.css"
NO_ADDRESS_NOTE = ("Remarque : sans --base-url (ni site_url dans outillerie.yml), sitemap.xml et flux.atom donnent des "
                   "adresses relatives ; donnez l'adresse publique du site pour les rendre utilisables par les moteurs "
                   "de recherche et les lecteurs de flux.")


def site_addresses(config: Config, base_url: str | None, counter_url: str | None) -> tuple[str | None, str | None]:
    """The site's public address and the counter's: the command-line options, else the configuration; checked."""
    base = _web_address(base_url, "--base-url", slash=True) if base_url is not None else config.site_url
    counter = _web_address(counter_url, "--counter-url", slash=False) if counter_url is not None else config.counter_url
    return base, counter


def _web_address(value: str, option: str, *, slash: bool) -> str | None:
    if value == "" and not slash:
        return value  # the same server (`outillerie serve`)
    if not value.startswith(("http://", "https://")) or " " in value:
        raise ExportError(f"{option} « {value} » n'est pas une adresse web. Pour corriger : donnez une adresse "
                          "complète, par exemple https://fiches.exemple.fr/")
    return value.rstrip("/") + ("/" if slash else "")


@dataclass(frozen=True)
class SiteIdentity:
    """What the pages of one export say about who publishes them, made once per export."""

    config: Config
    git_edit_base: str | None  # from the `origin` remote, used when the configuration names no repository nor e-mail

    @classmethod
    def of(cls, config: Config, root: Path) -> SiteIdentity:
        asks_git = not config.edit_pattern and not config.hub.email
        return cls(config, edit_base_url(root) if asks_git else None)

    @property
    def logo(self) -> str | None:
        """The logo's address from the site's root, once copied (`static/logo.png`)."""
        return LOGO_STEM + PurePosixPath(self.config.logo).suffix.lower() if self.config.logo else None

    @property
    def licence(self) -> Any:
        """The licence the sheets take by default (`license`), as the footer names it: its vocabulary term."""
        return load_vocabulary().licenses.get(self.config.license)

    @property
    def context(self) -> dict[str, Any]:
        """The values every template receives."""
        config = self.config
        return {"site_name": config.name, "site_description": config.description, "hub": config.hub,
                "logo": self.logo, "accent": config.colour, "repository": config.repository,
                "default_licence": self.licence}

    @property
    def key(self) -> str:
        """Everything of the identity that shapes a sheet's page: part of each page's fingerprint."""
        config = self.config
        return json.dumps([config.name, config.description, list(vars(config.hub).values()), self.logo, config.colour,
                           config.repository, config.edit_pattern, self.git_edit_base, config.license])

    def edit_target(self, sheet: Sheet, page_url: str | None) -> dict[str, str] | None:
        """Where « Proposer une modification » leads: the file in the repository's web editor, a prepared e-mail to
        the hub, the file on the Git remote's forge; None: the about page says how to contribute."""
        path = f"resources/{sheet.slug}/index.md"
        link = self.config.edit_link(path)
        if link:
            return {"kind": "forge", "href": link}
        if self.config.hub.email:
            return {"kind": "mail", "href": proposal_mail(self.config.hub.email, sheet, page_url or path)}
        if self.git_edit_base:
            return {"kind": "forge", "href": f"{self.git_edit_base}{path}"}
        return None

    def linked_data(self, origin: Mapping[str, str] | None) -> dict[str, Any]:
        """JSON-LD of a sheet page that comes from the configuration: the publisher, the sheet it adapts."""
        data: dict[str, Any] = {}
        hub = self.config.hub
        if hub.name:
            data["publisher"] = {"@type": "Organization", "name": hub.name,
                                 **({"url": hub.url} if hub.url else {}), **({"email": hub.email} if hub.email else {})}
        if origin:
            data["isBasedOn"] = origin["url"] if origin["kind"] == "web" else {
                "@type": "LearningResource", "name": origin["title"], **({"url": origin["url"]} if origin["url"] else {})}
        return data

    def write_static(self, root: Path, static: Path) -> None:
        """The hub's logo (checked by the configuration) and the stylesheet of its accent colour, into `static/`."""
        if self.config.logo and self.logo:
            shutil.copyfile(root / self.config.logo, static.parent / self.logo)
        if self.config.colour:
            (static.parent / ACCENT_CSS).write_text(
                "/* La couleur d'accent du pôle (outillerie.yml, colour), lisible sur fond blanc (WCAG AA). */\n"
                f":root {{ --accent: {self.config.colour}; --lien: {self.config.colour}; }}\n", encoding="utf-8")


def proposal_mail(email: str, sheet: Sheet, where: str) -> str:
    """A mailto: address with the subject and body of a proposal, encoded as RFC 6068 asks (%20, never +)."""
    subject = f"Proposition de modification : {sheet.title}"
    body = (f"Bonjour,\n\nJe propose une modification de la fiche « {sheet.title} » ({where}).\n\n"
            "Ce que je propose de changer :\n\n\nPourquoi :\n\n\nMerci !\n")
    query = urllib.parse.urlencode({"subject": subject, "body": body.replace("\n", "\r\n")}, quote_via=urllib.parse.quote)
    return f"mailto:{urllib.parse.quote(email, safe='@')}?{query}"


def sheet_origin(sheet: Sheet, titles: Mapping[str, str], page_url: Callable[[str], str | None]) -> dict[str, str] | None:
    """The sheet this one adapts (`based_on`): a web address, or a published sheet of this site with its title and its
    address (`page_url(slug)`, None without --base-url); None when it names no published sheet."""
    origin = sheet.based_on
    if not origin:
        return None
    if "://" in origin:
        return {"kind": "web", "title": origin, "url": origin, "href": origin}
    if origin not in titles or origin == sheet.slug:
        return None
    return {"kind": "sheet", "title": titles[origin], "url": page_url(origin) or "", "href": f"../{origin}/index.html"}
