"""How long a normal visitor waits while one client holds hundreds of idle connections to `outillerie serve`,
against the same site served by waitress with its default settings (connection_limit 100, select()).

    python bench/idle_bench.py [--idle 300] [--requests 50]

Each server runs in its own process on 127.0.0.1; the idle client opens its sockets (half of them with a
request started and never finished), then a normal client fetches the catalogue `--requests` times in a row,
each with a 10 s timeout (the time a visitor gives up); after three such failures in a row, it stops.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
EXE = Path(sys.executable).parent / "outillerie"
DEFAULTS = """
import sys
from pathlib import Path
from waitress import serve
from outillerie.counter.server import SiteApp
from outillerie.counter.store import Counter
site, db = Path(sys.argv[1]), Path(sys.argv[2])
print("outillerie sert http://127.0.0.1:%s/" % sys.argv[3], flush=True)
serve(SiteApp(site, Counter(db), db), host="127.0.0.1", port=int(sys.argv[3]), threads=8, _quiet=True)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    handle = log.open("wb")
    process = subprocess.Popen(command, stdout=handle, stderr=handle)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        match = re.search(r"outillerie sert (http://\S+/)", log.read_text(encoding="utf-8", errors="replace"))
        if match:
            time.sleep(0.3)
            return process, match.group(1)
        time.sleep(0.05)
    raise SystemExit(f"server did not start: {log.read_text(errors='replace')}")


def measure(url: str, idle: int, count: int) -> dict[str, float]:
    host, port = url.removeprefix("http://").rstrip("/").rsplit(":", 1)
    held = []
    for number in range(idle):
        try:
            connection = socket.create_connection((host, int(port)), timeout=5)
        except OSError:  # the server's queue of pending connections is full: that is as many as it takes
            break
        if number % 2:
            connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        held.append(connection)
    time.sleep(0.5)
    times, failures = [], 0
    for _ in range(count):
        started = time.perf_counter()
        try:
            requests.get(url, timeout=10).raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
        except requests.RequestException:
            failures += 1
            if failures == 3 and not times:
                break  # three visitors in a row gave up: the server is locked, no need to wait longer
    for connection in held:
        connection.close()
    return {"idle": len(held), "ok": len(times), "failed": failures, "median_ms": statistics.median(times) if times else float("nan"),
            "max_ms": max(times) if times else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=int, default=300)
    parser.add_argument("--requests", type=int, default=50)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="idle-bench-") as scratch:
        work = Path(scratch)
        subprocess.run([str(EXE), "--library", str(REPO), "export", "--output", str(work / "site"), "--keep-going"],
                       check=True, capture_output=True)
        runs = {
            "outillerie serve": [str(EXE), "serve", "--site", str(work / "site"), "--db", str(work / "a.sqlite3"),
                                 "--port", "0"],
            "waitress par défaut": [sys.executable, "-c", DEFAULTS, str(work / "site"), str(work / "b.sqlite3"),
                                    str(free_port())],
        }
        for name, command in runs.items():
            process, url = start(command, work / f"{len(name)}.log")
            try:
                result = measure(url, options.idle, options.requests)
            finally:
                process.terminate()
                process.wait(timeout=30)
            print(f"{name}, {result['idle']:.0f} connexions inactives : {result['ok']} réussies, {result['failed']} abandonnées (10 s), "
                  f"médiane {result['median_ms']:.1f} ms, max {result['max_ms']:.1f} ms")


if __name__ == "__main__":
    main()
