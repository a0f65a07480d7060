"""Small cells of declared uses are never published, nor recoverable from what is published.

The published figures form trees of sums: the total is the sum of the months, of the sheets, of the régions
and of the participant bands; a région is the sum of its départements; a sheet the sum of its four answers
to « Recommanderiez-vous cette fiche ? ». The rule:

1. primary: every cell of 1 or 2 declarations (0 too, for the four answers and the bands, always listed)
   is shown as « moins de 3 »;
2. secondary: a reader knows every sum above, and that a « moins de 3 » is 0, 1 or 2 (1 or 2 where a zero
   would not be listed); bounds are propagated through the tree until nothing changes, and whenever a hidden
   cell's bounds meet (its value could be computed), the smallest visible cell of its group is also hidden
   (« masqué », at least 3); with none left, its smallest visible part, else its own detail is not
   published, else the detail of its group (a région without its départements, a sheet without its answers);
3. below 3 declarations in all, only « moins de 3 » is published, no detail.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

SMALL = 3  # a cell below this is never published
LESS = "moins de 3"
MASKED = "masqué"
State = Literal["shown", "small", "masked"]


@dataclass(eq=False)
class Cell:
    """A published figure: its true value (never published while hidden) and the cells that add up to it."""

    key: str
    value: int
    children: list[Cell] = field(default_factory=list)
    zero_listed: bool = False  # a fixed category: shown even at 0, so a hidden one may be 0
    state: State = "shown"
    withheld: bool = False  # the detail (children) is not published

    def shown(self) -> int | str:
        """The value as published: the number, « moins de 3 » or « masqué »."""
        return self.value if self.state == "shown" else LESS if self.state == "small" else MASKED


def protect(root: Cell) -> Cell:
    """Apply the rule to a tree whose root (the grand total) is published; the cells' states are set in place."""
    nodes = list(_walk(root))
    if root.value < SMALL:
        root.state, root.withheld = "small", True
        return root
    for node in nodes:
        if node is not root and node.value < SMALL:
            node.state = "small"
    for _ in range(2 * len(nodes) + 2):
        bounds = _propagate(root)
        computable = [node for node in reversed(nodes) if node.state != "shown" and _visible(node, root)
                      and bounds[id(node)][0] == bounds[id(node)][1]]
        # A masked cell given away by its own parts is mended first (hide one of them): that often mends the rest.
        exposed = next((node for node in computable if node.state == "masked"), computable[0] if computable else None)
        if exposed is None:
            return root
        _hide_more(root, exposed)
    raise AssertionError("the protection did not settle")  # each round hides or withholds one more cell


def _walk(node: Cell) -> list[Cell]:
    found = [node]
    for child in node.children:
        found.extend(_walk(child))
    return found


def _visible(node: Cell, root: Cell) -> bool:
    """False for a cell inside a withheld detail: it is not published at all."""
    parent = _parent(root, node)
    while parent is not None:
        if parent.withheld:
            return False
        parent = _parent(root, parent)
    return True


def _parent(root: Cell, node: Cell) -> Cell | None:
    for candidate in _walk(root):
        if any(child is node for child in candidate.children):
            return candidate
    return None


def _hide_more(root: Cell, exposed: Cell) -> None:
    """Hide one more thing so that `exposed` can no longer be computed, the least first: its smallest visible
    sibling, else its smallest visible part, else its own detail, else its whole group (the group's total,
    a région or a sheet, stays published without its detail)."""
    parent = _parent(root, exposed)
    assert parent is not None
    siblings = [c for c in parent.children if c.state == "shown"]
    parts = [c for c in exposed.children if c.state == "shown"] if not exposed.withheld else []
    if parts and exposed.state == "masked":  # a masked cell its parts add up to: hide one part
        min(parts, key=lambda c: (c.value, c.key)).state = "masked"
    elif siblings:
        min(siblings, key=lambda c: (c.value, c.key)).state = "masked"
    elif parts:
        min(parts, key=lambda c: (c.value, c.key)).state = "masked"
    elif exposed.children and not exposed.withheld:
        exposed.withheld = True
    else:
        parent.withheld = True  # the group's detail is not published; its total stays


def _propagate(root: Cell) -> dict[int, tuple[int, float]]:
    """What a reader can deduce: for each published cell, the lowest and highest values consistent with all."""
    bounds: dict[int, tuple[int, float]] = {}
    for node in _walk(root):
        if node.state == "shown":
            bounds[id(node)] = (node.value, node.value)
        elif node.state == "small":
            bounds[id(node)] = (0 if node.zero_listed else 1, SMALL - 1)
        else:
            bounds[id(node)] = (SMALL, math.inf)
    groups = [node for node in _walk(root) if node.children and not node.withheld]
    changed = True
    while changed:
        changed = False
        for parent in groups:
            changed |= _tighten(parent, bounds)
    return bounds


def _tighten(parent: Cell, bounds: dict[int, tuple[int, float]]) -> bool:
    """One pass of `parent = sum of its children` over the bounds; True if any bound moved."""
    changed = False
    children = [bounds[id(c)] for c in parent.children]
    low = sum(c[0] for c in children)
    finite_high = sum(c[1] for c in children if c[1] != math.inf)
    unbounded = sum(1 for c in children if c[1] == math.inf)
    p_low, p_high = bounds[id(parent)]
    new_parent = (max(p_low, low), min(p_high, finite_high if not unbounded else math.inf))
    if new_parent != (p_low, p_high):
        bounds[id(parent)], changed = new_parent, True
    p_low, p_high = new_parent
    for child, (c_low, c_high) in zip(parent.children, children):
        others_low = low - c_low
        if c_high == math.inf:
            others_high = finite_high if unbounded == 1 else math.inf
        else:
            others_high = finite_high - c_high if not unbounded else math.inf
        new = (max(c_low, int(p_low - others_high) if others_high != math.inf else c_low), min(c_high, p_high - others_low))
        if new != (c_low, c_high):
            bounds[id(child)], changed = new, True
    return changed
