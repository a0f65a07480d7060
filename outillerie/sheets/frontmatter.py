"""The front matter of a sheet: cut from the body, then read by PyYAML (the ONLY module that imports it to read)
within bounds, so that no contribution can hang or flood a command.

We compose the YAML nodes ourselves from PyYAML's events (libyaml when present): that is where aliases, anchors,
merge keys, explicit tags, duplicate keys, deep nesting and endless lists are refused, before any value exists. A
« billion laughs » therefore never expands, and every key keeps the line PyYAML gives it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import CONTROL, control_name, excerpt
from .fields import KNOWN_KEYS, Collector

MAX_KEYS = 50  # a sheet has 15 known keys
MAX_DEPTH = 8  # a sheet needs 2 (key: [list]), a programme 5 (sessions: - items: - {…}); more is a mistake
MAX_NODES = 3000  # keys, values and list items together
MAX_NUMBER_CHARS = 30  # an unquoted number longer than this is never a sheet's value

_YAML_TAG = "tag:yaml.org,2002:"
_INT, _FLOAT, _MERGE = (_YAML_TAG + name for name in ("int", "float", "merge"))
_QUOTE_HINT = "mettez entre guillemets un texte qui contient « : », « # », « & », « * » ou « ! »"
_YAML_PROBLEMS = (
    ("did not find expected ',' or ']'", "un crochet « ] » ou une virgule manque dans une liste"),
    ("did not find expected ',' or '}'", "une accolade « } » ou une virgule manque"),
    ("mapping values are not allowed", "un deux-points inattendu (un texte qui contient « : » doit être entre guillemets)"),
    ("could not find expected ':'", "une clé sans deux-points"),
    ("did not find expected key", "une ligne décalée : une clé doit commencer tout à gauche, comme les autres"),
    ("cannot start any token", "un caractère interdit à cet endroit (une tabulation ? utilisez des espaces)"),
    ("found character '\\t'", "une tabulation (utilisez des espaces)"),
    ("expected <block end>", "une indentation incohérente"),
    ("found unexpected end of stream", "un guillemet ouvert et jamais fermé"),
    ("expected a single document", "plusieurs documents YAML (une ligne « ... » ou « --- » en trop ?)"),
    ("did not find expected <document start>", "plusieurs documents YAML (une ligne « ... » en trop ?)"),
    ("exceeded maximum nesting depth", "des listes ou des clés imbriquées bien trop profondément"),
)
# Problems found where a list or a quote was opened: the line to fix is where it began, not where YAML noticed.
_OPENED_EARLIER = ("did not find expected ',' or", "found unexpected end of stream")


@dataclass(frozen=True)
class FrontMatter:
    """The values of a front matter, the line of each key, the body and the body's first line."""

    meta: dict[str, Any]
    key_lines: dict[str, int]
    body: str
    body_line: int
    lines: tuple[str, ...] = field(default=(), repr=False)


def is_boundary(line: str) -> bool:
    """A `---` line (three hyphens or more, then blanks only), tested without a regular expression."""
    stripped = line.rstrip()
    return len(stripped) >= 3 and not stripped.strip("-")


def split_front_matter(text: str, out: Collector, max_depth: int = MAX_DEPTH) -> FrontMatter | None:
    """The front matter of a sheet's text (newlines already `\\n`), or None with the problems said in `out`.

    `max_depth`: a programme nests deeper than a sheet (sessions, items, steps)."""
    lines = text.split("\n")
    if not is_boundary(lines[0]):
        out.error(1, "la fiche n'a pas d'en-tête YAML. Pour corriger : commencez le fichier par une ligne « --- », "
                     "les clés (title, summary, objective…), puis une autre ligne « --- ».")
        return None
    closing = next((i for i in range(1, len(lines)) if is_boundary(lines[i])), None)
    if closing is None:
        out.error(1, "l'en-tête YAML n'est pas fermé. Pour corriger : ajoutez une ligne « --- » après la dernière clé.")
        return None
    front = "\n" + "\n".join(lines[1:closing])  # the leading newline keeps YAML's line numbers equal to the file's
    body = "\n".join(lines[closing + 1:])
    if not _controls_said(lines, closing, out):
        return None
    said = len(out.problems)
    read = _read_yaml(front, lines, out, max_depth)
    if read is None:
        if len(out.problems) == said:  # nothing refused: the front matter is empty
            out.error(1, "l'en-tête YAML est vide. Pour corriger : écrivez les clés entre les deux lignes « --- » "
                         "(title, summary, objective…), comme dans le modèle de outillerie new.")
        return None
    meta, key_lines = read
    return FrontMatter(meta, key_lines, body, closing + 2, tuple(lines[: closing + 1]))


