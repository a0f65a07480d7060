"""click's own messages (usage, errors, help headings) in French, through its gettext hooks, for the time
an outillerie command runs: other click programs in the same process keep their own language."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Iterator


@contextlib.contextmanager
def french_click() -> Iterator[None]:
    """Give click's own messages (usage, errors, help headings) in French, through its gettext hooks."""
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.termui
    import click.types

    catalogue = json.loads((Path(__file__).parent.parent / "data" / "click-fr.json").read_text(encoding="utf-8"))
    singular, plural = catalogue["gettext"], catalogue["ngettext"]

    def gettext(message: str) -> str:
        return singular.get(message, message)

    def ngettext(one: str, many: str, count: int) -> str:
        forms = plural.get(one)
        if forms is None:
            return one if count == 1 else many
        return forms[0] if count <= 1 else forms[1]

    modules = (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.termui, click.types)
    saved = [(module, module.__dict__.get("_"), module.__dict__.get("ngettext")) for module in modules]
    for module in modules:
        module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module, old_gettext, old_ngettext in saved:
            module._ = old_gettext  # type: ignore[attr-defined]
            if old_ngettext is not None:
                module.ngettext = old_ngettext  # type: ignore[attr-defined]
