"""Benchmark of `outillerie export` against `mkdocs build` on the same generated sheets, in the same run.

Measures: a first export vs a plain mkdocs build of the same Markdown files; re-exporting after editing one
sheet; the weight of the catalogue page; how fast filtering answers in Debian's Chromium. Writes bench/RESULTS.md.
Wall seconds, and the CPU seconds of each command (user + system of the process and its children) beside them: on
a shared machine the CPU time is what other work inflates least.

mkdocs is not a dependency of outillerie: install it in a venv of its own (outside the repository), then name it
with --mkdocs (default: `mkdocs` beside this Python, else the one on PATH):

    python3 -m venv /tmp/mkdocs-venv && /tmp/mkdocs-venv/bin/pip install mkdocs==1.6.1
    .venv/bin/python bench/export_bench.py --count 1000 --mkdocs /tmp/mkdocs-venv/bin/mkdocs
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import write_block

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"]
START, END = "<!-- export_bench.py: start -->", "<!-- export_bench.py: end -->"  # other benches share the file
FILTER_ACTIONS = [  # (what a person does, JavaScript that does it through the page's own controls)
    ("objectif « reseau »", "select('#f-objective', 'reseau')"),
    ("public « elus »", "select('#f-public', 'elus')"),
    ("durée ≤ 1 h 30", "select('#f-duration', '90')"),
    ("mot « mediation »", "type('mediation')"),
    ("mot « numérique accompagnement »", "type('numérique accompagnement')"),
    ("« afficher plus » (50 de plus)", "document.getElementById('plus').click()"),
]
RESET = ("« effacer les filtres » (retour au catalogue entier)", "document.getElementById('f-reset').click()")


CPU: dict[str, list[float]] = {}  # the CPU seconds of each timed command, by its label


def timed(command: list[str], label: str = "", **kwargs: object) -> float:
    """Wall seconds of a command; its CPU seconds (user + system, children included) go to CPU[label]."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload]
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.setdefault(label, []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def mkdocs_project(library: Path, folder: Path) -> Path:
    """The same Markdown files as a plain mkdocs project (default theme and plugins)."""
    docs = folder / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# Fiches\n", encoding="utf-8")
    for sheet in sorted((library / "resources").iterdir()):
        target = docs / sheet.name
        shutil.copytree(sheet, target)
    (folder / "mkdocs.yml").write_text("site_name: Fiches\n", encoding="utf-8")
    return folder / "mkdocs.yml"


def export(library: Path, output: Path, label: str = "") -> float:
    return timed([str(BIN / "outillerie"), "--library", str(library), "export", "--output", str(output),
                  "--keep-going", "--no-pdf"], label)  # the PDFs have their own bench: pdf_bench.py


def find_mkdocs(given: Path | None) -> Path:
    """The mkdocs to compare with: the one named, else beside this Python, else on PATH."""
    if given is not None:
        return given
    found = BIN / "mkdocs" if (BIN / "mkdocs").exists() else shutil.which("mkdocs")
    if not found:
        raise SystemExit("mkdocs introuvable : installez-le dans un venv à part (voir l'en-tête de ce script) "
                         "et donnez-le avec --mkdocs.")
    return Path(found)


# A promise resolved right after the next frame is painted (a message posted from requestAnimationFrame runs then).
PAINTED = """new Promise(resolve => requestAnimationFrame(() => {
            const channel = new MessageChannel();
            channel.port1.onmessage = resolve;
            channel.port2.postMessage(0);
        }))"""


def edit(library: Path, number: int) -> None:
    """Change one sheet the way a contributor does: one sentence in its summary."""
    sheet = sorted((library / "resources").iterdir())[number] / "index.md"
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(text.replace("summary: \"", f"summary: \"Révision {number}. ", 1), encoding="utf-8")


def filtering_times(page_path: Path) -> list[tuple[str, float]]:
    """Milliseconds from a change of a control to the end of the frame that paints the result, in Chromium."""
    from playwright.sync_api import sync_playwright

    script = """async (action) => {
        const select = (id, value) => { const c = document.querySelector(id); c.value = value;
                                         c.dispatchEvent(new Event('change', {bubbles: true})); };
        const type = (text) => { const c = document.getElementById('f-q'); c.value = text;
                                 c.dispatchEvent(new Event('input', {bubbles: true})); };
        const start = performance.now();
        eval(action);
        await new Promise(resolve => setTimeout(resolve, 0));  // the reset button filters on the next task
        await """ + PAINTED + """;
        return performance.now() - start;
    }"""
    samples: dict[str, list[float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(page_path.as_uri())
        page.wait_for_load_state("load")
        for _ in range(5):
            for label, action in [*FILTER_ACTIONS, RESET]:
                samples.setdefault(label, []).append(page.evaluate(script, action))
            page.evaluate(script, RESET[1])
        browser.close()
    return [(label, statistics.median(times)) for label, times in samples.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--mkdocs", type=Path, help="the mkdocs command (a venv of its own: see above)")
    args = parser.parse_args()
    args.mkdocs = find_mkdocs(args.mkdocs)
    work = Path(tempfile.mkdtemp(prefix=".export-bench-", dir=HERE))
    try:
        library = work / "lib"
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(library), "--count", str(args.count)],
                       check=True, stdout=subprocess.DEVNULL)
        config = mkdocs_project(library, work / "mkdocs")
        first, mkdocs, again = [], [], []
        for round_number in range(args.rounds):
            shutil.rmtree(work / "mkdocs-site", ignore_errors=True)
            mkdocs.append(timed([str(args.mkdocs), "build", "-q", "-f", str(config), "-d",
                                 str(work / "mkdocs-site")], "mkdocs"))
            shutil.rmtree(work / "site", ignore_errors=True)
            first.append(export(library, work / "site", "first"))
            edit(library, round_number * 7 + 1)
            again.append(export(library, work / "site", "again"))
        catalogue = (work / "site" / "index.html").stat().st_size
        filters = filtering_times(work / "site" / "index.html")
        report(args, first, mkdocs, again, catalogue, filters)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(args: argparse.Namespace, first: list[float], mkdocs: list[float], again: list[float], catalogue: int,
           filters: list[tuple[str, float]]) -> None:
    median = statistics.median
    mkdocs_version = subprocess.run([str(args.mkdocs), "--version"], capture_output=True, text=True).stdout.split()[2]
    cpu = {label: f"{min(times):.2f}" for label, times in CPU.items()}  # the least disturbed, as for wall times
    chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True).stdout.strip()
    best = min  # the least disturbed run of each: other processes only ever add time
    speedup, incremental = best(mkdocs) / best(first), best(first) / best(again)
    slowest = max(ms for _, ms in filters)
    lines = [
        "## `outillerie export`",
        "",
        f"Run with `python bench/export_bench.py --count {args.count}` on {time.strftime('%Y-%m-%d')}: "
        f"{args.count} sheets from `bench/generate.py`, {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"mkdocs {mkdocs_version} (plain config: `site_name` only, default theme and search plugin), {chromium}. "
        f"Best of {args.rounds} rounds (medians beside), each round timing both tools one after the other, as whole "
        "commands; the machine is shared, so the fastest run of each is the one least disturbed by other work.",
        "",
        "| measure | result | goal | |",
        "|---|---:|---:|---|",
        f"| `mkdocs build` of the same Markdown files | {best(mkdocs):.2f} s (median {median(mkdocs):.2f}; "
        f"CPU {cpu['mkdocs']} s) | | |",
        f"| `outillerie export` (first export, empty output) | {best(first):.2f} s (median {median(first):.2f}; "
        f"CPU {cpu['first']} s) | | |",
        f"| → export vs mkdocs | {speedup:.1f}× faster | ≥ 2× | {'ok' if speedup >= 2 else 'NOT MET'} |",
        f"| `outillerie export` again after editing one sheet | {best(again):.2f} s (median {median(again):.2f}; "
        f"CPU {cpu['again']} s) | | |",
        f"| → first export vs re-export | {incremental:.1f}× faster | ≥ 5× | {'ok' if incremental >= 5 else 'NOT MET'} |",
        f"| catalogue page (`index.html` with its embedded index) | {catalogue / 1_000_000:.2f} MB | ≤ 1 MB | "
        f"{'ok' if catalogue <= 1_000_000 else 'NOT MET'} |",
        f"| slowest filter, change to painted frame, Chromium | {slowest:.0f} ms | < 100 ms | "
        f"{'ok' if slowest < 100 else 'NOT MET'} |",
        "",
        "Each round: `mkdocs build`; `outillerie export` into an empty folder; one sheet's summary edited; "
        "`outillerie export` into the same folder (it re-renders that sheet, hard-links the others from the previous "
        "export, rebuilds the catalogue and open data, and swaps the folder in).",
        "",
        "Filtering (median of 5; from the control's event to the end of the frame that paints the result; the page "
        "shows 50 matching cards at a time, then an « afficher plus » button; the actions follow each other, so "
        "each one narrows the previous one, and « tout effacer » brings back the whole catalogue):",
        "",
        "| action | ms |",
        "|---|---:|",
        *(f"| {label} | {ms:.1f} |" for label, ms in filters),
        "",
        f"Raw seconds: mkdocs {', '.join(f'{t:.2f}' for t in mkdocs)}; first export {', '.join(f'{t:.2f}' for t in first)}; "
        f"re-export {', '.join(f'{t:.2f}' for t in again)}. CPU seconds (user + system): "
        + "; ".join(f"{label} {', '.join(f'{t:.2f}' for t in times)}" for label, times in CPU.items()) + ".",
        "",
    ]
    write_block(args.results, START, END, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
