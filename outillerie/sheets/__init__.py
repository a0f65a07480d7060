"""The library of sheets: where it is, its configuration (`outillerie.yml`), the sheet format, its fields and
vocabularies, the rules of `check`, the ONE snapshot of which sheets exist and whether they are valid, scaffolding
(`new`, `init`), Git history, terminal views.

May import `errors` and `french` only; every feature (search, publish, counter) reads sheets through here.
"""
