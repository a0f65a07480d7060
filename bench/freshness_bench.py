"""What the staleness check costs on a large library: `current_id` as search runs it, the stat walk (one stat of
each sheet folder and of its index.md) and its parts, in wall and processor time, and the imports a search pays
before it.

    python bench/freshness_bench.py LIBRARY [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from outillerie.sheets.freshness import current_id, library_stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = args.library.resolve()
    sheets = library_stats(root)[0][0]
    for name, work in _ways(root, sheets).items():
        walls, cpus = [], []
        for _ in range(args.runs):
            started, used = time.perf_counter(), time.process_time()
            work()
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - used)
        print(f"- {name}, {len(sheets)} fiches ({args.runs} fois) : médiane {statistics.median(walls):.3f} s écoulées, "
              f"{statistics.median(cpus):.3f} s de processeur ({statistics.median(cpus) / max(len(sheets), 1) * 1e6:.1f} µs "
              "par fiche)")
    bare = _cpu([sys.executable, "-c", "pass"], args.runs)
    print(f"- Python seul : {bare * 1000:.0f} ms de processeur")
    for modules in ("whoosh.index, whoosh.qparser, whoosh.query", "click", "outillerie.cli",
                    "outillerie.search.query, outillerie.search.engine"):
        used = _cpu([sys.executable, "-c", f"import {modules}"], args.runs) - bare
        print(f"- `import {modules}` : {used * 1000:.0f} ms de processeur au-dessus de Python seul "
              f"(détail : python -X importtime -c 'import {modules}')")


def _ways(root: Path, slugs: list[str]) -> dict[str, Callable[[], object]]:
    """The staleness check as search runs it, and its parts (what each look costs)."""
    resources = str(root / "resources")

    def names() -> object:
        with os.scandir(resources) as entries:
            return sorted(entry.name for entry in entries if entry.is_dir())

    def files_only() -> object:  # not enough alone: a Markdown support added to a folder moves only the folder
        place = os.open(resources, os.O_RDONLY)
        try:
            return [os.stat(f"{slug}/index.md", dir_fd=place).st_ctime_ns for slug in slugs]
        finally:
            os.close(place)

    return {
        "`current_id` entier (ce que paie une recherche : empreinte des règles, tampon, parcours, condensé)":
            lambda: current_id(root, root / "index"),
        "parcours des stat (`library_stats` : liste de resources/, un stat du dossier et un de son index.md)":
            lambda: library_stats(root),
        "liste seule de resources/ (scandir)": names,
        "un stat de chaque index.md seul (insuffisant, pour comparer)": files_only,
    }


def _cpu(command: list[str], runs: int) -> float:
    """The median processor time (user + system) of a command: steadier than wall time on a shared machine."""
    import resource

    found = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        found.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(found)

if __name__ == "__main__":
    main()
