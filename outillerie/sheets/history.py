"""Who changed each sheet and when, from the real `git log` of its folder (when the library is a Git repository)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

_TIMEOUT = 120
_REMOTE_RE = re.compile(r"^(?:https://|git@|ssh://git@)(?P<host>github\.com|gitlab\.com|framagit\.org|codeberg\.org)"
                        r"[:/](?P<path>[\w.~-]+/[\w.~/-]+?)(?:\.git)?/?$")


@dataclass(frozen=True)
class Contributor:
    """A person who made commits touching a sheet's folder."""

    name: str
    commits: int


@dataclass(frozen=True)
class SheetHistory:
    """The Git history of one sheet's folder: its contributors (most commits first) and first/last dates."""

    contributors: tuple[Contributor, ...]
    first: dt.date
    last: dt.date


def _git(root: Path, *args: str) -> str | None:
    """Run git in `root`; None when git is missing or the folder is not (usable as) a repository."""
    try:
        done = subprocess.run(["git", "-C", str(root), "-c", "core.quotepath=off", *args], capture_output=True,
                              timeout=_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", errors="replace")


def sheet_histories(root: Path) -> dict[str, SheetHistory]:
    """The history of every sheet folder of `root/resources`, in ONE git call; empty outside a repository."""
    if _git(root, "rev-parse", "--is-inside-work-tree") is None:
        return {}
    output = _git(root, "log", "--no-merges", "--relative", "--format=%x1e%aN%x1f%aI", "--name-only",
                  "--", "resources")
    if not output:
        return {}
    commits: dict[str, Counter[str]] = defaultdict(Counter)
    dates: dict[str, list[dt.date]] = defaultdict(list)
    for record in output.split("\x1e")[1:]:
        header, _, files = record.partition("\n")
        name, _, stamp = header.partition("\x1f")
        day = dt.datetime.fromisoformat(stamp.strip()).date()
        slugs = {parts[1] for parts in (line.split("/") for line in files.split("\n"))
                 if len(parts) > 2 and parts[0] == "resources"}
        for slug in slugs:
            commits[slug][name.strip()] += 1
            dates[slug].append(day)
    return {
        slug: SheetHistory(
            contributors=tuple(Contributor(name, count)
                               for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))),
            first=min(dates[slug]),
            last=max(dates[slug]),
        )
        for slug, counts in sorted(commits.items())
    }


def edit_base_url(root: Path) -> str | None:
    """The web address where a file of the library can be edited (GitHub, GitLab…), from the `origin` remote.

    Returns a prefix to which `resources/<slug>/index.md` is appended, or None when there is no known forge.
    """
    remote = _git(root, "remote", "get-url", "origin")
    prefix = _git(root, "rev-parse", "--show-prefix")
    branch = _git(root, "rev-parse", "--abbrev-ref", "HEAD")
    if not remote or prefix is None or not branch or branch.strip() == "HEAD":
        return None
    match = _REMOTE_RE.match(remote.strip())
    if not match:
        return None
    host, path = match.group("host"), match.group("path")
    separator = "/-/edit/" if host in ("gitlab.com", "framagit.org") else "/_edit/" if host == "codeberg.org" else "/edit/"
    return f"https://{host}/{path}{separator}{branch.strip()}/{prefix.strip()}"
