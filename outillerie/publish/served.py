"""The pages `outillerie serve` makes on request, with the site's own templates: the declaration form and its
answer, « Les chiffres du commun » from live figures, and the impact report (HTML, or PDF through pdf.py).

The CLI hands a `ServedPages` to the counter's server; the counter only sees its three methods.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from ..errors import ExportError
from .export import _environment, _style, _trusted
from .identity import SITE_NAME
from .impact import figures_context


def site_sheets(site: Path) -> dict[str, dict[str, str]]:
    """slug -> title and objective label, from an exported site's open data (catalogue.json)."""
    try:
        data = json.loads((site / "catalogue.json").read_text(encoding="utf-8"))
        return {s["slug"]: {"title": s["title"], "objective_label": s.get("objective_label", "")}
                for s in data["sheets"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}  # an older or partial export: titles then come from kits.json through the figures


class ServedPages:
    """Renders the served pages of one site (its sheets' titles and objectives read once)."""

    def __init__(self, site: Path) -> None:
        self.sheets = site_sheets(site)
        self.environment = _environment()

    def _render(self, template: str, **context: Any) -> str:
        return self.environment.get_template(template).render(site_name=SITE_NAME, figures_link="local", root="../",
                                                              **context)

    def declaration_form(self, slug: str, title: str, choices: Mapping[str, Any]) -> str:
        return self._render("declarer.html", slug=slug, title=title, choices=choices,
                            declaration={"form": f"../declarer/{slug}"})

    def declaration_answer(self, slug: str, title: str, message: str, ok: bool) -> str:
        return self._render("declaration.html", slug=slug, title=title, message=message, ok=ok)

    def figures(self, data: Mapping[str, Any]) -> str:
        return self._render("chiffres.html", figures=figures_context(data, self.sheets, _trusted))


def report_html(data: Mapping[str, Any], year: int, sheets: Mapping[str, Mapping[str, str]]) -> str:
    """The impact report of a year as one printable A4 page (its style inlined)."""
    return _environment().get_template("rapport.html").render(
        site_name=SITE_NAME, year=year, made=data.get("made", ""), style=_trusted(_style()),
        footer=f"Rapport d'impact {year} · {SITE_NAME}", figures=figures_context(data, sheets, _trusted))


def write_report(data: Mapping[str, Any], year: int, sheets: Mapping[str, Mapping[str, str]], target: Path) -> int:
    """Write the report to `target`: a PDF (WeasyPrint) for .pdf, the HTML page for .html; returns its pages."""
    html = report_html(data, year, sheets)
    suffix = target.suffix.lower()
    if suffix == ".html":
        target.write_text(html, encoding="utf-8")
        return 1
    if suffix != ".pdf":
        raise ExportError(f"{target} : le rapport s'écrit en .pdf ou en .html. Pour corriger : donnez par exemple "
                          f"--output rapport-{year}.pdf")
    from .pdf import write_pdf

    return write_pdf(html, target, None)
