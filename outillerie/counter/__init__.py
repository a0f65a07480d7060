"""The download counter: counting rules (COUNTER R5.1, robots, privacy), storage, the HTTP server, the client
of a running server, statistics and their terminal views.

May import `sheets` and `errors`; never `search`, `publish` or `cli` (the CLI hands it an exported site).
"""
