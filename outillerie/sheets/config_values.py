"""Each value of `outillerie.yml` read and checked, with a problem at its line for every wrong one (the messages of
a sheet's fields where they fit, through `fields._FieldReader`). `config.py` makes the `Config` from them."""

from __future__ import annotations

import difflib
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

from ..errors import Problem, excerpt
from .colours import AA_NORMAL_TEXT, contrast_ratio, french_ratio, parse_hex, passing_colour
from .fields import WARNING, Collector, _describe, _FieldReader, _license
from .files import FileTrouble, read_regular, real_path, regular_size
from .vocabulary import fold_key, load_vocabulary

KEYS = ("name", "description", "hub", "logo", "colour", "site_url", "counter_url", "repository", "branch",
        "edit_url", "license", "authors")
HUB_KEYS = ("name", "url", "email")
# What a person may write instead of our keys (folded): each gets « vouliez-vous dire ».
FRENCH_KEYS = {"nom": "name", "titre": "name", "title": "name", "resume": "description", "summary": "description",
               "pole": "hub", "structure": "hub", "editeur": "hub", "couleur": "colour", "color": "colour",
               "accent": "colour", "site": "site_url", "adresse": "site_url", "url": "site_url",
               "base-url": "site_url", "adresse-du-site": "site_url", "compteur": "counter_url",
               "counter": "counter_url", "depot": "repository", "repo": "repository", "branche": "branch",
               "licence": "license", "auteurs": "authors", "auteur": "authors", "author": "authors"}
HUB_FRENCH = {"nom": "name", "site": "url", "adresse": "url", "site-web": "url", "courriel": "email",
              "mail": "email", "e-mail": "email", "mel": "email", "contact": "email", "adresse-electronique": "email"}
EXAMPLES = {"site_url": "https://fiches.exemple.fr/", "counter_url": "https://compteur.exemple.fr",
            "repository": "https://gitlab.com/mon-pole/fiches", "hub.url": "https://www.exemple.fr"}
LOGO_TYPES = {".png": (b"\x89PNG\r\n\x1a\n", "PNG"), ".jpg": (b"\xff\xd8\xff", "JPEG"),
              ".jpeg": (b"\xff\xd8\xff", "JPEG"), ".webp": (b"RIFF", "WebP")}
MAX_LOGO = 500_000  # bytes: the logo is on every page, often over a weak connection
MAX_FILE = 1_000_000
MAX_NAME, MAX_DESCRIPTION = 100, 300
DEFAULT_BRANCH = "main"
# The web editor of a file on the forges whose address form is known: {repository}{separator}{branch}/{path}.
FORGES = {"github.com": "/edit/", "gitlab.com": "/-/edit/", "framagit.org": "/-/edit/", "codeberg.org": "/_edit/"}
_BRANCH_RE = re.compile(r"[A-Za-z0-9._/-]{1,100}")
_EMAIL_RE = re.compile(r"[^@\s\"<>(),;:]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}")
_EDIT_HELP = ("https://gitlab.exemple.fr/mon-pole/fiches/-/edit/main/{path} (GitLab) ou "
              "https://github.com/mon-pole/fiches/edit/main/{path} (GitHub)")

Values = dict[str, Any]


@dataclass(frozen=True)
class ReadConfig:
    """The values of the file (None when it cannot be read at all) and every problem found in it."""

    values: Values | None
    problems: tuple[Problem, ...]


def forge_edit_pattern(repository: str, branch: str = DEFAULT_BRANCH) -> str | None:
    """The edit pattern of a repository on github.com, gitlab.com, framagit.org or codeberg.org; None elsewhere."""
    parts = urllib.parse.urlsplit(repository)
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/").removesuffix(".git")
    if host not in FORGES or path.count("/") < 2:
        return None
    return f"https://{host}{path}{FORGES[host]}{branch}/{{path}}"


