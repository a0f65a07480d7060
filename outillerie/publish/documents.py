"""A sheet's printable documents (its printable page, each Markdown support's) and the second half of an export:
every changed sheet's PDFs are written together, in parallel, then each sheet's kit and pages are finished.

Where the PDFs live on the site: `telechargements/<slug>/fiche.pdf` and `telechargements/<slug>/supports/<path>.pdf`,
apart from the sheet's folder of pages so that no support file can take their name.
"""

from __future__ import annotations

import posixpath
import urllib.parse
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol

from ..sheets.layout import read_support
from ..sheets.materials import support_label
from ..sheets.sheet import Sheet
from ..sheets.vocabulary import Vocabulary
from .kits import OTHERS, PrintedSupport, document_names, kit_entries, licence_text, windows_path, write_zip
from .markdown import Body, LinkMap, Section
from .pdf import write_pdfs
from .printing import Plate, SupportView, support_view
from .readme import readme_text

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SupportDocument:
    """A Markdown support ready for its page, its PDF and the kit."""

    printed: PrintedSupport
    view: SupportView
    has_title: bool


@dataclass
class Pending:
    """A sheet rendered by this export whose PDFs are still to write; `finish` then writes its kit and pages with
    the page count of each document ("" is the sheet, else a support's path)."""

    sheet: Sheet
    documents: list[tuple[str, str, Path]] = field(default_factory=list)  # (key, printable HTML, PDF file)
    finish: Callable[[Mapping[str, int]], None] = lambda pages: None


def support_document(sheet: Sheet, support: str, links: LinkMap | None = None) -> SupportDocument:
    """Read a Markdown support (its findings are check's business) and lay it out as its front matter asks."""
    text = read_support(sheet.folder / support, support)
    view = support_view(text, links)
    title = text.title or support_label(support, None)
    printed = PrintedSupport(support, title, text.layout, len(view.sections), view.has_backs)
    return SupportDocument(printed, view, text.title is not None)


def pdf_path(downloads: Path, key: str) -> Path:
    """Where a document's PDF goes in the site, below `telechargements/<slug>/`."""
    return downloads / "fiche.pdf" if key == "" else downloads / "supports" / f"{key[:-3]}.pdf"


def pdf_href(key: str, root: str, slug: str) -> str:
    """The address of a document's PDF from a page `root` levels below the site."""
    return urllib.parse.quote(f"{root}telechargements/{slug}/{pdf_path(Path(), key).as_posix()}")


class SheetPrint:
    """The printable documents of one sheet being exported: its supports laid out, their names in the kit, their
    PDFs' place on the site (`telechargements/<slug>/`) and the buttons that lead to them."""

    def __init__(self, sheet: Sheet, supports: Mapping[str, str], work: Path, with_pdf: bool) -> None:
        self.sheet, self.with_pdf = sheet, with_pdf
        self.documents = {support: support_document(sheet, support) for support in supports}
        self.downloads = work / "telechargements" / sheet.slug
        self.names = document_names(sheet, self.printed, ".pdf" if with_pdf else ".html")
        self.pending = Pending(sheet)

    @property
    def printed(self) -> list[PrintedSupport]:
        return [document.printed for document in self.documents.values()]

    def add(self, key: str, html: str) -> None:
        """A printable page to turn into a PDF ("" is the sheet, else a support's path)."""
        self.pending.documents.append((key, html, pdf_path(self.downloads, key)))

    def link(self, key: str, root: str) -> dict[str, Any] | None:
        """The PDF button of a document, or None when the export makes no PDF."""
        return pdf_link(self.downloads, self.sheet.slug, key, self.names, root) if self.with_pdf else None

    def kit_files(self) -> dict[str, bytes]:
        """The printable documents as the kit holds them, by kit name: the PDFs, or the HTML pages without PDFs."""
        return {self.names[key]: (target.read_bytes() if self.with_pdf else html.encode("utf-8"))
                for key, html, target in self.pending.documents}


class Site(Protocol):
    """What `plan_documents` uses of the export in progress (export.py's `_Site`)."""

    vocabulary: Vocabulary
    options: Mapping[str, Any]

    def page(self, template: str, **context: Any) -> str: ...

    def render(self, template: str, target: Path, **context: Any) -> None: ...

    def download_href(self, slug: str, root: str) -> str: ...


