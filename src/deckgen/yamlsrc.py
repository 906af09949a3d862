"""Safe YAML loading that remembers where every value came from.

PyYAML composes the node graph; we construct Python values ourselves so that we can
- keep the line and column of every key and value (for FILE:LINE:COL errors),
- resolve scalars by YAML 1.2 rules (``ON``, ``NO`` and ``Y`` stay strings; ``07:00`` is not 420),
- refuse duplicate keys, unknown tags, recursive aliases and alias bombs.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml

from .errors import Mark, Problem, SpecError, describe_character
from .inputs import file_kind

MAX_NODES = 100_000  # values constructed per document, aliases counted each time they expand
MAX_BYTES = 5_000_000
MAX_DEPTH = 64  # lists and mappings inside each other (a spec needs fewer than 10)

Loc = tuple[str | int, ...]

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark):
        self.mark = mark


TOO_DEEP = f"lists and mappings are nested more than {MAX_DEPTH} levels deep; flatten the structure"


class _Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema booleans and numbers, and a bound on nesting depth
    (PyYAML composes nodes recursively: a deep enough document would exhaust the stack)."""

    depth = 0

    def compose_node(self, parent, index):
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Yaml12Loader.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9][0-9_]*|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_Yaml12Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _construct_yaml12_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node).replace("_", "")
    if text.startswith("0o"):
        return int(text[2:], 8)
    return int(text, 0) if text.startswith("0x") else int(text)


_Yaml12Loader.add_constructor(_INT, _construct_yaml12_int)

if getattr(yaml, "__with_libyaml__", False):
    class _FastYaml12Loader(yaml.CSafeLoader):
        """The same rules, composed by libyaml (C): five to ten times faster than the pure-Python
        composer. Used only for documents whose nesting depth was checked first (libyaml composes
        recursively too) and that parse without error (the Python loader words errors as before)."""

    _FastYaml12Loader.yaml_implicit_resolvers = _Yaml12Loader.yaml_implicit_resolvers
    _FastYaml12Loader.add_constructor(_INT, _construct_yaml12_int)
else:  # pragma: no cover - PyYAML built without libyaml
    _FastYaml12Loader = None


def _fast_root(text: str):
    """The root node composed by libyaml, or None when the Python loader must do it (no libyaml,
    a document nested too deeply, or any YAML error, which the Python loader then reports)."""
    if _FastYaml12Loader is None:
        return None, None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_FastYaml12Loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return None, None
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
        loader = _FastYaml12Loader(text)
        return loader.get_single_node(), loader
    except yaml.YAMLError:
        return None, None


@dataclass
class Document:
    """A parsed YAML file: its data plus the position of every value and key."""

    path: Path
    text: str
    data: Any
    marks: dict[Loc, Mark] = field(default_factory=dict)
    key_marks: dict[Loc, Mark] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # recoverable (duplicate keys, bad tags)
    overridden: dict[Loc, str] = field(default_factory=dict)  # values set on the command line: loc -> "--set k=v"

    def copy(self) -> "Document":
        """A copy whose values and positions can be changed (by --set) without touching this one;
        marks and scalars are immutable, so only the containers are copied."""
        return Document(self.path, self.text, _copy_containers(self.data), dict(self.marks), dict(self.key_marks),
                        list(self.problems), dict(self.overridden))

    def nearest(self, loc: Loc) -> Loc:
        """The longest prefix of ``loc`` that names a node (skipping union tags pydantic inserts)."""
        found: Loc = ()
        for part in loc:
            if found + (part,) in self.marks:
                found = found + (part,)
        return found

    def mark(self, loc: Loc, key: bool = False) -> Mark:
        found = self.nearest(loc)
        if key and found in self.key_marks:
            return self.key_marks[found]
        return self.marks.get(found) or Mark.of(self.path, 1, 1)

    def mark_of_text(self, loc: Loc, needle: str, occurrence: int = 0) -> Mark:
        """Where ``needle`` occurs inside the string value at ``loc`` (falls back to the value);
        ``occurrence`` 1 is its second occurrence there, and so on."""
        start = self.mark(loc)
        lines = self.text.splitlines()
        for number in range(start.line - 1, len(lines)):
            col = lines[number].find(needle, start.col - 1 if number == start.line - 1 else 0)
            while col >= 0:
                if occurrence == 0:
                    return Mark(start.file, number + 1, col + 1)
                occurrence -= 1
                col = lines[number].find(needle, col + len(needle))
        return start