def url_problem(value: str) -> str | None:
    """Why `value` is not a complete web address, or None."""
    if any(character.isspace() for character in value):
        return "elle contient une espace"
    try:
        parts = urllib.parse.urlsplit(value)
        host = parts.hostname
    except ValueError:
        return "elle ne se lit pas"
    if parts.scheme not in ("http", "https") or not host:
        return "elle doit commencer par https:// ou http:// suivi du nom du site"
    return None


def read_config_text(root: Path, path: Path, shown: str) -> ReadConfig:
    """Read and check the configuration file `path` of the library `root`, named `shown` in messages."""
    out = Collector(shown)
    text = _text(path, out)
    read = None
    if text is not None:
        from .frontmatter import read_yaml_document  # PyYAML, only for the commands that read the configuration

        read = read_yaml_document(text, out)
    if text is None or read is None:
        return ReadConfig(None, tuple(sorted(out.problems)))
    meta, lines = read
    values = _Reader(root, meta, lines, text.split("\n"), out).values()
    return ReadConfig(values, tuple(sorted(out.problems)))


def _text(path: Path, out: Collector) -> str | None:
    try:
        data = read_regular(path, MAX_FILE)
    except FileTrouble as trouble:
        out.error(0, str(trouble))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        out.error(data[: error.start].count(b"\n") + 1, "le fichier n'est pas en UTF-8. Pour corriger : enregistrez-le "
                                                       "en UTF-8 (dans votre éditeur : « Enregistrer sous », encodage UTF-8).")
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _nested_lines(text_lines: list[str], parent_line: int, keys: list[str]) -> dict[str, int]:
    """The line of each key of the block mapping under the key at `parent_line` (1-based); the parent's line for a
    key written on it (`hub: {name: …}`) or not found."""
    found: dict[str, int] = {}
    for index in range(parent_line, len(text_lines)):
        raw = text_lines[index]
        if raw.strip() and not raw[0].isspace() and not raw.startswith("#"):
            break
        name = raw.split(":", 1)[0].strip().strip("\"'") if ":" in raw else ""
        found.setdefault(name, index + 1)
    return {key: found.get(key, parent_line) for key in keys}


