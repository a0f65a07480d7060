"""Digests of the code and data that decide an outcome, so a cache made by other code is never trusted."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

_SKIPPED = {"__pycache__"}


def code_fingerprint(label: str, places: Iterable[Path]) -> str:
    """The SHA-256 of `label` and of every file under `places` (names and bytes, in a stable order)."""
    digest = hashlib.sha256(label.encode())
    for place in places:
        files = [place] if place.is_file() else sorted(p for p in place.rglob("*") if p.is_file()
                                                         and not _SKIPPED.intersection(p.parts) and p.suffix != ".pyc")
        for path in files:
            digest.update(path.as_posix().rsplit("/outillerie/", 1)[-1].encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()
