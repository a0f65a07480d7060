"""A real PostgreSQL for the tests: the one `.ci/run` started (OUTILLERIE_TEST_POSTGRESQL), or a throw-away
cluster this session starts itself when Debian's server binaries are there; else the tests that need it skip.

Each test gets its own database (`pg_url`), dropped afterwards.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

VARIABLE = "OUTILLERIE_TEST_POSTGRESQL"
# Never a statement with its values in the log: the counter's values are visitor hashes and nothing more,
# but the rule is checked, not assumed.
QUIET = {"log_statement": "none", "log_min_duration_statement": "-1", "log_parameter_max_length": "0",
         "log_parameter_max_length_on_error": "0", "logging_collector": "on", "log_directory": "log",
         "listen_addresses": "''", "fsync": "off", "full_page_writes": "off"}
_numbers = itertools.count()


@dataclass
class Cluster:
    """A PostgreSQL server the tests may create databases in, through `admin_url`."""

    admin_url: str

    def url(self, database: str) -> str:
        base, _, query = self.admin_url.partition("?")
        return f"{base.rsplit('/', 1)[0]}/{database}" + (f"?{query}" if query else "")


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_owner(command: list[str]) -> list[str]:
    """Root may not run PostgreSQL: run it as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[Cluster]:
    if os.environ.get(VARIABLE):
        yield Cluster(os.environ[VARIABLE])
        return
    binaries = _binaries()
    if binaries is None:
        pytest.skip(f"PostgreSQL absent : ni {VARIABLE}, ni /usr/lib/postgresql/*/bin/initdb "
                    "(apt-get install postgresql, ou lancez .ci/run)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("PostgreSQL ne peut pas tourner en root et l'utilisateur postgres n'existe pas")
    folder = Path(tempfile.mkdtemp(prefix="outillerie-pg-"))  # not under pytest's 0700 folders: postgres must enter
    try:
        os.chmod(folder, 0o755)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        data = folder / "data"
        subprocess.run(_as_owner([str(binaries / "initdb"), "-D", str(data), "--auth=trust", "--username=postgres",
                                  "--encoding=UTF8", "--no-sync"]), check=True, capture_output=True, timeout=120)
        options = " ".join(f"-c {name}={value}" for name, value in {**QUIET, "unix_socket_directories": str(folder)}.items())
        subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-t", "60",
                                  "-l", str(folder / "start.log"), "start"]), check=True, capture_output=True, timeout=90)
        yield Cluster(f"postgresql://postgres@/postgres?host={folder}")
        subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True, timeout=60)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(postgresql_server: Cluster) -> Iterator[str]:
    """A new, empty database for one test; dropped afterwards."""
    import psycopg

    name = f"outillerie_test_{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(postgresql_server.admin_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield postgresql_server.url(name)
    with psycopg.connect(postgresql_server.admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def server_files(admin_url: str) -> list[Path]:
    """Every file of the PostgreSQL server (tables, WAL, logs), after a checkpoint, to grep for secrets."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute("CHECKPOINT")
        data = Path(admin.execute("SHOW data_directory").fetchone()[0])
    return [path for path in data.rglob("*") if path.is_file()]


def log_settings(admin_url: str) -> dict[str, str]:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        return {name: admin.execute(f"SHOW {name}").fetchone()[0] for name in
                ("log_statement", "log_min_duration_statement", "log_parameter_max_length",
                 "log_parameter_max_length_on_error")}
