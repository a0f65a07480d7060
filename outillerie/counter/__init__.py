"""The download counter and declared uses: counting rules (COUNTER R5.1, robots, privacy), the stores (SQLite by
default, PostgreSQL for several servers; every table described once in schema.py), the HTTP server, the client of
a running server, statistics with small cells suppressed, and their terminal views.

May import `sheets` and `errors`; never `search`, `publish` or `cli`: the CLI hands it an exported site and the
object that renders its pages (impact.ImpactPages), and hands the site the counter's plain data.
"""
