"""The floor of any Whoosh CLI: open the index, run the same parsed query with the same filter, print the top 10.

    python bench/whoosh_floor.py LIBRARY "médiation numérique" reseau

The fields and their weights are outillerie's own (imported from its engine, which opening the index loads
anyway for the analyzer): a floor that searched fewer fields would do less work than the same query.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import whoosh.index
from whoosh import qparser, query

from outillerie.search.engine import FIELD_BOOSTS, TEXT_FIELDS

library, text, objective = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
generation = json.loads((library / "index" / "outillerie.json").read_text(encoding="utf-8"))["generation"]
ix = whoosh.index.open_dir(str(library / "index" / generation))
parser = qparser.MultifieldParser(list(TEXT_FIELDS), ix.schema, fieldboosts=FIELD_BOOSTS, group=qparser.AndGroup)
with ix.searcher() as searcher:
    for hit in searcher.search(parser.parse(text), filter=query.Term("objective", objective), limit=10):
        print(hit["meta"]["title"])
