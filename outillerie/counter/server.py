"""The WSGI app of `outillerie serve`: the exported site, counted downloads and public statistics.

No path is ever built from a URL: the site's files are listed once at start-up and every request
is a dictionary look-up; a download's slug is looked up in the export's `kits.json`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import mimetypes
import re
import signal
import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response

from ..errors import CounterError
from .database import CounterStore, Target, reading
from .impact import (
    FOREIGN,
    TOO_BIG,
    Answer,
    FiguresCache,
    ImpactPages,
    declare,
    foreign_origin,
    form_page,
    refused,
)
from .sitefiles import Kit, list_files, read_kits
from .stats import GROUPINGS, read_stats, stats_as_dict
from .tuning import CONNECTION_LIMIT, WAITRESS_TUNING, WaitressLogs, allow_open_files
from .uses import MAX_BODY
from .usestats import read_uses

log = logging.getLogger("outillerie.server")

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
TYPES = {  # what the site holds (Werkzeug adds the UTF-8 charset to text types), whatever the machine's mime.types says
    ".html": "text/html", ".css": "text/css", ".js": "text/javascript",
    ".json": "application/json", ".csv": "text/csv", ".md": "text/markdown",
    ".txt": "text/plain", ".xml": "application/xml", ".atom": "application/atom+xml",
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".pdf": "application/pdf",
    ".zip": "application/zip", ".woff2": "font/woff2", ".ico": "image/x-icon",
}
SUPPORT_HEADERS = {  # a support file: saved, never shown as a page, sniffed or run, whatever its type
    "Content-Disposition": "attachment",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "X-Content-Type-Options": "nosniff",
}
NOT_FOUND_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Page introuvable</title></head>
<body><main><h1>Page introuvable</h1><p>Cette adresse ne correspond à aucune page du site.
<a href="/">Revenir au catalogue des fiches</a>.</p></main></body></html>
"""


