"""« Les chiffres du commun » and the impact report as values for the templates: headline figures, SVG charts
and the table that follows each of them, from the figures document the counter publishes (plain data: the
site never reads the counter itself)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Mapping

from .charts import Bar, bar_chart, shown_number
from .pages import MONTHS

Trusted = Callable[[str], Any]
TOP_SHEETS = 10
ANSWERS = (("non", "Non"), ("moyennement", "Moyennement"), ("oui", "Oui"), ("beaucoup", "Beaucoup"))
FIGURES_PAGE = "chiffres/index.html"


def month_label(month: str) -> str:
    """'2026-03' -> 'mars 2026'."""
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def _value(shown: int | str) -> int | None:
    return shown if isinstance(shown, int) else None


def _chart(ident: str, title: str, intro: str, bars: list[Bar], columns: list[str], rows: list[list[str]],
           trusted: Trusted) -> dict[str, Any]:
    description = "; ".join(f"{bar.label} : {bar.shown}" for bar in bars) or "aucune donnée"
    return {"id": ident, "title": title, "intro": intro, "svg": trusted(bar_chart(bars, title, description, ident)),
            "columns": columns, "rows": rows}


def figures_context(data: Mapping[str, Any], sheets: Mapping[str, Mapping[str, str]],
                    trusted: Trusted) -> dict[str, Any]:
    """Everything the statistics page (and the report) show. `sheets`: slug -> {title, objective_label}."""
    downloads, uses = data["downloads"], data["uses"]

    def title(slug: str) -> str:
        return sheets.get(slug, {}).get("title") or data.get("titles", {}).get(slug) or f"{slug} (fiche retirée)"

    months = [Bar(month_label(r["month"]), r["downloads"], shown_number(r["downloads"])) for r in downloads["by_month"]]
    per_objective: dict[str, int] = defaultdict(int)
    for row in downloads["by_sheet"]:
        per_objective[sheets.get(row["slug"], {}).get("objective_label") or "Fiches retirées"] += row["downloads"]
    objectives = sorted(per_objective.items(), key=lambda item: (-item[1], item[0]))
    top = downloads["by_sheet"][:TOP_SHEETS]
    declared = {row["slug"]: row["declarations"] for row in uses["by_sheet"]}
    regions = uses["by_region"]
    charts = [
        _chart("mois", "Téléchargements par mois", "Les kits téléchargés chaque mois (un double clic compte une fois).",
               months, ["Mois", "Téléchargements", "Téléchargements uniques"],
               [[month_label(r["month"]), shown_number(r["downloads"]), shown_number(r["unique_downloads"])]
                for r in downloads["by_month"]], trusted),
        _chart("objectifs", "Téléchargements par objectif", "Les téléchargements selon l'objectif des fiches.",
               [Bar(label, n, shown_number(n)) for label, n in objectives], ["Objectif", "Téléchargements"],
               [[label, shown_number(n)] for label, n in objectives], trusted),
        _chart("fiches", "Les fiches les plus téléchargées", f"Les {TOP_SHEETS} fiches les plus téléchargées.",
               [Bar(title(r["slug"]), r["downloads"], shown_number(r["downloads"])) for r in top],
               ["Fiche", "Téléchargements", "Téléchargements uniques", "Animations déclarées"],
               [[title(r["slug"]), shown_number(r["downloads"]), shown_number(r["unique_downloads"]),
                 shown_number(declared.get(r["slug"], 0))] for r in top], trusted),
        _chart("regions", "Animations déclarées par région", "Les animations déclarées selon la région où elles ont eu lieu.",
               [Bar(r["name"], _value(r["declarations"]), shown_number(r["declarations"])) for r in regions],
               ["Région", "Animations déclarées", "Départements"],
               [[r["name"], shown_number(r["declarations"]),
                 ", ".join(f"{d['name']} ({shown_number(d['declarations'])})" for d in r["departements"])
                 or "détail non publié"] for r in regions], trusted),
    ]
    return {
        "period": _period(data["period"]),
        "downloads": downloads["total"], "unique": downloads["unique"],
        "visitors": data["visitors"], "uses": uses,
        "uses_total": shown_number(uses["total"]),
        "participants": participants_text(uses["participants"]),
        "publics": [[row.get("label") or row["public"], shown_number(row["declarations"])] for row in uses["publics"]],
        "charts": charts,
        "recommend": _recommend(uses["by_sheet"], title, trusted),
        "titles": {slug: title(slug) for slug in declared},
    }


def _recommend(by_sheet: list[Mapping[str, Any]], title: Callable[[str], str], trusted: Trusted) -> list[dict[str, Any]]:
    """One small chart per sheet: how many would recommend it, on the four steps."""
    charts = []
    ranked = sorted(by_sheet, key=lambda r: (-(_value(r["declarations"]) or 0), r["slug"]))
    for number, row in enumerate(ranked[:TOP_SHEETS]):
        answers = {a["answer"]: a["declarations"] for a in row["recommend"]}
        if not answers:
            continue
        bars = [Bar(label, _value(answers[key]), shown_number(answers[key])) for key, label in ANSWERS]
        charts.append(_chart(f"recommande-{number}", f"« {title(row['slug'])} » : la recommanderiez-vous ?",
                             f"{shown_number(row['declarations'])} animation(s) déclarée(s).", bars,
                             ["Réponse", "Animations déclarées"], [[b.label, b.shown] for b in bars], trusted))
    return charts


def _period(period: Mapping[str, str | None]) -> str:
    first, last = period.get("first_day"), period.get("last_day")
    if not first:
        return "Aucun téléchargement compté pour l'instant."
    return f"Du {first} au {last}."


def participants_text(participants: Mapping[str, Any]) -> str:
    """The people reached, as an honest range from the published bands (a clause after « N animations »)."""
    low, high = participants.get("min"), participants.get("max")
    if low is None:
        return "dont le nombre de participant·e·s n'est pas publié (trop peu de déclarations)"
    if high is None:
        return f"pour au moins {shown_number(low)} personnes (la tranche « plus de 25 » ou une case masquée n'a pas de borne haute)"
    return f"pour {shown_number(low)} à {shown_number(high)} personnes"


def figures_link(counter_url: str | None, has_figures: bool) -> str | None:
    """Where the menu's « Les chiffres du commun » points: this site's page, the counter's, or nowhere."""
    if has_figures or counter_url == "":
        return "local"
    return f"{counter_url}/chiffres/" if counter_url else None


def declaration_target(counter_url: str | None, slug: str, root: str) -> dict[str, str] | None:
    """How a sheet page lets people declare a use: the form posted to this server, a link to the counter's own
    form page (a site hosted elsewhere: the counter refuses forms sent from another site), or nothing."""
    if counter_url == "":
        return {"form": f"{root}declarer/{slug}"}
    if counter_url:
        return {"link": f"{counter_url}/declarer/{slug}"}
    return None
