"""`outillerie serve`, `stats` and `download` against the real server on 127.0.0.1, with real HTTP clients."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import requests
from click.testing import CliRunner

from outillerie.cli import cli
from outillerie.publish.export import export_site

from .conftest import REPO

EXE = str(Path(sys.executable).parent / "outillerie")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:{n}.0) Gecko/20100101 Firefox/{n}.0"


def browser(n: int = 128) -> dict[str, str]:
    """A browser user agent: COUNTER counts browsers, never python-requests or curl."""
    return {"User-Agent": BROWSER.format(n=n)}


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped commons, exported once for every test of this module."""
    output = tmp_path_factory.mktemp("export") / "site"
    export_site(REPO, output, counter_url="")
    return output


@pytest.fixture(scope="session")
def slugs(site: Path) -> list[str]:
    return sorted(json.loads((site / "kits.json").read_text(encoding="utf-8")))


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    db: Path
    log: Path

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=15)

    def counts(self) -> dict[str, tuple[int, int]]:
        with sqlite3.connect(self.db) as conn:
            rows = conn.execute("SELECT slug, SUM(downloads), SUM(unique_downloads) FROM downloads GROUP BY slug")
            result = {slug: (total, unique) for slug, total, unique in rows}
        conn.close()
        return result


def start_server(site: Path, db: Path, log: Path, *extra: str) -> Server:
    """Start `outillerie serve` on a free port and wait for the line that gives its URL."""
    handle = log.open("a", encoding="utf-8")
    process = subprocess.Popen([EXE, "serve", "--site", str(site), "--db", str(db), "--port", "0", *extra],
                               stdout=handle, stderr=handle, text=True)
    handle.close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        match = re.search(r"outillerie sert (http://\S+/)", log.read_text(encoding="utf-8"))
        if match:
            return Server(url=match.group(1).rstrip("/"), process=process, db=db, log=log)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise AssertionError(f"the server did not start: {log.read_text(encoding='utf-8')}")


@pytest.fixture
def server(site: Path, tmp_path: Path) -> Iterator[Server]:
    running = start_server(site, tmp_path / "compteur.sqlite3", tmp_path / "serveur.log")
    yield running
    running.stop()


def test_a_browser_download_is_counted_and_named_in_french(server: Server, slugs: list[str]) -> None:
    slug = "reperer-les-arnaques-en-ligne"
    response = requests.get(f"{server.url}/telecharger/{slug}", headers=browser())
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert "%C3%A9" in disposition  # « Repérer » keeps its accent in the UTF-8 name
    assert zipfile.ZipFile(__import__("io").BytesIO(response.content)).testzip() is None
    assert server.counts() == {slug: (1, 1)}
    stats = requests.get(f"{server.url}/api/stats.json").json()
    assert stats["resources"] == {slug: {"downloads": 1, "unique_downloads": 1}}
    assert stats["totals"] == {"downloads": 1, "unique_downloads": 1}


def test_the_kit_url_of_a_static_export_is_counted_too(server: Server, site: Path) -> None:
    kits = json.loads((site / "kits.json").read_text(encoding="utf-8"))
    slug = "cafe-de-la-mediation"
    response = requests.get(f"{server.url}/{kits[slug]['path']}", headers=browser())
    assert response.status_code == 200
    assert server.counts() == {slug: (1, 1)}


def test_requests_that_never_count(server: Server) -> None:
    url = f"{server.url}/telecharger/cafe-de-la-mediation"
    first = requests.get(url, headers=browser(1))
    etag = first.headers["ETag"]
    assert requests.head(url, headers=browser(2)).status_code == 200
    assert requests.get(url, headers={"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"}).status_code == 200
    assert requests.get(url, headers={"User-Agent": ""}).status_code == 200
    assert requests.get(url).status_code == 200  # python-requests is a robot for COUNTER
    assert requests.get(url, headers={**browser(3), "DNT": "1"}).status_code == 200
    assert requests.get(url, headers={**browser(4), "Sec-GPC": "1"}).status_code == 200
    middle = requests.get(url, headers={**browser(5), "Range": "bytes=100-199"})
    assert middle.status_code == 206 and len(middle.content) == 100
    assert requests.get(f"{server.url}/telecharger/inconnue", headers=browser(6)).status_code == 404
    assert server.counts() == {"cafe-de-la-mediation": (1, 1)}
    # …while a 304 and a range from byte 0 are downloads (by other visitors: no double click)
    assert requests.get(url, headers={**browser(7), "If-None-Match": etag}).status_code == 304
    assert requests.get(url, headers={**browser(8), "Range": "bytes=0-99"}).status_code == 206
    assert server.counts() == {"cafe-de-la-mediation": (3, 3)}


def test_double_click_counts_once(server: Server) -> None:
    url = f"{server.url}/telecharger/cafe-de-la-mediation"
    for _ in range(3):
        assert requests.get(url, headers=browser()).status_code == 200
    assert server.counts() == {"cafe-de-la-mediation": (1, 1)}