def _controls_said(lines: list[str], closing: int, out: Collector) -> bool:
    """A raw control character in the front matter is reported at its line, with the key it belongs to."""
    key = None
    for number in range(1, closing):
        line = lines[number]
        if line[:1].isalpha() and ":" in line:
            key = line.split(":", 1)[0]
        found = CONTROL.search(line)
        if found:
            where = f"dans « {excerpt(key, 30)} », " if key else ""
            out.error(number + 1, f"{where}l'en-tête contient le caractère de contrôle {control_name(found.group())}, "
                                  "invisible et dangereux dans un terminal ou une page. Pour corriger : retirez-le "
                                  "(il vient souvent d'un copier-coller).")
            return False
    return True


def _read_yaml(front: str, lines: list[str], out: Collector,
               max_depth: int = MAX_DEPTH) -> tuple[dict[str, Any], dict[str, int]] | None:
    loader = yaml.CSafeLoader(front) if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader(front)
    try:
        root = _Composer(loader, out, max_depth).compose()
        if root is None:  # refused (said in `out`), or nothing but comments (the caller decides)
            return None
        if not isinstance(root, yaml.MappingNode):
            out.error(1, "l'en-tête YAML doit être une liste de clés « clé: valeur ». Pour corriger : suivez le "
                         "modèle de outillerie new.")
            return None
        return _construct(loader, root, out)
    except yaml.MarkedYAMLError as error:
        out.error(*_syntax_problem(error, lines))
        return None
    except yaml.YAMLError as error:  # the reader: a character YAML refuses
        position = getattr(error, "position", 0) or 0
        line = front.count("\n", 0, position) + 1
        out.error(line, "l'en-tête contient un caractère que YAML refuse. Pour corriger : retirez-le, ou mettez le "
                        "texte entre guillemets.")
        return None
    finally:
        loader.dispose()


def _syntax_problem(error: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, str]:
    """The line to fix and the message of a YAML syntax error, showing that line's text."""
    problem = error.problem or ""
    mark = error.problem_mark
    if error.context_mark and any(start in problem for start in _OPENED_EARLIER):
        mark = error.context_mark
    line = mark.line + 1 if mark else 1
    french = next((said for english, said in _YAML_PROBLEMS if english in problem), "la structure n'est pas comprise")
    shown = f" (ligne « {excerpt(lines[line - 1])} »)" if 0 < line < len(lines) and lines[line - 1].strip() else ""
    return line, (f"erreur de syntaxe YAML : {french}{shown}. Pour corriger : vérifiez l'indentation, les "
                  f"deux-points, et {_QUOTE_HINT}.")


