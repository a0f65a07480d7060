"""Hostile input, standing: every kind of tests/hostile.py, beside five valid sheets, through `check`, `index`,
`search` and `export` run as a person runs them (the installed `outillerie`, a subprocess), each run bounded to
10 s and 500 MB. No run hangs, none prints a traceback or a raw control character, `check` names every bad sheet
(exit 1), and every valid sheet stays in the index, the search and the site.

Kinds that do not interfere share a library (a dozen each); heavy ones have their own. The libraries run two at
a time (the CI has two cores), so that the whole file stays within a few minutes.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from outillerie.errors import CONTROL

from .hostile import VALID_SLUGS, Kind, kinds, write_valid

SECONDS = 10
MEMORY = 500 * 1024 * 1024
PER_LIBRARY = 12
KINDS = kinds()
EXECUTABLE = shutil.which("outillerie", path=str(Path(sys.executable).parent)) or "outillerie"


@dataclass(frozen=True)
class Run:
    """One command as a person ran it."""

    command: str
    code: int | None  # None: killed after SECONDS
    stdout: str
    stderr: str
    seconds: float


@dataclass(frozen=True)
class Library:
    name: str
    kinds: tuple[Kind, ...]

    @property
    def has_errors(self) -> bool:
        return any(kind.expect == "error" for kind in self.kinds)

    @property
    def published(self) -> set[str]:
        return set(VALID_SLUGS) | {kind.folder_name for kind in self.kinds if kind.published}


def _libraries() -> list[Library]:
    shared = [kind for kind in KINDS if not kind.alone]
    batches = [shared[start:start + PER_LIBRARY] for start in range(0, len(shared), PER_LIBRARY)]
    found = [Library(f"lot-{number:02d}", tuple(batch)) for number, batch in enumerate(batches, 1)]
    return found + [Library(f"seule-{kind.name}", (kind,)) for kind in KINDS if kind.alone]


LIBRARIES = _libraries()
LIBRARY_OF = {kind.name: library for library in LIBRARIES for kind in library.kinds}


def _bounded() -> None:
    """In the child, before outillerie starts: at most MEMORY of address space."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _run(root: Path, *args: str) -> Run:
    environment = {**os.environ, "XDG_CACHE_HOME": str(root / "cache"), "NO_COLOR": "1", "LANG": "C.UTF-8",
                   "OUTILLERIE_LIBRARY": ""}
    started = time.monotonic()
    try:
        done = subprocess.run([EXECUTABLE, "--library", str(root), *args], check=False, capture_output=True,
                              timeout=SECONDS, preexec_fn=_bounded, env=environment, cwd=root, stdin=subprocess.DEVNULL)
        code: int | None = done.returncode
        stdout, stderr = done.stdout, done.stderr
    except subprocess.TimeoutExpired as expired:
        code, stdout, stderr = None, expired.stdout or b"", expired.stderr or b""
    return Run(" ".join(args), code, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"),
               time.monotonic() - started)


def _exercise(base: Path, library: Library) -> dict[str, Run]:
    root = base / library.name
    resources = root / "resources"
    write_valid(resources)
    for kind in library.kinds:
        kind.write(resources, resources / kind.folder_name)
    runs = {"check": _run(root, "check"), "index": _run(root, "index")}
    runs["search"] = _run(root, "search", "atelier", "--format", "json", "--limit", "500")
    runs["list"] = _run(root, "search", "--format", "json", "--limit", "500")
    runs["export"] = _run(root, "export", "--output", str(base / f"{library.name}-site"), "--no-pdf")
    runs["site"] = Run("catalogue.json", 0, _read(base / f"{library.name}-site" / "catalogue.json"), "", 0)
    return runs


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Run]]:
    base = tmp_path_factory.mktemp("hostile")
    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
        futures = {library.name: pool.submit(_exercise, base, library) for library in LIBRARIES}
        return {name: future.result() for name, future in futures.items()}


def test_there_are_more_than_a_hundred_kinds_each_with_its_own_folder() -> None:
    assert len(KINDS) >= 100
    assert len({kind.name for kind in KINDS}) == len(KINDS)
    assert len({kind.folder_name for kind in KINDS}) == len(KINDS)


@pytest.mark.parametrize("library", LIBRARIES, ids=[library.name for library in LIBRARIES])
def test_every_command_ends_in_time_without_a_trace_and_keeps_the_valid_sheets(
        library: Library, results: dict[str, dict[str, Run]]) -> None:
    runs = results[library.name]
    for name, run in runs.items():
        if name == "site":
            continue
        assert run.code is not None, f"{run.command} : plus de {SECONDS} s"
        assert "Traceback" not in run.stderr and "MemoryError" not in run.stderr, f"{run.command} :\n{run.stderr}"
        assert not CONTROL.search(run.stdout + run.stderr), f"{run.command} écrit un caractère de contrôle brut"
    assert runs["check"].code == (1 if library.has_errors else 0), runs["check"].stdout
    assert runs["index"].code == 0, runs["index"].stderr  # index succeeds with invalid sheets left aside (README)
    assert f" : {len(library.published)} fiches" in runs["index"].stdout, runs["index"].stdout
    ranked = {hit["slug"] for hit in json.loads(runs["search"].stdout)["hits"]}
    assert set(VALID_SLUGS) <= ranked
    listed = {hit["slug"] for hit in json.loads(runs["list"].stdout)["hits"]}
    assert listed == library.published
    assert runs["export"].code == (1 if library.has_errors else 0), runs["export"].stderr
    catalogue = json.loads(runs["site"].stdout)
    assert {sheet["slug"] for sheet in catalogue["sheets"]} == library.published


@pytest.mark.parametrize("kind", KINDS, ids=[kind.name for kind in KINDS])
def test_check_says_what_is_wrong_with_each_kind(kind: Kind, results: dict[str, dict[str, Run]]) -> None:
    check = results[LIBRARY_OF[kind.name].name]["check"]
    about = [line for line in check.stdout.splitlines() if line.startswith(kind.shown_path + ":")]
    errors = [line for line in about if ": erreur : " in line]
    if kind.expect == "error":
        assert errors, f"{kind.shown_path} n'est pas nommée :\n{check.stdout}"
    elif kind.expect in ("warning", "library"):
        assert about and not errors, "\n".join(about) or check.stdout
    else:
        assert not errors, "\n".join(errors)
    assert all("Pour corriger : " in line for line in about)
    if kind.said:
        assert any(kind.said in line for line in about), "\n".join(about) or check.stdout
