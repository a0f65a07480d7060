"""`outillerie search` in its plain forms without click: the most common command, read here, so that a search does
not load click (its import and its parsing were about a sixth of what a search at 10,000 sheets costs beyond a
bare Whoosh script, measured). Anything else — a help, a mistyped or unknown option, a value click would refuse,
`-mot`, `--option=valeur`, another command — gives None, and click reads it as before, with the same messages.

What a search does and prints is `run_search` and `echo_results`, shared by both doors (search_commands.py calls
them with click's echo); the expected failures read the same through `errors.failure_message`. A test holds the options
read here equal to the click command's, and the two doors' outputs equal.
"""

from __future__ import annotations

import codecs
import functools
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from ..errors import OutillerieError, failure_message, visible, visible_json

if TYPE_CHECKING:
    from ..search.query import Filters, SearchResult
    from ..sheets.paths import LibraryPaths

Echo = Callable[..., Any]  # click.echo's signature: (message, err=False, nl=True)

# The options of `search` (search_commands.py) and what their values are; `--library` is also the group's option.
VOCABULARY_OPTIONS = {"--objective": "objectives", "--public": "audiences", "--level": "levels", "--theme": "themes",
                      "--license": "licenses"}
OTHER_OPTIONS = {"--max-duration": "duration", "--min-duration": "duration", "--tag": "text", "--limit": "count",
                 "--format": "format", "--facets": "flag", "--library": "path"}
FORMATS = ("text", "json", "csv")
LIMIT = 10


def quick_search(argv: Sequence[str]) -> bool:
    """Run `outillerie search …` when `argv` is one of its plain forms and the streams are UTF-8 text (as click
    would write them); False, having done nothing, for anything else: click reads it."""
    options = plain_options(argv) if _plain_streams() else None
    if options is None:
        return False
    words, values = options
    try:
        from ..search.query import Filters
        from ..sheets.paths import find_library

        paths = find_library(values.get("library"), os.environ.get("OUTILLERIE_LIBRARY"), Path.cwd())
        filters = Filters(objective=values.get("objective"), public=tuple(values.get("public", ())),
                          min_duration=values.get("min_duration"), max_duration=values.get("max_duration"),
                          level=values.get("level"), theme=values.get("theme"), tag=values.get("tag"),
                          license=values.get("license"))
        run_search(paths, words, filters, facets=values.get("facets", False), limit=values.get("limit", LIMIT),
                   output_format=values.get("format", "text"), echo=echo, bold=bold, progress=_progress)
    except (OutillerieError, OSError) as error:
        _click_error(failure_message(error))
    except (EOFError, KeyboardInterrupt):  # as click says it
        echo("", err=True)
        echo(_french("Aborted!"), err=True)
        sys.exit(1)
    return True


def run_search(paths: LibraryPaths, words: Sequence[str], filters: Filters, *, facets: bool, limit: int,
               output_format: str, echo: Echo, bold: Callable[[str], str],
               progress: Callable[[str, int, int], None]) -> None:
    """The search command's work, whichever door it came through: search, print, exit 1 when nothing is found."""
    from ..search.query import search_library

    result = search_library(paths.root, paths.index_dir, " ".join(words), filters, limit=limit, facets=facets,
                            count=output_format != "text" or facets, notify=lambda message: echo(message, err=True),
                            progress=progress)
    echo_results(result, output_format, echo, bold)
    if not result.hits:
        sys.exit(1)


def echo_results(result: SearchResult, output_format: str, echo: Echo, bold: Callable[[str], str]) -> None:
    """Hits on stdout in the chosen format; counts and the nothing-found message on stderr."""
    from ..search.views import nothing_found, result_notes, results_csv, results_summary, results_text

    if output_format == "json":
        import json

        echo(visible_json(json.dumps(result.as_dict(), ensure_ascii=False, indent=2)))
    elif output_format == "csv":
        echo(visible(results_csv(result)), nl=False)
    elif result.hits:
        styled = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        echo(results_text(result, bold if styled else (lambda text: text)))
    for note in result_notes(result):  # what the words were read as: on stderr, whatever the format
        echo(note, err=True)
    if result.hits and output_format == "text":
        echo(results_summary(result), err=True)
    elif not result.hits:
        echo(nothing_found(result), err=True)


