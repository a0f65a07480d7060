"""Writing a front matter and its Markdown body: the ONLY module that imports python-frontmatter.

python-frontmatter writes well (PyYAML quotes what needs quoting, keys keep their order); it is not used to read
sheets, because its reader drops the blank lines after the closing `---` and knows no key lines, so every line
number `check` gives would be wrong (tests/test_sheets.py keeps that case).
"""

from __future__ import annotations

import copy
from typing import Any, Mapping

import frontmatter


def dump_document(meta: Mapping[str, Any], body: str) -> str:
    """A Markdown file with `meta` as its YAML front matter (keys in the given order, lists inline)."""
    # Each value copied on its own: PyYAML writes an object met twice (one date for created and updated) as an
    # anchor and an alias, which a person would not understand and `check` refuses.
    post = frontmatter.Post(body.lstrip("\n"), **{key: copy.deepcopy(value) for key, value in meta.items()})
    text = frontmatter.dumps(post, sort_keys=False, allow_unicode=True, default_flow_style=None, width=4096)
    return text if text.endswith("\n") else text + "\n"
