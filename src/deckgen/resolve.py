"""Stage 2: load every dataset the spec names and check every figure before anything renders."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterator, Mapping

from pydantic import ValidationError

from .errors import Mark, Problem, SpecError, StaleDataError
from .figures import Breakdown, Figure, FiguresFile, Source, SourcesFile, Table
from .formatting import format_figure
from .inputs import InputFile, inside, project_root, sha256_file
from .spec import COMMAND_LINE, LoadedSpec, apply_overrides, validation_problems
from .text import FIGURE_STYLES, references
from .yamlsrc import Document, Loc, load_yaml

MAX_TABLE_BYTES = 20_000_000
TICKER = re.compile(r"^[A-Z0-9][A-Z0-9.\-/ ]{0,15}$")


@dataclass(frozen=True)
class Report:
    """Everything the renderer needs, checked: the spec, its figures, tables and sources."""

    loaded: LoadedSpec
    figures: Mapping[str, Figure]
    breakdowns: Mapping[str, Breakdown]
    tables: Mapping[str, Table]
    sources: tuple[Source, ...]
    shown_figures: tuple[str, ...]  # in order of first appearance
    warnings: tuple[Problem, ...]
    inputs: tuple[InputFile, ...]

    @property
    def spec(self):
        return self.loaded.spec

    @property
    def source_numbers(self) -> dict[str, int]:
        return {source.id: number for number, source in enumerate(self.sources, start=1)}

    def source_number(self, key: str) -> int:
        """The number a citation key (``3`` or a source id) is printed as."""
        return int(key) if key.isdigit() else self.source_numbers[key]

    def format(self, name: str, style: str | None = None) -> str:
        return format_figure(self.figures[name], self.spec.locale, style)  # type: ignore[arg-type]



@dataclass
class _Checker:
    loaded: LoadedSpec
    allow_stale: bool = False
    strict: bool = False
    problems: list[Problem] = field(default_factory=list)
    figures: dict[str, Figure] = field(default_factory=dict)
    figure_homes: dict[str, tuple[Document, Loc]] = field(default_factory=dict)  # where each figure is written
    breakdowns: dict[str, Breakdown] = field(default_factory=dict)
    breakdown_docs: dict[str, Document] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)
    source_marks: dict[str, Mark] = field(default_factory=dict)
    inputs: list[InputFile] = field(default_factory=list)
    shown: dict[str, None] = field(default_factory=dict)
    cited: set[str] = field(default_factory=set)
    table_cells: list[tuple[Mark, str, str | None]] = field(default_factory=list)  # (cell, text, its CSV line)
    incomplete: bool = False  # a dataset failed to load: "unknown name" errors would only be echoes

    def error(self, mark: Mark, message: str, hint: str | None = None, code: str = "invalid") -> None:
        if code == "unknown" and self.incomplete:
            return
        self.problems.append(Problem.at(mark, message, hint, code=code))

    def field_mark(self, figure: str, field_name: str | None = None) -> Mark:
        """Where a figure's field (``as_of``, ``min``...) is written; without a field, the figure's name."""
        document, loc = self.figure_homes[figure]
        if field_name is None:
            return document.mark(loc, key=True) if loc[0] == "figures" else document.mark(loc + ("id",))
        return document.mark(loc + (field_name,))

    def warn(self, mark: Mark, message: str, hint: str | None = None, code: str = "invalid") -> None:
        if self.incomplete:  # with a dataset missing, "never cited" and "shown nowhere" are guesses
            return
        self.problems.append(Problem.at(mark, message, hint, severity="warning", code=code))


def resolve(
    loaded: LoadedSpec, overrides: tuple[str, ...] = (), *, allow_stale: bool = False, strict: bool = False,
    root: Path | None = None,
) -> Report:
    """Load the datasets, run every check, and return the Report (or raise with every problem)."""
    checker = _Checker(loaded, allow_stale=allow_stale, strict=strict or loaded.spec.checks.strict)
    spec = loaded.spec
    root = root or project_root(loaded.path)
    checker.inputs.append(InputFile("spec", loaded.path, sha256_file(loaded.path)))
    figure_overrides = [o.removeprefix("figures.") for o in overrides if o.startswith("figures.")]

    for name in spec.data:
        dataset = spec.dataset(name)
        path = loaded.resolve_path(dataset.path)
        mark = loaded.mark(("data", name))
        if not inside(path, root):
            checker.error(mark, f"dataset '{name}' points outside the project ({root})", "move the file inside it or pass --root", code="path")
            checker.incomplete = True
        elif not path.is_file():
            checker.error(mark, f"dataset '{name}': file not found: {dataset.path}", code="path")
            checker.incomplete = True
        elif path.suffix.lower() == ".csv":
            _load_table(checker, name, path, dataset)
        elif path.suffix.lower() in (".yaml", ".yml"):
            _load_yaml_dataset(checker, name, path, figure_overrides)
        else:
            checker.error(mark, f"dataset '{name}': unsupported file type '{path.suffix}' (use .yaml or .csv)", code="path")

    brand_path = loaded.resolve_path(spec.brand)
    if not inside(brand_path, root):
        checker.error(loaded.mark(("brand",)), f"brand file points outside the project ({root})", code="path")
    elif not brand_path.is_file():
        checker.error(loaded.mark(("brand",)), f"brand file not found: {spec.brand}", code="path")

    for override in figure_overrides:
        figure_name = override.partition("=")[0].split(".")[0]
        if figure_name not in checker.figures:
            checker.error(Mark(COMMAND_LINE, 0, 0), f"--set figures.{override}: unknown figure '{figure_name}'", _did_you_mean(figure_name, checker.figures), code="unknown")

    if not checker.sources and not any(p.code == "path" for p in checker.problems):
        checker.error(loaded.mark(("data",), key=True), "no sources dataset: add a YAML file with a 'sources:' list under data", code="unknown")

    if checker.sources and not any(section.type == "sources" for section in spec.sections):
        checker.error(loaded.mark(("sections",), key=True), "the brief cites sources but has no 'sources' section to list them", "add '- type: sources' to sections", code="unknown")
    _check_figures(checker)
    _check_breakdowns(checker)
    _check_sections(checker)
    _check_table_cells(checker)
    _check_sources_cited(checker)
    _check_unused(checker)
    return _finish(checker)


def _finish(checker: _Checker) -> Report:
    problems = checker.problems
    if checker.allow_stale:
        problems = [replace(p, severity="warning", hint=None) if p.code == "stale" else p for p in problems]
    if checker.strict:  # warnings become errors, except stale data the caller explicitly allowed
        problems = [p.as_error() if p.code != "stale" else p for p in problems]
    errors = [p for p in problems if p.is_error]
    if errors:
        only_stale = all(p.code == "stale" for p in errors)
        raise (StaleDataError if only_stale else SpecError)(problems)
    shown = tuple(checker.shown)
    return Report(
        loaded=checker.loaded,
        figures=dict(checker.figures),
        breakdowns=dict(checker.breakdowns),
        tables=dict(checker.tables),
        sources=tuple(checker.sources),
        shown_figures=shown,
        warnings=tuple(sorted(problems)),
        inputs=tuple(checker.inputs),
    )


def _did_you_mean(name: str, known) -> str | None:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _load_yaml_dataset(checker: _Checker, name: str, path: Path, figure_overrides: list[str]) -> None:
    try:
        document = load_yaml(path)
    except SpecError as exc:
        checker.problems += exc.problems
        checker.incomplete = True
        return
    checker.inputs.append(InputFile("data", path, sha256_file(path)))
    checker.problems += document.problems
    data = document.data
    if "sources" in data:
        try:
            parsed = SourcesFile.model_validate(data)
        except ValidationError as exc:
            checker.problems += validation_problems(exc, document, model=SourcesFile)
            checker.incomplete = True
            return
        for index, source in enumerate(parsed.sources):
            mark = document.mark(("sources", index, "id"))
            if source.id in checker.source_marks:
                checker.error(mark, f"duplicate source id '{source.id}'", code="duplicate")
                continue
            checker.source_marks[source.id] = mark
            checker.sources.append(source)
        return
    if "figures" not in data and "breakdowns" not in data:
        checker.error(document.mark(()), f"dataset '{name}': expected a 'figures:', 'breakdowns:' or 'sources:' key at the top", code="invalid")
        return
    overrides = [o for o in figure_overrides if o.partition("=")[0].split(".")[0] in (data.get("figures") or {})]
    overrides = [o if "." in o.partition("=")[0] else o.replace("=", ".value=", 1) for o in overrides]
    checker.problems += apply_overrides(data.get("figures") or {}, document, overrides, under=("figures",))
    try:
        parsed = FiguresFile.model_validate(data)
    except ValidationError as exc:
        checker.problems += validation_problems(exc, document, model=FiguresFile)
        checker.incomplete = True
        return
    for figure_name, figure in parsed.figures.items():
        mark = document.mark(("figures", figure_name), key=True)
        if figure_name in checker.figures:
            checker.error(mark, f"figure '{figure_name}' is defined twice", code="duplicate")
            continue
        checker.figures[figure_name] = figure.model_copy(update={"name": figure_name})
        checker.figure_homes[figure_name] = (document, ("figures", figure_name))
    for breakdown_name, breakdown in parsed.breakdowns.items():
        checker.breakdowns[breakdown_name] = breakdown
        checker.breakdown_docs[breakdown_name] = document
        for index, part in enumerate(breakdown.parts):
            part_name = f"{breakdown_name}.{part.id}"
            if part_name in checker.figures:
                checker.error(document.mark(("breakdowns", breakdown_name, "parts", index, "id")), f"breakdown '{breakdown_name}' has two parts with id '{part.id}'", code="duplicate")
                continue
            if part.value is None and (part.min is None or part.max is None):
                checker.error(document.mark(("breakdowns", breakdown_name, "parts", index)), f"part '{part.id}': give either 'value' or both 'min' and 'max'", code="invalid")
                continue
            checker.figures[part_name] = Figure(
                name=part_name, label=part.label, value=part.value, min=part.min, max=part.max,
                unit=breakdown.unit, as_of=breakdown.as_of, source=breakdown.source, note=part.note,
            )
            checker.figure_homes[part_name] = (document, ("breakdowns", breakdown_name, "parts", index))


def _load_table(checker: _Checker, name: str, path: Path, dataset) -> None:
    checker.inputs.append(InputFile("table", path, sha256_file(path)))
    spec_mark = checker.loaded.mark(("data", name))
    if path.stat().st_size > MAX_TABLE_BYTES:
        checker.error(Mark.of(path, 1, 1), f"table is larger than {MAX_TABLE_BYTES // 1_000_000} MB", code="table")
        checker.incomplete = True
        return
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError:
        checker.error(Mark.of(path, 1, 1), "not UTF-8 text", code="table")
        return
    lines = text.splitlines()
    reader = csv.DictReader(io.StringIO(text), strict=True)
    try:
        columns = [c.strip() for c in (reader.fieldnames or [])]
        rows, row_lines = [], []
        for row in reader:
            if None in row:
                checker.error(Mark.of(path, reader.line_num, 1), f"row has {len(columns) + len(row[None])} cells, the header has {len(columns)}", code="table")
                continue
            rows.append({k.strip(): (v or "").strip() for k, v in row.items()})
            row_lines.append(reader.line_num)
    except csv.Error as exc:
        checker.error(Mark.of(path, reader.line_num, 1), f"CSV error: {exc}", code="table")
        return
    if not columns:
        checker.error(Mark.of(path, 1, 1), "table is empty: expected a header row", code="table")
        return
    for column, kind in dataset.columns.items():
        if column not in columns:
            checker.error(checker.loaded.mark(("data", name, "columns", column), key=True), f"column '{column}' is not in {path.name}", _did_you_mean(column, columns), code="unknown")
    for row, line in zip(rows, row_lines):
        for column, kind in dataset.columns.items():
            cell = row.get(column, "")
            col = _cell_column(lines[line - 1] if line - 1 < len(lines) else "", cell)
            problem = _cell_problem(cell, kind)
            if problem:
                checker.error(Mark.of(path, line, col), f"column '{column}': {problem}", code="table")
        for column, cell in row.items():
            if "{{" in cell or "[" in cell:
                checker.table_cells.append((Mark.of(path, line, _cell_column(lines[line - 1], cell)), cell, lines[line - 1]))
    if dataset.source is None:
        checker.error(spec_mark, f"table '{name}' needs a 'source' (a source id) so its provenance can be shown", code="unknown")
    else:
        checker.table_cells.append((checker.loaded.mark(("data", name, "source")), f"[@{dataset.source}]", None))
    if dataset.as_of is not None:
        _check_date(checker, dataset.as_of, checker.loaded.mark(("data", name, "as_of")), f"table '{name}'")
    checker.tables[name] = Table(
        name=name, columns=columns, rows=rows,
        source=dataset.source, as_of=dataset.as_of,
    )


def _cell_column(line: str, cell: str) -> int:
    return (line.find(cell) + 1) if cell and cell in line else 1


def _cell_problem(cell: str, kind: str) -> str | None:
    if cell == "" or kind == "text":
        return None
    if kind in ("number", "percent"):
        try:
            Decimal(cell.removesuffix("%") if kind == "percent" else cell)
        except InvalidOperation:
            return f"'{cell}' is not a {kind}"
        return None
    if kind == "date":
        try:
            dt.date.fromisoformat(cell)
        except ValueError:
            return f"'{cell}' is not a date (YYYY-MM-DD)"
        return None
    if kind == "ticker" and not TICKER.match(cell):
        return f"'{cell}' is not a ticker (capital letters, digits, '.', '-', '/', space)"
    return None


def _check_date(checker: _Checker, as_of: dt.date, mark: Mark, what: str) -> None:
    spec = checker.loaded.spec
    if as_of > spec.date:
        checker.error(mark, f"{what} is as of {as_of}, after the report date {spec.date}", "check the date or the report date", code="future")
    max_age = spec.checks.max_age_days
    if max_age is not None and (spec.date - as_of).days > max_age:
        checker.error(
            mark, f"{what} is stale: as of {as_of}, {(spec.date - as_of).days} days before the report date (max_age_days: {max_age})",
            "refresh the data or pass --allow-stale", code="stale",
        )


def _check_figures(checker: _Checker) -> None:
    source_ids = {s.id for s in checker.sources}
    for name, figure in checker.figures.items():
        if figure.is_range and figure.min > figure.max:  # type: ignore[operator]
            checker.error(checker.field_mark(name, "min"), f"figure '{name}': min {figure.min} is greater than max {figure.max}", "swap them", code="range")
        if "." not in name:
            _check_date(checker, figure.as_of, checker.field_mark(name, "as_of"), f"figure '{name}'")
            if figure.source not in source_ids and checker.sources:
                checker.error(checker.field_mark(name, "source"), f"figure '{name}' cites unknown source '{figure.source}'", _did_you_mean(figure.source, source_ids), code="unknown")


def _check_breakdowns(checker: _Checker) -> None:
    source_ids = {s.id for s in checker.sources}
    tolerance = Decimal(str(checker.loaded.spec.checks.share_tolerance))
    for name, breakdown in checker.breakdowns.items():
        document = checker.breakdown_docs[name]
        mark = document.mark(("breakdowns", name), key=True)
        _check_date(checker, breakdown.as_of, document.mark(("breakdowns", name, "as_of")), f"breakdown '{name}'")
        if breakdown.source not in source_ids and checker.sources:
            checker.error(document.mark(("breakdowns", name, "source")), f"breakdown '{name}' cites unknown source '{breakdown.source}'", _did_you_mean(breakdown.source, source_ids), code="unknown")
        parts = [checker.figures.get(f"{name}.{p.id}") for p in breakdown.parts]
        if any(p is None for p in parts) or len({p.id for p in breakdown.parts}) < len(parts):
            continue  # a part is missing or repeated: its own error says so, a sum would only mislead
        low = sum((p.low for p in parts), Decimal(0))
        high = sum((p.high for p in parts), Decimal(0))
        if low > 100 + tolerance:
            checker.error(mark, f"breakdown '{name}': the minimum shares add up to {low}%, more than 100%", f"check the parts or set checks.share_tolerance (now {float(tolerance):g})", code="shares")
        elif high < 100 - tolerance:
            checker.error(mark, f"breakdown '{name}': the maximum shares add up to {high}%, less than 100%", f"check the parts or set checks.share_tolerance (now {float(tolerance):g})", code="shares")
        if breakdown.total and breakdown.total not in checker.figures:
            checker.error(document.mark(("breakdowns", name, "total")), f"breakdown '{name}': unknown total figure '{breakdown.total}'", _did_you_mean(breakdown.total, checker.figures), code="unknown")
        elif breakdown.total:
            checker.shown.setdefault(breakdown.total)


def _strings(value: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _strings(child, loc + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _strings(child, loc + (index,))


def _check_text(checker: _Checker, mark_of, text: str) -> None:
    """Check every {{ figure }} and citation in ``text``; ``mark_of(token)`` locates one."""
    numbers = len(checker.sources)
    source_ids = [s.id for s in checker.sources]
    for ref in references(text):
        if ref.kind == "figure":
            if ref.name not in checker.figures:
                checker.error(mark_of(ref.token), f"unknown figure '{ref.name}'", _did_you_mean(ref.name, checker.figures), code="unknown")
            elif ref.style and ref.style not in FIGURE_STYLES:
                checker.error(mark_of(ref.token), f"unknown style '{ref.style}' for figure '{ref.name}'", f"use one of {', '.join(FIGURE_STYLES)}", code="unknown")
            else:
                checker.shown.setdefault(ref.name)
        elif ref.kind == "citation":
            if ref.name.isdigit():
                if not 1 <= int(ref.name) <= numbers:
                    checker.error(mark_of(ref.token), f"citation [{ref.name}] has no source (there are {numbers})", code="unknown")
                else:
                    checker.cited.add(source_ids[int(ref.name) - 1])
            elif ref.name not in source_ids:
                checker.error(mark_of(ref.token), f"unknown source '{ref.name}'", _did_you_mean(ref.name, source_ids), code="unknown")
            else:
                checker.cited.add(ref.name)
        else:
            checker.error(mark_of(ref.token), f"unmatched '{ref.name}': a figure reference looks like {{{{ name }}}}", code="unknown")


def _check_sections(checker: _Checker) -> None:
    loaded = checker.loaded
    document = loaded.document
    for key in ("title", "subtitle"):
        if isinstance(document.data.get(key), str):
            _check_text(checker, lambda token, loc=(key,): document.mark_of_text(loc, token), document.data[key])
    for loc, text in _strings(document.data.get("sections", []), ("sections",)):
        _check_text(checker, lambda token, loc=loc: document.mark_of_text(loc, token), text)
    anchors: dict[str, int] = {}
    for index, section in enumerate(loaded.spec.sections):
        anchor = section.anchor(index)
        if anchor in anchors:
            checker.error(
                loaded.mark(("sections", index, "id")), f"section id '{anchor}' is already used by section {anchors[anchor] + 1}",
                "give each section its own id", code="duplicate",
            )
        anchors.setdefault(anchor, index)
        for loc, message, hint in section.layout_problems():
            checker.error(loaded.mark(("sections", index) + loc), message, hint, code="layout")
        for ref in section.refs():
            mark = loaded.mark(("sections", index) + ref.loc)
            if ref.kind == "figure":
                if ref.name in checker.figures:
                    checker.shown.setdefault(ref.name)
                else:
                    checker.error(mark, f"unknown figure '{ref.name}'", _did_you_mean(ref.name, checker.figures), code="unknown")
            elif ref.kind == "table":
                if ref.name not in checker.tables:
                    checker.error(mark, f"unknown table '{ref.name}'", _did_you_mean(ref.name, checker.tables) or _known("tables", checker.tables), code="unknown")
            elif ref.kind == "breakdown":
                if ref.name not in checker.breakdowns:
                    checker.error(mark, f"unknown breakdown '{ref.name}'", _did_you_mean(ref.name, checker.breakdowns) or _known("breakdowns", checker.breakdowns), code="unknown")
                else:
                    checker.cited.add(checker.breakdowns[ref.name].source)
                    for part in checker.breakdowns[ref.name].parts:
                        checker.shown.setdefault(f"{ref.name}.{part.id}")
            elif ref.kind == "source":
                if ref.name in checker.source_marks:
                    checker.cited.add(ref.name)
                else:
                    checker.error(mark, f"unknown source '{ref.name}'", _did_you_mean(ref.name, checker.source_marks), code="unknown")
            elif ref.kind.startswith("column:"):
                table = checker.tables.get(ref.kind.partition(":")[2])
                if table is not None and ref.name not in table.columns:
                    checker.error(mark, f"unknown column '{ref.name}' in table '{table.name}'", _did_you_mean(ref.name, table.columns) or _known("columns", table.columns), code="unknown")


def _known(what: str, names) -> str:
    return f"known {what}: {', '.join(sorted(names)) or 'none'}"


def _check_table_cells(checker: _Checker) -> None:
    for mark, cell, line in checker.table_cells:
        _check_text(checker, lambda token, mark=mark, line=line: _token_mark(mark, token, line), cell)


def _token_mark(cell: Mark, token: str, line: str | None) -> Mark:
    """Where ``token`` starts within ``line``, the CSV line of ``cell`` (the cell's start if not found)."""
    col = line.find(token, cell.col - 1) if line is not None else -1
    return Mark(cell.file, cell.line, col + 1) if col >= 0 else cell


def _check_sources_cited(checker: _Checker) -> None:
    for name in list(checker.shown):
        figure = checker.figures.get(name)
        if figure is not None:
            checker.cited.add(figure.source)
    for source in checker.sources:
        if source.id not in checker.cited:
            checker.warn(checker.source_marks[source.id], f"source '{source.id}' is never cited", "cite it with [@id] or remove it", code="uncited")


def _check_unused(checker: _Checker) -> None:
    for name in checker.figure_homes:
        if "." not in name and name not in checker.shown:
            checker.warn(checker.field_mark(name), f"figure '{name}' is defined but shown nowhere", "refer to it as {{ " + name + " }} or remove it", code="unused")
