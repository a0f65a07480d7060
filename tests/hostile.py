"""Hostile sheets: the broken, careless or malicious contributions a commons receives, each one written into a
library beside five valid sheets. `tests/test_hostile.py` runs every command on them.

A `Kind` writes one sheet folder (or one entry of `resources/`) and says what `check` must answer: an error
naming the sheet, a warning only (the sheet stays published), nothing (a strange but valid sheet), or a warning
about `resources/` itself. Kinds marked `alone` are heavy (megabyte lines) and get a library of their own.
"""

from __future__ import annotations

import os
import random
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

VALID_SLUGS = tuple(f"valide-{number}" for number in range(1, 6))
Writer = Callable[[Path, Path], None]  # (resources/, the kind's folder in it) -> None

BODY = """
## Objectifs

- Repérer ce qui freine la médiation numérique.

## Matériel et préparation

Des feuilles et des feutres.

## Déroulé

### Accueil (10 min)

Tour de table.

### Activité (40 min)

Travail en petits groupes sur la médiation numérique.

### Bilan (10 min)

Ce que chacun retient.

## Variantes

En ligne, avec un tableau partagé.

## Pour aller plus loin

Les ressources du commun.
"""


def sheet_text(title: str, extra: str = "", body: str = BODY, created: str = "") -> str:
    """A valid sheet (`extra`: more front-matter lines, each ending with a newline)."""
    dated = f"created: {created}\n" if created else ""
    return (f'---\ntitle: "{title}"\nsummary: "Une fiche pour éprouver outillerie."\nobjective: sensibiliser\n'
            f"public: [mediateurs-numeriques]\nduration: 60\nlicense: CC-BY-SA-4.0\nauthors: [\"Collectif outillerie\"]\n"
            f"level: debutant\n{dated}{extra}---\n{body}")


def write_valid(resources: Path) -> None:
    """The five valid sheets every library holds; dated, so that a later copy of a title loses it."""
    for number, slug in enumerate(VALID_SLUGS, 1):
        (resources / slug).mkdir(parents=True)
        text = sheet_text(f"Atelier éprouvé {number}", created=f"2026-01-0{number}")
        (resources / slug / "index.md").write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class Kind:
    """One hostile contribution and what `check` must say about it."""

    name: str
    write: Writer
    expect: str  # "error", "warning", "valid" or "library"
    said: str = ""  # a fragment check prints about it
    alone: bool = False
    folder: str = ""  # the folder in resources/ when not "h-<name>" (str: undecodable bytes as surrogates)
    shown: str = ""  # the path check prints when not resources/<folder>/index.md

    @property
    def folder_name(self) -> str:
        return self.folder or f"h-{self.name}"

    @property
    def shown_path(self) -> str:
        return self.shown or f"resources/{self.folder_name}/index.md"

    @property
    def published(self) -> bool:
        """A sheet that must be in the index, the search and the site."""
        return self.expect in ("valid", "warning")


def _title(folder: Path) -> str:
    """A title of its own for each kind (a folder's odd characters left out)."""
    return "Fiche hostile " + "".join(char if char.isalnum() or char in "-." else "-" for char in folder.name)


def _index(folder: Path, data: str | bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.md"
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)


def front(extra: str) -> Writer:
    """A valid sheet with more front-matter lines."""
    return lambda resources, folder: _index(folder, sheet_text(_title(folder), extra))


def replaced(old: str, new: str) -> Writer:
    """A valid sheet with one piece of its text replaced."""
    def write(resources: Path, folder: Path) -> None:
        text = sheet_text(_title(folder))
        assert old in text, old
        _index(folder, text.replace(old, new, 1))
    return write


def body(text: str) -> Writer:
    """A valid front matter over another body."""
    return lambda resources, folder: _index(folder, sheet_text(_title(folder), body=text))


def raw(data: bytes) -> Writer:
    return lambda resources, folder: _index(folder, data)


def encoded(transform: Callable[[str], bytes]) -> Writer:
    """A valid sheet's text, written with another encoding or other line ends."""
    return lambda resources, folder: _index(folder, transform(sheet_text(_title(folder))))


def with_support(name: str, data: bytes | str = b"contenu", sheet: Writer | None = None) -> Writer:
    """A valid sheet and one support file (a str: a symbolic link to that target)."""
    def write(resources: Path, folder: Path) -> None:
        (sheet or front(""))(resources, folder)
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            os.symlink(data, path)
        else:
            path.write_bytes(data)
    return write


