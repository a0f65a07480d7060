"""Counted downloads per second with one `outillerie serve` on SQLite, one on PostgreSQL and two on one PostgreSQL
database, beside the same server sending a static file of the same size, all in the same run.

Needs wrk (`apt-get install wrk`) and PostgreSQL's server binaries (Debian's `postgresql`): a throw-away cluster
is made in a temporary folder (Unix socket only), unless OUTILLERIE_TEST_POSTGRESQL gives a server to use. Each
counted request carries a user agent never seen before: a new visitor, so a real counted download.

    python bench/multiserver_bench.py [--seconds 10] [--connections 16] [--synchronous-commit-off]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server_bench import EXE, REPO, UNIQUE_AGENTS, run_wrk  # noqa: E402

from outillerie.counter.stats import read_stats  # noqa: E402


def start_cluster(folder: Path) -> str:
    """A throw-away PostgreSQL cluster (run as `postgres` when we are root); its admin address."""
    binaries = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1]).parent
    owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder.chmod(0o755)
    if owner:
        shutil.chown(folder, "postgres", "postgres")
    subprocess.run([*owner, str(binaries / "initdb"), "-D", str(folder / "data"), "--auth=trust",
                    "--username=postgres", "--no-sync"], check=True, capture_output=True)
    options = (f"-c listen_addresses='' -c unix_socket_directories={folder} -c log_statement=none "
               "-c log_min_duration_statement=-1 -c log_parameter_max_length=0 -c log_parameter_max_length_on_error=0")
    subprocess.run([*owner, str(binaries / "pg_ctl"), "-D", str(folder / "data"), "-w", "-l", str(folder / "log"),
                    "-o", options, "start"], check=True, capture_output=True)
    return f"postgresql://postgres@/postgres?host={folder}"


def stop_cluster(folder: Path) -> None:
    binaries = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1]).parent
    owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*owner, str(binaries / "pg_ctl"), "-D", str(folder / "data"), "-m", "fast", "stop"],
                   capture_output=True)


def new_database(admin: str, name: str, asynchronous: bool) -> str:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
        if asynchronous:  # like SQLite's synchronous = NORMAL: a commit is not waited on the disk
            conn.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
    base, _, query = admin.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}?{query}"


def serve(site: Path, db: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    with log.open("w") as handle:
        process = subprocess.Popen([str(EXE), "serve", "--site", str(site), "--db", db, "--port", "0"],
                                   stdout=handle, stderr=handle)
    for _ in range(400):
        match = re.search(r"outillerie sert (http://\S+/)", log.read_text())
        if match:
            return process, match.group(1)
        time.sleep(0.05)
    process.kill()
    raise SystemExit(log.read_text())


def measure(site: Path, dbs: list[str], scratch: Path, seconds: int, connections: int, script: Path,
            path: str) -> tuple[float, int]:
    """Run one wrk per server at once (connections split between them); total req/s and requests."""
    servers = [serve(site, db, scratch / f"serve-{n}.log") for n, db in enumerate(dbs)]
    try:
        share = max(1, connections // len(servers))
        scripts = []  # one per wrk: two wrk seed Lua's random alike, and the same agents on both servers would be
        for n in range(len(servers)):  # double clicks across servers, rightly counted once
            scripts.append(scratch / f"agents-{n}.lua")
            scripts[-1].write_text(script.read_text(encoding="utf-8").replace('bench-"', f'bench-{n}-"'),
                                   encoding="utf-8")
        with ThreadPoolExecutor(len(servers)) as pool:
            results = list(pool.map(lambda pair: run_wrk(f"{pair[0][1]}{path}", seconds, share, pair[1]),
                                    zip(servers, scripts)))
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=30)
    assert not any(r["non_2xx"] for r in results), results
    return sum(r["per_second"] for r in results), int(sum(r["requests"] for r in results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--synchronous-commit-off", action="store_true",
                        help="ALTER DATABASE … SET synchronous_commit = off for the PostgreSQL runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        site = scratch / "site"
        subprocess.run([str(EXE), "--library", str(REPO), "export", "--output", str(site), "--no-pdf"], check=True,
                       capture_output=True)
        slug = "cafe-de-la-mediation"
        kit = site / json.loads((site / "kits.json").read_text(encoding="utf-8"))[slug]["path"]
        shutil.copyfile(kit, site / "static" / "meme-taille.zip")
        size = kit.stat().st_size
        script = scratch / "agents.lua"
        script.write_text(UNIQUE_AGENTS, encoding="utf-8")
        cluster = Path(tempfile.mkdtemp(prefix="outillerie-bench-pg-"))  # outside the 0700 scratch: postgres enters
        admin = os.environ.get("OUTILLERIE_TEST_POSTGRESQL") or start_cluster(cluster)
        try:
            rows = []
            static, _ = measure(site, [str(scratch / "s0.sqlite3")], scratch, args.seconds, args.connections, script,
                                "static/meme-taille.zip")
            rows.append(("fichier statique (1 serveur)", static, None, None))
            for name, dbs in (("1 serveur, SQLite", [str(scratch / "c.sqlite3")]),
                              ("1 serveur, PostgreSQL", [new_database(admin, "bench_one", args.synchronous_commit_off)] * 1),
                              ("2 serveurs, un PostgreSQL", [new_database(admin, "bench_two", args.synchronous_commit_off)] * 2)):
                rate, sent = measure(site, dbs, scratch, args.seconds, args.connections, script, f"telecharger/{slug}")
                stored = read_stats(dbs[0], by="resource").downloads
                rows.append((name, rate, sent, stored))
        finally:
            if not os.environ.get("OUTILLERIE_TEST_POSTGRESQL"):
                stop_cluster(cluster)
            shutil.rmtree(cluster, ignore_errors=True)
    print(f"kit : {slug}, {size} octets ; {args.connections} connexions en tout, {args.seconds} s, wrk -t2")
    print(f"{'':30} {'req/s':>8} {'requêtes':>9} {'en base':>8}")
    for name, rate, sent, stored in rows:
        print(f"{name:30} {rate:8.0f} {sent if sent is not None else '':>9} {stored if stored is not None else '':>8}")


if __name__ == "__main__":
    main()