@pytest.mark.parametrize("path", [
    "/telecharger/..", "/telecharger/%2e%2e", "/telecharger/..%2fkits.json", "/telecharger/%2e%2e%2fkits.json",
    "/telecharger/..\\kits.json", "/telecharger/cafe-de-la-mediation%00", "/telecharger/" + "a" * 10_000,
    "/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fkits.json", "/fiches/..%5c..%5cetc",
    "/telecharger/cafe-de-la-mediation/../../kits.json", "/.outillerie-export.json",
])
def test_traversal_attempts_find_nothing_and_count_nothing(server: Server, path: str) -> None:
    connection = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    connection.putheader("User-Agent", BROWSER.format(n=99))
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status in (400, 404, 414, 431)
    assert b"root:" not in body and b'"path"' not in body
    assert server.counts() == {}


def test_pages_carry_types_security_headers_and_a_french_404(server: Server) -> None:
    home = requests.get(f"{server.url}/", headers=browser())
    assert home.status_code == 200 and home.headers["Content-Type"] == "text/html; charset=utf-8"
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"):
        assert header in home.headers
    again = requests.get(f"{server.url}/catalogue.json", headers=browser())
    assert requests.get(f"{server.url}/catalogue.json",
                        headers={**browser(), "If-None-Match": again.headers["ETag"]}).status_code == 304
    sheet = requests.get(f"{server.url}/fiches/cafe-de-la-mediation", headers=browser(), allow_redirects=False)
    assert sheet.status_code == 301 and sheet.headers["Location"].endswith("/fiches/cafe-de-la-mediation/")
    missing = requests.get(f"{server.url}/nulle-part", headers=browser())
    assert missing.status_code == 404 and 'lang="fr"' in missing.text
    style = re.search(r"<style[^>]*>(.*?)</style>", missing.text, re.S).group(1).encode()
    digest = base64.b64encode(hashlib.sha256(style).digest()).decode()
    assert f"'sha256-{digest}'" in missing.headers["Content-Security-Policy"]  # its inline style is allowed, nothing else
    refused = requests.post(f"{server.url}/telecharger/cafe-de-la-mediation", headers=browser())
    assert refused.status_code == 405 and "GET et HEAD" in refused.text


def test_logs_one_line_per_request_without_address_or_user_agent(site: Path, tmp_path: Path) -> None:
    running = start_server(site, tmp_path / "c.sqlite3", tmp_path / "s.log", "--trusted-proxy", "127.0.0.1")
    secret_agent = BROWSER.format(n=4242) + " UnMarqueurTresReconnaissable"
    try:
        for n in range(20):
            requests.get(f"{running.url}/telecharger/cafe-de-la-mediation",
                         headers={"User-Agent": secret_agent, "X-Forwarded-For": f"203.0.113.{n + 10}"})
        requests.get(f"{running.url}/", headers={"User-Agent": secret_agent, "X-Forwarded-For": "198.51.100.77"})
    finally:
        assert running.stop() == 0
    assert running.counts() == {"cafe-de-la-mediation": (20, 20)}  # 20 visitors behind the proxy
    log = (tmp_path / "s.log").read_text(encoding="utf-8")
    assert len(re.findall(r" GET /telecharger/cafe-de-la-mediation 200 ", log)) == 20
    assert "Serveur arrêté." in log
    files = [tmp_path / "c.sqlite3", tmp_path / "c.sqlite3-wal", tmp_path / "c.sqlite3-shm", tmp_path / "s.log"]
    for path in files:
        if path.exists():
            data = path.read_bytes()
            for secret in ("203.0.113.", "198.51.100.77", "UnMarqueurTresReconnaissable", "Firefox/4242"):
                assert secret.encode() not in data, (path.name, secret)


def test_fifty_concurrent_clients_are_counted_exactly(server: Server, slugs: list[str]) -> None:
    """50 visitors, each taking every kit three times in a row: the double clicks count once."""
    def visitor(n: int) -> list[int]:
        session = requests.Session()
        session.headers.update(browser(1000 + n))
        codes = []
        for _ in range(3):
            for slug in slugs:
                codes.append(session.get(f"{server.url}/telecharger/{slug}").status_code)
        session.close()
        return codes

    with ThreadPoolExecutor(max_workers=50) as pool:
        codes = [code for result in pool.map(visitor, range(50)) for code in result]
    assert len(codes) == 50 * 3 * len(slugs) and set(codes) == {200}
    assert server.counts() == {slug: (50, 50) for slug in slugs}
    assert "database is locked" not in server.log.read_text(encoding="utf-8")


