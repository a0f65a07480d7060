"""Colours of a hub's site: WCAG contrast on white, and the nearest colour of the same hue that passes.

WCAG 2.1 (success criterion 1.4.3, level AA): normal text needs a contrast ratio of 4.5:1 with its background.
The accent colour is used for links and text on white, and as a background under white text: the same ratio.
"""

from __future__ import annotations

import colorsys
import re

AA_NORMAL_TEXT = 4.5
WHITE = "#ffffff"
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def parse_hex(text: str) -> str | None:
    """`#rgb` or `#rrggbb` as lowercase `#rrggbb`; None for anything else."""
    text = text.strip()
    if not _HEX.fullmatch(text):
        return None
    digits = text[1:].lower()
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)


def _channels(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def relative_luminance(colour: str) -> float:
    """WCAG's relative luminance of a `#rrggbb` colour (0 for black, 1 for white)."""
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in _channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str = WHITE) -> float:
    """WCAG contrast ratio between two `#rrggbb` colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _hex(red: float, green: float, blue: float) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in (red, green, blue))


def passing_colour(colour: str, background: str = WHITE, ratio: float = AA_NORMAL_TEXT) -> str:
    """The colour of the same hue and saturation, darkened (on a light background) or lightened (on a dark one)
    by the smallest step in HSL lightness that reaches `ratio`; `colour` itself when it already does."""
    if contrast_ratio(colour, background) >= ratio:
        return colour
    hue, lightness, saturation = colorsys.rgb_to_hls(*(c / 255 for c in _channels(colour)))
    darken = relative_luminance(background) > 0.18  # on a light background, a darker colour reads better
    for step in range(1, 1001):
        shifted = lightness - step / 1000 if darken else lightness + step / 1000
        candidate = _hex(*colorsys.hls_to_rgb(hue, max(0.0, min(1.0, shifted)), saturation))
        if contrast_ratio(candidate, background) >= ratio:
            return candidate
    return "#000000" if darken else WHITE


def french_ratio(ratio: float) -> str:
    """A ratio as French readers write it, never rounded up past the threshold: 4.4896 -> « 4,48:1 »."""
    shown = int(ratio * 100) / 100
    return f"{shown:.2f}".rstrip("0").rstrip(".").replace(".", ",") + ":1"