class _Composer:
    """PyYAML's events made into nodes, with every bound and refusal of this module."""

    def __init__(self, loader: Any, out: Collector, max_depth: int = MAX_DEPTH) -> None:
        self.loader, self.out, self.max_depth = loader, out, max_depth
        self.open: list[list[Any]] = []  # [node, pending key node or None, {key text: line}]
        self.nodes = 0
        self.documents = 0
        self.top_key: yaml.Node | None = None  # the key of the front matter being read, to name it in messages

    def compose(self) -> yaml.Node | None:
        root: yaml.Node | None = None
        while self.loader.check_event():
            event = self.loader.get_event()
            if isinstance(event, yaml.DocumentStartEvent):
                self.documents += 1
            if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                self.open.pop()
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            node = self._node(event)
            if node is None:
                return None
            if not self.open:
                root = node
            elif not self._attach(node):
                return None
            if isinstance(node, yaml.CollectionNode):
                self.open.append([node, None, {}])
                if len(self.open) > self.max_depth:
                    return self._refused(event, f"des listes ou des clés imbriquées sur plus de {self.max_depth} niveaux. "
                                               "Pour corriger : simplifiez (une clé reçoit un texte, une liste ou quelques clés).")
        return root

    def _refused(self, event: Any, message: str) -> yaml.Node | None:
        """Say what is refused, at the line of `event`, naming the key being read; no node."""
        key = self.top_key
        where = f"« {excerpt(key.value, 30)} » : " if isinstance(key, yaml.ScalarNode) else ""
        self.out.error(event.start_mark.line + 1, f"{where}{message}")
        return None

    def _node(self, event: Any) -> yaml.Node | None:
        if self.documents > 1:
            return self._refused(event, "l'en-tête contient plusieurs documents YAML. Pour corriger : retirez la "
                                       "ligne « ... » ou « --- » en trop.")
        if isinstance(event, yaml.AliasEvent):
            return self._refused(event, f"un alias YAML « *{excerpt(event.anchor, 30)} » n'est pas accepté dans une "
                                       f"fiche. Pour corriger : écrivez la valeur en entier, ou {_QUOTE_HINT}.")
        if event.anchor is not None:
            return self._refused(event, f"une ancre YAML « &{excerpt(event.anchor, 30)} » n'est pas acceptée dans "
                                       f"une fiche. Pour corriger : retirez-la, ou {_QUOTE_HINT}.")
        if event.tag not in (None, "!"):
            written = "!!" + event.tag[len(_YAML_TAG):] if event.tag.startswith(_YAML_TAG) else event.tag
            return self._refused(event, f"l'étiquette YAML « {excerpt(written, 40)} » n'est pas acceptée dans une "
                                       f"fiche. Pour corriger : retirez-la, ou {_QUOTE_HINT}.")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            return self._refused(event, f"l'en-tête contient plus de {MAX_NODES} valeurs, bien plus qu'une fiche. "
                                       "Pour corriger : gardez les clés de la fiche et des listes courtes.")
        resolve = self.loader.resolve
        start: Any = event.start_mark  # libyaml's marks are not PyYAML's class, but have its fields
        end: Any = event.end_mark
        if isinstance(event, yaml.ScalarEvent):
            tag = resolve(yaml.ScalarNode, event.value, event.implicit)
            if not event.style and tag in (_INT, _FLOAT) and len(event.value) > MAX_NUMBER_CHARS:
                return self._refused(event, f"le nombre « {excerpt(event.value, 30)} » a {len(event.value)} chiffres, "
                                           "bien trop pour une fiche. Pour corriger : écrivez une valeur raisonnable.")
            return yaml.ScalarNode(tag, event.value, start, end, style=event.style)
        if isinstance(event, yaml.SequenceStartEvent):
            return yaml.SequenceNode(resolve(yaml.SequenceNode, None, event.implicit), [], start, end,
                                     flow_style=event.flow_style)
        return yaml.MappingNode(resolve(yaml.MappingNode, None, event.implicit), [], start, end,
                                flow_style=event.flow_style)

    def _attach(self, node: yaml.Node) -> bool:
        parent = self.open[-1]
        if isinstance(parent[0], yaml.SequenceNode):
            parent[0].value.append(node)
            return True
        if parent[1] is not None:
            parent[0].value.append((parent[1], node))
            parent[1] = None
            if len(self.open) == 1 and len(parent[0].value) > MAX_KEYS:
                self.out.error(node.start_mark.line + 1, f"l'en-tête a plus de {MAX_KEYS} clés ; une fiche en a "
                                                         f"{len(KNOWN_KEYS)}. Pour corriger : gardez les clés de la fiche.")
                return False
            return True
        parent[1] = node
        if len(self.open) == 1:
            self.top_key = node
        line = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode) and node.tag == _MERGE and not node.style:
            self.out.error(line, "la clé de fusion YAML « << » n'est pas acceptée dans une fiche. Pour corriger : "
                                 "écrivez chaque clé en entier.")
            return False
        if isinstance(node, yaml.ScalarNode):
            if node.value in parent[2]:
                first = parent[2][node.value]
                where = f"lignes {first} et {line}" if first != line else f"sur la ligne {line}"
                self.out.error(line, f"la clé « {excerpt(node.value, 30)} » apparaît deux fois, {where} : YAML "
                                     "garderait la seconde sans rien dire. Pour corriger : n'en gardez qu'une.")
            parent[2].setdefault(node.value, line)
        return True


