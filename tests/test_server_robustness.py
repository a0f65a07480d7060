"""`outillerie serve` against a careless or hostile world, on 127.0.0.1 with real sockets: idle connections,
other protocols, load, supports that would run script, and a server killed without cleaning up."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest
import requests

from outillerie.publish.export import export_site

from .conftest import copy_case
from .test_server import EXE, Server, browser, start_server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site as `outillerie serve` exports it, with the files an older export (or --keep-going on an older
    library) could hold in a sheet's folder: a page and an image that would run script, and that script."""
    library = copy_case("site", tmp_path_factory.mktemp("robuste") / "lib")
    output = library.parent / "site"
    export_site(library, output, counter_url="", keep_going=True)
    folder = output / "fiches" / "elus-et-reseau"
    (folder / "sonde.js").write_text("fetch('/a-couru?depuis=' + encodeURIComponent(location.pathname));\n",
                                     encoding="utf-8")
    (folder / "sonde.html").write_text('<!doctype html><title>sonde</title><script src="sonde.js"></script>\n',
                                       encoding="utf-8")
    (folder / "sonde.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script href="sonde.js"/></svg>\n',
                                      encoding="utf-8")
    return output


@pytest.fixture
def server(site: Path, tmp_path: Path) -> Iterator[Server]:
    running = start_server(site, tmp_path / "compteur.sqlite3", tmp_path / "serveur.log")
    yield running
    running.stop()


def address(server: Server) -> tuple[str, int]:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def test_three_hundred_idle_connections_do_not_stop_normal_visitors(server: Server) -> None:
    idle = []
    try:
        for number in range(300):
            connection = socket.create_connection(address(server), timeout=5)
            if number % 2:  # half of them start a request and never finish it
                connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            idle.append(connection)
        time.sleep(0.5)  # the server has accepted them all by now
        with requests.Session() as session:
            for page in ["/", "/a-propos/", "/fiches/elus-et-reseau/", "/catalogue.json"] * 5:
                assert session.get(server.url + page, timeout=5).status_code == 200
        assert requests.get(server.url + "/telecharger/elus-et-reseau", headers=browser(), timeout=5).status_code == 200
    finally:
        for connection in idle:
            connection.close()


def raw_exchange(server: Server, request: bytes) -> bytes:
    with socket.create_connection(address(server), timeout=5) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("line", [b"GET / HTTP/2.0", b"GET / FOO/1.1", b"GET / HTTP/0.9", b"GET / HTTP/3.0"])