def test_sigkill_under_load_loses_no_acknowledged_download(site: Path, slugs: list[str], tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    running = start_server(site, db, tmp_path / "s.log")
    answered: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        session = requests.Session()
        for i in range(10_000):
            if stop.is_set():
                break
            slug = slugs[i % len(slugs)]
            try:
                response = session.get(f"{running.url}/telecharger/{slug}", headers=browser(n * 100_000 + i), timeout=5)
                if response.status_code == 200:
                    with lock:
                        answered.append(slug)
            except requests.RequestException:
                break
        session.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    running.stop(signal.SIGKILL)
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    assert len(answered) > 50
    restarted = start_server(site, db, tmp_path / "s2.log")
    try:
        counted = sum(total for total, _ in restarted.counts().values())
        assert len(answered) <= counted <= len(answered) + 8  # at most one in flight per client
        assert requests.get(f"{restarted.url}/telecharger/{slugs[0]}", headers=browser(7)).status_code == 200
    finally:
        restarted.stop()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def test_sigterm_stops_cleanly(server: Server) -> None:
    assert server.stop(signal.SIGTERM) == 0
    assert "Serveur arrêté." in server.log.read_text(encoding="utf-8")


def test_stats_from_the_database_and_from_the_server(server: Server) -> None:
    for n in range(3):
        requests.get(f"{server.url}/telecharger/cafe-de-la-mediation", headers=browser(n))
    requests.get(f"{server.url}/telecharger/reperer-les-arnaques-en-ligne", headers=browser())
    runner = CliRunner()
    table = runner.invoke(cli, ["--library", str(REPO), "stats", "--db", str(server.db)], catch_exceptions=False)
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].startswith("Téléchargements du ") and lines[0].endswith("(par fiche et par mois)")
    month = time.strftime("%Y-%m", time.gmtime())
    assert any(re.fullmatch(rf"Le café de la médiation.*{month}\s+3\s+3", line) for line in lines)
    assert any(re.fullmatch(r"Total\s+4\s+4", line) for line in lines)
    assert "ne peut pas être connu sans cookie" in table.stdout
    as_json = json.loads(runner.invoke(cli, ["stats", "--server", server.url, "--format", "json", "--by", "month"]).stdout)
    assert as_json["rows"] == [{"period": month, "downloads": 4, "unique_downloads": 4}]
    as_csv = runner.invoke(cli, ["--library", str(REPO), "stats", "--db", str(server.db), "--format", "csv"]).stdout
    assert as_csv.splitlines()[0] == "slug,titre,periode,telechargements,telechargements_uniques"
    assert f"cafe-de-la-mediation,Le café de la médiation : trente minutes entre pairs pour débloquer une situation,{month},3,3" in as_csv


def test_download_command_fetches_a_valid_kit(server: Server, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["download", "cafe-de-la-mediation", "--server", server.url,
                                      "--output", str(tmp_path / "kits")], catch_exceptions=False)
    assert result.exit_code == 0
    path = tmp_path / "kits" / "cafe-de-la-mediation.zip"
    assert result.stdout == f"Kit enregistré : {path}\n"
    assert zipfile.ZipFile(path).testzip() is None
    assert sorted(p.name for p in (tmp_path / "kits").iterdir()) == ["cafe-de-la-mediation.zip"]


def test_download_command_explains_failures(server: Server, tmp_path: Path) -> None:
    runner = CliRunner()
    output = tmp_path / "kits"
    wrong = runner.invoke(cli, ["download", "cafe-de-la-mediatio", "--server", server.url, "--output", str(output)])
    assert wrong.exit_code == 1 and "n'a pas de fiche « cafe-de-la-mediatio »" in wrong.stderr
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    refused = runner.invoke(cli, ["download", "cafe-de-la-mediation", "--server", f"http://127.0.0.1:{free_port}",
                                  "--output", str(output)])
    assert refused.exit_code == 1 and "la connexion à" in refused.stderr and "est impossible" in refused.stderr
    assert list(output.iterdir()) == []


def test_download_command_leaves_nothing_of_a_truncated_download(tmp_path: Path) -> None:
    """A peer that announces 100,000 bytes and hangs up after 1,000 (a test double of a broken network)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def broken_peer() -> None:
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: 100000\r\n\r\n"
                           + b"PK" + b"\0" * 998)
        connection.close()
        listener.close()

    thread = threading.Thread(target=broken_peer)
    thread.start()
    result = CliRunner().invoke(cli, ["download", "cafe-de-la-mediation", "--server", f"http://127.0.0.1:{port}",
                                      "--output", str(tmp_path)])
    thread.join(timeout=10)
    assert result.exit_code == 1
    assert "s'est interrompu" in result.stderr and "Pour corriger : relancez la commande." in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_silent_server_times_out_with_a_message(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    from outillerie.counter import client

    started = time.monotonic()
    with pytest.raises(client.ClientError) as caught:
        client.download_kit(f"http://127.0.0.1:{port}", "cafe-de-la-mediation", tmp_path, timeout=(1, 1))
    listener.close()
    assert time.monotonic() - started < 10
    assert "ne répond" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_serve_refuses_a_folder_that_is_not_an_export(tmp_path: Path) -> None:
    result = subprocess.run([EXE, "serve", "--site", str(tmp_path), "--port", "0", "--db", str(tmp_path / "c.sqlite3")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "n'a pas de fichier kits.json" in result.stderr and "Traceback" not in result.stderr


def test_counter_database_that_is_not_ours_is_refused(site: Path, tmp_path: Path) -> None:
    alien = tmp_path / "autre.sqlite3"
    with sqlite3.connect(alien) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    result = subprocess.run([EXE, "serve", "--site", str(site), "--port", "0", "--db", str(alien)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert str(alien) in result.stderr