class SiteApp:
    """Serves one exported site folder, counts its kit downloads into `counter`."""

    def __init__(self, site: Path, counter: CounterStore, db_path: Target, pages: ImpactPages | None = None) -> None:
        self.site = site.resolve()
        self.counter = counter
        self.db_path = db_path
        self.impact_pages = pages  # the declaration and statistics pages, made by the site's templates
        self.files = list_files(self.site)
        self.kits = read_kits(self.site)
        self.kit_urls = {"/" + kit.path.relative_to(self.site).as_posix(): kit for kit in self.kits.values()}
        self.pages = {page for kit in self.kits.values() for page in kit.pages}
        self.supports = self.site / "fiches"
        not_found = self.site / "404.html"
        self.not_found_page = not_found.read_bytes() if not_found.is_file() else NOT_FOUND_PAGE.encode()
        self.not_found_policy = _allow_inline_styles(SECURITY_HEADERS["Content-Security-Policy"], self.not_found_page)
        self.routes = Map([
            Rule("/telecharger/<slug>", endpoint="download", methods=["GET", "HEAD"]),
            Rule("/api/stats.json", endpoint="stats", methods=["GET", "HEAD"]),
            Rule("/api/chiffres.json", endpoint="figures-json", methods=["GET", "HEAD"]),
            Rule("/chiffres/", endpoint="figures", methods=["GET", "HEAD"]),
            Rule("/chiffres/index.html", endpoint="figures", methods=["GET", "HEAD"]),
            Rule("/declarer/<slug>", endpoint="declare", methods=["GET", "HEAD", "POST"]),
        ])
        self.figures = FiguresCache(db_path, {slug: kit.title for slug, kit in self.kits.items()})

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        request = Request(environ)
        try:
            if environ.get("SERVER_PROTOCOL") not in ("HTTP/1.0", "HTTP/1.1"):
                raise BadRequest()  # HTTP/2.0 or 0.9 spoken to an HTTP/1 server: answering would be a guess
            response = self.dispatch(request)
        except NotFound:
            response = Response(self.not_found_page, status=404, content_type="text/html; charset=utf-8")
            response.headers["Content-Security-Policy"] = self.not_found_policy
        except MethodNotAllowed as error:
            response = Response("Méthode non autorisée : seules GET et HEAD sont acceptées.\n", status=405,
                                content_type="text/plain; charset=utf-8")
            response.headers["Allow"] = ", ".join(error.valid_methods or ["GET", "HEAD"])
        except HTTPException as error:
            response = Response(f"Requête refusée ({error.code}).\n", status=error.code or 400,
                                content_type="text/plain; charset=utf-8")
        except CounterError as error:
            log.error("compteur indisponible : %s", error)
            response = Response("Les statistiques sont momentanément indisponibles.\n", status=503,
                                content_type="text/plain; charset=utf-8")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        # One line per request, without the address or the user agent of anybody.
        log.info("%s %s %s %d %.1fms", datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 request.method, _printable(request.path), response.status_code, (time.perf_counter() - started) * 1000)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        adapter = self.routes.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
        except NotFound:
            return self.static(request)
        if endpoint in ("download", "declare"):
            kit = self.kits.get(values["slug"])
            if kit is None or (endpoint == "declare" and self.impact_pages is None):
                raise NotFound()
            return self.send_kit(request, kit) if endpoint == "download" else self.declare(request, kit)
        if endpoint == "figures-json":
            return _response(self.figures.json())
        if endpoint == "figures":
            if self.impact_pages is None:
                return self.static(request)
            return _response(self.figures.page(self.impact_pages))
        return self.stats(request)

    def declare(self, request: Request, kit: Kit) -> Response:
        """« J'ai animé cet atelier »: the form (GET), or a declaration checked, counted and thanked (POST)."""
        pages = self.impact_pages
        assert pages is not None
        if request.method != "POST":
            return _response(form_page(pages, kit.slug, kit.title))
        wants_json = "application/json" in request.headers.get("Accept", "")
        if foreign_origin({name: value for name, value in request.headers.items()}, request.host):
            return _response(refused(pages, kit.slug, kit.title, 403, FOREIGN, wants_json))
        if request.content_length is None or request.content_length > MAX_BODY:  # unannounced or too big
            return _response(refused(pages, kit.slug, kit.title, 413, TOO_BIG, wants_json))
        request.max_content_length = request.max_form_memory_size = MAX_BODY
        form = {name: request.form.getlist(name) for name in request.form}
        return _response(declare(self.counter, pages, kit.slug, kit.title, form, request.remote_addr or "",
                                 request.user_agent.string, wants_json, datetime.now(timezone.utc).date()))

    def static(self, request: Request) -> Response:
        """A file of the site, found by its URL in the list made at start-up."""
        if request.method not in ("GET", "HEAD"):
            raise MethodNotAllowed(valid_methods=["GET", "HEAD"])
        path = request.path
        kit = self.kit_urls.get(path)
        if kit is not None:
            return self.send_kit(request, kit)
        target = self.files.get(path)
        if target is None and not path.endswith("/") and path + "/" in self.files:
            location = path + "/" + (f"?{request.query_string.decode('latin-1')}" if request.query_string else "")
            return Response(status=301, headers={"Location": location})
        if target is None:
            raise NotFound()
        mimetype = TYPES.get(target.suffix.lower()) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        response = send_file(target, request.environ, conditional=True, max_age=_max_age(path), mimetype=mimetype)
        if target.is_relative_to(self.supports) and target not in self.pages:
            # A support: a document to download, never a page of the site, even an .html or .svg one (an older
            # export, or a library exported with --keep-going): the browser saves it and runs nothing of it.
            response.headers.update(SUPPORT_HEADERS)
        elif target.suffix == ".html":
            response.headers["Cache-Control"] = "no-cache"
        return response

    def send_kit(self, request: Request, kit: Kit) -> Response:
        """Decide the answer, count it and commit, then let the file go."""
        response = send_file(kit.path, request.environ, conditional=True, as_attachment=True,
                             download_name=kit.filename, mimetype="application/zip", max_age=0)
        response.headers["Cache-Control"] = "no-cache"
        range_start = request.range.ranges[0][0] if response.status_code == 206 and request.range else None
        try:
            self._count(request, kit, response.status_code, range_start)
        except CounterError as error:
            log.error("compteur indisponible : %s", error)
            response.close()
            return Response("Le compteur de téléchargements est momentanément indisponible : réessayez dans un "
                            "instant.\n", status=503, content_type="text/plain; charset=utf-8", headers={"Retry-After": "5"})
        return response

    def _count(self, request: Request, kit: Kit, status: int, range_start: int | None) -> None:
        """Record the request: committed before the answer leaves, so an acknowledged download is never lost."""
        self.counter.record(
            kit.slug,
            method=request.method,
            status=status,
            client=request.remote_addr or "",
            user_agent=request.user_agent.string,
            range_start=range_start,
            dnt=request.headers.get("DNT") == "1",
            gpc=request.headers.get("Sec-GPC") == "1",
        )

    def stats(self, request: Request) -> Response:
        """The public aggregates, per sheet by default (`?by=month|day|resource-month&since=…&until=…`)."""
        try:
            by = next(g for g in GROUPINGS if g == request.args.get("by", "resource"))
            since, until = (_day(request.args.get(name)) for name in ("since", "until"))
        except (ValueError, StopIteration):
            return Response("Paramètres invalides : by vaut resource, month, day ou resource-month ; since et until "
                            "sont des dates AAAA-MM-JJ.\n", status=400, content_type="text/plain; charset=utf-8")
        body = stats_as_dict(read_stats(self.db_path, since=since, until=until, by=by))
        with reading(self.db_path) as reader:  # declared uses, by the months of the period, small cells suppressed
            body["uses"] = read_uses(reader, since.isoformat()[:7] if since else "0000-00",
                                     until.isoformat()[:7] if until else "9999-99")
        body["titles"] = {slug: kit.title for slug, kit in sorted(self.kits.items())}
        if by == "resource":
            body["resources"] = {row["slug"]: {"downloads": row["downloads"], "unique_downloads": row["unique_downloads"]}
                                 for row in body["rows"]}
        response = Response(json.dumps(body, ensure_ascii=False), content_type="application/json")
        response.headers["Cache-Control"] = "no-cache"
        response.headers["Access-Control-Allow-Origin"] = "*"  # public aggregates, readable by a static copy of the site
        return response