_EXHIBIT_COLON = re.compile(r"\{\{\s*exhibit\s*:")


def load_yaml(path: Path, *, expect_mapping: bool = True) -> Document:
    """Read and parse ``path``; raise SpecError with located problems if it is not usable YAML."""
    kind = file_kind(path)
    if kind not in (None, "file"):  # reading a named pipe or a device could wait forever
        raise SpecError([Problem.at(Mark.of(path, 0, 0), f"not a regular file ({kind}); give the path of a YAML file")])
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecError([Problem.at(Mark.of(path, 0, 0), "file not found")]) from None
    except OSError as exc:
        raise SpecError([Problem.at(Mark.of(path, 0, 0), f"cannot read file: {exc.strerror}")]) from None
    if len(raw) > MAX_BYTES:
        raise SpecError([Problem.at(Mark.of(path, 1, 1), f"file is larger than {MAX_BYTES // 1_000_000} MB")])
    # marks name the file as seen from the working folder, so that is part of the key too
    key = (str(path), os.getcwd(), hashlib.sha256(raw).digest(), expect_mapping)
    if key not in _PARSED:  # a run checks a spec more than once (validate, then each delivery variant)
        if len(_PARSED) >= 64:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = parse_yaml(decode_text(raw, path), path, expect_mapping=expect_mapping)
    return _PARSED[key].copy()  # callers apply --set overrides to their own copy


_PARSED: dict[tuple, Document] = {}  # (path, content hash) -> the parsed document


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"), (codecs.BOM_UTF8, "utf-8-sig"))


def decode_text(raw: bytes, path: Path) -> str:
    """The text of a file: UTF-8 (with or without a byte-order mark), or UTF-16/32 with one.

    Bytes that are not text raise SpecError at the line and column where they are.
    """
    encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), "utf-8")
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding != "utf-8":
            message = f"not {encoding.upper().removesuffix('-SIG')} text (byte {exc.start} is not valid); save the file as UTF-8"
            raise SpecError([Problem.at(Mark.of(path, 1, 1), message)]) from None
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        col = len(raw[line_start:exc.start].decode("utf-8", "replace")) + 1
        message = f"not UTF-8 text: byte 0x{raw[exc.start]:02X} cannot be read as UTF-8; save the file as UTF-8"
        raise SpecError([Problem.at(Mark.of(path, line, col), message)]) from None


