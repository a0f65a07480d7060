"""What the staleness check costs on a large library: the stat walk (one stat of each sheet folder and of its
index.md), in wall and processor time, and the imports a search pays before it.

    python bench/freshness_bench.py LIBRARY [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from outillerie.sheets.freshness import library_stats, library_stats_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    walls, cpus = [], []
    for _ in range(args.runs):
        started, used = time.perf_counter(), time.process_time()
        sheets, programmes = library_stats(args.library)
        library_stats_text(sheets, programmes)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - used)
    print(f"- parcours des stat de {len(sheets)} fiches ({args.runs} fois) : médiane {statistics.median(walls):.3f} s "
          f"écoulées, {statistics.median(cpus):.3f} s de processeur ({statistics.median(cpus) / len(sheets) * 1e6:.1f} µs "
          "par fiche)")
    bare = _cpu([sys.executable, "-c", "pass"], args.runs)
    print(f"- Python seul : {bare * 1000:.0f} ms de processeur")
    for modules in ("whoosh.index, whoosh.qparser, whoosh.query", "click", "outillerie.cli",
                    "outillerie.search.query, outillerie.search.engine"):
        used = _cpu([sys.executable, "-c", f"import {modules}"], args.runs) - bare
        print(f"- `import {modules}` : {used * 1000:.0f} ms de processeur au-dessus de Python seul "
              f"(détail : python -X importtime -c 'import {modules}')")


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
