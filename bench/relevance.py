"""The judged queries (tests/data/relevance.json) run by `outillerie search` and by a plain Whoosh query on the
same index: mean reciprocal rank and success at 3 of each, side by side.

    python bench/relevance.py [--library COPY_OF_THE_COMMONS]

The plain query is what any Whoosh CLI would do with our schema: a MultifieldParser over the same fields with the
same weights, all words required, the filters of the judged item, nothing else (no thesaurus, no acronym field,
no duration read in the words, no correction, no accents given back, no loosening).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

import whoosh.index
from whoosh import qparser, query

from outillerie.search.index import read_manifest
from outillerie.search.query import Filters, search_library

REPO = Path(__file__).resolve().parent.parent
FIELDS = {"title": 4.0, "tags": 2.5, "summary": 2.0, "materials": 1.0, "body": 1.0}


def plain_rank(searcher, parser, item) -> int | None:
    filters = [query.Term(key, value) for key, value in item["filters"].items() if isinstance(value, str)]
    filters += [query.Or([query.Term(key, v) for v in value]) for key, value in item["filters"].items()
                if isinstance(value, list)]
    hits = searcher.search(parser.parse(item["query"]), filter=query.And(filters) if filters else None, limit=10)
    for number, hit in enumerate(hits, 1):
        if hit["meta"]["slug"] in item["expected"]:
            return number
    return None


def ours_rank(library: Path, item) -> int | None:
    filters = {key: tuple(value) if isinstance(value, list) else value for key, value in item["filters"].items()}
    result = search_library(library, library / "index", item["query"], Filters(**filters), limit=10)
    for number, hit in enumerate(result.hits, 1):
        if hit.slug in item["expected"]:
            return number
    return None


def scores(ranks: list[int | None]) -> tuple[float, float, int]:
    good = sum(1 for r in ranks if r and r <= 3)
    return sum(1 / r for r in ranks if r) / len(ranks), good / len(ranks), good


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        library = args.library or Path(scratch) / "communs"
        if args.library is None:
            shutil.copytree(REPO / "resources", library / "resources")
        queries = json.loads((REPO / "tests" / "data" / "relevance.json").read_text(encoding="utf-8"))["queries"]
        ours = [ours_rank(library, item) for item in queries]  # builds the index on the first query
        ix = whoosh.index.open_dir(str(library / "index" / read_manifest(library / "index").generation))
        plain_parser = qparser.MultifieldParser(list(FIELDS), ix.schema, fieldboosts=FIELDS, group=qparser.AndGroup)
        with ix.searcher() as searcher:
            plain = [plain_rank(searcher, plain_parser, item) for item in queries]
        ix.close()
    print(f"{len(queries)} requêtes jugées (tests/data/relevance.json)\n")
    print("| | MRR | succès à 3 |\n|---|---:|---:|")
    for name, ranks in (("outillerie search", ours), ("requête Whoosh simple, même index", plain)):
        mrr, success, good = scores(ranks)
        print(f"| {name} | {mrr:.3f} | {success:.3f} ({good}/{len(ranks)}) |")
    print("\n| sorte | outillerie | Whoosh simple |\n|---|---:|---:|")
    kinds: dict[str, list[tuple[int | None, int | None]]] = defaultdict(list)
    for item, a, b in zip(queries, ours, plain):
        kinds[item["kind"]].append((a, b))
    for kind, pairs in sorted(kinds.items()):
        print(f"| {kind} | {sum(1 for a, _ in pairs if a and a <= 3)}/{len(pairs)} "
              f"| {sum(1 for _, b in pairs if b and b <= 3)}/{len(pairs)} |")


if __name__ == "__main__":
    main()
