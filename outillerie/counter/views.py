"""Terminal views of the counter's figures: a table for a person, CSV for a spreadsheet."""

from __future__ import annotations

from typing import Any


def stats_table(data: dict[str, Any], titles: dict[str, str]) -> str:
    """Download figures as a table a person reads, with the period, the totals and what they cannot say."""
    period = data["period"]
    by = data["by"]
    heading = {"resource-month": "par fiche et par mois", "resource": "par fiche", "month": "par mois", "day": "par jour"}[by]
    if period["first_day"]:
        lines = [f"Téléchargements du {period['first_day']} au {period['last_day']} ({heading})", ""]
    else:
        lines = [f"Aucun téléchargement compté pour l'instant ({heading}).", ""]
    columns = []
    if "resource" in by:
        columns.append("Fiche")
    if by != "resource":
        columns.append({"day": "Jour"}.get(by, "Mois"))
    rows = []
    for row in data["rows"]:
        cells = []
        if "resource" in by:
            title = titles.get(row["slug"], row["slug"])
            cells.append(title if len(title) <= 50 else title[:49] + "…")
        if by != "resource":
            cells.append(row["period"])
        rows.append(cells + [str(row["downloads"]), str(row["unique_downloads"])])
    header = columns + ["Téléchargements", "Uniques"]
    total = ["Total"] + [""] * (len(columns) - 1) + [str(data["totals"]["downloads"]), str(data["totals"]["unique_downloads"])]
    table = [header, *rows, total]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    text_columns = len(columns)

    def render(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < text_columns else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    lines += [render(header), *(render(r) for r in rows), render(total), ""]
    visitors = data.get("visitors")
    lines.append("Un téléchargement est compté une fois par double-clic (30 secondes) ; « uniques » compte au plus "
                 "une fois par visiteur, par fiche et par heure.")
    if visitors:
        lines.append(visitors["note"])
        lines.append(f"Sur cette période : {_visitors(visitors['max_daily'], visitors['sum_daily'])}.")
    return "\n".join(lines)


def _visitors(low: int, high: int) -> str:
    """« entre 3 et 7 visiteurs distincts », or one figure when both bounds agree."""
    if low == high:
        return f"{low} visiteur distinct" if low <= 1 else f"{low} visiteurs distincts"
    return f"entre {low} et {high} visiteurs distincts"


def stats_csv(data: dict[str, Any], titles: dict[str, str]) -> str:
    """Download figures as CSV, one row per line of the report, for a spreadsheet."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["slug", "titre", "periode", "telechargements", "telechargements_uniques"])
    for row in data["rows"]:
        slug = row.get("slug", "")
        writer.writerow([slug, _text_cell(titles.get(slug, "") if slug else ""), row.get("period", ""),
                         row["downloads"], row["unique_downloads"]])
    return buffer.getvalue()


def _text_cell(text: str) -> str:
    """A title a spreadsheet shows as text, never runs as a formula (the rule of publish/catalogue.py's
    `spreadsheet_safe`, which this layer may not import): an apostrophe before a leading = + - @ tab or CR."""
    starts = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
    return "'" + text if text.startswith(starts) else text


def uses_table(uses: dict[str, Any], titles: dict[str, str]) -> str:
    """Declared uses as tables a person reads: total, by month, sheet, région (with its départements), band."""
    lines = [f"Animations déclarées : {uses['total']}", ""]
    if not uses["detail"]:
        lines.append("Aucun détail publié : moins de 3 déclarations en tout.")
    sections = [
        ("Par mois", [(row["month"], row["declarations"]) for row in uses["by_month"]]),
        ("Par fiche", [(titles.get(row["slug"], row["slug"]), row["declarations"]) for row in uses["by_sheet"]]),
        ("Par région et département", [
            item for region in uses["by_region"] for item in
            [(region["name"], region["declarations"])]
            + [(f"  {d['code']} {d['name']}", d["declarations"]) for d in region["departements"]]]),
        ("Participant·e·s par animation", [(row["label"], row["declarations"]) for row in uses["participants"]["bands"]]),
        ("Publics touchés", [(row["label"], row["declarations"]) for row in uses["publics"]]),
    ]
    for heading, rows in sections:
        if not rows:
            continue
        width = max(len(_cut(label)) for label, _ in rows)
        lines += [heading, *(f"  {_cut(label).ljust(width)}  {value}" for label, value in rows), ""]
    low, high = uses["participants"]["min"], uses["participants"]["max"]
    if low is not None:
        lines.append(f"Personnes touchées : {'au moins ' + str(low) if high is None else f'entre {low} et {high}'}.")
    lines.append(uses["rule"])
    return "\n".join(lines)


def uses_csv(uses: dict[str, Any], titles: dict[str, str]) -> str:
    """Declared uses as CSV: one line per published cell (dimension, code, label, declarations)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["dimension", "code", "libelle", "declarations"])
    writer.writerow(["total", "", "", uses["total"]])
    for row in uses["by_month"]:
        writer.writerow(["mois", row["month"], row["month"], row["declarations"]])
    for row in uses["by_sheet"]:
        writer.writerow(["fiche", row["slug"], titles.get(row["slug"], ""), row["declarations"]])
        for answer in row["recommend"]:
            writer.writerow(["recommandation", f"{row['slug']}:{answer['answer']}", answer["label"],
                             answer["declarations"]])
    for region in uses["by_region"]:
        writer.writerow(["region", region["code"], region["name"], region["declarations"]])
    for departement in uses["by_departement"]:
        writer.writerow(["departement", departement["code"], departement["name"], departement["declarations"]])
    for band in uses["participants"]["bands"]:
        writer.writerow(["participants", band["band"], band["label"], band["declarations"]])
    for public in uses["publics"]:
        writer.writerow(["public", public["public"], public["label"], public["declarations"]])
    return buffer.getvalue()


def _cut(label: str) -> str:
    return label if len(label) <= 50 else label[:49] + "…"
