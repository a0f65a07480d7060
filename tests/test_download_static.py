"""`outillerie download` from a site on a static host (no counter): the published kit, said not counted, with every
check of a counted download (whole file, a real ZIP, nothing partial). A real HTTP server on 127.0.0.1 (the
standard library's, in a thread) serves a real export."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
import zipfile
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner

from outillerie.cli import cli
from outillerie.publish.export import export_site

from .conftest import copy_case

NOT_COUNTED = "le kit publié a été téléchargé, et ce téléchargement n'est pas compté."


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (the standard library's name)
        pass


class PageEverywhereHandler(QuietHandler):
    """A host that answers every unknown address with the home page and 200, as single-page hosts do."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        body = b"<!doctype html><title>Accueil</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A host's folder with the exported site under /fiches/ (a sub-path, as on GitLab or GitHub Pages)."""
    root = tmp_path_factory.mktemp("hebergement")
    library = copy_case("site", root.parent / f"{root.name}-lib")
    export_site(library, root / "fiches", keep_going=True)
    return root


def serve(folder: Path, handler: type[http.server.SimpleHTTPRequestHandler] = QuietHandler) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def static_host(published: Path) -> Iterator[str]:
    yield from serve(published)


def download(server: str, slug: str, output: Path) -> Any:
    return CliRunner().invoke(cli, ["download", slug, "--server", server, "--output", str(output)])


def test_the_published_kit_is_fetched_and_said_not_counted(static_host: str, published: Path, tmp_path: Path) -> None:
    result = download(f"{static_host}/fiches/", "elus-et-reseau", tmp_path / "kits")
    assert result.exit_code == 0, result.output
    kit = tmp_path / "kits" / "elus-et-reseau.zip"
    assert result.stdout == f"Kit enregistré : {kit}\n"
    assert (f"Remarque : aucun compteur outillerie ne répond à {static_host}/fiches/ (un site publié sur un hébergement "
            f"statique) : {NOT_COUNTED}\n") in result.stderr
    assert kit.read_bytes() == (published / "fiches" / "telechargements" / "elus-et-reseau.zip").read_bytes()
    assert zipfile.ZipFile(kit).testzip() is None


def test_an_unknown_sheet_on_a_static_site_is_said_and_leaves_nothing(static_host: str, tmp_path: Path) -> None:
    result = download(f"{static_host}/fiches", "elus-et-reseaux", tmp_path / "kits")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith(f"Erreur : le serveur {static_host}/fiches n'a pas de fiche « elus-et-reseaux » (ni "
                                    "compteur qui la connaisse, ni kit publié telechargements/elus-et-reseaux.zip).")
    assert list((tmp_path / "kits").iterdir()) == []


def test_a_damaged_published_kit_is_refused_and_leaves_nothing(published: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "hebergement"
    shutil.copytree(published / "fiches", damaged, copy_function=shutil.copyfile)
    kit = damaged / "telechargements" / "elus-et-reseau.zip"
    kit.write_bytes(kit.read_bytes()[:-40])  # the central directory is cut: not a ZIP any more
    for server in serve(damaged):
        result = download(server, "elus-et-reseau", tmp_path / "kits")
    assert result.exit_code == 1
    assert "n'est pas une archive ZIP valide" in result.stderr and NOT_COUNTED not in result.stderr
    assert list((tmp_path / "kits").iterdir()) == []


def test_a_host_that_answers_every_address_with_a_page_still_gives_the_kit(published: Path, tmp_path: Path) -> None:
    for server in serve(published / "fiches", PageEverywhereHandler):
        result = download(server, "dejouer-les-arnaques", tmp_path)
        wrong = download(server, "nulle-part", tmp_path / "rien")
    assert result.exit_code == 0 and NOT_COUNTED in result.stderr
    assert zipfile.ZipFile(tmp_path / "dejouer-les-arnaques.zip").testzip() is None
    assert wrong.exit_code == 1 and "n'est pas une archive ZIP valide" in wrong.stderr
    assert list((tmp_path / "rien").iterdir()) == []


def test_without_server_the_configured_site_is_asked(static_host: str, tmp_path: Path) -> None:
    library = copy_case("valid", tmp_path / "lib")
    (library / "outillerie.yml").write_text(f"site_url: {static_host}/fiches/\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--library", str(library), "download", "projet-collectif-quartier", "--output",
                                      str(tmp_path / "kits")])
    assert result.exit_code == 0, result.output
    assert f"ne répond à {static_host}/fiches/ " in result.stderr
    assert (tmp_path / "kits" / "projet-collectif-quartier.zip").is_file()
