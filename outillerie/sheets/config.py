"""The library's configuration, `outillerie.yml` at its root: who publishes the commons, and how.

Read with the front matter's bounded YAML reader (`frontmatter.read_yaml_document`); every problem is a `Problem`
at its line, like a sheet's, and `check` shows them. A library without the file gets the defaults. The file is
part of the snapshot's fingerprint (`freshness.CONFIG_FILES`), so every command sees a change at once. This
module does not import YAML until a file must be read: `outillerie search` never pays for it.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, Problem
from .config_values import DEFAULT_BRANCH, Values, forge_edit_pattern, read_config_text
from .freshness import CONFIG_FILES

CONFIG_FILE = CONFIG_FILES[0]
DEFAULT_NAME = "Fiches ateliers de l'inclusion numérique"
DEFAULT_DESCRIPTION = ("Des fiches ateliers libres pour sensibiliser, travailler en réseau et initier des projets "
                       "collectifs locaux.")
DEFAULT_LICENSE = "CC-BY-SA-4.0"


@dataclass(frozen=True)
class Hub:
    """The hub that publishes the commons: its name, its web address, its contact e-mail."""

    name: str | None = None
    url: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Config:
    """Everything `outillerie.yml` says, with the defaults for what it does not say."""

    name: str = DEFAULT_NAME
    description: str = DEFAULT_DESCRIPTION
    hub: Hub = field(default_factory=Hub)
    logo: str | None = None  # a path relative to the library's root, with slashes
    colour: str | None = None  # "#rrggbb", readable on white (WCAG AA)
    site_url: str | None = None  # ends with "/"
    counter_url: str | None = None  # no final "/"
    repository: str | None = None  # no final "/" nor ".git"
    branch: str = DEFAULT_BRANCH
    edit_url: str | None = None  # an address holding {path}
    license: str = DEFAULT_LICENSE
    authors: tuple[str, ...] = ()

    @property
    def edit_pattern(self) -> str | None:
        """The « edit this file » address with `{path}`: the one given, or the one of a known forge."""
        if self.edit_url:
            return self.edit_url
        return forge_edit_pattern(self.repository, self.branch) if self.repository else None

    def edit_link(self, path: str) -> str | None:
        """Where a file of the library (`resources/<slug>/index.md`) opens in the repository's web editor."""
        pattern = self.edit_pattern
        return pattern.replace("{path}", urllib.parse.quote(path)) if pattern else None


def read_config(root: Path) -> tuple[Config, tuple[Problem, ...]]:
    """The configuration of the library at `root` and every problem of its file; a wrong value keeps its default."""
    path = root / CONFIG_FILE
    if not path.exists() and not path.is_symlink():
        return Config(), ()
    read = read_config_text(root, path, CONFIG_FILE)
    if read.values is None:
        return Config(), read.problems
    return _config(read.values), read.problems


def load_config(root: Path) -> Config:
    """The configuration a command works with; ConfigError with every error of the file (warnings are for check)."""
    config, problems = read_config(root)
    errors = [problem for problem in problems if problem.is_error]
    if errors:
        raise ConfigError(errors)
    return config


def _config(values: Values) -> Config:
    given: dict[str, Any] = {key: value for key, value in values.items() if value is not None and key != "hub"}
    hub = values.get("hub") or {}
    return Config(hub=Hub(**{key: value for key, value in hub.items() if value is not None}), **given)
