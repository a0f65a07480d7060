"""The floor of any Whoosh CLI: open the index, run the same parsed query with the same filter, print the top 10.

    python bench/whoosh_floor.py LIBRARY "médiation numérique" reseau
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import whoosh.index
from whoosh import qparser, query

library, text, objective = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
generation = json.loads((library / "index" / "outillerie.json").read_text(encoding="utf-8"))["generation"]
ix = whoosh.index.open_dir(str(library / "index" / generation))
fields = ["title", "summary", "tags", "materials", "body"]
boosts = {"title": 4.0, "tags": 2.5, "summary": 2.0}
parser = qparser.MultifieldParser(fields, ix.schema, fieldboosts=boosts, group=qparser.AndGroup)
with ix.searcher() as searcher:
    for hit in searcher.search(parser.parse(text), filter=query.Term("objective", objective), limit=10):
        print(hit["meta"]["title"])
