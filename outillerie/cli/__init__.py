"""The `outillerie` command: the only package that imports click.

Thin commands over the library, grouped by what they work on, and ONE place (`app.OutillerieGroup`)
where expected failures become French messages and exit codes. May import every other package;
nothing imports it.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

USUAL_COLLECTIONS = gc.get_threshold()


def main() -> None:
    """Entry point of the `outillerie` console script. A command is a short burst of work: Python's cycle collector
    runs less often (it cost 5 to 8 % of a search at 10,000 sheets, mostly while the modules load, measured); a long
    command (`serve`, `index --rebuild`) puts the usual pace back (`usual_collections`).

    Once the command is done, its objects are frozen (`gc.freeze`): the collector's last pass, as Python exits,
    scanned them all for nothing (20 to 30 ms of a search at 10,000 sheets, measured; 6 ms of exit are left). Exit
    itself runs as usual (atexit, flushes, every object freed); only cycles left at exit are not collected."""
    gc.set_threshold(50_000, 20, 50)
    try:
        from .quick import quick_search

        if quick_search(sys.argv[1:]):  # `search` in its plain forms, without loading click
            return
        from .app import main as run  # each command's module is imported when that command runs (COMMAND_MODULES)

        run()
    finally:
        gc.freeze()


def usual_collections() -> None:
    """The cycle collector at its usual pace, for a command that lasts (a server, a rebuild's writers)."""
    gc.set_threshold(*USUAL_COLLECTIONS)


def __getattr__(name: str) -> Any:
    """`cli`, the click group, loaded when asked for (tests, `python -m outillerie`)."""
    if name == "cli":
        from .app import cli

        return cli
    raise AttributeError(name)


__all__ = ["cli", "main", "usual_collections"]
