"""Measure search, incremental update and full rebuild of a generated library, as whole processes.

    python bench/measure.py LIBRARY [--runs 30] [--search-only] [--write]

Prints a Markdown report; with --write it also replaces the block of bench/RESULTS.md between
`<!-- measure.py: start -->` and `<!-- measure.py: end -->` (added at the end of the file when absent). Search commands run alternately (A, B, C, A, B, C…) so a burst of load on
the machine hits them alike; medians are compared. Peak memory is the largest sum of the proportional
set size (PSS) of the process and its children, sampled every 10 ms from /proc.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
QUERY, OBJECTIVE = "médiation numérique", "reseau"
START, END = "<!-- measure.py: start -->", "<!-- measure.py: end -->"


def search_commands(library: Path) -> dict[str, list[str]]:
    return {
        "outillerie search": [str(BIN / "outillerie"), "--library", str(library), "search", QUERY,
                              "--objective", OBJECTIVE],
        "Whoosh floor (bench/whoosh_floor.py)": [sys.executable, str(BENCH / "whoosh_floor.py"), str(library), QUERY,
                                                  OBJECTIVE],
        "SQLite FTS5 (bench/fts5.py query)": [sys.executable, str(BENCH / "fts5.py"), "query", str(library), QUERY,
                                              OBJECTIVE],
        "grep -ril": ["grep", "-ril", QUERY, str(library / "resources")],
    }


def timed(command: list[str], cwd: Path | None = None) -> float:
    return timed_cpu(command, cwd)[0]


def timed_cpu(command: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall time and processor time (user + system, the process and its children) of one run. On a machine shared
    with other work the processor time moves much less than the wall time."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def _tree_pss_kb(root: int) -> int:
    """Proportional memory (PSS: shared pages split between the processes sharing them) of a process and all
    its descendants, in kB: forked workers share their parent's pages, so plain RSS would count them twice."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
                total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
        except (OSError, StopIteration):
            pass
    return total


def peak(command: list[str]) -> tuple[float, int]:
    """Wall time and peak memory (kB) of the whole process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    highest = 0
    while process.poll() is None:
        highest = max(highest, _tree_pss_kb(process.pid))
        time.sleep(0.01)
    return time.perf_counter() - started, highest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--search-only", action="store_true", help="the index is built: measure the searches only")
    parser.add_argument("--write", action="store_true", help="replace the block of bench/RESULTS.md")
    args = parser.parse_args()
    library: Path = args.library.resolve()
    sheets = len(list((library / "resources").iterdir()))
    import platform

    import whoosh

    lines = [f"### {sheets} fiches : `python bench/measure.py {library} --runs {args.runs}"
             f"{' --search-only' if args.search_only else ''}`", "",
             f"Machine : {os.cpu_count()} cœurs, Python {platform.python_version()}, Whoosh {whoosh.versionstring()}, "
             f"charge moyenne au début {os.getloadavg()[0]:.2f}, le {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} "
             "UTC.", "", compiled(), ""]
    if not args.search_only:
        lines += build(library, sheets)
    lines += search(library, args.runs)
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_block(BENCH / "RESULTS.md", START, END, report)


def write_block(results: Path, start: str, end: str, report: str) -> None:
    """Put a bench's report between its markers in RESULTS.md (other benches share the file), or at its end."""
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    block = f"{start}\n{report}\n{end}"
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = (text.rstrip("\n") + "\n\n" if text.strip() else "") + block + "\n"
    results.write_text(text, encoding="utf-8")


def compiled() -> str:
    """Compile outillerie's bytecode, as `pip install` does: an editable install run with PYTHONDONTWRITEBYTECODE=1
    (a development setting) would compile every module of the package again at each start (~45 ms of processor
    for a search), which no installed copy pays."""
    import compileall

    import outillerie

    package = Path(outillerie.__file__).parent
    compileall.compile_dir(str(package), quiet=1)
    return f"Bytecode d'outillerie compilé (`python -m compileall {package}`), comme après `pip install`."


def build(library: Path, sheets: int) -> list[str]:
    outillerie = str(BIN / "outillerie")
    seconds, memory = peak([outillerie, "--library", str(library), "index", "--rebuild"])
    size = sum(p.stat().st_size for p in (library / "index").rglob("*") if p.is_file())
    lines = [f"- `outillerie index --rebuild` : {seconds:.1f} s, mémoire de pointe {memory / 1024:.0f} Mo "
             f"(PSS du processus et de ses enfants), index de {size / 1e6:.0f} Mo"]
    fts = timed([sys.executable, str(BENCH / "fts5.py"), "build", str(library)])
    lines.append(f"- construction SQLite FTS5 (bench/fts5.py build) : {fts:.1f} s")

    updates = []
    for number in range(10):
        sheet = sorted((library / "resources").iterdir())[number * (sheets // 10)] / "index.md"
        original = sheet.read_text(encoding="utf-8")
        sheet.write_text(original.replace("## Objectifs\n", f"## Objectifs\n\nModifié {number}.\n", 1), encoding="utf-8")
        updates.append(timed([outillerie, "--library", str(library), "index"]))
        sheet.write_text(original, encoding="utf-8")
        timed([outillerie, "--library", str(library), "index"])
    lines.append(f"- `outillerie index` après la modification d'une fiche (10 fois) : médiane "
                 f"{statistics.median(updates):.2f} s, maximum {max(updates):.2f} s")
    return lines


def search(library: Path, runs: int) -> list[str]:
    commands = search_commands(library)
    for command in commands.values():  # warm the page cache
        timed(command)
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            wall, used = timed_cpu(command)
            times[name].append(wall)
            cpu[name].append(used)
    floor_name, grep_name = "Whoosh floor (bench/whoosh_floor.py)", "grep -ril"
    floor, grep = statistics.median(times[floor_name]), statistics.median(times[grep_name])
    floor_cpu, grep_cpu = statistics.median(cpu[floor_name]), statistics.median(cpu[grep_name])
    lines = ["", f"`{QUERY}` avec l'objectif `{OBJECTIVE}`, processus entier, {runs} exécutions alternées :", "",
             "| commande | médiane | min | max | ÷ plancher Whoosh | ÷ grep | temps processeur (médiane) "
             "| ÷ plancher | ÷ grep |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, values in times.items():
        median, used = statistics.median(values), statistics.median(cpu[name])
        lines.append(f"| {name} | {median * 1000:.0f} ms | {min(values) * 1000:.0f} ms | {max(values) * 1000:.0f} ms "
                     f"| {median / floor:.2f} | {median / grep:.2f} | {used * 1000:.0f} ms | {used / floor_cpu:.2f} "
                     f"| {used / grep_cpu:.2f} |")
    ours = times["outillerie search"]
    lines += ["", f"Meilleur cas (minimum contre minimum) : {min(ours) / min(times[floor_name]):.2f} du plancher, "
                  f"{min(ours) / min(times[grep_name]):.2f} de grep. Charge moyenne à la fin : {os.getloadavg()[0]:.2f}."]
    return lines


if __name__ == "__main__":
    main()
