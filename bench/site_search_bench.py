"""Benchmark of the site's search at scale: export and re-export after one edit, the catalogue's first load, and in
Chromium the time from typing a query to the painted results, with its index parts not yet loaded (cold) and
loaded (warm). Writes its section of bench/RESULTS.md.

    .venv/bin/python bench/site_search_bench.py --count 1000 --count 10000
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export_bench import BIN, CHROMIUM_ARGS, PAINTED, edit  # noqa: E402  (the same edit and frame)
from measure import write_block  # noqa: E402

HERE = Path(__file__).resolve().parent
START, END = "<!-- site_search_bench.py: start -->", "<!-- site_search_bench.py: end -->"
QUERIES = ["mediation", "données personnelles", "arnaque seniors", "atelier 1h30 numérique", "acessibilité"]
TYPE_AND_PAINT = """async (text) => {
    const box = document.getElementById('f-q');
    const start = performance.now();
    box.value = text;
    box.dispatchEvent(new Event('input', {bubbles: true}));
    while (document.documentElement.getAttribute('data-recherche') !== 'pret') {
        await new Promise(resolve => setTimeout(resolve, 0));
    }
    await """ + PAINTED + """;
    return performance.now() - start;
}"""


def export(library: Path, output: Path) -> tuple[float, float, int]:
    """The same command as export_bench.py (no PDFs: pdf_bench.py has them); wall and CPU seconds (the process
    and its children: the CPU time is what the machine's other work does not inflate), and how many sheets it
    took unchanged from the previous export (a re-export that took none ran after a change of outillerie's code,
    which makes every page again: its figure is not a re-export's)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "outillerie"), "--library", str(library), "export", "--output", str(output),
                           "--keep-going", "--no-pdf"], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    kept = re.search(r"\((\d+) inchangée", done.stdout + done.stderr)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), int(kept[1]) if kept else 0


def first_load_bytes(site: Path) -> int:
    """The catalogue page and the scripts and style sheets it names (what a visit loads before any query)."""
    page = site / "index.html"
    html = page.read_text(encoding="utf-8")
    total = page.stat().st_size
    for link in set(re.findall(r'(?:src|href)="([^"#?]+\.(?:js|css))"', html)):
        target = site / link
        if target.is_file():
            total += target.stat().st_size
    return total


def typing_times(site: Path) -> list[tuple[str, float, float]]:
    """(query, cold ms, warm ms): a fresh page per query for cold; the same query again, once cleared, for warm."""
    from playwright.sync_api import sync_playwright

    found = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for text in QUERIES:
            cold, warm = [], []
            for _ in range(3):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto((site / "index.html").as_uri())
                page.wait_for_load_state("load")
                cold.append(page.evaluate(TYPE_AND_PAINT, text))
                page.evaluate(TYPE_AND_PAINT, "")
                warm.append(page.evaluate(TYPE_AND_PAINT, text))
                page.close()
            found.append((text, statistics.median(cold), statistics.median(warm)))
        browser.close()
    return found


def measure(count: int, work: Path) -> dict[str, object]:
    library = work / f"lib-{count}"
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(library), "--count", str(count)], check=True,
                   stdout=subprocess.DEVNULL)
    site = work / f"site-{count}"
    first = export(library, site)
    again = []
    for number in (1, 8, 20):
        edit(library, number)
        again.append(export(library, site))
    return {"count": count, "first": first, "again": again, "load": first_load_bytes(site),
            "page": (site / "index.html").stat().st_size, "typing": typing_times(site)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, action="append")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix=".site-search-bench-", dir=HERE))
    try:
        results = [measure(count, work) for count in args.count or [1000]]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(args, results)


def report(args: argparse.Namespace, results: list[dict[str, object]]) -> None:
    chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True).stdout.strip()
    counts = " ".join(f"--count {r['count']}" for r in results)
    lines = ["## La recherche du site à l'échelle", "",
             f"Run with `python bench/site_search_bench.py {counts}` on {time.strftime('%Y-%m-%d %H:%M')} UTC, sheets "
             f"from `bench/generate.py`, {chromium}, `--no-pdf`. One run each (the machine is shared with other "
             "work: figures only ever grow from it). Re-export: one sheet's summary edited, then `export` again, "
             "three times. Wall seconds, with the CPU seconds of the command (user + system) in brackets; a re-export "
             "that took no sheet from the previous one is marked (outillerie's code changed during the run).", "",
             "| sheets | first export | re-export after one edit | catalogue first load (page + its scripts and CSS) "
             "| of which `index.html` |", "|---:|---:|---:|---:|---:|"]
    for r in results:
        again = ", ".join(f"{w:.1f} s ({c:.1f})" + ("" if kept else " **tout refait : code changé**")
                          for w, c, kept in r["again"])  # type: ignore[attr-defined]
        first = r["first"]
        lines.append(f"| {r['count']} | {first[0]:.1f} s ({first[1]:.1f}) | {again} | "  # type: ignore[index]
                     f"{int(r['load']) / 1e6:.2f} MB "  # type: ignore[call-overload]
                     f"| {int(r['page']) / 1e6:.2f} MB |")  # type: ignore[call-overload]
    lines += ["", "Typing a query in Chromium, from the input event to the frame that paints the cards (median of 3, "
              "ms): cold = a fresh page, its index parts not loaded yet; warm = the same query again in that page.", "",
              "| sheets | query | cold | warm |", "|---:|---|---:|---:|"]
    for r in results:
        for text, cold, warm in r["typing"]:  # type: ignore[attr-defined]
            lines.append(f"| {r['count']} | « {text} » | {cold:.0f} | {warm:.0f} |")
    lines.append("")
    write_block(args.results, START, END, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