class _Reader:
    """The values of one configuration file, each checked at its line."""

    def __init__(self, root: Path, meta: dict[str, Any], lines: dict[str, int], text_lines: list[str],
                 out: Collector) -> None:
        self.root, self.meta, self.lines, self.text_lines, self.out = root, meta, lines, text_lines, out
        self.fields = _FieldReader(meta, lines, load_vocabulary(), out)

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    def warn(self, line: int, message: str) -> None:
        self.out.problems.append(Problem(self.out.shown, line, WARNING, message))

    def values(self) -> Values:
        self.unknown_keys(self.lines, KEYS, FRENCH_KEYS, "")
        values: Values = {
            "name": self.text(self.fields, "name", MAX_NAME),
            "description": self.text(self.fields, "description", MAX_DESCRIPTION),
            "hub": self.hub(),
            "logo": self.logo(),
            "colour": self.colour(),
            "site_url": self.address(self.fields, "site_url", slash=True),
            "counter_url": self.address(self.fields, "counter_url"),
            "repository": self.repository(),
            "branch": self.branch(),
            "edit_url": self.edit_url(),
            "license": _license(self.meta.get("license"), self.line("license"), self.fields.vocabulary, self.out),
            "authors": self.fields.text_list("authors") or None,
        }
        repository = values["repository"]
        if repository and "edit_url" not in self.meta and not forge_edit_pattern(repository):
            host = urllib.parse.urlsplit(repository).hostname
            self.warn(self.line("repository"), f"outillerie ne connaît pas la forme des liens « modifier ce fichier » de "
                                               f"{host} (il la connaît pour GitHub, GitLab.com, Framagit et Codeberg) : "
                                               "« Proposer une modification » n'ouvrira pas l'éditeur du dépôt. Pour "
                                               "corriger : ajoutez edit_url, l'adresse de l'éditeur en ligne avec {path} "
                                               f"à la place du chemin du fichier, par exemple {_EDIT_HELP}.")
        return values

    def unknown_keys(self, lines: Mapping[str, int], known: tuple[str, ...], french: Mapping[str, str],
                     prefix: str) -> None:
        for key, line in lines.items():
            bare = key[len(prefix):]
            if bare in known:
                continue
            guess = french.get(fold_key(bare[:100])) or next(iter(difflib.get_close_matches(bare[:100], known, n=1)), None)
            hint = f" ; vouliez-vous dire « {prefix}{guess} » ?" if guess else "."
            self.warn(line, f"la clé « {excerpt(key, 40)} » est inconnue et sera ignorée{hint} Pour corriger : "
                            f"renommez-la ou supprimez-la (clés connues : {', '.join(prefix + k for k in known)}).")

    def text(self, reader: _FieldReader, key: str, limit: int) -> str | None:
        value = reader.meta.get(key)
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            return reader.text(key)  # says what it is instead of a text
        return reader.clean(key, value, limit)

    def address(self, reader: _FieldReader, key: str, slash: bool = False) -> str | None:
        raw = reader.text(key)
        if raw is None:
            return None
        problem = url_problem(raw)
        if problem:
            self.out.error(reader.line(key), f"« {key} » : « {excerpt(raw)} » n'est pas une adresse web valide ({problem}). "
                                             f"Pour corriger : écrivez l'adresse complète, par exemple {EXAMPLES[key]}.")
            return None
        return raw.rstrip("/") + ("/" if slash else "")

    def hub(self) -> Values | None:
        value = self.meta.get("hub")
        if value in (None, "", {}):
            return None
        line = self.line("hub")
        if not isinstance(value, dict):
            self.out.error(line, f"« hub » doit être un ensemble de clés (name, url, email), or c'est {_describe(value)}. "
                                 "Pour corriger : écrivez « hub: » seul sur sa ligne, puis en dessous, décalées de deux "
                                 "espaces, les lignes « name: … », « url: … » et « email: … ».")
            return None
        nested = _nested_lines(self.text_lines, line, [str(key) for key in value])
        reader = _FieldReader({f"hub.{key}": item for key, item in value.items()},
                              {f"hub.{key}": nested[str(key)] for key in value}, self.fields.vocabulary, self.out)
        self.unknown_keys(reader.lines, HUB_KEYS, HUB_FRENCH, "hub.")
        email = reader.text("hub.email")
        if email is not None and not _EMAIL_RE.fullmatch(email):
            self.out.error(reader.line("hub.email"), f"« hub.email » : « {excerpt(email)} » n'est pas une adresse "
                                                     "électronique. Pour corriger : écrivez par exemple "
                                                     "contact@exemple.fr.")
            email = None
        return {"name": self.text(reader, "hub.name", MAX_NAME), "url": self.address(reader, "hub.url"), "email": email}

    def logo(self) -> str | None:
        raw = self.fields.text("logo")
        if raw is None:
            return None
        line, relative = self.line("logo"), PurePosixPath(raw.replace("\\", "/"))
        kind = LOGO_TYPES.get(relative.suffix.lower())
        if kind is None:
            self.out.error(line, f"le logo « {excerpt(raw)} » n'est pas une image PNG, JPEG ou WebP. Pour corriger : "
                                 "enregistrez-le dans l'un de ces formats (PNG de préférence) et écrivez par exemple "
                                 "logo: logo.png.")
            return None
        if relative.is_absolute() or ".." in relative.parts:
            self.out.error(line, f"le logo « {excerpt(raw)} » doit être un fichier de la bibliothèque, donné par un "
                                 "chemin relatif au dossier de outillerie.yml. Pour corriger : copiez-le à côté de "
                                 f"outillerie.yml et écrivez logo: {relative.name}.")
            return None
        return relative.as_posix() if self.logo_file_ok(raw, self.root / relative, kind, line) else None

    def logo_file_ok(self, raw: str, path: Path, kind: tuple[bytes, str], line: int) -> bool:
        try:
            inside = real_path(path).is_relative_to(real_path(self.root))
            size = regular_size(path)
        except FileTrouble as trouble:
            missing = not path.exists() and not path.is_symlink()
            said = "est introuvable" if missing else f"ne peut pas être lu : {trouble.reason}"
            fix = (" Pour corriger : ajoutez le fichier à la bibliothèque, ou corrigez le chemin (relatif au dossier de "
                   "outillerie.yml).") if missing else ""
            self.out.error(line, f"le logo « {excerpt(raw)} » {said}.{fix}")
            return False
        if not inside:
            self.out.error(line, f"le logo « {excerpt(raw)} » est un lien symbolique qui sort de la bibliothèque. "
                                 "Pour corriger : copiez l'image elle-même dans la bibliothèque.")
            return False
        if size > MAX_LOGO:
            self.out.error(line, f"le logo « {excerpt(raw)} » pèse {size // 1000} ko, plus que la limite de "
                                 f"{MAX_LOGO // 1000} ko : il ralentirait chaque page. Pour corriger : réduisez-le "
                                 "(200 pixels de haut suffisent).")
            return False
        head = read_regular(path, MAX_LOGO)[:12]
        if not head.startswith(kind[0]) or (kind[1] == "WebP" and head[8:12] != b"WEBP"):
            self.out.error(line, f"le fichier « {excerpt(raw)} » n'est pas une image {kind[1]} : son contenu ne "
                                 "correspond pas à son extension. Pour corriger : enregistrez-le au bon format depuis "
                                 "un logiciel d'images.")
            return False
        return True

    def colour(self) -> str | None:
        value, line = self.meta.get("colour"), self.line("colour")
        if value is None:
            if "colour" in self.lines and "#" in self.text_lines[line - 1]:
                self.out.error(line, "« colour » est vide pour YAML : sans guillemets, « # » commence un commentaire. "
                                     "Pour corriger : mettez la couleur entre guillemets, colour: \"#0b4f9c\".")
            return None
        parsed = parse_hex(value) if isinstance(value, str) else None
        if parsed is None:
            self.out.error(line, f"« colour » : « {excerpt(value)} » n'est pas une couleur. Pour corriger : écrivez une "
                                 "couleur hexadécimale entre guillemets, par exemple colour: \"#0b4f9c\".")
            return None
        ratio = contrast_ratio(parsed)
        if ratio < AA_NORMAL_TEXT:
            better = passing_colour(parsed)
            self.out.error(line, f"la couleur « {value} » n'a qu'un contraste de {french_ratio(ratio)} sur fond blanc : "
                                 "les liens et les textes de cette couleur seraient difficiles à lire (il faut au moins "
                                 "4,5:1, niveau AA des règles d'accessibilité WCAG). Pour corriger : prenez "
                                 f"« {better} », la même teinte assombrie (contraste {french_ratio(contrast_ratio(better))}).")
            return None
        return parsed

    def repository(self) -> str | None:
        address = self.address(self.fields, "repository")
        return address.removesuffix(".git").rstrip("/") if address else None

    def branch(self) -> str | None:
        raw = self.fields.text("branch")
        if raw is not None and (not _BRANCH_RE.fullmatch(raw) or ".." in raw):
            self.out.error(self.line("branch"), f"« branch » : « {excerpt(raw)} » n'est pas un nom de branche Git. "
                                                "Pour corriger : écrivez le nom de la branche publiée, par exemple "
                                                "branch: main.")
            return None
        return raw

    def edit_url(self) -> str | None:
        raw = self.fields.text("edit_url")
        if raw is None:
            return None
        line = self.line("edit_url")
        if raw.count("{path}") != 1 or "{" in raw.replace("{path}", "") or "}" in raw.replace("{path}", ""):
            self.out.error(line, "« edit_url » doit contenir {path} une fois, là où outillerie place le chemin du "
                                 f"fichier (resources/<fiche>/index.md). Pour corriger : écrivez par exemple {_EDIT_HELP}.")
            return None
        problem = url_problem(raw.replace("{path}", "resources/fiche/index.md"))
        if problem:
            self.out.error(line, f"« edit_url » : « {excerpt(raw)} » n'est pas une adresse web valide ({problem}). "
                                 f"Pour corriger : écrivez par exemple {_EDIT_HELP}.")
            return None
        return raw
