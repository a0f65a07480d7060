"""Supports never run script from the site's origin, checked in Debian's Chromium: on a plain static host (names
the export gives them) and through `outillerie serve` (downloads with nosniff and a sandbox)."""

from __future__ import annotations

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from outillerie.publish.downloads import site_names

from .test_server import start_server
from .test_server_robustness import site  # noqa: F401  (the served site, with supports that would run script)

CHROMIUM = Path("/usr/bin/chromium")
PROBE_JS = "fetch('/a-couru?depuis=' + encodeURIComponent(location.pathname));\n"
PROBE_HTML = '<!doctype html><title>sonde</title><script src="sonde.js"></script>\n'
PROBE_SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script href="sonde.js"/></svg>\n'


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, with every DNS look-up refused (as in test_site_browser.py)."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium de Debian est introuvable (/usr/bin/chromium). Pour corriger : apt-get install -y "
                    "--no-install-recommends chromium (comme le fait .ci/run).")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM),
            "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage",
                     "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"]}


@pytest.fixture(scope="session")
def base_url() -> None:
    return None


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def static_host(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A plain static host (Python's http.server: types from the file names, no header of ours)."""
    folder = tmp_path / "hebergement"
    folder.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", folder
    server.shutdown()
    server.server_close()


def visit(page: Page, url: str) -> tuple[list[str], list[str]]:
    """Open `url`; the script probes it made run, and the downloads it started."""
    probes: list[str] = []
    downloads: list[str] = []
    page.on("request", lambda request: probes.append(request.url) if "/a-couru" in request.url else None)
    page.on("download", lambda download: downloads.append(download.url))
    try:
        page.goto(url)
    except PlaywrightError:  # a download aborts the navigation
        pass
    page.wait_for_timeout(700)
    return probes, downloads


def test_supports_named_by_the_export_run_nothing_on_a_static_host(page: Page, static_host: tuple[str, Path]) -> None:
    base, folder = static_host
    (folder / "sonde.js").write_text(PROBE_JS, encoding="utf-8")
    for control, content in (("temoin.html", PROBE_HTML), ("temoin.svg", PROBE_SVG)):  # under their own names
        (folder / control).write_text(content, encoding="utf-8")
        probes, _ = visit(page, f"{base}/{control}")
        assert probes, f"the probe must be able to see a script run ({control})"
    names = site_names(["sonde.html", "sonde.svg", "sonde.js", "carte.png"])
    assert names == {"sonde.html": "sonde.html.txt", "sonde.svg": "sonde.svg.txt", "sonde.js": "sonde.js.txt",
                     "carte.png": "carte.png"}
    for original, content in (("sonde.html", PROBE_HTML), ("sonde.svg", PROBE_SVG)):
        (folder / names[original]).write_text(content, encoding="utf-8")
        probes, _ = visit(page, f"{base}/{names[original]}")
        assert probes == [], original
        assert "<script" in page.inner_text("body")  # shown as text, never run


def test_served_supports_are_downloads_that_run_nothing(page: Page, site: Path, tmp_path: Path) -> None:  # noqa: F811
    root_copy = tmp_path / "site"
    shutil.copytree(site, root_copy)
    for name in ("sonde.js", "sonde.html"):  # a control: the same files as pages of the site itself
        shutil.copy(root_copy / "fiches" / "elus-et-reseau" / name, root_copy / name)
    running = start_server(root_copy, tmp_path / "c.sqlite3", tmp_path / "s.log")
    try:
        probes, _ = visit(page, f"{running.url}/sonde.html")
        assert probes, "the probe must be able to see a script run"
        for name in ("sonde.html", "sonde.svg"):
            url = f"{running.url}/fiches/elus-et-reseau/{name}"
            probes, downloads = visit(page, url)
            assert probes == [], name
            assert downloads == [url], name
        page.goto(f"{running.url}/fiches/elus-et-reseau/")
        assert page.evaluate("() => document.querySelector('img[src=\"carte.png\"]').naturalWidth") > 0
    finally:
        running.stop()
