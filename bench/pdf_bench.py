"""Benchmark of the PDFs of `outillerie export` (WeasyPrint, all cores) against Chromium's own print-to-PDF
(Playwright `page.pdf`) for the same printable pages, in the same run. Writes its part of bench/RESULTS.md.

1,000 generated sheets, each with one Markdown support (cards with backs for half of them, a plain document for
the others). Measured as whole commands, with the peak memory of the process and its children (PSS):
the first export with PDFs, the same export without PDFs (so the PDFs' share shows), the re-export after
editing one sheet, and Chromium printing the same printable pages (taken from a --no-pdf export's kits).

    .venv/bin/python bench/pdf_bench.py --count 1000

While the working tree changes under it (other work in progress), run it on a copy of a commit:
`git archive HEAD | tar -x -C /tmp/snap && PYTHONPATH=/tmp/snap .venv/bin/python bench/pdf_bench.py`.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export_bench import CHROMIUM_ARGS, edit  # noqa: E402
from measure import peak, write_block  # noqa: E402

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
START, END = "<!-- pdf_bench.py: start -->", "<!-- pdf_bench.py: end -->"
CARDS = """---
print: cartes
cards_per_page: 4
---
# Cartes de l'atelier {number}

Huit cartes à imprimer en recto verso, puis à découper.
""" + "".join(f"""
## Carte {n} — Situation {n}

Une personne arrive au guichet avec une question sur sa démarche en ligne, numéro {n}.

**Que faire ?**

### Verso

Écouter, reformuler, puis montrer le chemin sur le site officiel, sans faire à la place.
""" for n in range(1, 9))
DOCUMENT = """# Grille d'observation de l'atelier {number}

| Geste observé | Oui | Non | Remarque |
|:--|:-:|:-:|--|
""" + "".join(f"| Geste {n} : laisser la personne tenir la souris | | | |\n" for n in range(1, 13)) + """
- [ ] La personne repart en sachant refaire seule
- [ ] Les identifiants restent à la personne
"""


def add_supports(library: Path) -> None:
    """One Markdown support per sheet: cards with backs for odd sheets, a table to fill for even ones."""
    for number, folder in enumerate(sorted((library / "resources").iterdir()), start=1):
        name, text = ("cartes.md", CARDS) if number % 2 else ("grille.md", DOCUMENT)
        (folder / name).write_text(text.replace("{number}", str(number)), encoding="utf-8")


def export(library: Path, output: Path, *extra: str) -> tuple[float, int]:
    return peak([str(BIN / "outillerie"), "--library", str(library), "export", "--output", str(output),
                 "--keep-going", *extra])


def printable_pages(site: Path, folder: Path) -> list[Path]:
    """The printable HTML pages a --no-pdf export put in its kits: the same HTML WeasyPrint turns into PDFs."""
    folder.mkdir()
    pages = []
    for kit in sorted((site / "telechargements").glob("*.zip")):
        with zipfile.ZipFile(kit) as archive:
            for name in archive.namelist():
                if name.endswith(".html"):
                    target = folder / f"{len(pages):05d}.html"
                    target.write_bytes(archive.read(name))
                    pages.append(target)
    return pages


def chromium_print(pages: list[Path], output: Path) -> tuple[float, int]:
    """Seconds and peak memory for Chromium to print every page to an A4 PDF (one browser, one tab)."""
    script = f"""
import sys
from pathlib import Path
from playwright.sync_api import sync_playwright
pages = sys.argv[1:-1]
output = Path(sys.argv[-1])
with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args={CHROMIUM_ARGS!r})
    tab = browser.new_page()
    for number, page in enumerate(pages):
        tab.goto(Path(page).as_uri())
        tab.pdf(path=str(output / f"{{number:05d}}.pdf"), format="A4", print_background=True)
    browser.close()
"""
    output.mkdir()
    listing = output.parent / "chromium.py"
    listing.write_text(script, encoding="utf-8")
    return peak([sys.executable, str(listing), *map(str, pages), str(output)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix=".pdf-bench-", dir=HERE))
    try:
        library = work / "lib"
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(library), "--count", str(args.count)],
                       check=True, stdout=subprocess.DEVNULL)
        add_supports(library)
        without = export(library, work / "sans-pdf", "--no-pdf")
        first = export(library, work / "site")
        pdfs = sorted((work / "site" / "telechargements").rglob("*.pdf"))
        if len(pdfs) != 2 * args.count:
            raise SystemExit(f"l'export n'a fait que {len(pdfs)} PDF sur {2 * args.count} : voyez outillerie export.")
        edit(library, 1)
        again = export(library, work / "site")
        pages = printable_pages(work / "sans-pdf", work / "pages")
        chromium = chromium_print(pages, work / "chromium")
        report(args, first, without, again, len(pdfs), len(pages), chromium,
               sum(p.stat().st_size for p in pdfs), sum(p.stat().st_size for p in (work / "chromium").glob("*.pdf")))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(args: argparse.Namespace, first: tuple[float, int], without: tuple[float, int], again: tuple[float, int],
           pdfs: int, pages: int, chromium: tuple[float, int], weasy_bytes: int, chromium_bytes: int) -> None:
    import weasyprint

    version = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True).stdout.strip()
    share = first[0] - without[0]
    mb = lambda kb: f"{kb / 1024:.0f} Mo"  # noqa: E731
    lines = [
        "## Les PDF de `outillerie export`",
        "",
        f"Mesuré avec `python bench/pdf_bench.py --count {args.count}` le {time.strftime('%Y-%m-%d')} : "
        f"{args.count} fiches de `bench/generate.py`, chacune avec un support Markdown (cartes recto verso, 4 par "
        "page, une fiche sur deux ; une grille en tableau pour les autres), soit "
        f"{pdfs} PDF. {_cores()} cœurs, Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}, "
        f"{version}. Un seul passage, commandes entières ; mémoire de pointe = somme des PSS du processus et de ses "
        "enfants, relevée toutes les 10 ms.",
        "",
        "| mesure | temps | mémoire de pointe |",
        "|---|---:|---:|",
        f"| premier export avec les PDF (WeasyPrint, tous les cœurs) | {first[0]:.1f} s | {mb(first[1])} |",
        f"| le même export sans les PDF (`--no-pdf`) | {without[0]:.1f} s | {mb(without[1])} |",
        f"| → part des PDF | {share:.1f} s, {share / pdfs * 1000:.0f} ms par PDF | |",
        f"| réexport après modification d'une fiche (objectif ≤ 3 s) | {again[0]:.2f} s | {mb(again[1])} |",
        f"| Chromium, `page.pdf` des mêmes {pages} pages imprimables (un onglet) | {chromium[0]:.1f} s | "
        f"{mb(chromium[1])} |",
        f"| → rapport Chromium / part des PDF de l'export | {chromium[0] / share:.2f} | |",
        "",
        f"Taille des PDF : WeasyPrint {weasy_bytes / 1e6:.1f} Mo, Chromium {chromium_bytes / 1e6:.1f} Mo.",
        "",
    ]
    write_block(args.results, START, END, "\n".join(lines))
    print("\n".join(lines))


def _cores() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    main()
