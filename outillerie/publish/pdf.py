"""PDF files from printable HTML pages, with WeasyPrint: the ONLY module that imports it.

`write_pdf(html, target, base_url)` is all another part of outillerie needs (the kits, an impact report…): the
page's own stylesheet decides the paper (A4), the margins, the footer and what never splits. The same HTML
always gives the same bytes: WeasyPrint writes no date unless the page asks for one (ours never do), and its
font subsets and identifiers derive from the content. `write_pdfs` renders many at once on every core.

WeasyPrint needs Pango from the system (Debian: libpango-1.0-0 libpangoft2-1.0-0); without it, or without
WeasyPrint itself, an ExportError says what to install, never a traceback.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import urllib.parse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Sequence

from ..errors import ExportError

INSTALL_HINT = ("Pour corriger : installez les bibliothèques système de WeasyPrint (Debian, Ubuntu : sudo apt-get "
                "install libpango-1.0-0 libpangoft2-1.0-0 ; macOS : brew install pango) et WeasyPrint lui-même "
                "(pip install weasyprint), ou relancez avec --no-pdf pour exporter sans les PDF.")
NEUTRAL_BASE = "file:///document/"  # what relative addresses resolve against, whatever the real folder
SERIAL_BELOW = 2  # one PDF is written in this process; two or more in forked workers, which share the imported WeasyPrint

Job = tuple[str, Path, "str | None"]  # (printable HTML, target file, base URL for its relative addresses)


def _weasyprint() -> Any:
    """The weasyprint module, or an ExportError naming what is missing (the Python package or Pango)."""
    try:
        import weasyprint
    except ImportError as error:
        raise ExportError(f"les PDF ne peuvent pas être faits : WeasyPrint n'est pas installé ({error}). "
                          f"{INSTALL_HINT}") from None
    except OSError as error:  # cffi could not open libpango/libgobject
        raise ExportError(f"les PDF ne peuvent pas être faits : une bibliothèque système manque à WeasyPrint "
                          f"({error}). {INSTALL_HINT}") from None
    return weasyprint


def check_pdf_engine() -> None:
    """Raise ExportError now, before anything is written, when PDFs cannot be made on this machine."""
    _weasyprint()


def write_pdf(html: str, target: Path, base_url: str | None = None) -> int:
    """Write the PDF of a printable HTML page to `target`; returns its number of pages.

    `base_url`: the local folder the page's relative addresses (its images) are read from, or None when it has
    none. Nothing outside that folder is ever read, and nothing from the network: a page cannot make the PDF
    fetch a tracker or a private file. Links keep a neutral address (file:///document/…), never the folder's
    own path, so the PDF's bytes do not depend on where the library lives. Raises ExportError when WeasyPrint
    or its system libraries are missing.
    """
    return _render(html, target, base_url)[0]


def _render(html: str, target: Path, base_url: str | None) -> tuple[int, tuple[int, ...]]:
    """`write_pdf`, and the pages where a card's text runs past its cell (it is cut there: see printing.py)."""
    weasyprint = _weasyprint()
    for name in ("weasyprint", "fontTools"):  # their notes on CSS they skip are not the user's business
        logging.getLogger(name).setLevel(logging.ERROR)
    fetcher = _fetcher(weasyprint, Path(base_url).resolve() if base_url else None)
    document = weasyprint.HTML(string=html, base_url=NEUTRAL_BASE, url_fetcher=fetcher).render()
    target.parent.mkdir(parents=True, exist_ok=True)
    document.write_pdf(target)
    return len(document.pages), tuple(number for number, page in enumerate(document.pages, start=1)
                                      if _clips_a_card(page._page_box))


def _clips_a_card(box: Any) -> bool:
    """True when a card cell (`div.case`) of this page holds content lower than its own bottom edge."""
    for cell in _boxes(box):
        element = getattr(cell, "element", None)
        if element is None or cell.element_tag != "div" or "case" not in (element.get("class") or "").split():
            continue
        bottom = cell.content_box_y() + cell.height
        if any(inner.position_y + inner.margin_height() > bottom + 0.5 for inner in _boxes(cell) if inner is not cell):
            return True
    return False


def _boxes(box: Any) -> Any:
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child)


def _fetcher(weasyprint: Any, folder: Path | None) -> Any:
    """WeasyPrint's way of reading a resource, limited to the files inside `folder` (no network, nothing else)."""

    def read(url: str) -> tuple[bytes, str]:
        path = Path(urllib.parse.unquote(url.split("?", 1)[0][len(NEUTRAL_BASE):]))
        real = (folder / path).resolve() if folder is not None and url.startswith(NEUTRAL_BASE) else None
        if real is None or folder is None or not real.is_relative_to(folder) or not real.is_file():
            raise ValueError(f"adresse refusée dans un PDF : {url}")
        return real.read_bytes(), mimetypes.guess_type(real.name)[0] or "application/octet-stream"

    urls = weasyprint.urls
    if not hasattr(urls, "URLFetcherResponse"):  # WeasyPrint before 68: a function returning a dict
        return lambda url: dict(zip(("string", "mime_type"), read(url)), redirected_url=url)

    class LocalFetcher(urls.URLFetcher):  # type: ignore[name-defined]
        def fetch(self, url: str, headers: Any = None) -> Any:
            body, mime = read(url)
            return urls.URLFetcherResponse(url, body, {"Content-Type": mime})

    return LocalFetcher()


def _write_job(job: Job) -> tuple[int, tuple[int, ...]] | Exception:
    """One PDF of a batch: its failure is returned (its sheet is then left out), never raised at the others."""
    html, target, base_url = job
    try:
        return _render(html, target, base_url)
    except Exception as error:  # noqa: BLE001 - whatever WeasyPrint met in one document
        return RuntimeError(f"le PDF « {target.name} » n'a pas pu être fait ({type(error).__name__} : {error})")


def write_pdfs(jobs: Sequence[Job], workers: int | None = None) -> list[tuple[int, tuple[int, ...]] | Exception]:
    """Write many PDFs, in parallel on every core (a pool of processes); for each job in order, its number of
    pages and the pages where a card is cut, or the error that stopped it. Raises ExportError at once when PDFs
    cannot be made on this machine."""
    if not jobs:
        return []
    check_pdf_engine()
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    if workers == 1 or len(jobs) < SERIAL_BELOW:
        return [_write_job(job) for job in jobs]
    chunk = max(1, len(jobs) // (workers * 8))
    import gc

    gc.freeze()  # the forked workers' collector leaves the export's objects alone: their pages stay shared, not copied
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(_write_job, jobs, chunksize=chunk))
    finally:
        gc.unfreeze()
