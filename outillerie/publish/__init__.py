"""The static site: export, pages, Markdown rendering, kits, open data, the browser index, the templates
and static files. `export` is the only module that imports jinja2, `markdown` the only one for markdown-it.

May import `sheets`, `french` and `errors`; never `search`, `counter` or `cli`.
"""
