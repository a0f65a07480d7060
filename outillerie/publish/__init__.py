"""The static site: export, pages, Markdown rendering, supports laid out for print, PDFs, kits, open data, the
browser index, the templates and static files. `export` is the only module that imports jinja2, `markdown` the
only one for markdown-it and its plugins, `pdf` the only one for WeasyPrint.

May import `sheets`, `french` and `errors`; never `search`, `counter` or `cli`.
"""
