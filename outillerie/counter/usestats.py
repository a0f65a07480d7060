"""Declared uses as publishable aggregates: by month, sheet, région and département, participant band,
answer to « Recommanderiez-vous cette fiche ? » and public, with small cells suppressed (suppression.py)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..sheets.vocabulary import load_vocabulary
from .database import Reader
from .suppression import LESS, MASKED, Cell, protect
from .uses import BAND_RANGES, BANDS, RECOMMEND, load_territories

RULE = (
    "Pour qu'aucune animation ne puisse être rattachée à une personne, une case de moins de 3 déclarations "
    "est affichée « moins de 3 », et une case de 3 ou plus est parfois « masquée » pour qu'on ne puisse pas "
    "retrouver une case « moins de 3 » par soustraction à partir des totaux. Sous 3 déclarations en tout, "
    "aucun détail n'est publié."
)


def read_uses(reader: Reader, first_month: str = "0000-00", last_month: str = "9999-99") -> dict[str, Any]:
    """The declared uses of the months from `first_month` to `last_month` (AAAA-MM, included), protected."""
    if not reader.has("uses"):
        return _empty()
    months = (first_month, last_month)
    rows = reader.rows("SELECT month, slug, departement, participants, recommend, SUM(declarations) FROM uses"
                       " WHERE month >= ? AND month <= ? GROUP BY month, slug, departement, participants, recommend",
                       months)
    publics = reader.rows("SELECT public, SUM(declarations) FROM use_publics WHERE month >= ? AND month <= ?"
                          " GROUP BY public ORDER BY public", months)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_sheet_answer: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    territories = load_territories()
    for month, slug, departement, band, answer, declarations in rows:
        number = int(declarations)
        counts["month"][month] += number
        counts["sheet"][slug] += number
        counts["departement"][departement] += number
        counts["region"][territories.region_of.get(departement, "?")] += number
        counts["band"][band] += number
        by_sheet_answer[slug][answer] += number
    total = sum(counts["month"].values())
    if total == 0:
        return _empty()
    trees = _trees(total, counts, by_sheet_answer)
    return _published(trees, [(public, int(n)) for public, n in publics])


def _empty() -> dict[str, Any]:
    return {"rule": RULE, "total": 0, "detail": True, "by_month": [], "by_sheet": [], "by_region": [],
            "by_departement": [], "participants": {"bands": [], "min": 0, "max": 0}, "publics": []}


def _trees(total: int, counts: dict[str, dict[str, int]],
           by_sheet_answer: dict[str, dict[str, int]]) -> dict[str, Cell]:
    """One tree per breakdown of the total, each protected on its own (they share only the total)."""
    territories = load_territories()
    departements_of: dict[str, list[Cell]] = defaultdict(list)
    for code, number in sorted(counts["departement"].items()):
        departements_of[territories.region_of.get(code, "?")].append(Cell(code, number))
    trees = {
        "month": Cell("total", total, [Cell(m, n) for m, n in sorted(counts["month"].items())]),
        "sheet": Cell("total", total, [
            Cell(slug, n, [Cell(answer, by_sheet_answer[slug].get(answer, 0), zero_listed=True) for answer in RECOMMEND])
            for slug, n in sorted(counts["sheet"].items())]),
        "region": Cell("total", total, [Cell(code, n, departements_of[code])
                                        for code, n in sorted(counts["region"].items())]),
        "band": Cell("total", total, [Cell(band, counts["band"].get(band, 0), zero_listed=True) for band in BANDS]),
    }
    for tree in trees.values():
        protect(tree)
    return trees


def _published(trees: dict[str, Cell], publics: list[tuple[str, int]]) -> dict[str, Any]:
    """The protected trees as JSON-ready lists; nothing inside a withheld detail appears."""
    territories = load_territories()
    audiences = load_vocabulary().terms("audiences")
    total = trees["month"]
    regions, departements = [], []
    if not trees["region"].withheld:
        for region in trees["region"].children:
            entry: dict[str, Any] = {"code": region.key, "name": territories.regions.get(region.key, region.key),
                                     "declarations": region.shown(), "departements": []}
            if not region.withheld:
                entry["departements"] = [{"code": d.key, "name": territories.departements.get(d.key, d.key),
                                          "declarations": d.shown()} for d in region.children]
                departements.extend(entry["departements"])
            regions.append(entry)
    sheets = []
    if not trees["sheet"].withheld:
        for sheet in trees["sheet"].children:
            answers = [] if sheet.withheld else [{"answer": a.key, "label": RECOMMEND[a.key], "declarations": a.shown()}
                                                 for a in sheet.children]
            sheets.append({"slug": sheet.key, "declarations": sheet.shown(), "recommend": answers})
    bands = [] if trees["band"].withheld else [
        {"band": b.key, "label": BANDS[b.key], "declarations": b.shown(), "_cell": b} for b in trees["band"].children]
    low, high = _participants(bands)
    return {
        "rule": RULE,
        "total": total.shown(),
        "detail": not total.withheld,
        "by_month": [] if total.withheld else [{"month": m.key, "declarations": m.shown()} for m in total.children],
        "by_sheet": sheets,
        "by_region": regions,
        "by_departement": sorted(departements, key=lambda d: d["code"]),
        "participants": {"bands": [{k: v for k, v in b.items() if k != "_cell"} for b in bands], "min": low,
                         "max": high},
        "publics": [{"public": public, "label": audiences[public].label if public in audiences else public,
                     "declarations": n if n >= 3 else LESS} for public, n in publics if n > 0],
    }


def _participants(bands: list[dict[str, Any]]) -> tuple[int | None, int | None]:
    """The number of participants as a range, computed from the PUBLISHED bands only (a hidden band counts
    from 0 to 2 declarations, a masked one from 3 upwards), so the range reveals nothing the table hides."""
    if not bands:
        return None, None
    low, high = 0, 0
    unbounded = False
    for band in bands:
        shown, (smallest, largest) = band["declarations"], BAND_RANGES[band["band"]]
        least, most = (shown, shown) if isinstance(shown, int) else (0, 2) if shown == LESS else (3, None)
        assert shown != MASKED or most is None
        low += least * smallest
        if most is None or (largest is None and most > 0):
            unbounded = True
        else:
            high += most * (largest or 0)
    return low, None if unbounded else high
