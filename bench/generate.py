"""Generate a library of realistic French workshop sheets for benchmarks (deterministic with --seed).

Every sheet passes `outillerie check`: valid front matter, the conventional outline, timed steps
whose sum matches `duration`, 400 to 800 words with inclusive writing and elisions.

    python bench/generate.py OUT_DIR --count 1000 [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

VOCABULARY = json.loads((Path(__file__).resolve().parent.parent / "outillerie" / "data" / "vocabulary.json")
                        .read_text(encoding="utf-8"))
OBJECTIVES = list(VOCABULARY["objectives"])
AUDIENCES = list(VOCABULARY["audiences"])
THEMES = list(VOCABULARY["themes"])
LEVELS = list(VOCABULARY["levels"])
LICENSES = ["CC-BY-SA-4.0", "CC-BY-4.0", "CC0-1.0", "etalab-2.0"]

ACTIONS = ["Animer", "Découvrir", "Construire", "Comprendre", "Partager", "Cartographier", "Accompagner", "Organiser",
           "Sensibiliser à", "Explorer", "Co-construire", "Préparer", "Lancer", "Évaluer", "Faire vivre"]
TOPICS = ["la médiation numérique", "les démarches en ligne", "l'identité numérique", "les données personnelles",
          "un réseau local d'aidant·e·s", "la sobriété numérique", "l'accessibilité des services", "les usages du smartphone",
          "la cybersécurité au quotidien", "l'intelligence artificielle générative", "les communs numériques",
          "un diagnostic territorial", "la parentalité numérique", "l'information et les fausses nouvelles",
          "l'accès aux droits", "un tiers-lieu numérique", "le réemploi des ordinateurs", "la visioconférence",
          "la messagerie électronique", "les réseaux sociaux", "un projet collectif d'habitant·e·s"]
CONTEXTS = ["avec les élu·e·s", "entre médiateur·rice·s", "au guichet", "en bibliothèque", "avec les habitant·e·s",
            "pour les travailleur·euse·s sociaux·ales", "en France Services", "au centre social", "en itinérance",
            "avec des bénévoles", "en entreprise d'insertion", "à l'école", "en mairie", "sur le territoire"]
SUBJECTS = ["Les participant·e·s", "Le groupe", "L'animateur·rice", "Chaque binôme", "Les conseiller·e·s numériques",
            "Les usager·ère·s", "Les agent·e·s d'accueil", "Les élu·e·s", "Chacun·e", "L'équipe"]
PLURAL_SUBJECTS = {subject for subject in SUBJECTS if subject.startswith("Les ")}
VERBS = ["identifient", "comparent", "listent", "discutent", "échangent sur", "préparent", "testent", "présentent",
         "analysent", "reformulent", "cartographient", "classent", "imaginent", "partagent", "évaluent"]
OBJECTS = ["les freins à l'usage du numérique", "les besoins d'accompagnement", "les ressources locales",
           "les situations vécues au guichet", "les partenaires de l'inclusion numérique", "les outils d'orientation",
           "les démarches administratives en ligne", "les risques d'arnaque", "les bonnes pratiques de sécurité",
           "l'empreinte environnementale des équipements", "les règles de confidentialité", "les pistes d'action",
           "les compétences numériques de base", "les services publics dématérialisés", "les lieux de médiation",
           "les dispositifs d'aide", "les priorités du territoire", "l'autonomie des personnes accompagnées"]
CLOSINGS = ["en s'appuyant sur des exemples concrets", "à partir de cartes situations", "au paperboard",
            "en petits groupes", "avant une mise en commun", "sans jargon technique", "avec bienveillance",
            "pour préparer la suite", "qu'on garde d'une séance à l'autre", "jusqu'à l'accord du groupe",
            "d'après l'expérience de chacun·e", "aujourd'hui comme demain"]
LINKS = ["Ensuite", "Puis", "Pour commencer", "Pendant ce temps", "À la fin", "Au besoin", "Si le temps le permet",
         "En parallèle", "D'abord", "Enfin"]
STEP_TITLES = ["Accueil et brise-glace", "Tour de table", "Mise en situation", "Travail en sous-groupes",
               "Mise en commun", "Jeu de cartes", "Étude de cas", "Démonstration", "Débat mouvant", "Plan d'action",
               "Bilan et évaluation", "Atelier pratique", "Cartographie collective", "Photolangage"]
MATERIALS = ["Paperboard", "Post-it", "Feutres", "Vidéoprojecteur", "Ordinateurs portables", "Cartes situations",
             "Tablettes", "Minuteur", "Connexion wifi", "Fiches imprimées"]
TAGS = ["atelier", "france services", "aidants connect", "smartphone", "rgpd", "jeu", "posture", "orientation",
        "partenariats", "illectronisme", "cybersécurité", "sobriété", "accessibilité", "citoyenneté", "réemploi"]
NAMES = ["Collectif outillerie", "Hub du Sud-Ouest", "Tiers-lieu La Fabrique", "Réseau des aidant·e·s", "Centre social"]


def _corpus() -> list[str]:
    """Plain sentences of the shipped commons: real vocabulary, inclusive writing and elisions."""
    found: list[str] = []
    for path in sorted((Path(__file__).resolve().parent.parent / "resources").glob("*/index.md")):
        body = path.read_text(encoding="utf-8").split("\n---", 2)[-1]
        for line in body.split("\n"):
            line = line.strip().lstrip("-* ").strip()
            if not line or line.startswith(("#", "|", ">", "!")) or "](" in line or "http" in line or "*" in line:
                continue
            for piece in re.split(r"(?<=[.!?])\s+(?=[A-ZÀÉÈ])", line):
                if 6 <= len(piece.split()) <= 40 and piece.endswith((".", "!", "?")):
                    found.append(piece)
    return found


CORPUS = _corpus()


def sentence(rng: random.Random) -> str:
    if CORPUS and rng.random() < 0.5:
        return rng.choice(CORPUS)
    subject, verb = rng.choice(SUBJECTS), rng.choice(VERBS)
    if subject not in PLURAL_SUBJECTS:
        verb = re.sub(r"ent\b", "e", verb, count=1)
    return f"{subject} {verb} {rng.choice(OBJECTS)} {rng.choice(CLOSINGS)}."


def paragraph(rng: random.Random, sentences: int) -> str:
    parts = [sentence(rng)]
    for _ in range(sentences - 1):
        text = sentence(rng)
        parts.append(f"{rng.choice(LINKS)}, {text[0].lower()}{text[1:]}" if rng.random() < 0.4 else text)
    return " ".join(parts)


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def sheet(rng: random.Random, number: int, titles: set[str]) -> tuple[str, str]:
    """The slug and the text of one sheet."""
    title = f"{rng.choice(ACTIONS)} {rng.choice(TOPICS)} {rng.choice(CONTEXTS)}"
    if title in titles:
        title = f"{title} (variante {number})"
    titles.add(title)
    slug = f"atelier-{number:05d}"
    steps = rng.randint(3, 6)
    minutes = [rng.choice([10, 15, 20, 25, 30, 45]) for _ in range(steps)]
    target = rng.randint(410, 740)
    body_parts = ["## Objectifs", "", paragraph(rng, 3), "", "## Matériel et préparation", "", paragraph(rng, 3), "",
                  "## Déroulé", ""]
    for index, length in enumerate(minutes):
        body_parts += [f"### {rng.choice(STEP_TITLES)} ({length} min)", "", paragraph(rng, 3), ""]
    body_parts += ["## Variantes", "", paragraph(rng, 2), "", "## Pour aller plus loin", ""]
    body = "\n".join(body_parts)
    while words(body) < target:
        body += "\n" + paragraph(rng, 2) + "\n"
    public = rng.sample(AUDIENCES, rng.randint(1, 3))
    themes = rng.sample(THEMES, rng.randint(1, 3))
    front = {
        "title": title,
        "summary": f"Un atelier pour {rng.choice(OBJECTS)} {rng.choice(CONTEXTS)}, {rng.choice(CLOSINGS)}.",
        "objective": rng.choice(OBJECTIVES),
        "public": public,
        "duration": sum(minutes),
        "license": rng.choice(LICENSES),
        "authors": [rng.choice(NAMES)],
        "participants": f"{rng.randint(3, 8)}-{rng.randint(10, 25)}",
        "level": rng.choice(LEVELS),
        "themes": themes,
        "tags": rng.sample(TAGS, rng.randint(1, 4)),
        "materials": rng.sample(MATERIALS, rng.randint(1, 4)),
        "status": "publiee",
        "created": "2026-01-15",
    }
    lines = ["---"] + [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()] + ["---", ""]
    return slug, "\n".join(lines) + body.rstrip() + "\n"


def generate(out: Path, count: int, seed: int) -> None:
    """Write `count` sheets into OUT/resources (the same bytes for the same seed and count)."""
    rng = random.Random(seed)
    titles: set[str] = set()
    resources = out / "resources"
    resources.mkdir(parents=True, exist_ok=True)
    for number in range(1, count + 1):
        slug, text = sheet(rng, number, titles)
        folder = resources / slug
        folder.mkdir(exist_ok=True)
        (folder / "index.md").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Génère une bibliothèque de fiches ateliers réalistes.")
    parser.add_argument("out", type=Path, help="dossier de la bibliothèque à créer (resources/ y sera écrit)")
    parser.add_argument("--count", type=int, default=1000, help="nombre de fiches (1000 par défaut)")
    parser.add_argument("--seed", type=int, default=7, help="graine du hasard (7 par défaut)")
    args = parser.parse_args(argv)
    generate(args.out, args.count, args.seed)
    print(f"{args.count} fiches écrites dans {args.out / 'resources'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
