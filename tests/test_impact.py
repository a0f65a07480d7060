"""Declared uses: validation, counting on both stores, small cells suppressed (checked by brute force),
and what `stats --uses`, `stats --figures`, `export --stats` and `stats --report` give a person."""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
import re
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from outillerie.cli import cli
from outillerie.counter.database import Target, open_counter, reading
from outillerie.counter.rules import load_robots
from outillerie.counter.suppression import LESS, MASKED, Cell, protect
from outillerie.counter.uses import DeclarationError, Use, month_of, parse_use
from outillerie.counter.usestats import read_uses

from .conftest import REPO

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
TODAY = date(2026, 3, 15)
GOOD = {"month": ["02"], "departement": ["59"], "participants": ["6-12"], "public": ["habitants", "elus"],
        "recommend": ["oui"]}


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    return tmp_path / "compteur.sqlite3" if request.param == "sqlite" else request.getfixturevalue("pg_url")


def noon() -> datetime:
    return datetime(2026, 3, 15, 12, tzinfo=timezone.utc)


# --- the form's answers -------------------------------------------------------------------------


def test_a_good_declaration_is_read_with_its_most_recent_month() -> None:
    assert parse_use(GOOD, TODAY) == Use("2026-02", "59", "6-12", ("elus", "habitants"), "oui")
    assert month_of(3, TODAY) == "2026-03" and month_of(4, TODAY) == "2025-04"  # never a month to come


@pytest.mark.parametrize("change, message", [
    ({"month": ["13"]}, "« 13 » n'est pas une réponse possible pour le mois de l'animation. Pour corriger : choisissez "
                        "un mois dans la liste."),
    ({"departement": ["20"]}, "« 20 » n'est pas une réponse possible pour le département. Pour corriger : choisissez un "
                              "département dans la liste."),
    ({"participants": ["100"]}, "« 100 » n'est pas une réponse possible pour le nombre de participant·e·s. Pour "
                                "corriger : choisissez 1 à 5, 6 à 12, 13 à 25 ou plus de 25."),
    ({"recommend": ["<script>"]}, "« <script> » n'est pas une réponse possible pour la recommandation. Pour corriger : "
                                  "choisissez Non, Moyennement, Oui ou Beaucoup."),
    ({"public": ["tout-le-monde"]}, "« tout-le-monde » n'est pas une réponse possible pour un public touché. Pour "
                                    "corriger : cochez des publics de la liste."),
    ({"public": []}, "aucun public touché n'est coché. Pour corriger : cochez au moins un public."),
    ({"month": []}, "le mois de l'animation manque. Pour corriger : choisissez une réponse pour le mois de l'animation."),
    ({"recommend": ["oui", "non"]}, "la recommandation est donné plusieurs fois. Pour corriger : choisissez une "
                                    "réponse pour la recommandation."),
    ({"nom": ["Camille"]}, "la déclaration contient un champ inconnu (« nom »). Pour corriger : envoyez le "
                           "formulaire de la page de la fiche, sans l'ajouter."),
])
def test_every_answer_is_checked_against_its_list(change: dict, message: str) -> None:
    with pytest.raises(DeclarationError) as error:
        parse_use({**GOOD, **change}, TODAY)
    assert str(error.value) == message


# --- counting ---------------------------------------------------------------------------------


def test_one_declaration_per_visitor_sheet_and_day_and_never_a_robot(db: Target) -> None:
    use = parse_use(GOOD, TODAY)
    with open_counter(db, clock=noon, robots=load_robots()) as counter:
        assert counter.declare("a", use, client="203.0.113.5", user_agent=FIREFOX) == "counted"
        assert counter.declare("a", use, client="203.0.113.5", user_agent=FIREFOX) == "already"
        assert counter.declare("b", use, client="203.0.113.5", user_agent=FIREFOX) == "counted"
        assert counter.declare("a", use, client="203.0.113.6", user_agent=FIREFOX) == "counted"
        assert counter.declare("a", use, client="203.0.113.7", user_agent="curl/8.5.0") == "robot"
    with reading(db) as reader:
        uses = read_uses(reader)
    assert uses["total"] == 3
    assert uses["by_sheet"][0]["slug"] == "a" and uses["by_sheet"][0]["declarations"] == LESS
    assert uses["by_month"] == [{"month": "2026-02", "declarations": 3}]
    assert uses["by_region"] == [{"code": "32", "name": "Hauts-de-France", "declarations": 3,
                                  "departements": [{"code": "59", "name": "Nord", "declarations": 3}]}]


