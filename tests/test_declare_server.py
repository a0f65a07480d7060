"""« J'ai animé cet atelier » and « Les chiffres du commun » on the real server, with real HTTP clients."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
import requests

from outillerie.counter.database import reading
from outillerie.counter.usestats import read_uses

from .conftest import REPO
from .test_server import EXE, Server, browser, site, start_server  # noqa: F401  (site: the exported commons)

FORM = {"month": "02", "departement": "59", "participants": "6-12", "public": ["habitants", "elus"],
        "recommend": "beaucoup"}


@pytest.fixture
def server(site: Path, tmp_path: Path) -> Iterator[Server]:
    running = start_server(site, tmp_path / "compteur.sqlite3", tmp_path / "serveur.log")
    yield running
    running.stop()


def declare(server: Server, form: dict | None = None, **headers: str | None) -> requests.Response:
    url = f"{server.url}/declarer/cafe-de-la-mediation"
    sent = {**browser(), "Origin": server.url, "Sec-Fetch-Site": "same-origin", **headers}
    return requests.post(url, data=form or FORM, headers={k: v for k, v in sent.items() if v is not None}, timeout=10)


def readable(page: str) -> str:
    """A page's text as read: entities decoded, French thin and non-breaking spaces as spaces."""
    return html.unescape(page).replace("\u202f", " ").replace("\u00a0", " ")


def total_uses(db: Path) -> object:
    with reading(db) as reader:
        return read_uses(reader)["total"]


def test_a_declaration_without_javascript_is_thanked_by_a_page(server: Server) -> None:
    form = requests.get(f"{server.url}/declarer/cafe-de-la-mediation", headers=browser())
    assert form.status_code == 200 and '<form class="formulaire-declaration" method="post"' in form.text
    assert "form-action 'self'" in form.headers["Content-Security-Policy"]
    answer = declare(server)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/html")
    assert "<h1>Merci !</h1>" in readable(answer.text) and "Votre animation est comptée" in answer.text
    again = declare(server, Accept="application/json")
    assert again.json() == {"ok": True, "counted": False, "message": (
        "Votre animation de cette fiche est déjà comptée aujourd'hui : une seule déclaration par fiche et par jour "
        "est gardée.")}
    other = declare(server, **{"User-Agent": browser(77)["User-Agent"], "Accept": "application/json"})
    assert other.json()["counted"] is True
    assert total_uses(server.db) == "moins de 3"  # two declarations: nothing but « moins de 3 » is published


@pytest.mark.parametrize("form, headers, status, words", [
    ({**FORM, "departement": "99"}, {}, 400, "« 99 » n'est pas une réponse possible pour le département"),
    ({**FORM, "commentaire": "Camille, 06 12 34 56 78"}, {}, 400, "la déclaration contient un champ inconnu"),
    (FORM, {"Origin": "https://ailleurs.example", "Sec-Fetch-Site": None}, 403, "Cette déclaration vient d'un autre site"),
    (FORM, {"Origin": "null", "Sec-Fetch-Site": "cross-site"}, 403, "Cette déclaration vient d'un autre site"),
    (FORM, {"Origin": "https://ailleurs.example", "Sec-Fetch-Site": "same-site"}, 403, "vient d'un autre site"),
    (FORM, {"Sec-Fetch-Site": "cross-site"}, 403, "Cette déclaration vient d'un autre site"),
    ({**FORM, "public": ["habitants"] * 400}, {}, 413, "La déclaration dépasse 4096 octets"),
    (FORM, {"User-Agent": "python-requests/2.32"}, 403, "les robots ne peuvent pas déclarer"),
])
def test_a_refused_declaration_says_why_in_french_and_stores_nothing(
        server: Server, form: dict, headers: dict, status: int, words: str) -> None:
    answer = declare(server, form, **headers)
    assert answer.status_code == status
    assert words in readable(answer.text)
    as_json = declare(server, form, Accept="application/json", **headers)
    assert as_json.status_code == status and words in as_json.json()["message"]
    assert total_uses(server.db) == 0


def test_the_public_figures_are_served_live_as_a_page_and_as_json(server: Server) -> None:
    for n in range(3):
        requests.get(f"{server.url}/telecharger/cafe-de-la-mediation", headers=browser(n))
        declare(server, **{"User-Agent": browser(200 + n)["User-Agent"]})
    stats = requests.get(f"{server.url}/api/stats.json").json()
    assert stats["uses"]["total"] == 3 and stats["uses"]["by_month"][0]["declarations"] == 3
    figures = requests.get(f"{server.url}/api/chiffres.json").json()
    assert figures["format"] == "outillerie-chiffres/1" and figures["downloads"]["total"] == 3
    page = requests.get(f"{server.url}/chiffres/", headers=browser())
    assert page.status_code == 200 and "<h1>Les chiffres du commun</h1>" in page.text
    assert page.text.count("<svg") >= 4 and "<script" not in page.text
    assert re.search(r'<th scope="row">Hauts-de-France</th><td>3</td>', page.text)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_serve_keeps_the_counter_in_postgresql_and_makes_no_folder(site: Path, tmp_path: Path, pg_url: str) -> None:
    process = subprocess.Popen([EXE, "serve", "--site", str(site), "--db", pg_url, "--port", "0"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        while "outillerie sert" not in line and line:
            line = process.stdout.readline() if process.stdout else ""
        url = re.search(r"(http://\S+)/", line).group(1)
        assert requests.get(f"{url}/telecharger/cafe-de-la-mediation", headers=browser()).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=15)
        if process.stdout:
            process.stdout.close()
    assert os.listdir(tmp_path) == []  # no « postgresql: » folder any more
    table = subprocess.run([EXE, "--library", str(REPO), "stats", "--db", pg_url, "--by", "month"],
                           capture_output=True, text=True, check=True).stdout
    assert re.search(r"Total\s+1\s+1", table)


def test_a_bad_postgresql_address_is_a_french_message_without_its_password(tmp_path: Path) -> None:
    result = subprocess.run([EXE, "stats", "--db", "postgresql://camille:secret@127.0.0.1:1/rien"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1 and "secret" not in result.stderr
    assert result.stderr.startswith("Erreur : postgresql://camille:***@127.0.0.1:1/rien : connexion impossible à la "
                                    "base du compteur (")
    assert "Pour corriger : vérifiez l'adresse --db" in result.stderr
    assert json.loads(json.dumps(os.listdir(tmp_path))) == []