def plan_documents(site: Site, sheet: Sheet, work: Path, as_pages: Mapping[str, str], context: dict[str, Any],
                   credits: str, mark: Callable[[str], str], parsed: Body) -> Pending:
    """The printable pages of a sheet (for its PDFs) now; its kit, support pages and sheet page once they exist.
    `parsed`: the sheet's body, parsed once for its page and its printable page."""
    prints = SheetPrint(sheet, as_pages, work, bool(site.options["pdf"]))
    context.update(kit_names=prints.names, support_pdfs={s: prints.link(s, "../../") for s in as_pages})
    footer = f"{sheet.title} · {context['licence'].short if context['licence'] else sheet.license}"
    body = mark(parsed.render(links=lambda href: kit_link(href, sheet, prints.names)).html)
    prints.add("", site.page("printable.html", footer=footer, **{**context, "body": body}))
    for support, document in prints.documents.items():
        prints.add(support, site.page("printable-support.html", footer=f"{document.printed.title} · {footer}",
                                      **support_context(sheet, support, document, mark)))

    def finish(pages: Mapping[str, int]) -> None:
        kit, folder = work / "telechargements" / f"{sheet.slug}.zip", work / "fiches" / sheet.slug
        readme = readme_text(sheet, site.vocabulary, prints.names, pages, prints.printed, prints.with_pdf)
        write_zip(kit, kit_entries(sheet, readme, prints.kit_files(), credits, licence_text(sheet.license, site.vocabulary)))
        for support, document in prints.documents.items():
            depth = "../" * (2 + support.count("/"))
            site.render("support.html", folder / as_pages[support], root=depth, pdf=prints.link(support, depth),
                        **support_context(sheet, support, document, mark))
        site.render("sheet.html", folder / "index.html", root="../../", kit_size=kit.stat().st_size,
                    download_href=site.download_href(sheet.slug, "../../"), pdf=prints.link("", "../../"), **context)

    prints.pending.finish = finish
    return prints.pending


def kit_link(href: str, sheet: Sheet, names: Mapping[str, str]) -> str | None:
    """Where a relative link of the printed sheet leads inside the kit: a Markdown support to its printable
    document, another support to supports/ (None: leave the link as written)."""
    parts = urllib.parse.urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return None
    path = posixpath.normpath(urllib.parse.unquote(parts.path))
    if path in names:
        return urllib.parse.quote(names[path])
    return urllib.parse.quote(f"{OTHERS}/{windows_path(path)}") if path in sheet.supports else None


def pdf_link(downloads: Path, slug: str, key: str, names: Mapping[str, str], root: str) -> dict[str, Any]:
    """A PDF button: its address from a page `root` levels down, the name it is saved under, its size (0 before
    the PDF is written)."""
    target = pdf_path(downloads, key)
    return {"href": pdf_href(key, root, slug), "filename": names[key],
            "size": target.stat().st_size if target.is_file() else 0}


def support_context(sheet: Sheet, support: str, document: SupportDocument, mark: Callable[[str], str]) -> dict[str, Any]:
    """What a support's page and its printable twin show; `mark` is the export's one way of marking HTML safe."""
    view = document.view
    sections = tuple(Section(s.title, mark(s.front), None if s.back is None else mark(s.back)) for s in view.sections)
    plates = tuple(Plate(p.side, tuple(None if c is None else mark(c) for c in p.cells)) for p in view.plates)
    return {"sheet": sheet, "title": document.printed.title, "has_title": document.has_title,
            "body": mark(view.body), "support": support, "sheet_href": "../" * support.count("/") + "index.html",
            "view": replace(view, sections=sections, plates=plates, notes=mark(view.notes))}


def finish_all(pending: list[Pending], with_pdf: bool, progress: Progress | None = None,
               notes: list[str] | None = None) -> dict[str, Exception]:
    """Write every pending PDF at once, then finish each sheet; the sheets that failed, with their error. A card
    cut by its cell is added to `notes`, for the person who exports."""
    jobs = [(html, target, str(item.sheet.folder)) for item in pending for _, html, target in item.documents]
    if progress and jobs:
        progress("PDF des fiches et des supports", 0, len(jobs))
    results = iter(write_pdfs(jobs) if with_pdf else [])
    failed: dict[str, Exception] = {}
    for number, item in enumerate(pending, start=1):
        pages: dict[str, int] = {}
        for key, _, _ in item.documents if with_pdf else ():
            result = next(results)
            if isinstance(result, Exception):
                failed.setdefault(item.sheet.slug, result)
                continue
            pages[key], clipped = result
            if clipped and notes is not None:
                notes.append(f"resources/{item.sheet.slug}/{key}: avertissement : une carte dépasse de sa case et son "
                             f"texte est coupé (page{'s' if len(clipped) > 1 else ''} "
                             f"{', '.join(map(str, clipped))} du PDF). Pour corriger : raccourcissez-la, ou choisissez "
                             "moins de cartes par page (cards_per_page).")
        if item.sheet.slug not in failed:
            try:
                item.finish(pages)
            except Exception as error:  # noqa: BLE001 - one sheet never takes the others down
                failed[item.sheet.slug] = error
        if progress:
            progress("Kits des fiches", number, len(pending))
    return failed
