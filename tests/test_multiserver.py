"""Two `outillerie serve` processes sharing one real PostgreSQL count as one server: exact counts under
concurrency, a server killed under load loses nothing and counts nothing twice, and neither the database nor
PostgreSQL's files and logs hold an address or a user agent."""

from __future__ import annotations

import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from outillerie.counter.stats import read_stats

from .postgresql import Cluster, log_settings, server_files
from .test_server import BROWSER, browser, site, slugs, start_server  # noqa: F401  (site, slugs: fixtures)

SHEETS = ["cafe-de-la-mediation", "reperer-les-arnaques-en-ligne", "comprendre-exclusion-numerique"]


def counts(url: str) -> tuple[dict[str, tuple[int, int]], int, int]:
    report = read_stats(url, by="resource")
    return ({row.slug: (row.downloads, row.unique_downloads) for row in report.rows}, report.max_daily_visitors,
            report.sum_daily_visitors)


def test_two_servers_on_one_database_count_as_one(site: Path, tmp_path: Path, pg_url: str) -> None:
    servers = [start_server(site, pg_url, tmp_path / f"s{n}.log") for n in range(2)]  # type: ignore[arg-type]
    try:
        def visitor(n: int) -> list[int]:
            agent = browser(3000 + n)
            codes = []
            with requests.Session() as session:
                for slug in SHEETS:
                    first, second = servers[n % 2], servers[(n + 1) % 2]
                    codes.append(session.get(f"{first.url}/telecharger/{slug}", headers=agent).status_code)
                    codes.append(session.get(f"{second.url}/telecharger/{slug}", headers=agent).status_code)  # double click
                    codes.append(session.head(f"{first.url}/telecharger/{slug}", headers=agent).status_code)  # never counts
                    codes.append(session.get(f"{second.url}/telecharger/{slug}",
                                             headers={"User-Agent": "curl/8.5.0"}).status_code)  # a robot: never
            return codes

        with ThreadPoolExecutor(max_workers=20) as pool:
            codes = [code for result in pool.map(visitor, range(20)) for code in result]
    finally:
        for server in servers:
            assert server.stop() == 0
    assert codes.count(200) == len(codes) == 20 * len(SHEETS) * 4
    assert counts(pg_url) == ({slug: (20, 20) for slug in SHEETS}, 20, 20)


def test_a_server_killed_under_load_loses_nothing_and_counts_nothing_twice(
        site: Path, tmp_path: Path, pg_url: str) -> None:
    servers = [start_server(site, pg_url, tmp_path / f"s{n}.log") for n in range(2)]  # type: ignore[arg-type]
    answered: list[str] = []
    lock, stop = threading.Lock(), threading.Event()

    def client(n: int) -> None:
        with requests.Session() as session:
            for i in range(10_000):
                server = servers[(n + i) % 2]
                if stop.is_set() or (server.process.poll() is not None and servers[1].process.poll() is not None):
                    break
                if server.process.poll() is not None:
                    continue  # the killed one: its clients move to the other
                try:
                    response = session.get(f"{server.url}/telecharger/{SHEETS[i % 3]}",
                                           headers={"User-Agent": BROWSER.format(n=n * 100_000 + i)}, timeout=5)
                except requests.RequestException:
                    continue  # cut by the kill: not answered, so it may or may not have been counted
                if response.status_code == 200:
                    with lock:
                        answered.append(SHEETS[i % 3])

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    servers[0].stop(signal.SIGKILL)
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(timeout=20)
    servers[1].stop()
    counted = sum(total for total, _ in counts(pg_url)[0].values())
    assert len(answered) > 50
    # Every answered download was committed before its answer; at most one per client was cut in flight.
    assert len(answered) <= counted <= len(answered) + 8


def test_neither_the_database_nor_postgresql_logs_hold_an_address_or_a_user_agent(
        site: Path, tmp_path: Path, pg_url: str, postgresql_server: Cluster) -> None:
    assert log_settings(postgresql_server.admin_url) == {
        "log_statement": "none", "log_min_duration_statement": "-1", "log_parameter_max_length": "0",
        "log_parameter_max_length_on_error": "0"}
    marker = BROWSER.format(n=4343) + " MarqueurTresReconnaissable"
    servers = [start_server(site, pg_url, tmp_path / f"s{n}.log", "--trusted-proxy", "127.0.0.1")  # type: ignore[arg-type]
               for n in range(2)]
    try:
        for n in range(30):
            for server in servers:
                requests.get(f"{server.url}/telecharger/cafe-de-la-mediation",
                             headers={"User-Agent": marker, "X-Forwarded-For": f"203.0.113.{n + 10}"})
                requests.post(f"{server.url}/declarer/cafe-de-la-mediation", headers={
                    "User-Agent": marker, "X-Forwarded-For": f"203.0.113.{n + 10}", "Origin": server.url},
                    data={"month": "01", "departement": "29", "participants": "1-5", "public": "habitants",
                          "recommend": "oui"})
        requests.post(f"{servers[0].url}/declarer/cafe-de-la-mediation", data={"departement": "999"},
                      headers={"User-Agent": marker, "X-Forwarded-For": "198.51.100.77"})  # an error, logged or not
    finally:
        for server in servers:
            server.stop()
    assert counts(pg_url)[0] == {"cafe-de-la-mediation": (30, 30)}
    files = server_files(postgresql_server.admin_url) + [tmp_path / "s0.log", tmp_path / "s1.log"]
    assert any(path.parent.name == "log" for path in files)  # PostgreSQL's own log is among them
    for path in files:
        data = path.read_bytes()
        for secret in (b"203.0.113.", b"198.51.100.77", b"MarqueurTresReconnaissable", b"Firefox/4343"):
            assert secret not in data, (path, secret)
