"""Throughput of `outillerie serve`: counted kit downloads against the same server sending a static file of the same size.

Needs wrk (`apt-get install wrk`). Each counted request carries a user agent never seen before, so each one
is a new visitor and a real counted download (an SQLite transaction), not a double click filtered in memory.

    python bench/server_bench.py [--seconds 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXE = Path(sys.executable).parent / "outillerie"
UNIQUE_AGENTS = """
counter = 0
request = function()
  counter = counter + 1
  local agent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 bench-" .. id .. "-" .. counter
  return wrk.format("GET", wrk.path, {["User-Agent"] = agent})
end
setup = function(thread)
  thread:set("id", tostring(math.random(1, 1000000000)))
end
"""
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def run_wrk(url: str, seconds: int, connections: int, script: Path | None) -> dict[str, float]:
    """Requests per second and latency percentiles as wrk measures them."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"User-Agent: {BROWSER}"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def latency(percent: str) -> float:
        value, suffix = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * unit[suffix]

    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": requests,
        "per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        site, db, log = scratch / "site", scratch / "compteur.sqlite3", scratch / "serve.log"
        subprocess.run([str(EXE), "--library", str(REPO), "export", "--output", str(site)], check=True,
                       capture_output=True)
        kits = json.loads((site / "kits.json").read_text(encoding="utf-8"))
        slug = "cafe-de-la-mediation"
        kit = site / kits[slug]["path"]
        size = kit.stat().st_size
        shutil.copyfile(kit, site / "static" / "meme-taille.zip")  # same bytes, not a kit: never counted
        script = scratch / "agents.lua"
        script.write_text(UNIQUE_AGENTS, encoding="utf-8")
        with log.open("w") as handle:
            server = subprocess.Popen([str(EXE), "serve", "--site", str(site), "--db", str(db), "--port", "0"],
                                      stdout=handle, stderr=handle)
        try:
            url = None
            for _ in range(200):
                match = re.search(r"outillerie sert (http://\S+/)", log.read_text())
                if match:
                    url = match.group(1)
                    break
                time.sleep(0.05)
            assert url, log.read_text()
            static = run_wrk(f"{url}static/meme-taille.zip", args.seconds, args.connections, None)
            counted = run_wrk(f"{url}telecharger/{slug}", args.seconds, args.connections, script)
        finally:
            server.terminate()
            server.wait(timeout=30)
        with sqlite3.connect(db) as conn:
            stored = conn.execute("SELECT COALESCE(SUM(downloads), 0) FROM downloads").fetchone()[0]
        conn.close()
    print(f"kit: {slug}, {size} octets ; {args.connections} connexions, {args.seconds} s chacune, wrk -t2")
    print(f"{'':24} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, figures in (("fichier statique", static), ("téléchargement compté", counted)):
        print(f"{name:24} {figures['per_second']:9.0f} {figures['p50_ms']:8.2f} {figures['p99_ms']:8.2f} "
              f"{figures['non_2xx']:8d}")
    print(f"ratio compté / statique : {counted['per_second'] / static['per_second']:.2f}")
    print(f"téléchargements en base : {stored} pour {counted['requests']} requêtes envoyées par wrk")


if __name__ == "__main__":
    main()
