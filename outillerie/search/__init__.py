"""The terminal search: the Whoosh index (built from the sheets snapshot), queries, snippets, and the
terminal views of results. `engine` is the only module that imports Whoosh; `segments` writes an index's
segments through engine's index objects.

May import `sheets`, `french` and `errors`; never `publish`, `counter` or `cli`.
"""
