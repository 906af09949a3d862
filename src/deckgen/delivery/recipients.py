"""Who gets the brief: the spec's list, a CSV or YAML file, or ``--to``; each one located for errors."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from pydantic import ValidationError

from ..errors import Mark, Problem, SpecError, control_character, describe_character
from ..inputs import file_kind
from ..yamlsrc import Document, decode_text, load_yaml
from .addresses import check_display_name, parse_address, parse_mailbox, quoted, recipient_key
from .model import RecipientEntry, VariantValue

COMMAND_LINE = "<command line>"
ENTRY_KEYS = ("email", "name", "variant")
SUFFIXES = (".csv", ".yaml", ".yml")


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str | None = None
    variant: tuple[str, ...] = ()  # NAME=VALUE overrides, as --set takes them, sorted by name
    origin: Mark = Mark(COMMAND_LINE, 0, 0)
    variant_marks: tuple[tuple[str, Mark], ...] = field(default=(), compare=False)  # where each NAME is written

    def variant_mark(self, name: str) -> Mark:
        return dict(self.variant_marks).get(name, self.origin)

    @property
    def key(self) -> str:
        return recipient_key(self.address)


def from_spec(entries: Sequence[RecipientEntry], document: Document, loc: tuple = ("delivery", "recipients")) -> list[Recipient]:
    """The recipients written in the spec (already validated by the spec model)."""
    return [
        Recipient(entry.email, entry.name, variant_overrides(entry.variant), document.mark(loc + (index,)),
                  _variant_marks(entry.variant, document, loc + (index,)))
        for index, entry in enumerate(entries)
    ]


def _variant_marks(values: dict[str, VariantValue], document: Document, loc: tuple) -> tuple[tuple[str, Mark], ...]:
    return tuple((name.strip(), document.mark(loc + ("variant", name), key=True)) for name in values)


def from_command_line(values: Iterable[str]) -> list[Recipient]:
    """``--to`` values: ``ann@example.com`` or ``Ann Lee <ann@example.com>``."""
    recipients, problems = [], []
    for value in values:
        mark = Mark(f"{COMMAND_LINE} --to", 0, 0)
        try:
            name, address = parse_mailbox(value)
        except ValueError as exc:
            problems.append(Problem.at(mark, f"{quoted(value)}: {exc}"))
            continue
        recipients.append(Recipient(address, name, (), mark))
    if problems:
        raise SpecError(problems)
    return recipients


def from_file(path: Path) -> list[Recipient]:
    """A recipients file: CSV (columns email, name, then one column per variant value) or YAML."""
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _from_yaml(path)
    if suffix == ".csv":
        return _from_csv(path)
    raise SpecError([Problem.at(Mark.of(path, 0, 0), unsupported_type(path))])


def unsupported_type(path: Path) -> str:
    return f"unsupported recipients file type {quoted(path.suffix, 20)} (use .csv, .yaml or .yml)"


def merge(groups: Iterable[list[Recipient]]) -> list[Recipient]:
    """All recipients once each, in order; the same address twice with different variants is an error."""
    seen: dict[str, Recipient] = {}
    problems = []
    for group in groups:
        for recipient in group:
            first = seen.get(recipient.key)
            if first is None:
                seen[recipient.key] = recipient
            elif first.variant != recipient.variant:
                where = first.origin.file if first.origin.line == 0 else f"{first.origin.file}:{first.origin.line}"
                problems.append(Problem.at(
                    recipient.origin, f"{recipient.address} is listed again with a different variant (first at {where})"
                ))
    if problems:
        raise SpecError(problems)
    return list(seen.values())


def variant_overrides(values: dict[str, VariantValue]) -> tuple[str, ...]:
    """``{figures.usdjpy: 150, subtitle: "Tokyo desk"}`` -> ``("figures.usdjpy=150", 'subtitle="Tokyo desk"')``.

    Each value is written so that ``--set`` reads it back as exactly the same value and type.
    """
    return tuple(sorted(f"{name.strip()}={_as_yaml(value)}" for name, value in values.items()))


def _as_yaml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)  # a double-quoted YAML string: stays a string, as written


def _from_csv(path: Path) -> list[Recipient]:
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    header_line = 1
    try:
        while True:  # comment lines (# ...) and blank lines may stand above the header too
            header = next(reader)
            if any(cell.strip() for cell in header) and not header[0].lstrip().startswith("#"):
                break
            header_line = reader.line_num + 1
    except StopIteration:
        raise SpecError([Problem.at(Mark.of(path, 1, 1), "recipients file is empty; expected a header row: email,name,...")]) from None
    except csv.Error as exc:
        raise SpecError([Problem.at(Mark.of(path, header_line, 1), f"CSV error: {exc}")]) from None
    columns = [name.strip() for name in header]
    lowered = [name.lower() for name in columns]
    if "email" not in lowered:
        hint = difflib.get_close_matches("email", lowered, n=1)
        raise SpecError([Problem.at(
            Mark.of(path, header_line, 1), "recipients file needs an 'email' column in its header row",
            f"did you mean {quoted(columns[lowered.index(hint[0])])}?" if hint else None,
        )])
    for index, name in enumerate(columns):
        mark = Mark.of(path, header_line, _csv_column(text, header_line, index))
        if not name:
            problems.append(Problem.at(mark, f"column {index + 1} has no name in the header row"))
        elif lowered.count(name.lower()) > 1 and lowered.index(name.lower()) != index:
            problems.append(Problem.at(mark, f"column {quoted(name)} appears twice in the header row"))
        elif bad := control_character(name):
            problems.append(Problem.at(mark, f"column {index + 1} of the header row contains {describe_character(bad)}, "
                                             "a control character or line break; remove it"))
        elif "=" in name:
            problems.append(Problem.at(mark, f"column {quoted(name)}: a variant column is named after a spec value "
                                             "(like subtitle or figures.usdjpy), without '='"))
    email_at, name_at = lowered.index("email"), (lowered.index("name") if "name" in lowered else None)
    variant_columns = [(i, c) for i, c in enumerate(columns) if i not in (email_at, name_at) and c]

    column_marks = tuple((column, Mark.of(path, header_line, _csv_column(text, header_line, i))) for i, column in variant_columns)
    recipients = []
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem.at(Mark.of(path, line, 1), f"CSV error: {exc}"))
            break
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        mark = Mark.of(path, start, 1)
        if len(row) > len(columns):
            problems.append(Problem.at(mark, f"row has {len(row)} cells but the header names {len(columns)} columns"))
            continue
        row = row + [""] * (len(columns) - len(row))
        # the email and name cells have their own checks; a variant cell is a --set value, which may not hold these
        controls = [(i, column, bad) for i, column in variant_columns if (bad := control_character(row[i]))]
        for index, column, bad in controls:
            message = f"{column}: contains {describe_character(bad)}, a control character or line break; remove it"
            problems.append(Problem.at(Mark.of(path, start, _csv_column(text, start, index)), message))
        if controls:
            continue
        try:
            address = parse_address(row[email_at])
        except ValueError as exc:
            problems.append(Problem.at(Mark.of(path, start, _csv_column(text, start, email_at)), f"email: {exc}"))
            continue
        name = None
        if name_at is not None:
            try:
                name = check_display_name(row[name_at].strip()) or None
            except ValueError as exc:
                problems.append(Problem.at(Mark.of(path, start, _csv_column(text, start, name_at)), f"name: {exc}"))
                continue
        # a cell is a --set value, as typed: `Desk #2 edition` stays that text, `150` is a number
        variant = tuple(sorted(f"{column}={row[i].strip()}" for i, column in variant_columns if row[i].strip()))
        recipients.append(Recipient(address, name, variant, mark, column_marks))
    if problems:
        raise SpecError(problems)
    return recipients


def _csv_column(text: str, line: int, cell: int) -> int:
    """The 1-based column where cell number ``cell`` starts on ``line`` (good enough for unquoted commas)."""
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return 1
    position = 0
    for _ in range(cell):
        found = lines[line - 1].find(",", position)
        if found < 0:
            return 1
        position = found + 1
    return position + 1


def _from_yaml(path: Path) -> list[Recipient]:
    document = load_yaml(path, expect_mapping=False)
    data, loc = document.data, ()
    if isinstance(data, dict) and set(data) == {"recipients"}:
        data, loc = data["recipients"], ("recipients",)
    if not isinstance(data, list):
        raise SpecError([Problem.at(document.mark(()), "expected a list of recipients (or a 'recipients:' key holding one)")])
    recipients, problems = [], []
    for index, item in enumerate(data):
        item_loc = loc + (index,)
        if isinstance(item, str):
            item = {"email": item}
        if not isinstance(item, dict):
            problems.append(Problem.at(document.mark(item_loc), "expected a recipient like {email: ann@example.com, name: Ann Lee}"))
            continue
        try:
            entry = RecipientEntry.model_validate(item)
        except ValidationError as exc:
            problems += _entry_problems(exc, document, item_loc)
            continue
        recipients.append(Recipient(entry.email, entry.name, variant_overrides(entry.variant), document.mark(item_loc),
                                    _variant_marks(entry.variant, document, item_loc)))
    if problems:
        raise SpecError(problems)
    return recipients


def _entry_problems(error: ValidationError, document: Document, prefix: tuple) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = prefix + tuple(item["loc"])
        field = str(item["loc"][0]) if item["loc"] else ""
        if item["type"] == "extra_forbidden":
            close = difflib.get_close_matches(field, ENTRY_KEYS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(ENTRY_KEYS)}"
            problems.append(Problem.at(document.mark(loc, key=True), f"unknown key '{field}'", hint))
        elif item["type"] == "missing":
            problems.append(Problem.at(document.mark(prefix), f"missing required key '{field}'"))
        else:
            message = item["msg"].removeprefix("Value error, ")
            problems.append(Problem.at(document.mark(loc), f"{'.'.join(map(str, item['loc']))}: {message}"))
    return problems


def _read_text(path: Path) -> str:
    kind = file_kind(path)
    if kind not in (None, "file"):  # reading a named pipe or a device could wait forever
        raise SpecError([Problem.at(Mark.of(path, 0, 0), f"recipients file is not a regular file ({kind})")])
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecError([Problem.at(Mark.of(path, 0, 0), "recipients file not found")]) from None
    except OSError as exc:
        raise SpecError([Problem.at(Mark.of(path, 0, 0), f"cannot read recipients file: {exc.strerror}")]) from None
    return decode_text(raw, path)