def echo(message: str = "", err: bool = False, nl: bool = True) -> None:
    """click.echo on streams that click would write to as they are (UTF-8 text): the text, then a flush."""
    stream = sys.stderr if err else sys.stdout
    stream.write(message + "\n" if nl else message)
    stream.flush()


def bold(text: str) -> str:
    """click.style(text, bold=True)."""
    return f"\x1b[1m{text}\x1b[0m"


def plain_options(argv: Sequence[str]) -> tuple[list[str], dict[str, Any]] | None:
    """The words and the converted option values of `[--library DIR] search …`, or None for click to read it."""
    args = list(argv)
    values: dict[str, Any] = {}
    if args[:1] == ["--library"] and len(args) > 1 and not args[1].startswith("-") and _path(args[1]) is not None:
        values["library"], args = _path(args[1]), args[2:]
    if args[:1] != ["search"] or os.environ.get("_OUTILLERIE_COMPLETE") or os.name == "nt":
        return None
    words: list[str] = []
    seen: set[str] = set()
    position = 1
    while position < len(args):
        token = args[position]
        position += 1
        if not token.startswith("-"):
            words.append(token)
            continue
        if (token in seen and token != "--public") or (token not in VOCABULARY_OPTIONS and token not in OTHER_OPTIONS):
            return None  # an option given twice (click keeps the last), or one click must read
        seen.add(token)
        if token == "--facets":
            values["facets"] = True
            continue
        if position >= len(args) or args[position].startswith("-"):
            return None
        value = _value(token, args[position])
        if value is None:
            return None
        position += 1
        name = token[2:].replace("-", "_")
        if token == "--public":
            values.setdefault("public", []).append(value)
        else:
            values[name] = value
    return words, values


def _value(option: str, text: str) -> Any:
    """An option's value as click converts it (search_commands.py), or None when click would refuse it."""
    if option in VOCABULARY_OPTIONS:
        from ..sheets.vocabulary import load_vocabulary

        return load_vocabulary().normalise(VOCABULARY_OPTIONS[option], text) or None
    kind = OTHER_OPTIONS[option]
    if kind == "duration":
        from ..sheets.durations import parse_duration

        try:
            return parse_duration(text)
        except ValueError:
            return None
    if kind == "count":
        return int(text) if text.isascii() and text.isdigit() and int(text) >= 1 else None
    if kind == "format":
        return text if text in FORMATS else None
    return _path(text) if kind == "path" else text


def _path(text: str) -> Path | None:
    """click.Path(file_okay=False): a path that does not exist, or that is readable and not a file."""
    try:
        info = os.stat(text)
    except OSError:
        return Path(text)
    return Path(text) if not stat.S_ISREG(info.st_mode) and os.access(text, os.R_OK) else None


def _plain_streams() -> bool:
    """Both streams are text streams in UTF-8: click.echo writes to them as they are (no rewrapping)."""
    try:
        return all(codecs.lookup(stream.encoding).name == "utf-8" and not stream.closed
                   for stream in (sys.stdout, sys.stderr))
    except (AttributeError, LookupError, TypeError):
        return False


def _progress(label: str, done: int, total: int) -> None:
    """The CLI's progress bar (click's), loaded only when the index is brought up to date."""
    _bar()(label, done, total)


@functools.cache
def _bar() -> Callable[[str, int, int], None]:
    from .app import ProgressBar

    return ProgressBar()


def _click_error(message: str) -> None:
    """The failure as click shows it (« Erreur : … » on stderr, in French), then exit code 1."""
    import click

    from .french import french_click

    with french_click():
        click.ClickException(message).show()
    sys.exit(1)


def _french(message: str) -> str:
    import json

    catalogue = json.loads((Path(__file__).parent.parent / "data" / "click-fr.json").read_text(encoding="utf-8"))
    return str(catalogue["gettext"].get(message, message))