def declare_many(db: Target, plan: list[tuple[str, str, str]]) -> None:
    """(sheet, département, band) per declaration, each by its own visitor."""
    with open_counter(db, clock=noon, robots=load_robots()) as counter:
        for n, (slug, departement, band) in enumerate(plan):
            use = Use("2026-02", departement, band, ("habitants",), "oui")
            assert counter.declare(slug, use, client=f"198.51.100.{n}", user_agent=FIREFOX) == "counted"


def test_a_small_departement_cannot_be_recovered_from_its_region(db: Target) -> None:
    # Nord 9, Pas-de-Calais 1 (Hauts-de-France 10); Gironde 5 (Nouvelle-Aquitaine).
    declare_many(db, [("a", "59", "1-5")] * 9 + [("a", "62", "1-5")] + [("b", "33", "13-25")] * 5)
    with reading(db) as reader:
        uses = read_uses(reader)
    hauts = next(r for r in uses["by_region"] if r["code"] == "32")
    assert hauts["declarations"] == 10
    assert {d["name"]: d["declarations"] for d in hauts["departements"]} == {"Nord": MASKED, "Pas-de-Calais": LESS}
    assert uses["participants"] == {"bands": [
        {"band": "1-5", "label": "1 à 5", "declarations": 10}, {"band": "6-12", "label": "6 à 12", "declarations": LESS},
        {"band": "13-25", "label": "13 à 25", "declarations": MASKED}, {"band": "26+", "label": "plus de 25",
                                                                        "declarations": LESS}],
        "min": 10 * 1 + 3 * 13, "max": None}  # 6–12 and 26+ are 0: shown, they would be computable, so 13–25 is masked


