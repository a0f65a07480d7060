"""The large-library goals of issue 13, as whole processes: `outillerie index --rebuild` (elapsed and processor
time, peak memory, peak of the files written, final index), the library's watcher (time to start, memory),
`outillerie index` after one edit, the staleness check alone (with and without the watcher), and `outillerie
search` against `grep -ril`.

    python bench/index_bench.py LIBRARY [--runs 5] [--write] [--fresh | --skip-rebuild]

Peak memory is the largest sum of the PSS of the process and its children (bench/measure.py's sampler); the
files written are sampled at the same time (everything in the index folder but the generation being replaced).
With --write the report replaces the block of bench/RESULTS.md between `<!-- index_bench.py: start -->` and
`<!-- index_bench.py: end -->` (added at the end of the file when absent).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from measure import QUERY, _tree_pss_kb, timed_cpu, write_block  # noqa: E402

OUTILLERIE = str(Path(sys.executable).parent / "outillerie")
START, END = "<!-- index_bench.py: start -->", "<!-- index_bench.py: end -->"


SNAPSHOT_FILES = ("bibliotheque-fiches.sqlite", "bibliotheque-fiches.sqlite-journal")  # the snapshot's cache


def _size(folder: Path, skip: str | None = None) -> int:
    """The bytes of the files under `folder` but the generation `skip` and the snapshot's cache (not the index's)."""
    total = 0
    for path, folders, files in os.walk(folder):
        if skip is not None and path == str(folder):
            folders[:] = [name for name in folders if name != skip]
        for name in files:
            if name in SNAPSHOT_FILES:
                continue
            try:
                total += os.stat(os.path.join(path, name)).st_size
            except OSError:
                pass
    return total


def _generation(index: Path) -> str | None:
    import json

    try:
        return str(json.loads((index / "outillerie.json").read_text(encoding="utf-8"))["generation"])
    except (OSError, ValueError, KeyError):
        return None


def rebuild(library: Path, fresh: bool = False) -> list[str]:
    """Time, processor time, peak PSS and peak of the files written by one `index --rebuild` (`fresh`: in a library
    without its cache folder, as after `git clone`: the snapshot is taken first, by the same command)."""
    index = library / "index"
    old = _generation(index)
    base = _size(index, skip=old)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen([OUTILLERIE, "--library", str(library), "index", "--rebuild"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    memory = written = 0
    ticks = 0
    while process.poll() is None:
        memory = max(memory, _tree_pss_kb(process.pid))
        if ticks % 5 == 0:
            written = max(written, _size(index, skip=old) - base)
        ticks += 1
        time.sleep(0.01)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    final = _size(index / str(_generation(index)))
    said = "depuis un clone neuf (sans dossier `index/` : l'instantané puis l'index)" if fresh else "(instantané pris)"
    return [f"- `outillerie index --rebuild` {said} : {wall:.0f} s écoulées, {cpu:.0f} s de processeur (processus et enfants), "
            f"mémoire de pointe {memory / 1024:.0f} Mo (PSS du processus et de ses enfants), code de sortie "
            f"{process.returncode}",
            f"- index final {final / 1e6:.0f} Mo ; fichiers écrits au plus fort {written / 1e6:.0f} Mo, soit "
            f"{max(written - final, 0) / 1e6:.0f} Mo de fichiers temporaires ({max(written - final, 0) / max(final, 1):.2f} × "
            "l'index final)"]


def one_edit(library: Path, runs: int) -> list[str]:
    """`outillerie index` after one sheet edited in place (then put back, indexed again, not counted)."""
    walls, cpus = [], []
    folders = sorted(entry.name for entry in os.scandir(library / "resources") if entry.is_dir())
    for number in range(runs):
        sheet = library / "resources" / folders[(number * 7919) % len(folders)] / "index.md"
        original = sheet.read_bytes()
        sheet.write_bytes(original.replace(b"## Objectifs\n", f"## Objectifs\n\nModifié {number}.\n".encode(), 1))
        wall, cpu = timed_cpu([OUTILLERIE, "--library", str(library), "index"])
        walls.append(wall)
        cpus.append(cpu)
        sheet.write_bytes(original)
        timed_cpu([OUTILLERIE, "--library", str(library), "index"])
    return [f"- `outillerie index` après la modification d'une fiche ({runs} fois) : médiane {statistics.median(walls):.2f} s "
            f"écoulées (max {max(walls):.2f} s), {statistics.median(cpus):.2f} s de processeur"]


def freshness(library: Path, runs: int) -> list[str]:
    """The staleness check alone: the watcher's answer (`vouched_id`), then the walk of every folder that a command
    makes without it (`library_stats` and the digest of the stats, what `current_id` compares)."""
    code = ("import sys, time; from pathlib import Path; from outillerie.sheets import freshness as f; "
            "root = Path(sys.argv[1]); t = time.process_time(); "
            "found = f.vouched_id(root, root / 'index') if sys.argv[2] == 'watcher' else "
            "f.search_key(*f.library_stats(root), {}); print(time.process_time() - t, found is not None)")
    lines = []
    for label, how in (("réponse du veilleur (`vouched_id`)", "watcher"),
                       ("sans veilleur, le parcours de chaque dossier (`library_stats`)", "walk")):
        cpus = []
        answered = True
        for _ in range(runs):
            out = subprocess.run([sys.executable, "-c", code, str(library), how], capture_output=True, text=True,
                                 check=True)
            used, found = out.stdout.split()
            cpus.append(float(used))
            answered = answered and found == "True"
        lines.append(f"- vérification de fraîcheur seule, {label}, {runs} fois : "
                     f"{statistics.median(cpus) * 1000:.1f} ms de processeur (médiane)"
                     f"{'' if answered else ' — le veilleur ne s’est pas porté garant'}")
    return lines


def watcher(library: Path) -> list[str]:
    """The watcher started anew: how long until it answers, and its memory (PSS) once it follows every folder."""
    from outillerie.sheets import watching

    index = library / "index"
    watching.stop(index)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "outillerie.sheets.watcher", str(library), str(index)])
    while watching.ask(index) is None and process.poll() is None:
        time.sleep(0.02)
    ready = time.perf_counter() - started
    memory = _tree_pss_kb(process.pid)
    subprocess.run([OUTILLERIE, "--library", str(library), "index"], check=True, capture_output=True)  # trusted again
    return [f"- veilleur (`python -m outillerie.sheets.watcher`) : prêt à répondre en {ready:.1f} s, "
            f"{memory / 1024:.0f} Mo (PSS) une fois chaque dossier suivi"]


def search(library: Path, runs: int) -> list[str]:
    commands = {"outillerie search": [OUTILLERIE, "--library", str(library), "search", QUERY],
                "grep -ril": ["grep", "-ril", QUERY, str(library / "resources")]}
    for command in commands.values():
        timed_cpu(command)  # warm the page cache
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            wall, cpu = timed_cpu(command)
            walls[name].append(wall)
            cpus[name].append(cpu)
    grep_wall, grep_cpu = statistics.median(walls["grep -ril"]), statistics.median(cpus["grep -ril"])
    lines = [f"\n`{QUERY}`, processus entier, {runs} exécutions alternées :\n",
             "| commande | médiane | temps processeur (médiane) | ÷ grep (écoulé) | ÷ grep (processeur) |", "|---|---:|---:|---:|---:|"]
    for name in commands:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        lines.append(f"| {name} | {wall * 1000:.0f} ms | {cpu * 1000:.0f} ms | {wall / grep_wall:.2f} | {cpu / grep_cpu:.2f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="replace the block of bench/RESULTS.md")
    parser.add_argument("--skip-rebuild", action="store_true", help="the index is built: measure the rest")
    parser.add_argument("--fresh", action="store_true",
                        help="remove the library's index/ folder first (snapshot, index, watcher): a fresh clone")
    args = parser.parse_args()
    library: Path = args.library.resolve()
    import platform

    sheets = sum(1 for entry in os.scandir(library / "resources") if entry.is_dir())
    flags = " --fresh" if args.fresh else " --skip-rebuild" if args.skip_rebuild else ""
    lines = [f"### {sheets} fiches : `python bench/index_bench.py {library} --runs {args.runs}{flags}`", "",
             f"Machine : {os.cpu_count()} cœurs, Python {platform.python_version()}, charge moyenne au début "
             f"{os.getloadavg()[0]:.2f}, le {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC.", ""]
    if args.fresh:
        import shutil

        from outillerie.sheets import watching

        watching.stop(library / "index")
        shutil.rmtree(library / "index", ignore_errors=True)
        lines += rebuild(library, fresh=True)
    taken = (library / "index").is_dir()  # before check, which takes the snapshot when there is none
    wall, cpu = timed_cpu([OUTILLERIE, "--library", str(library), "check"])  # the snapshot, as any first command takes it
    lines.append(f"- `outillerie check` (l'instantané{' déjà pris' if taken else ' pris depuis rien'}) : "
                 f"{wall:.0f} s écoulées, {cpu:.0f} s de processeur")
    if not args.skip_rebuild and not args.fresh:
        lines += rebuild(library)
    lines += watcher(library)
    lines += one_edit(library, args.runs)
    lines += freshness(library, args.runs)
    lines += search(library, args.runs)
    lines += ["", f"Charge moyenne à la fin : {os.getloadavg()[0]:.2f}."]
    from outillerie.sheets import watching

    watching.stop(library / "index")  # the bench leaves no process behind
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_block(BENCH / "RESULTS.md", START, END, report)


if __name__ == "__main__":
    main()
