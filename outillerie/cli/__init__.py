"""The `outillerie` command: the only package that imports click.

Thin commands over the library, grouped by what they work on, and ONE place (`app.OutillerieGroup`)
where expected failures become French messages and exit codes. May import every other package;
nothing imports it.
"""

from __future__ import annotations

from . import (  # noqa: F401
    counter_commands,
    library_commands,
    programme_commands,
    search_commands,
    sheet_commands,
    site_commands,
)
from .app import cli, main

__all__ = ["cli", "main"]