def test_below_three_declarations_nothing_but_the_total_is_published(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    declare_many(db, [("a", "59", "1-5"), ("b", "75", "26+")])
    with reading(db) as reader:
        uses = read_uses(reader)
    assert uses["total"] == LESS and uses["detail"] is False
    assert uses["by_month"] == uses["by_sheet"] == uses["by_region"] == uses["participants"]["bands"] == []


def feasible(tree: Cell) -> dict[int, set[int]]:
    """Brute force: every value each published hidden cell can take, given all that is published."""
    cells = [c for c in _published(tree)]
    hidden = [c for c in cells if c.state != "shown"]
    # A masked cell is tried only up to 3 above its value: fewer tries can only find fewer possible values, so two
    # values found still prove it cannot be computed (and the true values are always among those tried).
    ranges = [range(0 if c.zero_listed else 1, 3) if c.state == "small" else range(3, c.value + 4) for c in hidden]
    found: dict[int, set[int]] = {id(c): set() for c in hidden}
    for values in itertools.product(*ranges):
        value = {id(c): v for c, v in zip(hidden, values)}
        value.update({id(c): c.value for c in cells if c.state == "shown"})
        if all(value[id(p)] == sum(value[id(c)] for c in p.children) for p in cells if p.children and not p.withheld):
            for cell in hidden:
                found[id(cell)].add(value[id(cell)])
    return found


def _published(node: Cell) -> list[Cell]:
    return [node] + ([] if node.withheld else [c for child in node.children for c in _published(child)])


def test_no_hidden_cell_can_be_computed_from_the_published_ones() -> None:
    """200 random trees (a total, its groups, their parts): every hidden cell keeps at least two possible values."""
    chance = random.Random(12)
    for _ in range(200):
        groups = [Cell(f"g{g}", 0, [Cell(f"g{g}p{p}", chance.choice([1, 1, 2, 3, 4, 6]))
                                    for p in range(chance.randint(1, 3))]) for g in range(chance.randint(1, 4))]
        for group in groups:
            group.value = sum(part.value for part in group.children)
        tree = protect(Cell("total", sum(g.value for g in groups), groups))
        for cell in _published(tree):
            if cell.state == "small":
                assert cell.value < 3
        for values in feasible(tree).values():
            assert len(values) >= 2, tree


# --- what a person gets from the commands -----------------------------------------------------


@pytest.fixture
def history(tmp_path: Path) -> Path:
    db = tmp_path / "compteur.sqlite3"
    declare_many(db, [("cafe-de-la-mediation", "59", "6-12")] * 4 + [("reperer-les-arnaques-en-ligne", "75", "1-5")] * 3)
    with open_counter(db, clock=noon, robots=load_robots()) as counter:
        for n in range(5):
            counter.record("cafe-de-la-mediation", method="GET", status=200, client=f"192.0.2.{n}", user_agent=FIREFOX)
    return db


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["--library", str(REPO), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_stats_uses_as_a_table_csv_and_json(history: Path) -> None:
    table = run("stats", "--uses", "--db", str(history))
    assert table.startswith("Animations déclarées : 7\n")
    assert re.search(r"Hauts-de-France\s+4\n\s+59 Nord\s+4\n", table)
    assert re.search(r"Par fiche\n  Le café de la médiation[^\n]*  4\n", table)
    # The empty bands (13–25, 26+) are « moins de 3 »: shown as 0 they would reveal the two others, now masked
    # (at least 3 each); so the range is 3 × 1 + 3 × 6 and up.
    assert "Personnes touchées : au moins 21." in table
    rows = list(csv.reader(io.StringIO(run("stats", "--uses", "--db", str(history), "--format", "csv"))))
    assert rows[0] == ["dimension", "code", "libelle", "declarations"]
    assert ["region", "11", "Île-de-France", "3"] in rows
    assert ["recommandation", "cafe-de-la-mediation:non", "Non", "masqué"] not in rows
    data = json.loads(run("stats", "--uses", "--db", str(history), "--format", "json"))
    assert data["total"] == 7 and "moins de 3" in data["rule"]


def test_export_with_the_figures_of_a_file_has_the_statistics_page(history: Path, tmp_path: Path) -> None:
    figures = tmp_path / "chiffres.json"
    figures.write_text(run("stats", "--figures", "--db", str(history)), encoding="utf-8")
    run("export", "--output", str(tmp_path / "site"), "--stats", str(figures), "--no-pdf")
    page = (tmp_path / "site" / "chiffres" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Les chiffres du commun</h1>" in page
    assert page.count("<svg") >= 4 and "<script" not in page and "style=" not in page
    assert re.search(r'<th scope="row">Le café de la médiation[^<]*</th><td>5</td>', page)
    sheet = (tmp_path / "site" / "fiches" / "cafe-de-la-mediation" / "index.html").read_text(encoding="utf-8")
    assert "Les chiffres du commun" in sheet and "<form" not in sheet  # a static copy: no counter to post to
    assert "Déclarer une animation demande le serveur du pôle" in sheet
    about = (tmp_path / "site" / "a-propos" / "index.html").read_text(encoding="utf-8")
    for name in ("downloads", "visitors", "uses", "use_publics", "salts", "clicks", "hours", "day_visitors", "declared"):
        assert f"Table « {name} »" in about


def test_an_export_refuses_a_file_that_is_not_figures(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"rows": []}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--library", str(REPO), "export", "--output", str(tmp_path / "s"), "--no-pdf",
                                      "--stats", str(tmp_path / "x.json")])
    assert result.exit_code == 1
    assert f"{tmp_path / 'x.json'} : ce n'est pas un fichier de chiffres d'outillerie" in result.output


def test_the_impact_report_as_html_and_as_an_a4_pdf(history: Path, tmp_path: Path) -> None:
    html = tmp_path / "rapport-2026.html"
    assert run("stats", "--report", "2026", "--output", str(html), "--db", str(history)).startswith(
        f"Rapport d'impact 2026 écrit dans {html}")
    text = html.read_text(encoding="utf-8")
    assert "<h1>Rapport d'impact 2026</h1>" in text and "au moins 21 personnes" in text
    pdf = tmp_path / "rapport-2026.pdf"
    run("stats", "--report", "2026", "--output", str(pdf), "--db", str(history))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    words = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Rapport d'impact 2026" in words and "Hauts-de-France" in words and "Le café de la médiation" in words