def _construct(loader: Any, root: yaml.MappingNode, out: Collector) -> tuple[dict[str, Any], dict[str, int]]:
    """Python values for each key, one by one: a value YAML cannot build is reported at its key."""
    key_lines: dict[str, int] = {}
    clean: dict[str, Any] = {}
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
            what = "un booléen" if key_node.tag.endswith("bool") else "autre chose qu’un nom"
            shown = excerpt(key_node.value if isinstance(key_node, yaml.ScalarNode) else "…", 30)
            out.error(line, f"la clé « {shown} » est lue par YAML comme {what}. Pour corriger : écrivez une clé "
                            f"connue ({', '.join(KNOWN_KEYS[:4])}…) ou mettez-la entre guillemets.")
            continue
        key = key_node.value
        key_lines.setdefault(key, line)
        surprise = _yaml_surprise(value_node)
        if surprise:
            out.error(value_node.start_mark.line + 1, f"« {excerpt(key, 30)} » : {surprise}")
            continue
        try:
            clean[key] = loader.construct_object(value_node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError):
            shown = excerpt(value_node.value) if isinstance(value_node, yaml.ScalarNode) else "…"
            out.error(value_node.start_mark.line + 1,
                      f"« {excerpt(key, 30)} » : YAML ne peut pas lire la valeur « {shown} » (une date qui n'existe "
                      "pas ? une clé en double ?). Pour corriger : corrigez-la, ou mettez-la entre guillemets.")
    return clean, key_lines


def _yaml_surprise(node: yaml.Node) -> str | None:
    """YAML 1.1 reads `1:30` as 90: say so rather than accept a silent change."""
    if not isinstance(node, yaml.ScalarNode) or node.style or not node.tag.endswith((":int", ":float")):
        return None
    if ":" in node.value:
        fixed = node.value.replace(":", "h")
        return (f"YAML lit « {excerpt(node.value, 30)} » comme un nombre en base 60, pas comme une durée. "
                f"Pour corriger : écrivez \"{excerpt(fixed, 30)}\" entre guillemets, ou des minutes (90).")
    return None


def read_yaml_document(text: str, out: Collector, max_depth: int = MAX_DEPTH) -> tuple[dict[str, Any], dict[str, int]] | None:
    """A whole YAML file (the library's `outillerie.yml`, a CI file) read with the bounds and messages of a front
    matter: its values and the line of each top-level key; None when a problem was said in `out`. A file with
    nothing but comments is an empty mapping."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not _controls_said(["", *lines], len(lines) + 1, _Shifted(out)):
        return None
    said = len(out.problems)
    read = _read_yaml(text, lines, out, max_depth)
    if read is None and len(out.problems) == said:
        return {}, {}
    return read


class _Shifted(Collector):
    """`_controls_said` counts lines from a `---` line: one less for a file without one."""

    def __init__(self, out: Collector) -> None:
        super().__init__(out.shown)
        self.out = out

    def error(self, line: int, message: str) -> None:
        self.out.error(line - 1, message)
