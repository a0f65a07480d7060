"""The `outillerie` command: the only package that imports click.

Thin commands over the library, grouped by what they work on, and ONE place (`app.OutillerieGroup`)
where expected failures become French messages and exit codes. May import every other package;
nothing imports it.
"""

from __future__ import annotations

from .app import cli, main  # each command's module is imported when that command runs (app.COMMAND_MODULES)

__all__ = ["cli", "main"]