def special(how: str) -> Writer:
    """index.md as something that is not a regular file."""
    def write(resources: Path, folder: Path) -> None:
        folder.mkdir(parents=True)
        path = folder / "index.md"
        if how == "fifo":
            os.mkfifo(path)
        elif how == "folder":
            path.mkdir()
        elif how == "socket":
            with socket.socket(socket.AF_UNIX) as server:
                try:
                    server.bind(str(path))
                except OSError:  # a path longer than a socket's address: a FIFO tells the same story
                    os.mkfifo(path)
        else:
            os.symlink(how, path)
    return write


def in_resources(kind: str) -> Writer:
    """An entry of resources/ that is no sheet folder."""
    def write(resources: Path, folder: Path) -> None:
        if kind == "file":
            folder.write_text("notes\n", encoding="utf-8")
        elif kind == "hidden":
            folder.mkdir()
            (folder / "index.md").write_text(sheet_text("Fiche cachée"), encoding="utf-8")
        elif kind == "fifo":
            os.mkfifo(folder)
        else:
            os.symlink(folder.name, folder)
    return write


def laughs(key: str) -> str:
    """A « billion laughs »: nine levels of nine aliases, in `key`."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 9)]
    return "\n".join(lines) + f"\n{key}: [{', '.join(['*l8'] * 9)}]\n"


def nested(opening: str, closing: str, depth: int) -> str:
    return opening * depth + closing * depth


def random_bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _two_link_loop(resources: Path, folder: Path) -> None:
    folder.mkdir()
    os.symlink("b.md", folder / "index.md")
    os.symlink("index.md", folder / "b.md")


def _outside_link(resources: Path, folder: Path) -> None:
    outside = resources.parent / "dehors.md"
    outside.write_text(sheet_text("Fiche du dehors"), encoding="utf-8")
    folder.mkdir()
    os.symlink(outside, folder / "index.md")


def _folder_link(resources: Path, folder: Path) -> None:
    os.symlink(VALID_SLUGS[2], folder)


def _many_supports(resources: Path, folder: Path) -> None:
    front("")(resources, folder)
    for number in range(300):
        (folder / f"carte-{number}.md").write_text("# Carte\n", encoding="utf-8")


def _deep_supports(resources: Path, folder: Path) -> None:
    front("")(resources, folder)
    deep = folder.joinpath(*["d"] * 10)
    deep.mkdir(parents=True)
    (deep / "carte.md").write_text("# Carte\n", encoding="utf-8")


def _support_fifo(resources: Path, folder: Path) -> None:
    front("")(resources, folder)
    os.mkfifo(folder / "cartes.md")


def _fake_pdf(resources: Path, folder: Path) -> None:
    with_support("Fiche.PDF", b"%PDF-1.4\n%%EOF\n")(resources, folder)


LONG_LINE = 1_000_000 - 2000  # under the 1 MB limit with the front matter


def kinds() -> list[Kind]:
    """Every hostile kind (more than a hundred)."""
    e, w, v = "error", "warning", "valid"
    found = [
        # --- YAML: aliases, anchors, merge keys, tags, duplicates, structure ---------------------------------
        Kind("laughs-participants", front(laughs("participants")), e, "ancre YAML"),
        Kind("laughs-created", front(laughs("created")), e, "ancre YAML"),
        Kind("alias-undefined", front("tags: *rien\n"), e, "alias YAML"),
        Kind("alias-title", replaced('title: "', 'title: &t "'), e, "ancre YAML"),
        Kind("merge-key", front("<<: {level: avance}\n"), e, "« << »"),
        Kind("merge-nested", front("participants: {<<: {min: 1}, max: 5}\n"), e, "« << »"),
        Kind("duplicate-title", front('title: "Un autre titre"\n'), e, "apparaît deux fois, lignes 2 et 10"),
        Kind("duplicate-nested", front("participants: {min: 2, min: 3, max: 9}\n"), e, "apparaît deux fois"),
        Kind("tag-python", front("tags: !!python/object/apply:os.system [\"echo pwned\"]\n"), e, "étiquette YAML"),
        Kind("tag-binary", front("tags: !!binary aGVsbG8=\n"), e, "étiquette YAML"),
        Kind("tag-custom", front("tags: !maison [a]\n"), e, "étiquette YAML"),
        Kind("indent", replaced("level: debutant", "  level: debutant"), e, "ligne décalée"),
        Kind("unclosed-list", replaced("public: [mediateurs-numeriques]", "public: [mediateurs-numeriques"), e,
             "crochet"),
        Kind("unclosed-quote", replaced('outillerie."', "outillerie."), e, "guillemet"),
        Kind("tab-indent", front("tags:\n\t- a\n"), e, "erreur de syntaxe YAML"),
        Kind("two-documents", front("...\nlevel: avance\n"), e, "plusieurs documents"),
        Kind("empty-front", raw("---\n---\n\n## Objectifs\n".encode()), e, "l'en-tête YAML est vide"),
        Kind("front-only", lambda r, f: _index(f, sheet_text(_title(f), body="")), w, "il manque"),
        Kind("front-list", raw(b"---\n- a\n- b\n---\n"), e, "liste de clés"),
        Kind("front-scalar", raw(b"---\njuste du texte\n---\n"), e, "liste de clés"),
        Kind("ten-thousand-keys", front("".join(f"cle{n}: {n}\n" for n in range(10_000))), e, "plus de 50 clés"),
        Kind("ten-thousand-values", front(f"participants: {{{', '.join(f'k{n}: {n}' for n in range(5000))}}}\n"), e,
             "valeurs"),
        Kind("sixty-keys", front("".join(f"cle{n}: {n}\n" for n in range(60))), e, "plus de 50 clés"),
        Kind("thirty-unknown-keys", front("".join(f"cle{n}: {n}\n" for n in range(30))), w, "inconnue"),
        Kind("deep-flow-list", front(f"tags: {nested('[', ']', 10_000)}\n"), e, "imbriquées"),
        Kind("deep-flow-map", front(f"tags: {nested('{a: ', '}', 5_000)}\n"), e, "imbriquées"),
        Kind("deep-block", front("tags:\n" + "".join("  " * n + "- \n" for n in range(1, 40)) + "\n"), e, ""),
        Kind("ten-thousand-tags", front(f"tags: [{', '.join(['mot'] * 10_000)}]\n"), e, "valeurs"),
        Kind("hundred-fifty-tags", front(f"tags: [{', '.join(f'mot{n}' for n in range(150))}]\n"), e,
             "limite de 100"),
        Kind("complex-key", front("? [a, b]\n: valeur\n"), e, "autre chose qu’un nom"),
        Kind("bool-key", front("no: oui\n"), e, "booléen"),
        Kind("number-title", replaced('title: "Fiche hostile h-number-title"', "title: 12345"), e, "un nombre"),
        Kind("blank-title", replaced('title: "Fiche hostile h-blank-title"', 'title: "   "'), e, "« title » manque"),
        # --- text fields: size and control characters -----------------------------------------------------------
        Kind("huge-title", replaced('title: "', 'title: "' + "Titre " * 20_000), e, "limite de 200"),
        Kind("huge-summary", replaced('summary: "', 'summary: "' + "long " * 180_000), e, "limite de 1000"),
        Kind("huge-objective", replaced("objective: sensibiliser", "objective: " + "a" * 100_000), e, "objective"),
        Kind("huge-license", replaced("license: CC-BY-SA-4.0", "license: " + "CC" * 50_000), e, "license"),
        Kind("huge-tag", front(f"tags: [\"{'m' * 5000}\"]\n"), e, "limite de 300"),
        Kind("title-esc", replaced('title: "', 'title: "\\e]0;pwned\\a'), e, "U+001B (ESC)"),
        Kind("title-nul", replaced('title: "', 'title: "\\0'), e, "U+0000 (NUL)"),
        Kind("title-bel", replaced('title: "', 'title: "\\a'), e, "U+0007 (BEL)"),
        Kind("title-backspace", replaced('title: "', 'title: "\\b\\b\\b'), e, "U+0008 (BS)"),
        Kind("summary-rlo", replaced('summary: "', 'summary: "\\u202e'), e, "U+202E"),
        Kind("summary-lri", replaced('summary: "', 'summary: "\\u2066'), e, "U+2066"),
        Kind("author-osc8", replaced('authors: ["', 'authors: ["\\e]8;;https://exemple.fr\\e\\\\'), e, "U+001B"),
        Kind("tag-c1-csi", front('tags: ["\\x9b31m"]\n'), e, "U+009B"),
        Kind("material-del", front('materials: ["\\x7f"]\n'), e, "U+007F (DEL)"),
        Kind("title-surrogate", replaced('title: "', 'title: "\\ud800'), e, ""),
        Kind("title-line-separator", replaced('title: "', 'title: "\\u2028'), e, "U+2028"),
        Kind("raw-esc-front", replaced('summary: "', 'summary: "\x1b[31m'), e, "U+001B (ESC)"),
        Kind("raw-nul-front", replaced('summary: "', 'summary: "\x00'), e, "U+0000 (NUL)"),
        Kind("raw-rlo-front", replaced('summary: "', 'summary: "\u202e'), e, "U+202E"),
        Kind("raw-line-separator-front", replaced('summary: "', 'summary: "\u2028'), e, "U+2028"),
        Kind("raw-nel-front", replaced('summary: "', 'summary: "\x85'), e, "U+0085"),
        Kind("key-with-esc", front('"cl\\e[31mé": valeur\n'), w, "\\x1b[31m"),
        Kind("level-esc", replaced("level: debutant", 'level: "debu\\etant"'), e, "U+001B"),
        Kind("weird-unicode-title", replaced('title: "', 'title: "🧩 مرحبا e\u0301 ZWJ\u200d '), v, ""),
        Kind("nfd-title", replaced('title: "Fiche hostile h-nfd-title"', 'title: "Me\u0301diation ete\u0301"'), v, ""),
        # --- numbers -------------------------------------------------------------------------------------------
        Kind("duration-2-31", replaced("duration: 60", "duration: 2147483648"), e, "dépasse 5 jours"),
        Kind("duration-10-30", replaced("duration: 60", "duration: 1000000000000000000000000000000"), e,
             "chiffres"),
        Kind("duration-hours", replaced("duration: 60", 'duration: "50000000 h"'), e, "dépasse 5 jours"),
        Kind("duration-negative", replaced("duration: 60", "duration: -5"), e, "positive"),
        Kind("duration-float", replaced("duration: 60", "duration: 1e308"), e, "duration"),
        Kind("duration-inf", replaced("duration: 60", "duration: .inf"), e, "duration"),
        Kind("duration-nan", replaced("duration: 60", "duration: .nan"), e, "duration"),
        Kind("duration-5000-digits", replaced("duration: 60", "duration: " + "9" * 5000), e, "chiffres"),
        Kind("duration-digits-text", replaced("duration: 60", f'duration: "{"9" * 5000}"'), e, "duration"),
        Kind("duration-base-60", replaced("duration: 60", "duration: " + ":".join(["1"] * 1000)), e, ""),
        Kind("duration-six-days", replaced("duration: 60", 'duration: "6 jours"'), e, "duration"),
        Kind("duration-many-steps", body(BODY.replace("(10 min)", "(99999999999 min)")), w, "durée"),
        Kind("participants-2-31", front("participants: 2147483648\n"), e, "limite de 1000"),
        Kind("participants-range", front('participants: "1-99999999999"\n'), e, "participants"),
        Kind("participants-map", front("participants: {min: 5, max: 100000000000000000000}\n"), e, "limite de 1000"),
        Kind("participants-laughs", front('participants: "' + "6-" * 100_000 + '20"\n'), e, "participants"),
        Kind("created-impossible", front("created: 2026-02-30\n"), e, "created"),
        Kind("created-year-99999", front("created: 99999-01-01\n"), e, "created"),
        Kind("created-list", front(f"created: [{', '.join(['2026-01-01'] * 500)}]\n"), e, "created"),
        # --- files -----------------------------------------------------------------------------------------------
        Kind("not-utf8", raw(sheet_text("Fiche hostile latin-1").encode("latin-1")), e, "UTF-8"),
        Kind("binary", raw(random_bytes(50_000, 9)), e, ""),
        Kind("binary-after-front", lambda r, f: _index(f, sheet_text(_title(f), body="").encode() + random_bytes(5000, 3)),
             e, "UTF-8"),
        Kind("utf16", encoded(lambda text: text.encode("utf-16")), e, "UTF-8"),
        Kind("utf8-bom", encoded(lambda text: b"\xef\xbb\xbf" + text.encode()), v, ""),
        Kind("crlf", encoded(lambda text: text.replace("\n", "\r\n").encode()), v, ""),
        Kind("lone-cr", encoded(lambda text: text.replace("\n", "\r").encode()), v, ""),
        Kind("mixed-line-ends", encoded(lambda text: text.replace("\n", "\r\n", 5).encode()), v, ""),
        Kind("empty-file", raw(b""), e, "vide"),
        Kind("blank-file", raw(b" \n\n\t\n"), e, "vide"),
        Kind("no-front-matter", raw("# Une fiche sans en-tête\n\nDu texte.\n".encode()), e, "pas d'en-tête"),
        Kind("unclosed-front", raw(b"---\ntitle: x\n"), e, "pas fermé"),
        Kind("two-megabytes", raw(sheet_text("Fiche lourde").encode() + b"x" * 2_000_000), e, "limite de 1 Mo"),
        Kind("nul-in-body", body(BODY + "\x00\x00\x00\n"), e, "U+0000 (NUL)"),
        Kind("esc-in-body", body(BODY + "\x1b]0;titre du terminal\x07\n"), e, "U+001B (ESC)"),
        Kind("rlo-in-body", body(BODY + "admin\u202e gnp.exe\n"), e, "U+202E"),
        Kind("form-feed-in-body", body(BODY + "\x0c\n"), e, "U+000C (FF)"),
        Kind("fifo", special("fifo"), e, "FIFO"),
        Kind("index-folder", special("folder"), e, "un dossier"),
        Kind("socket", special("socket"), e, "pas un fichier ordinaire"),
        Kind("self-link", special("index.md"), e, "tourne en boucle"),
        Kind("two-link-loop", _two_link_loop, e, "tourne en boucle"),
        Kind("broken-link", special("nulle-part.md"), e, "introuvable"),
        Kind("link-to-valid", special(f"../{VALID_SLUGS[0]}/index.md"), e, f"la fiche « {VALID_SLUGS[0]} »"),
        Kind("link-outside", _outside_link, e, "hors de la bibliothèque"),
        Kind("link-to-dev-null", special("/dev/null"), e, "hors de la bibliothèque"),
        Kind("folder-link-to-valid", _folder_link, e, "lien symbolique vers la fiche"),
        Kind("no-index", lambda r, f: f.mkdir(), e, "introuvable"),
        # --- folder names ------------------------------------------------------------------------------------------
        Kind("name-254", front(""), e, "plus que la limite de 100", folder="a" * 254),
        Kind("name-101", front(""), e, "plus que la limite de 100", folder="b" * 101),
        Kind("name-spaces", front(""), e, "identifiant valide", folder="Ma Fiche Hostile"),
        Kind("name-accents", front(""), e, "identifiant valide", folder="fiche-\u00e9l\u00e9ments"),
        Kind("name-nfd", front(""), e, "identifiant valide", folder="fiche-e\u0301le\u0301ments"),
        Kind("name-emoji", front(""), e, "identifiant valide", folder="fiche-🧩"),
        Kind("name-bytes", front(""), e, "identifiant valide", folder=os.fsdecode(b"fiche-\xff\xfe"),
             shown="resources/fiche-\\xff\\xfe/index.md"),
        Kind("name-newline", front(""), e, "identifiant valide", folder="fiche\nnouvelle",
             shown="resources/fiche\\x0anouvelle/index.md"),
        Kind("name-esc", front(""), e, "identifiant valide", folder="fiche\x1b[31m", shown="resources/fiche\\x1b[31m/index.md"),
        Kind("name-dash", front(""), e, "identifiant valide", folder="-fiche"),
        # --- supports -----------------------------------------------------------------------------------------------
        Kind("support-svg", with_support("schema.svg", b"<svg onload='alert(1)'/>"), e, ".svg peut contenir du script"),
        Kind("support-html", with_support("page.html", b"<script>alert(1)</script>"), e, "page .html"),
        Kind("support-htm", with_support("page.htm", b"<p>"), e, "page .htm"),
        Kind("support-xhtml", with_support("page.xhtml", b"<p/>"), e, "page .xhtml"),
        Kind("support-xml", with_support("data.xml", b"<a/>"), e, ".xml"),
        Kind("support-js", with_support("app.js", b"alert(1)"), e, "script .js"),
        Kind("support-exe", with_support("outil.exe", b"MZ"), e, "type .exe"),
        Kind("support-no-extension", with_support("LISEZMOI", b"texte"), e, "pas d'extension"),
        Kind("support-licence-name", with_support("LICENCE.txt", b"Licence maison"), v, ""),
        Kind("support-fifo", _support_fifo, e, "pas un fichier ordinaire"),
        Kind("support-self-link", with_support("cartes.md", "cartes.md"), e, "tourne en boucle"),
        Kind("support-outside", with_support("secret.md", "/etc/hostname"), e, "hors de la bibliothèque"),
        Kind("support-folder-loop", with_support("boucle", "."), w, "lien symbolique : il est ignoré"),
        Kind("support-deep", _deep_supports, e, "niveaux"),
        Kind("support-300-files", _many_supports, e, "plus de 200 fichiers"),
        Kind("support-long-name", with_support("c" * 150 + ".md", b"# Carte\n"), e, "limite de 100"),
        Kind("support-esc-name", with_support("carte\x1b[31m.md", b"# Carte\n"), e, "U+001B"),
        Kind("support-sub-index", with_support("annexes/index.md", b"# Annexe\n"), v, ""),
        Kind("support-upper-pdf", _fake_pdf, v, ""),
        Kind("support-md-2mb", with_support("cartes.md", b"# Cartes\n" + b"x" * 2_000_000), e, "limite de 1 Mo"),
        Kind("support-md-latin1", with_support("cartes.md", "# Cartes à découper\n".encode("latin-1")), v, ""),
        Kind("support-md-laughs", with_support("cartes.md", ("---\n" + laughs("print") + "---\n# C\n").encode()), e,
             "ancre YAML", shown="resources/h-support-md-laughs/cartes.md"),
        Kind("support-md-title-spaces", with_support("cartes.md", b"# a" + b" " * 200_000 + b"b\n"), v, "", alone=True),
        # --- the library around the sheets ------------------------------------------------------------------------
        Kind("stray-file", in_resources("file"), "library", "ce fichier est ignoré", folder="notes.txt",
             shown="resources/notes.txt"),
        Kind("hidden-folder", in_resources("hidden"), "library", "nom commence par un point", folder=".brouillons",
             shown="resources/.brouillons"),
        Kind("stray-fifo", in_resources("fifo"), "library", "ce fichier est ignoré", folder="tube",
             shown="resources/tube"),
        Kind("stray-loop", in_resources("loop"), "library", "ce fichier est ignoré", folder="boucle",
             shown="resources/boucle"),
        Kind("title-of-valid-nfd", replaced('title: "Fiche hostile zz-nfd"', 'title: "Atelier e\u0301prouve\u0301 1"'), e,
             "déjà celui de la fiche valide-1", folder="zz-nfd"),
        Kind("title-of-valid-case", replaced('title: "Fiche hostile zz-case"', 'title: "ATELIER EPROUVE 2"'), e,
             "déjà celui de la fiche valide-2", folder="zz-case"),
        Kind("title-of-valid-later", replaced('title: "Fiche hostile aa-later"\n', 'title: "Atelier éprouvé 3"\n'
                                                                                 'created: 2026-06-01\n'), e,
             "déjà celui de la fiche valide-3", folder="aa-later"),
        Kind("title-of-valid-undated", replaced('title: "Fiche hostile aa-undated"', 'title: "Atelier éprouvé 4"'), e,
             "déjà celui de la fiche valide-4", folder="aa-undated"),
        # --- bodies that once hung a command (a library each) -----------------------------------------------------
        Kind("heading-spaces", body(BODY + "# a" + " " * 200_000 + "b\n"), v, "", alone=True),
        Kind("step-spaces", body(BODY.replace("### Bilan (10 min)", "### Bilan" + " " * 200_000 + "(10 min)")), v, "",
             alone=True),
        Kind("brackets", body(BODY + "[" * 300_000 + "\n"), v, "", alone=True),
        Kind("link-openings", body(BODY + "[a](" * 200_000 + "\n"), v, "", alone=True),
        Kind("megabyte-line", body(BODY + "a" * LONG_LINE + "\n"), v, "", alone=True),
        Kind("mediation-repeated", body(BODY + "médiation numérique " * 43_000), v, "", alone=True),
        Kind("broken-links", body(BODY + "".join(f"[c](carte-{n}.md) " for n in range(5_000))), w,
             "autres liens cassés", alone=True),
        Kind("many-steps", body(BODY.replace("## Variantes", "### Étape (5 min)\n" * 20_000 + "## Variantes")), w,
             "étapes minutées", alone=True),
        Kind("quotes-nested", body(BODY + "> " * 50_000 + "citation\n"), v, "", alone=True),
        Kind("backticks", body(BODY + "`" * 100_000 + "\n"), v, "", alone=True),
        Kind("emphasis", body(BODY + "*a " * 150_000 + "\n"), v, "", alone=True),
        Kind("wide-table", body(BODY + "|" + "a|" * 20_000 + "\n|" + "-|" * 20_000 + "\n"), v, "", alone=True),
        Kind("script-and-links", body(BODY + "<script>alert(1)</script>\n[x](javascript:alert(1))\n"), v, ""),
    ]
    return found