# What YAML allows in a stream (YAML 1.2, 5.1): tab, line breaks and printable characters.
_NOT_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
# Controls other than tab and line breaks, which a double-quoted scalar can still spell (\x00, \e)
_CONTROL_IN_VALUE = re.compile("[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]")
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def position(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column of ``text[index]``, counting line breaks as YAML does."""
    breaks = list(_LINE_BREAK.finditer(text, 0, index))
    return len(breaks) + 1, index - (breaks[-1].end() if breaks else 0) + 1


def parse_yaml(text: str, path: Path, *, expect_mapping: bool = True) -> Document:
    if bad := _NOT_PRINTABLE.search(text):
        line, col = position(text, bad.start())
        message = f"control character {describe_character(bad.group())} is not allowed in YAML; remove it"
        raise SpecError([Problem.at(Mark.of(path, line, col), message)])
    root, loader = _fast_root(text)
    try:
        if loader is None:
            loader = _Yaml12Loader(text)
            root = loader.get_single_node()
    except _TooDeep as exc:
        raise SpecError([Problem.at(Mark.of(path, exc.mark.line + 1, exc.mark.column + 1), TOO_DEEP)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context and (exc.problem or "").startswith("but "):
            message = f"YAML syntax error: {exc.context}, {exc.problem}"
        else:
            message = f"YAML syntax error: {exc.problem}" + (f" ({exc.context})" if exc.context else "")
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        hint = None
        if "mapping values" in (exc.problem or "") and mark and _EXHIBIT_COLON.search(text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else ""):
            hint = ("the ': ' of {{ exhibit: id }} ends a plain YAML text: put the text in quotes, or write it as a "
                    "block (key: | and the text on the lines below)")
        raise SpecError([Problem.at(Mark.of(path, line, col), message, hint)]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Problem.at(Mark.of(path, 1, 1), f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()

    document = Document(path=path, text=text, data=None)
    if root is None:
        raise SpecError([Problem.at(Mark.of(path, 1, 1), "file is empty; expected a mapping of keys to values")])
    builder = _Builder(loader, document)
    document.data = builder.build(root, ())
    document.problems = builder.problems
    if expect_mapping and not isinstance(document.data, dict):
        kind = _kind(document.data)
        raise SpecError([Problem.at(document.mark(()), f"expected a mapping of keys to values at the top level, found {kind}")])
    return document


def _copy_containers(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy_containers(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_copy_containers(child) for child in value]
    return value


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"a {type(value).__name__} ({value!r:.40})"


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, document: Document):
        self.loader = loader
        self.document = document
        self.problems: list[Problem] = []
        self.budget = MAX_NODES
        self.active: set[int] = set()
        self.depth = 0  # aliases can nest documents deeper than the composer saw
        self.shown_path = Mark.of(document.path, 0, 0).file  # once, not for every node

    def _mark(self, node: yaml.Node) -> Mark:
        return Mark(self.shown_path, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.budget -= 1
        if self.budget < 0:
            message = f"document expands to more than {MAX_NODES} values (an alias bomb?)"
            raise SpecError([Problem.at(self._mark(node), message)])
        self.document.marks.setdefault(loc, self._mark(node))
        if self.depth >= MAX_DEPTH:
            raise SpecError([Problem.at(self._mark(node), TOO_DEEP)])
        if isinstance(node, yaml.ScalarNode):
            if bad := _CONTROL_IN_VALUE.search(node.value):
                message = f"control character {describe_character(bad.group())} in a value; remove it"
                self.problems.append(Problem.at(self._mark(node), message))
                return node.value  # reported; validation goes on to find the other problems
            try:
                return self.loader.construct_object(node, deep=True)
            except yaml.constructor.ConstructorError as exc:
                self.problems.append(Problem.at(self._mark(node), f"unsupported value: {exc.problem}"))
                return None
            except ValueError:  # e.g. a date like 2026-02-30: keep the text, validation names the problem
                return node.value
        if id(node) in self.active:
            raise SpecError([Problem.at(self._mark(node), "recursive alias: a value contains itself")])
        self.active.add(id(node))
        self.depth += 1
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(child, loc + (i,)) for i, child in enumerate(node.value)]
            return self._mapping(node, loc)
        finally:
            self.depth -= 1
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key = key_node.value
                if key in seen:
                    first = seen[key].start_mark.line + 1
                    self.problems.append(Problem.at(self._mark(key_node), f"duplicate key '{key}' (first defined on line {first})"))
                seen[key] = key_node
        try:
            self.loader.flatten_mapping(node)
        except yaml.constructor.ConstructorError as exc:
            self.problems.append(Problem.at(self._mark(node), f"bad merge key: {exc.problem}"))
            return {}
        result: dict = {}
        for key_node, value_node in node.value:
            key = self.build(key_node, loc + ("<key>",))
            if isinstance(key, (dict, list)) or key is None:
                self.problems.append(Problem.at(self._mark(key_node), "a key must be a plain string or number"))
                continue
            key = str(key) if not isinstance(key, (int, float)) else key
            child = loc + (key,)
            self.document.key_marks.setdefault(child, self._mark(key_node))
            result[key] = self.build(value_node, child)
        return result


def strings_in(value: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """Every string inside ``value`` (found at ``loc``) with its own location, depth first."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from strings_in(child, loc + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from strings_in(child, loc + (index,))