def _response(answer: Answer) -> Response:
    return Response(answer.body, status=answer.status, content_type=answer.content_type, headers=answer.headers)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _allow_inline_styles(policy: str, page: bytes) -> str:
    """The policy, plus the hashes of the page's own <style> blocks: the 404 page carries its style inline,
    since it answers at any depth where a relative stylesheet link would break."""
    blocks = re.findall(rb"<style[^>]*>(.*?)</style>", page, re.S)
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(block).digest()).decode()}'" for block in blocks)
    return policy.replace("style-src 'self'", f"style-src 'self' {hashes}") if hashes else policy


def _max_age(path: str) -> int:
    return 86400 if path.startswith("/static/") else 300


def _printable(path: str) -> str:
    """A path safe for a log line: control characters escaped, length bounded."""
    shown = path.encode("unicode_escape").decode("ascii")
    return shown if len(shown) <= 200 else shown[:200] + "…"


def run_server(app: SiteApp, host: str, port: int, trusted_proxy: str | None,
               announce: Callable[[str], None], threads: int = 8) -> None:
    """Serve with waitress until Ctrl-C or SIGTERM, then close the counter cleanly."""
    from waitress.server import create_server

    allow_open_files(CONNECTION_LIMIT + 100)
    options: dict[str, Any] = {"host": host, "port": port, "threads": threads, "ident": "outillerie", **WAITRESS_TUNING}
    if trusted_proxy:
        options.update(trusted_proxy=trusted_proxy, trusted_proxy_headers={"x-forwarded-for"},
                       clear_untrusted_proxy_headers=True)
    logs = WaitressLogs()
    server = create_server(app, **options)
    channel = _http_one_channel()
    for listener in [server, *getattr(server, "map", {}).values()]:
        if hasattr(listener, "channel_class"):
            listener.channel_class = channel

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    shown_host = f"[{host}]" if ":" in host else host
    announce(f"http://{shown_host}:{server.effective_port}/")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
        app.counter.close()
        logs.close()


def _http_one_channel() -> type:
    """Waitress's connection, refusing with a 400 any request that is not HTTP/1.0 or 1.1 (waitress would answer
    HTTP/2.0, HTTP/0.9 or HTTP/3.0 as if it were 1.0, and hide the version from the application)."""
    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser, ParsingError

    class HttpOneParser(HTTPRequestParser):
        def parse_header(self, header_plus: bytes) -> None:
            super().parse_header(header_plus)
            if self.version not in ("1.0", "1.1"):
                raise ParsingError("ce serveur ne parle que HTTP/1.0 et HTTP/1.1")

    class HttpOneChannel(HTTPChannel):
        parser_class = HttpOneParser

    return HttpOneChannel
