"""`outillerie export`: the static site, its kits and open data, written aside then swapped in.

The only module that imports jinja2. A sheet whose sources, history and options did not change since the
previous export is hard-linked from it instead of being rendered again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Mapping

import jinja2
from markupsafe import Markup

from .. import __version__
from ..errors import ExportError, Problem, reason_fr
from ..sheets.durations import format_duration
from ..sheets.fingerprint import code_fingerprint
from ..sheets.config import Config, load_config
from ..sheets.history import Contributor, SheetHistory, sheet_histories
from ..sheets.paths import LibraryPaths
from ..sheets.sheet import Sheet, key_facts
from ..sheets.snapshot import Snapshot, take_snapshot
from ..sheets.vocabulary import Vocabulary, fold_key, load_vocabulary
from .catalogue import FACETS, csv_row, embed_json, folding_rules, record_line, sheet_record
from .searchindex import LIGHT_LIST, sheet_search_entry
from .searchparts import EntryStore, search_parts
from .downloads import download_name, site_names, support_pages
from .failures import WHOLE_SITE_ERRORS, unpublishable, xml_text
from .folders import aside_pattern, check_output, swap_in, sweep
from .reserve import Reserve, link_sheet, working_folder
from .documents import Pending, finish_all, plan_documents
from .kits import credits_text, kit_filename
from .markdown import Body, Rendered, french_spacing
from .identity import NO_ADDRESS_NOTE, SiteIdentity, sheet_origin, site_addresses
from .impact import FIGURES_PAGE, declaration_target, figures_context, figures_link
from .opendata import previous_rows, write_open_data
from .memory import collector_paused, entries_folder, folder_stamp, memory_path, read_memory, write_memory
from .pages import citation, clock, french_date, json_ld, relative_link, timeline
from .programmes import composer_sheet, programme_card_html, write_programmes

Progress = Callable[[str, int, int], None]  # (label, done, total), like index.update_index
EXPORT_FORMAT = 1
DURATION_CHOICES = ((30, "30 min ou moins"), (60, "1 h ou moins"), (90, "1 h 30 ou moins"), (120, "2 h ou moins"),
                    (180, "3 h ou moins"), (210, "une demi-journée ou moins"), (420, "une journée ou moins"))
FEED_SIZE = 50
SITE_MARK = "kits.json"  # what tells a folder written by `export` (and so safe to replace) from any other


@dataclass(frozen=True)
class ExportReport:
    """What an export did: where, how many sheets, how many reused as they were, what was left out and why."""

    output: Path
    exported: int
    reused: int
    drafts: int
    problems: tuple[Problem, ...]
    notes: tuple[str, ...] = ()
    programmes: int = 0
    search_parts: tuple[int, int] = (0, 0)  # the site search's parts written by this export, and those kept as they were

    @property
    def left_out(self) -> int:
        return len({problem.path for problem in self.problems})


@collector_paused()
def export_site(root: Path, output: Path, *, base_url: str | None = None, counter_url: str | None = None,
                keep_going: bool = False, progress: Progress | None = None, cache_dir: Path | None = None,
                pdf: bool = False, impact: Mapping[str, Any] | None = None, config: Config | None = None) -> ExportReport:
    """Write the site of the library `root` into `output` (replaced whole, or not at all).

    With `pdf` (what `outillerie export` does unless --no-pdf), every sheet and Markdown support also gets its A4
    PDF (WeasyPrint), linked from its page and put in the kit; an ExportError says what to install when that
    cannot be done, and the previous site stays as it was. Without, the kit holds the printable pages as HTML.
    `counter_url` None: download buttons point to the ZIP files; "" : to `/telecharger/<slug>` on the same
    server (`outillerie serve`); a URL: to `URL/telecharger/<slug>`. Invalid sheets are left out; unless
    `keep_going`, an ExportError then lists them once the rest of the site is in place. `config`: the library's
    `outillerie.yml` (read here when not given); `base_url` and `counter_url` override its addresses.
    """
    root, output = Path(root).resolve(), Path(output).absolute()
    config = config or load_config(root)
    base_url, counter_url = site_addresses(config, base_url, counter_url)
    impact = impact or {}  # from the counter, through the CLI: declaration choices, privacy receipt, figures
    options = {"base_url": base_url, "counter_url": counter_url, "pdf": pdf, "declare": "choices" in impact,
               "figures_link": figures_link(counter_url, "figures" in impact)}
    check_output(root, output, SITE_MARK)
    code = _package_fingerprint()
    cache_dir = cache_dir or LibraryPaths(root).index_dir
    memory = memory_path(cache_dir, output)
    previous, search_state = read_memory(memory, code) if output.is_dir() else ({}, {})
    snapshot = take_snapshot(root, cache_dir)
    valid = snapshot.sheets()
    sheets = sorted((s for s in valid if s.is_published), key=lambda s: (fold_key(s.title), s.slug))
    site = _Site(root, output, options, sheets, snapshot, previous, code)
    site.search_state, site.entries = search_state, EntryStore(entries_folder(cache_dir, output))
    site.identity = SiteIdentity.of(config, root)
    site.impact = impact
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        sweep(output.parent, aside_pattern(output))  # what killed exports left behind
        with working_folder(output, cache_dir, code) as reserve:
            site.reserve = reserve
            reused = site.write(reserve.folder, progress)
            reserve.folder.chmod(0o755)
            swap_in(reserve.folder, output)
            write_memory(memory, code, site.memory, site.search_state)
            reserve.keep(code, output, previous, site.memory)
    except OSError as error:
        raise _unwritable(output, error) from error
    errors = snapshot.errors + snapshot.programme_errors + tuple(site.problems)
    notes = tuple(site.notes) + (() if options["base_url"] else (NO_ADDRESS_NOTE,))
    report = ExportReport(output, len(site.sheets), reused, len(valid) - len(sheets), errors, notes,
                          len(site.programme_cards), site.parts_count)
    if errors and not keep_going:
        lines = "\n".join(str(p) for p in errors)
        raise ExportError(f"{report.left_out} fiche(s) invalide(s) laissée(s) de côté ; le site a été écrit sans "
                          f"elle(s) dans {output}.\n{lines}\nPour corriger : corrigez ces erreurs (outillerie check), "
                          "ou relancez avec --keep-going pour publier sans ces fiches.")
    return report


def _unwritable(output: Path, error: OSError) -> ExportError:
    return ExportError(f"le site ne peut pas être écrit dans « {output} » ({reason_fr(error)}). Pour corriger : "
                       "vérifiez que ce chemin mène à un dossier, sa place libre et ses droits d'écriture, puis relancez.")


def _trusted(html: str) -> Markup:
    """THE one place where HTML is marked safe: render.py's escaped Markdown, escaped embedded JSON, and the
    catalogue cards our own autoescaped template rendered (kept in the export cache)."""
    return Markup(html)


def _environment() -> jinja2.Environment:
    """Templates from the package, autoescaped (HTML and XML), failing loudly on a missing variable."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("outillerie.publish", "templates"),
        autoescape=jinja2.select_autoescape(("html", "xml", "atom"), default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    environment.filters.update(typo=lambda text: french_spacing(str(text)), duration=format_duration,
                               date=french_date, clock=clock)
    return environment


def _package_fingerprint() -> str:
    """A digest of the code, templates and data that shape a page: changing any of them re-renders every sheet."""
    package = Path(__file__).parent.parent
    return code_fingerprint(f"{EXPORT_FORMAT}:{__version__}", [package / name for name in ("sheets", "french", "publish", "data")])


class _Site:
    """One export in progress: shared inputs, the previous export's cache, and the writers of each part."""

    def __init__(self, root: Path, output: Path, options: Mapping[str, Any], sheets: list[Sheet],
                 snapshot: Snapshot, previous: Mapping[str, Any], code: str) -> None:
        self.root, self.output, self.options, self.sheets, self.snapshot = root, output, options, sheets, snapshot
        self.vocabulary: Vocabulary = load_vocabulary()
        self.environment = _environment()
        self.histories: dict[str, SheetHistory] = sheet_histories(root)
        self.titles = {sheet.slug: sheet.title for sheet in sheets}  # the published sheets another one may adapt
        self.base = options["base_url"]
        self.previous = previous
        self.code = code
        self.memory: dict[str, Any] = {}
        self.problems: list[Problem] = []
        self.pending: list[Pending] = []  # sheets rendered by this export, waiting for their PDFs and kits
        self.notes: list[str] = []  # what the person who exports should know (a card cut by its cell…)
        self.programme_cards: list[Markup] = []  # the catalogue cards of the programmes written (publish/programmes.py)
        self.style = _trusted(_style())
        self.impact: Mapping[str, Any] = {}
        self.identity = SiteIdentity(Config(), None)
        self.reserve = Reserve(output, {}, None)
        self.fresh: dict[str, dict[str, Any]] = {}  # the search entries analysed by this export
        self.search_state: dict[str, Any] = {}  # what the search parts' update needs (searchparts.py)
        self.entries = EntryStore(output)
        self.parts_count = (0, 0)
        self.fixed = ""
        self.rows: dict[str, tuple[str, str]] = {}  # lines of catalogue.json and .csv made by this export
        self.composer: dict[str, Any] = {}  # each sheet's data for the programme composer

    def render(self, template: str, target: Path, **context: Any) -> None:
        """Render a template of the package into a file of the new site."""
        target.parent.mkdir(parents=True, exist_ok=True)
        text = self.page(template, **context)
        if target.suffix in (".xml", ".atom"):
            text = xml_text(text)  # a control character in a title would make the whole feed unreadable
        target.write_text(text, encoding="utf-8", newline="\n")

    def write(self, work: Path, progress: Progress | None) -> int:
        """Every file of the site into `work`; returns how many sheets were reused from the previous export.

        A sheet that cannot be written (a support that cannot be read, a name too long for the disk…) is left
        out and named in `problems`; the others are published. Only a full or read-only disk stops everything.
        """
        (work / "fiches").mkdir(exist_ok=True)
        (work / "telechargements").mkdir(exist_ok=True)
        reused = 0
        published = []
        for done, sheet in enumerate(self.sheets, start=1):
            try:
                entry, was_reused = self.publish(sheet, work)
            except Exception as error:  # one sheet, whatever went wrong with it, never takes the others down
                if isinstance(error, OSError) and errno.errorcode.get(error.errno or 0) in WHOLE_SITE_ERRORS:
                    raise
                self.leave_out(sheet, error, work)
            else:
                self.memory[sheet.slug] = entry
                published.append(sheet)
                reused += was_reused
            if progress:
                progress("Export des fiches", done, len(self.sheets))
        for slug, failure in finish_all(self.pending, bool(self.options["pdf"]), progress, self.notes).items():
            if isinstance(failure, OSError) and errno.errorcode.get(failure.errno or 0, "") in WHOLE_SITE_ERRORS:
                raise failure
            index = next(i for i, s in enumerate(published) if s.slug == slug)
            self.leave_out(published.pop(index), failure, work)
            self.memory.pop(slug, None)
        self.sheets = published
        self.reserve.prune(s.slug for s in published)
        self.composer = {s.slug: self.memory[s.slug]["shared"][2] for s in published}
        self.programme_cards = [_trusted(programme_card_html(self, card)) for card in write_programmes(self, work, _trusted)]
        self.write_shared(work)
        return reused

    def publish(self, sheet: Sheet, work: Path) -> tuple[dict[str, Any], bool]:
        """A sheet's pages and kit, hard-linked from the previous export when nothing changed; its memory entry."""
        fingerprint = self.fingerprint(sheet)
        old = self.previous.get(sheet.slug) or {}
        same = old.get("hash") == fingerprint and "entry" in old and "shared" in old
        if not (same and self.reserve.holds(sheet.slug, fingerprint)):
            self.reserve.clear_sheet(sheet.slug)
            if not (same and link_sheet(self.output, work, sheet.slug)):
                return self.render_sheet(sheet, work, fingerprint, old.get("entry")), False
        return {key: old[key] for key in ("hash", "card", "len", "entry", "shared")}, True

    def render_sheet(self, sheet: Sheet, work: Path, fingerprint: str, entry: str | None) -> dict[str, Any]:
        """Render a sheet that changed (its PDFs and kit come later) and analyse it for the search; its memory."""
        full = self.snapshot.full_sheet(sheet)
        self.write_sheet(full, work)
        card = self.environment.get_template("_card.html").render(sheet=sheet, vocabulary=self.vocabulary)
        search = self.fresh[sheet.slug] = sheet_search_entry(full, self.vocabulary)
        return {"hash": fingerprint, "card": card, "len": search["len"], "entry": self.entries.write(sheet.slug, search, entry),
                "shared": self.shared_rows(sheet)}

    def rows_again(self, sheet: Sheet) -> tuple[str, str]:  # when the previous export's files cannot give them
        self.memory[sheet.slug]["shared"] = self.shared_rows(sheet)
        return self.rows[sheet.slug]

    def shared_rows(self, sheet: Sheet) -> list[Any]:
        """What the shared files hold of a sheet (it depends on what the sheet's fingerprint covers), kept in the
        memory: the lengths of its line of catalogue.json and row of catalogue.csv (the next export cuts them out
        of these files: opendata.previous_rows), and its data for the programme composer."""
        record = sheet_record(sheet, self.vocabulary, self.urls(sheet.slug), [c.name for c in self.history(sheet)],
                              self.origin(sheet, False))
        line, row = self.rows[sheet.slug] = record_line(record), csv_row(record)
        return [len(line), len(row), composer_sheet(sheet)]

    def leave_out(self, sheet: Sheet, error: Exception, work: Path) -> None:
        """Remove what was written of a sheet that cannot be published, and say why."""
        shutil.rmtree(work / "fiches" / sheet.slug, ignore_errors=True)
        shutil.rmtree(work / "telechargements" / sheet.slug, ignore_errors=True)
        with contextlib.suppress(OSError):
            (work / "telechargements" / f"{sheet.slug}.zip").unlink()
        self.problems.append(unpublishable(sheet, error, self.root, work))

    def fingerprint(self, sheet: Sheet) -> str:
        """What a sheet's page and kit depend on: the code, the options, its Git history and its files' stamp."""
        if not self.fixed:  # what every sheet shares, written once
            self.fixed = json.dumps([self.code, self.options, self.identity.key], sort_keys=True)
        inputs = [repr(self.histories.get(sheet.slug)), folder_stamp(sheet.folder), self.origin(sheet, absolute=True)]
        return hashlib.sha256((self.fixed + json.dumps(inputs, sort_keys=True)).encode()).hexdigest()

    def urls(self, slug: str) -> dict[str, str]:
        """Page, kit and Markdown addresses for open data: absolute with --base-url, else relative to the site."""
        prefix = self.base or ""
        page = f"fiches/{slug}/" if self.base else f"fiches/{slug}/index.html"
        return {"page_url": prefix + page, "kit_url": f"{prefix}telechargements/{slug}.zip",
                "markdown_url": f"{prefix}fiches/{slug}/index.md"}

    def origin(self, sheet: Sheet, absolute: bool) -> dict[str, str] | None:
        """The sheet this one adapts, with its address from the site's root (none without --base-url if `absolute`)."""
        return sheet_origin(sheet, self.titles, lambda slug: self.urls(slug)["page_url"] if self.base or not absolute else None)

    def download_href(self, slug: str, root: str) -> str:
        """Where the kit button points: the counter (same server or --counter-url) or the ZIP file itself."""
        counter = self.options["counter_url"]
        return f"{counter}/telecharger/{slug}" if counter is not None else f"{root}telechargements/{slug}.zip"

    def write_sheet(self, sheet: Sheet, work: Path) -> None:
        """The sheet's folder of pages and supports now; its PDFs, kit and pages once every PDF is written."""
        folder = work / "fiches" / sheet.slug
        folder.mkdir()
        shutil.copyfile(sheet.path, folder / "index.md")
        as_pages = support_pages(sheet)
        rendered = (parsed := Body(sheet.body)).render(links=lambda href: relative_link(href, sheet, as_pages))
        for support, name in site_names(sheet.supports).items():  # a download, never a page: see downloads.py
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sheet.folder / support, folder / name)
        history = self.histories.get(sheet.slug)
        page_url = self.urls(sheet.slug)["page_url"] if self.base else None
        context = self.sheet_context(sheet, rendered, history, page_url, as_pages)
        credits = credits_text(sheet, history, self.vocabulary, context["citation"])
        self.pending.append(plan_documents(self, sheet, work, as_pages, context, credits, _trusted, parsed))

    def page(self, template: str, **context: Any) -> str:
        """A template of the package rendered to text (a page, or a printable page for a PDF)."""
        shared = {**self.identity.context, "style": self.style, "figures_link": self.options["figures_link"]}
        return self.environment.get_template(template).render({**shared, **context})

    def sheet_context(self, sheet: Sheet, rendered: Rendered, history: SheetHistory | None, page_url: str | None,
                      as_pages: Mapping[str, str]) -> dict[str, Any]:
        """Everything the sheet page and its printable twin in the kit show."""
        steps = timeline(sheet, rendered.headings)
        term = self.vocabulary.licenses.get(sheet.license)
        return {
            "sheet": sheet, "facts": key_facts(sheet, self.vocabulary), "steps": steps,
            "end_offset": sum(s.minutes or 0 for s in sheet.steps), "body": _trusted(rendered.html),
            "licence": term, "citation": citation(sheet, self.vocabulary, page_url), "history": history,
            "kit_filename": kit_filename(sheet.title), "edit": self.identity.edit_target(sheet, page_url),
            "supports": [(s, f"{s[:-3]}.html" if s in as_pages else None, href, download_name(s))
                         for s, href in site_names(sheet.supports).items()],
            "json_ld": _trusted(embed_json(json_ld(sheet, self.vocabulary, steps, page_url, history)
                                           | self.identity.linked_data(self.origin(sheet, absolute=True)))),
            "origin": self.origin(sheet, absolute=False),
            "stats_url": (f"{self.options['counter_url']}/api/stats.json" if self.options["counter_url"] is not None
                          else "../../api/stats.json"),
            "declaration": declaration_target(self.options["counter_url"], sheet.slug, "../../")
            if self.options["declare"] else None, "choices": self.impact.get("choices", {}),
        }

    def write_shared(self, work: Path) -> None:
        """The catalogue and its search parts, the about and 404 pages, open data, feeds, kits.json, static files."""
        vocabulary = self.vocabulary
        facets = {name: list(vocabulary.terms(kind)) for name, kind in FACETS}
        parts = search_parts(self.sheets, [self.memory[s.slug] for s in self.sheets], self.fresh,
                             {slug: entry.get("entry", "") for slug, entry in self.previous.items()}, self.search_state,
                             self.entries, self.output / "recherche",
                             lambda s: sheet_search_entry(self.snapshot.full_sheet(s), vocabulary), vocabulary, facets)
        parts.write(work / "recherche", self.output / "recherche")
        self.parts_count = (len(parts.written), len(parts.linked))
        before, self.search_state, index = self.search_state, parts.state, parts.first
        index.update(facets=facets, rules=folding_rules(), labels={s: t.label for s, t in vocabulary.terms("objectives").items()})
        cards, embedded = [_trusted(self.memory[s.slug]["card"]) for s in self.sheets], _trusted(embed_json(index))
        pages = [f"liste-{n}.html" for n in range(2, -(-len(cards) // LIGHT_LIST) + 1)]  # the no-JS list, cut up
        for n, name in enumerate(["index.html", *pages], start=1):
            self.render("liste.html" if n > 1 else "catalogue.html", work / name, root="", count=len(cards), number=n,
                        cards=cards[(n - 1) * LIGHT_LIST:n * LIGHT_LIST], light_pages=pages, vocabulary=vocabulary,
                        programmes=self.programme_cards, durations=DURATION_CHOICES, index_json=embedded)
        self.render("about.html", work / "a-propos" / "index.html", root="../", count=len(self.sheets),
                    base_url=self.base, receipt=self.impact.get("receipt"))
        if "figures" in self.impact:
            about = {s.slug: {"title": s.title, "objective_label": vocabulary.label("objectives", s.objective)}
                     for s in self.sheets}
            self.render("chiffres.html", work / FIGURES_PAGE, root="../",
                        figures=figures_context(self.impact["figures"], about, _trusted))
        self.render("404.html", work / "404.html", home=self.base or "/", style=self.style)
        known = previous_rows(self.output, before.get("order", []), {slug: entry.get("shared", [])[:2] for slug, entry
                                                                     in self.previous.items()}, before.get("open", {}))
        rows = [self.rows.get(s.slug) or known.get(s.slug) or self.rows_again(s) for s in self.sheets]
        self.search_state["open"] = write_open_data(work, [r[0] for r in rows], self.identity.config, self.base,
                                                    [r[1] for r in rows])
        kits = {s.slug: {"path": f"telechargements/{s.slug}.zip", "filename": kit_filename(s.title), "title": s.title,
                         "pages": [f"fiches/{s.slug}/{page}" for page in ["index.html", *support_pages(s).values()]]}
                for s in self.sheets}  # `serve` sends every other file of fiches/ as a download
        (work / "kits.json").write_text(json.dumps(kits, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                        encoding="utf-8")
        dated = sorted(((self.last_change(s), s) for s in self.sheets if self.last_change(s)),
                       key=lambda pair: (pair[0], pair[1].slug), reverse=True)
        self.render("sitemap.xml", work / "sitemap.xml", base=self.base or "", sheets=self.sheets,
                    last_change=self.last_change)
        self.render("flux.atom", work / "flux.atom", base=self.base, entries=dated[:FEED_SIZE],
                    urls=self.urls, vocabulary=vocabulary)
        static = resources.files("outillerie.publish").joinpath("static")
        (work / "static").mkdir()
        for entry in sorted(static.iterdir(), key=lambda e: e.name):
            if entry.is_file():
                (work / "static" / entry.name).write_bytes(entry.read_bytes())
        self.identity.write_static(self.root, work / "static")

    def history(self, sheet: Sheet) -> tuple[Contributor, ...]:
        """The people Git knows for a sheet (none outside a repository)."""
        return history.contributors if (history := self.histories.get(sheet.slug)) else ()

    def last_change(self, sheet: Sheet) -> dt.date | None:
        """The date the feed and the sitemap give: `updated`, else `created`, else the last commit."""
        return sheet.updated or sheet.created or (history.last if (history := self.histories.get(sheet.slug)) else None)


def _style() -> str:
    """The stylesheet, inlined in the pages that must stand alone (the kit's HTML, 404.html)."""
    return resources.files("outillerie.publish").joinpath("static/style.css").read_text(encoding="utf-8")