def test_a_request_that_is_not_http_1_gets_a_400(server: Server, line: bytes) -> None:
    answer = raw_exchange(server, line + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    status = answer.split(b"\r\n", 1)[0]
    assert re.fullmatch(rb"HTTP/1\.[01] 400 .*", status), status
    assert b"Catalogue" not in answer


@pytest.mark.parametrize("version", [b"HTTP/1.0", b"HTTP/1.1"])
def test_http_1_0_and_1_1_get_the_page(server: Server, version: bytes) -> None:
    answer = raw_exchange(server, b"GET / " + version + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert answer.split(b"\r\n", 1)[0] == version + b" 200 OK"


def test_queue_warnings_are_summarised_not_repeated(site: Path, tmp_path: Path) -> None:
    running = start_server(site, tmp_path / "c.sqlite3", tmp_path / "s.log")
    try:
        def visit(number: int) -> int:
            return requests.get(f"{running.url}/fiches/elus-et-reseau/", timeout=30).status_code

        with ThreadPoolExecutor(48) as pool:  # six times more clients than the server's threads
            assert set(pool.map(visit, range(1500))) == {200}
    finally:
        assert running.stop() == 0
    log = running.log.read_text(encoding="utf-8")
    assert "Task queue depth" not in log
    loaded = [line for line in log.splitlines() if line.startswith("serveur chargé")]
    assert len(loaded) == 2, loaded
    assert re.fullmatch(r"serveur chargé : \d+ requête\(s\) attendent un fil libre\. Les alertes suivantes sont "
                        r"regroupées, une ligne par minute au plus ; .*", loaded[0])
    held = re.fullmatch(r"serveur chargé : (\d+) autre\(s\) alerte\(s\) de file d'attente depuis la précédente "
                        r"\(jusqu'à (\d+) requête\(s\) en attente\)\.", loaded[1])
    assert held and int(held.group(1)) > 0 and int(held.group(2)) > 0


def test_supports_are_downloads_with_nosniff_and_pages_are_pages(server: Server) -> None:
    base = f"{server.url}/fiches/elus-et-reseau/"
    for name in ["carte.png", "grille.md", "index.md", "sonde.html", "sonde.svg", "sonde.js"]:
        response = requests.get(base + name, timeout=5)
        assert response.status_code == 200, name
        assert response.headers["Content-Disposition"] == "attachment", name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["Content-Security-Policy"] == "sandbox; default-src 'none'", name
    for page in ["", "index.html", "grille.html"]:
        response = requests.get(base + page, timeout=5)
        assert response.status_code == 200, page
        assert not response.headers.get("Content-Disposition", "").startswith("attachment"), page
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert not requests.get(server.url + "/", timeout=5).headers.get("Content-Disposition", "").startswith("attachment")


def test_an_export_older_than_the_list_of_pages_serves_only_sheet_pages_as_pages(site: Path, tmp_path: Path) -> None:
    old = tmp_path / "ancien"
    subprocess.run(["cp", "-a", str(site), str(old)], check=True)
    kits = json.loads((old / "kits.json").read_text(encoding="utf-8"))
    for entry in kits.values():
        del entry["pages"]
    (old / "kits.json").write_text(json.dumps(kits), encoding="utf-8")
    running = start_server(old, tmp_path / "c.sqlite3", tmp_path / "s.log")
    try:
        sheet = requests.get(f"{running.url}/fiches/elus-et-reseau/", timeout=5)
        assert sheet.status_code == 200 and not sheet.headers.get("Content-Disposition", "").startswith("attachment")
        support_page = requests.get(f"{running.url}/fiches/elus-et-reseau/grille.html", timeout=5)
        assert support_page.headers["Content-Disposition"] == "attachment"  # unknown: a download, to be safe
    finally:
        running.stop()


def test_serve_keeps_its_export_in_the_cache_and_the_next_one_removes_a_killed_ones(tmp_path: Path) -> None:
    library = copy_case("site", tmp_path / "lib")
    scratch_tmp = tmp_path / "tmp"
    scratch_tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch_tmp)}

    def start(log: Path) -> subprocess.Popen[str]:
        handle = log.open("w", encoding="utf-8")
        process = subprocess.Popen([EXE, "--library", str(library), "serve", "--port", "0", "--db",
                                    str(tmp_path / "c.sqlite3")], stdout=handle, stderr=handle, text=True, env=env)
        handle.close()
        deadline = time.monotonic() + 60
        while "outillerie sert" not in log.read_text(encoding="utf-8"):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.05)
        return process

    def scratch() -> list[str]:
        return sorted(p.name for p in (library / "index").iterdir() if p.name.startswith("serve-"))

    first = start(tmp_path / "1.log")
    assert scratch() == [name for name in scratch() if re.fullmatch(rf"serve-{first.pid}-[a-z0-9_]{{8}}", name)]
    assert len(scratch()) == 1
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert len(scratch()) == 1  # what a killed server leaves
    second = start(tmp_path / "2.log")
    assert [name.split("-")[1] for name in scratch()] == [str(second.pid)]  # the dead one's folder is gone
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=30) == 0
    assert scratch() == []
    assert list(scratch_tmp.iterdir()) == []  # nothing ever went to the system's temporary folder
    memories = [p.name for p in (library / "index").iterdir() if p.name.startswith("site-")]
    assert memories == []  # no export memory left for folders that are gone


def test_a_port_already_taken_is_said_in_french(site: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([EXE, "serve", "--site", str(site), "--port", str(port), "--db",
                                 str(tmp_path / "c.sqlite3")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "adresse déjà utilisée par un autre programme" in result.stderr
    assert "Address already in use" not in result.stderr and "Traceback" not in result.stderr
