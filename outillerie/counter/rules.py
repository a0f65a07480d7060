"""The counting rules of COUNTER R5.1 and the privacy of visitors: robots, the anonymous visitor of the day,
what counts as a download. Plain functions, no storage."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Callable

from ..errors import CounterError, reason_fr

DOUBLE_CLICK = timedelta(seconds=30)  # < 30 s after the previous request: same click; 30.0 s counts
VISITOR_BYTES = 16  # 128 bits: no collision among one day's visitors
ROBOTS_FILE = "data/counter-robots/COUNTER_Robots_list.json"


@dataclass(frozen=True)
class Robots:
    """The COUNTER-Robots patterns, matched case-insensitively anywhere in the user agent.

    Compiled once, in three parts for speed (one big alternation costs 0.2 ms a request):
    plain words are found with `in`, `^`-anchored patterns with one `match`, the rest with one
    `search`; the answer is the same as `re.search` of each pattern.
    """

    patterns: tuple[str, ...]
    _words: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _anchored: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _anywhere: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words = [p for p in self.patterns if not _REGEX_SYNTAX.intersection(p)]
        anchored = [p for p in self.patterns if p.startswith("^") and "|" not in p]
        sorted_out = {*words, *anchored}
        rest = [p for p in self.patterns if p not in sorted_out]
        object.__setattr__(self, "_words", tuple(word.lower() for word in words))
        object.__setattr__(self, "_anchored", _alternation(anchored))
        object.__setattr__(self, "_anywhere", _alternation(rest))

    def is_robot(self, user_agent: str) -> bool:
        """True when a pattern is found in the user agent; an empty user agent is a robot."""
        if not user_agent.strip():
            return True
        lowered = user_agent.lower()
        return (
            any(word in lowered for word in self._words)
            or self._anchored.match(user_agent) is not None
            or self._anywhere.search(user_agent) is not None
        )


_REGEX_SYNTAX = frozenset(".^$*+?{}[]\\|()")


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    """One case-insensitive expression for several patterns; one that never matches for none."""
    return re.compile("|".join(f"(?:{p})" for p in patterns) or "(?!)", re.IGNORECASE)


def load_robots(path: Path | None = None) -> Robots:
    """Read the COUNTER-Robots JSON list (the copy shipped in the package by default)."""
    where = str(path) if path is not None else f"outillerie/{ROBOTS_FILE}"
    fix = "Pour corriger : remettez le fichier COUNTER_Robots_list.json d'origine (atmire/COUNTER-Robots)."
    try:
        if path is None:
            text = resources.files("outillerie").joinpath(ROBOTS_FILE).read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        patterns = tuple(entry["pattern"] for entry in json.loads(text))
        if not patterns or not all(isinstance(pattern, str) and pattern for pattern in patterns):
            raise ValueError("liste vide ou motif vide")
        robots = Robots(patterns)
    except OSError as exc:
        raise CounterError(f"{where} : liste des robots illisible ({reason_fr(exc)}). {fix}") from exc
    except (ValueError, TypeError, KeyError, re.error) as exc:
        raise CounterError(f"{where} : liste des robots invalide ({exc}). {fix}") from exc
    return robots


def visitor_id(salt: bytes, client: str, user_agent: str) -> str:
    """The visitor of the day: HMAC-SHA256(salt, address + "\\n" + user agent), 16 bytes in hex."""
    message = f"{_address_key(client)}\n{user_agent}".encode("utf-8", "surrogatepass")
    return hmac.new(salt, message, hashlib.sha256).digest()[:VISITOR_BYTES].hex()


def _address_key(client: str) -> str:
    """The address as counted: IPv4 as is, IPv6 reduced to its /64 (one home or phone network)."""
    try:
        address = ipaddress.ip_address(client.strip())
    except ValueError:
        return client  # not an address (a Unix socket): hashed as given, like any address
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return f"{ipaddress.IPv6Address(int(address) >> 64 << 64)}/64"  # int() drops any %zone
    return str(address)


def countable(method: str, status: int, range_start: int | None) -> bool:
    """COUNTER: a GET answered 200 or 304, or 206 from byte 0; never HEAD, mid-file ranges, errors."""
    return method == "GET" and (status in (200, 304) or (status == 206 and range_start == 0))


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def utc_from(clock: Callable[[], datetime]) -> datetime:
    """The time a counter's clock gives, in UTC; a naive time would put visitors in the wrong day."""
    now = clock()
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("the counter clock must return an aware datetime (UTC)")
    return now.astimezone(timezone.utc)


