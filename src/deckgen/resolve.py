"""Stage 2: load every dataset the spec names and check every figure before anything renders."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, Mapping

from pydantic import ValidationError

from .dates import REPORT_DATE_STYLES, REPORT_FIELDS, format_report_date
from .editions import relative
from .errors import Mark, Problem, SpecError, StaleDataError
from .figures import Breakdown, Figure, FiguresFile, Source, SourcesFile, TableFigure, is_home_page
from .formatting import column_decimals, format_figure, format_number, printed_cell, relative_difference, shown_cell, shown_number
from .handtyped import PrintedForms
from .inputs import InputFile, inside, project_root, resolved, sha256_file
from .sections.base import exhibit_numbers
from .spec import COMMAND_LINE, LoadedSpec, apply_overrides, validation_problems
from .tables import ColumnSpec, DataErrors, QueryError, Table, field_starts, aggregate, select
from .text import FIGURE_STYLES, plain, references, template_token
from .units import (BUILT_IN_KINDS, KNOWN_MEASURES, ConversionError, Unit, conversion_factor, convert, describe_dimension, find_unit,
                    unit_from_def, units_of_dimension, unknown_unit_hint)
from .sources import TABLE_SUFFIXES, read_table
from .yamlsrc import Document, Loc, load_yaml, strings_in

MAX_WORD_CHARS = 500  # a run of text without a space (a long address fits; no line holds more)
_OVERLONG_WORD = re.compile(rf"[^\s]{{{MAX_WORD_CHARS + 1},}}")
PRECISION = Decimal("0.05")  # a printed number further than this share of its magnitude from the data is a warning


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
    units: Mapping[str, Unit] = field(default_factory=dict)  # declared in data files
    prepared: Mapping[int, Any] = field(default_factory=dict)  # section index -> its chart or table data
    _formatted: dict = field(default_factory=dict, compare=False, repr=False)  # (figure, style) -> as printed
    data_figures: Mapping[str, Figure] = field(default_factory=dict)  # figures shown in another unit: as the data has them
    datasets: tuple[dict, ...] = ()  # each table dataset's origin, as the manifest records it (file digest; or database, query...)
    read_tables: Mapping[str, Table] = field(default_factory=dict)  # each table as its source gave it (before show:), for --snapshot

    @property
    def spec(self):
        return self.loaded.spec

    @property
    def source_numbers(self) -> dict[str, int]:
        return {source.id: number for number, source in enumerate(self.sources, start=1)}

    def source_number(self, key: str) -> int:
        """The number a citation key (``3`` or a source id) is printed as."""
        return int(key) if key.isdigit() else self.source_numbers[key]

    def unit(self, name: str) -> Unit:
        unit = find_unit(name, self.units)
        if unit is None:  # resolve() refuses unknown units, so this is a bug, not a user error
            raise KeyError(f"unknown unit {name!r}")
        return unit

    def format(self, name: str, style: str | None = None) -> str:
        """A figure as the brief prints it; formatted once per style (prose, tables, the proof and the
        manifest all ask for the same figures)."""
        key = (name, style)
        printed = self._formatted.get(key)
        if printed is None and name in REPORT_FIELDS:  # a report field: resolve() refuses figures of these names
            printed = self._formatted[key] = self.field(name, style)
        if printed is None:
            figure = self.figures[name]
            printed = self._formatted[key] = format_figure(figure, self.unit(figure.unit), self.spec.locale, style)  # type: ignore[arg-type]
        return printed

    def field(self, name: str, style: str | None = None) -> str:
        """A report field as text prints it: ``{{ date | month }}`` (November 2026), ``{{ title }}`` (its
        own fields filled in)."""
        if name == "date":
            return format_report_date(self.spec.date, self.spec.locale, style)
        return self.plain(getattr(self.spec, name) or "")

    def plain(self, text: str) -> str:
        """Text as a reader sees it: figures formatted, citations as numbers, no markup."""
        return plain(text, self.format, self.source_number, self.exhibit_label)

    @cached_property
    def exhibits(self) -> dict[str, int]:
        """Each exhibit's number by its section's id (its anchor): what {{ exhibit: id }} prints."""
        sections = self.spec.sections
        return {sections[index].anchor(index): number for index, number in exhibit_numbers(sections).items()}

    def exhibit_label(self, name: str) -> str:
        """'Exhibit 5': an exhibit as the text refers to it (resolve() refuses an id of no exhibit)."""
        return f"Exhibit {self.exhibits[name]}"



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
    units: dict[str, Unit] = field(default_factory=dict)
    unit_marks: dict[str, Mark] = field(default_factory=dict)
    table_figures: dict[str, tuple[TableFigure, Document]] = field(default_factory=dict)  # computed once tables are in
    sources: list[Source] = field(default_factory=list)
    source_marks: dict[str, Mark] = field(default_factory=dict)
    inputs: list[InputFile] = field(default_factory=list)
    shown: dict[str, None] = field(default_factory=dict)
    cited: set[str] = field(default_factory=set)
    referred_exhibits: set[str] = field(default_factory=set)  # exhibits some other section's text refers to
    table_cells: list[tuple[Mark, str, str | None]] = field(default_factory=list)  # (cell, text, its CSV line)
    column_units: list[tuple[str, Mark]] = field(default_factory=list)  # units table columns declare
    column_shows: list[tuple[str, str, str, Mark]] = field(default_factory=list)  # (table, column, show, where)
    exact_values: dict[str, Decimal] = field(default_factory=dict)  # derived figures before rounding
    derived_decimals: set[str] = field(default_factory=set)  # derived figures whose decimals are their column's
    data_figures: dict[str, Figure] = field(default_factory=dict)  # figures converted by show: as written
    incomplete: bool = False  # a dataset failed to load: "unknown name" errors would only be echoes
    datasets: list[dict] = field(default_factory=list)  # each table dataset's origin (see Report.datasets)
    read_tables: dict[str, Table] = field(default_factory=dict)  # each table as read, before show: converts it

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
        mark = loaded.mark(("data", name))
        if dataset.path is None:  # a database query
            _load_table(checker, name, None, dataset, root)
            continue
        path = loaded.resolve_path(dataset.path)
        if not inside(path, root):
            checker.error(mark, f"dataset '{name}' points outside the project ({root})", "move the file inside it or pass --root", code="path")
            checker.incomplete = True
        elif not path.is_file():
            checker.error(mark, f"dataset '{name}': file not found: {dataset.path}", code="path")
            checker.incomplete = True
        elif path.suffix.lower() in TABLE_SUFFIXES:
            _load_table(checker, name, path, dataset, root)
        elif path.suffix.lower() in (".yaml", ".yml"):
            _load_yaml_dataset(checker, name, path, figure_overrides)
        else:
            checker.error(mark, f"dataset '{name}': unsupported file type '{path.suffix}' "
                                f"(use {', '.join(('.yaml', *TABLE_SUFFIXES))})", code="path")

    _check_column_units(checker)
    _show_columns(checker)
    _compute_table_figures(checker)
    _check_units(checker)
    _show_figures(checker)

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
    _check_exhibits_referred(checker)
    _check_language_locale(checker)
    _check_sources_cited(checker)
    _check_unused(checker)
    _check_disclosures(checker)
    _check_cited_where_shown(checker)
    _check_hand_typed(checker)
    prepared = _prepare_sections(checker)
    _check_precision(checker, prepared)
    return _finish(checker, prepared)


def _finish(checker: _Checker, prepared: dict[int, Any]) -> Report:
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
        units=dict(checker.units),
        prepared=prepared,
        data_figures=dict(checker.data_figures),
        datasets=tuple(checker.datasets),
        read_tables=dict(checker.read_tables),
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
        _check_printed_as_written(checker, document, ("sources",), ("author", "title", "publisher", "note", "site"))
        for index, source in enumerate(parsed.sources):
            mark = document.mark(("sources", index, "id"))
            if source.id in checker.source_marks:
                checker.error(mark, f"duplicate source id '{source.id}'", code="duplicate")
                continue
            checker.source_marks[source.id] = mark
            checker.sources.append(source)
            if source.url is not None and is_home_page(source.url):
                checker.warn(document.mark(("sources", index, "url")),
                             f"source '{source.id}': {source.url} is a home page, not the address of the document cited",
                             "give the document's own address, or write it as site: so the brief says it is only the "
                             "publisher's site", code="source-url")
        return
    if not {"figures", "breakdowns", "units"} & set(data):
        checker.error(document.mark(()), f"dataset '{name}': expected a 'figures:', 'breakdowns:', 'units:' or 'sources:' key at the top", code="invalid")
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
    for unit_name, definition in parsed.units.items():
        mark = document.mark(("units", unit_name), key=True)
        if unit_name in checker.units:
            checker.error(mark, f"unit '{unit_name}' is declared twice (also at {checker.unit_marks[unit_name].file}:{checker.unit_marks[unit_name].line})", code="duplicate")
            continue
        checker.units[unit_name] = unit_from_def(unit_name, definition)
        checker.unit_marks[unit_name] = mark
    _check_printed_as_written(checker, document, ("figures",), ("label", "note"))
    _check_printed_as_written(checker, document, ("breakdowns",), ("title", "label", "note"))
    for figure_name, figure in parsed.figures.items():
        mark = document.mark(("figures", figure_name), key=True)
        if figure_name in checker.figures or figure_name in checker.table_figures:
            checker.error(mark, f"figure '{figure_name}' is defined twice", code="duplicate")
            continue
        checker.figure_homes[figure_name] = (document, ("figures", figure_name))
        if isinstance(figure, TableFigure):
            checker.table_figures[figure_name] = (figure, document)
        else:
            checker.figures[figure_name] = figure.model_copy(update={"name": figure_name})
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


def _check_printed_as_written(checker: _Checker, document: Document, under: Loc, keys: tuple[str, ...]) -> None:
    """A data file's labels, titles and notes are printed as written, not filled in: a '{{' or '}}' in
    one would reach the page as is (the proof would refuse it), so it is refused here, where it is."""
    for loc, text in strings_in(document.data.get(under[0]), under):
        if loc[-1] in keys and (shown := template_token(text)) is not None:
            checker.error(document.mark_of_text(loc, shown),
                          f"{'.'.join(map(str, loc))}: '{shown}' would be printed as written: a data file's {loc[-1]}s "
                          "are text, not templates", "write the value out, or refer to the figure from the spec's text",
                          code="template-text")


def _load_table(checker: _Checker, name: str, path: Path | None, dataset, root: Path) -> None:
    """A table dataset from its source (a CSV, a workbook, a database query), typed and checked."""
    spec_mark = checker.loaded.mark(("data", name))
    result, inputs = read_table(checker.loaded, name, dataset, path, root,
                                lambda loc, key=False: checker.loaded.mark(("data", name) + loc, key))
    checker.inputs += inputs
    checker.problems += result.problems
    if result.table is None:
        checker.incomplete = True
        return
    checker.datasets.append(_origin(name, dataset, result.table, inputs, root))
    checker.read_tables[name] = result.table
    if dataset.as_of == "latest":
        latest = _latest_date(result.table)
        if latest is None:
            checker.error(checker.loaded.mark(("data", name, "as_of")),
                          f"table '{name}': as_of: latest needs a date column with a date in it",
                          "declare its date column (columns: {date: date}) or give the date: as_of: YYYY-MM-DD", code="unknown")
            checker.incomplete = True
            return
        result.table = replace(result.table, as_of=latest)
        dataset = dataset.model_copy(update={"as_of": latest})
    checker.table_cells += [(mark, cell, line) for mark, cell, line in result.cells_with_markup]
    if dataset.source is None:
        checker.error(spec_mark, f"table '{name}' needs a 'source' (a source id) so its provenance can be shown", code="unknown")
    else:
        checker.table_cells.append((checker.loaded.mark(("data", name, "source")), f"[@{dataset.source}]", None))
    if dataset.as_of is None:
        checker.error(spec_mark, f"table '{name}' needs an 'as_of' date (when its data was current)",
                      "add as_of: YYYY-MM-DD to its data entry", code="unknown")
    else:
        _check_date(checker, dataset.as_of, checker.loaded.mark(("data", name, "as_of")), f"table '{name}'")
    for column in result.table.columns:
        if column.unit is not None:
            checker.column_units.append((column.unit, checker.loaded.mark(("data", name, "columns", column.name, "unit"))))
        declared = dataset.columns.get(column.name)
        if isinstance(declared, ColumnSpec) and declared.show is not None:
            show_mark = checker.loaded.mark(("data", name, "columns", column.name, "show"))
            checker.column_units.append((declared.show, show_mark))
            checker.column_shows.append((name, column.name, declared.show, show_mark))
    checker.tables[name] = result.table


def _origin(name: str, dataset, table: Table, inputs: list[InputFile], root: Path) -> dict:
    """Where a table dataset's rows came from, as the manifest records it: a file and its digest, or a
    database (its SQLite file or masked URL), the query, its params and a digest of the rows read."""
    record: dict = {"name": name}
    for item in inputs:
        if item.origin is not None:
            record.update(item.origin)
        else:
            record.update({"path": relative(item.path, resolved(root)), "sha256": item.sha256})
            if dataset.sheet is not None:
                record["sheet"] = dataset.sheet
    record["rows"] = len(table.rows)
    return record


def _latest_date(table: Table) -> dt.date | None:
    """The latest date in the table's first date (or date-time) column: when its data was current."""
    for column in table.columns:
        if column.kind in ("date", "datetime"):
            dates = [value.date() if isinstance(value, dt.datetime) else value for value in table.values(column.name)
                     if value is not None]
            return max(dates) if dates else None
    return None


def _compute_table_figures(checker: _Checker) -> None:
    """Figures defined by a table cell or aggregate: computed here, then checked like any figure."""
    for name, (spec, document) in checker.table_figures.items():
        home = ("figures", name)
        table = checker.tables.get(spec.table)
        if table is None:
            if not checker.incomplete:
                checker.error(document.mark(home + ("table",)), f"figure '{name}': unknown table '{spec.table}'",
                              _did_you_mean(spec.table, checker.tables) or _known("tables", checker.tables), code="unknown")
            continue
        try:
            rows = select(table, spec.where)
            value = aggregate(table, rows, spec.column, spec.agg, spec.over, ())
        except QueryError as error:
            checker.error(document.mark(home + error.loc), f"figure '{name}': {error.message}", error.hint, code="unknown")
            continue
        column = table.column(spec.column)
        unit = spec.unit or ("percent" if spec.agg == "pct_change" else "count" if spec.agg == "count" else column.unit or "count")
        decimals = spec.decimals if spec.decimals is not None else _derived_decimals(checker, table, spec, unit)
        if spec.decimals is None:
            checker.derived_decimals.add(name)
        checker.exact_values[name] = value
        if decimals is not None:
            value = value.quantize(Decimal(1).scaleb(-decimals))
        as_of, source = spec.as_of or table.as_of, spec.source or table.source
        if as_of is None or source is None:
            continue  # the table's own missing as_of or source is reported at the table
        checker.figures[name] = Figure(
            name=name, label=spec.label, value=value, unit=unit, show=spec.show, as_of=as_of, source=source,
            style=spec.style, decimals=decimals, note=spec.note,
        )


def _derived_decimals(checker: _Checker, table: Table, spec: TableFigure, unit_name: str) -> int | None:
    """A derived figure prints as its column does (a mean of a 2-decimals column has 2 decimals): the
    column's decimals, else its unit's, else the most its numbers have. Counts are whole; a pct_change is
    a new quantity with one decimal."""
    if spec.agg == "count":
        return None
    if spec.agg == "pct_change":
        return 1
    column = table.column(spec.column)
    unit = find_unit(unit_name, checker.units)
    decimals = column_decimals(table.values(spec.column), column.decimals, unit)
    if decimals is None and spec.agg in ("mean", "median"):  # a quotient: bounded by the unit's decimals
        decimals = unit.decimals if unit is not None and unit.decimals is not None else 1
    return decimals


def _unit_hint(checker: _Checker, unit: str) -> str:
    return _did_you_mean(unit, [*BUILT_IN_KINDS, *KNOWN_MEASURES, *checker.units]) or unknown_unit_hint(checker.units)


def _check_units(checker: _Checker) -> None:
    for name, figure in checker.figures.items():
        if "." in name:
            continue
        for key, unit in (("unit", figure.unit), ("show", figure.show)):
            if unit is not None and find_unit(unit, checker.units) is None:
                checker.error(checker.field_mark(name, key), f"figure '{name}': unknown unit '{unit}'", _unit_hint(checker, unit), code="unknown")


def _check_column_units(checker: _Checker) -> None:
    for unit, mark in checker.column_units:
        if find_unit(unit, checker.units) is None:
            checker.error(mark, f"unknown unit '{unit}'", _unit_hint(checker, unit), code="unknown")


def _conversion(checker: _Checker, what: str, unit_name: str, show: str, mark: Mark) -> Decimal | None:
    """The factor from ``unit_name`` to ``show``, or None with a located error (unknown units: reported already)."""
    source, target = find_unit(unit_name, checker.units), find_unit(show, checker.units)
    if source is None or target is None:
        return None
    try:
        return conversion_factor(source, target)
    except ConversionError as exc:
        if source.dimension is not None:
            alike = [name for name in units_of_dimension(source.dimension, checker.units) if name != unit_name]
            hint = f"show it in a unit of {describe_dimension(source.dimension)} ({', '.join(alike)}), or correct unit:"
        else:
            hint = f"declare dimension: and scale: for '{unit_name}' under units: in a data file, or remove show:"
        if target.dimension is None and source.dimension is not None:
            hint = f"declare dimension: and scale: for '{show}' under units: in a data file, or " + hint
        checker.error(mark, f"{what} cannot be shown in '{show}': {exc}", hint, code="unit")
        return None


def _show_columns(checker: _Checker) -> None:
    """Columns with ``show:``: their numbers converted once, as the table is read."""
    for table_name, column_name, show, mark in checker.column_shows:
        table = checker.tables.get(table_name)
        if table is None:
            continue
        column = table.column(column_name)
        what = f"column '{column_name}' of table '{table_name}'"
        if column.unit is None:
            checker.error(mark, f"{what} has show: {show} but no unit: to convert from",
                          "add unit: (the unit its numbers are written in)", code="unit")
            continue
        factor = _conversion(checker, what, column.unit, show, mark)
        if factor is None:
            continue
        position = table.index(column_name)
        rows = tuple(row[:position] + (convert(row[position], factor) if row[position] is not None else None,) + row[position + 1:]
                     for row in table.rows)
        columns = tuple(replace(c, unit=show, data_unit=c.unit) if c.name == column_name else c for c in table.columns)
        checker.tables[table_name] = replace(table, rows=rows, columns=columns)


def _show_figures(checker: _Checker) -> None:
    """Figures with ``show:``: converted exactly into the unit they are printed in (the data kept for the manifest)."""
    for name, figure in list(checker.figures.items()):
        if figure.show is None or figure.show == figure.unit:
            continue
        factor = _conversion(checker, f"figure '{name}'", figure.unit, figure.show, checker.field_mark(name, "show"))
        if factor is None:
            continue
        checker.data_figures[name] = figure
        decimals = figure.decimals
        if name in checker.derived_decimals and decimals is not None:  # the column's decimals, moved with the scale
            power_of_ten = factor.normalize().as_tuple().digits == (1,)
            decimals = max(0, decimals - factor.adjusted()) if power_of_ten else None
        checker.figures[name] = figure.model_copy(update={
            key: convert(getattr(figure, key), factor) for key in ("value", "min", "max") if getattr(figure, key) is not None
        } | {"unit": figure.show, "decimals": decimals})
        if name in checker.exact_values:
            checker.exact_values[name] = convert(checker.exact_values[name], factor)


def _prepare_sections(checker: _Checker) -> dict[int, Any]:
    """Each section's data (chart series, table rows), checked against the tables now, so a section
    that validates renders. Skipped when earlier problems would make its errors mere echoes."""
    if checker.incomplete or any(p.is_error and p.code not in ("stale", "future") for p in checker.problems):
        return {}
    report = _finish(_Checker(checker.loaded, allow_stale=True, figures=checker.figures, breakdowns=checker.breakdowns,
                              tables=checker.tables, units=checker.units, sources=checker.sources), {})
    prepared = {}
    for index, section in enumerate(checker.loaded.spec.sections):
        try:
            result = section.prepare(report)
        except DataErrors as errors:
            for error in errors.errors:
                loc = ("sections", index) + error.loc
                checker.error(checker.loaded.mark(loc, error.at_key), _said_where(checker.loaded, loc, error.message), error.hint,
                              code=error.code)
            continue
        if result is not None:
            prepared[index] = result
    return prepared


def _said_where(loaded: LoadedSpec, loc: Loc, message: str) -> str:
    """A message about a value set with ``--set`` (or a recipient's variant) starts with that setting,
    since its location is only the command line."""
    shown = loaded.document.overridden.get(loaded.document.nearest(loc))
    return f"{shown}: {message}" if shown else message


def _check_date(checker: _Checker, as_of: dt.date, mark: Mark, what: str) -> None:
    spec = checker.loaded.spec
    if as_of > spec.date:
        checker.error(mark, f"{what} is as of {as_of}, after the report date {spec.date}", "check the date or the report date", code="future")
    max_age = spec.checks.max_age_days
    if max_age is not None and (spec.date - as_of).days > max_age:
        checker.error(
            mark, f"{what} is stale: as of {as_of}, {(spec.date - as_of).days} days before the report date {spec.date} "
            f"(max_age_days: {max_age})",
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


def _check_text(checker: _Checker, mark_of, text: str, within: int | None = None) -> None:
    """Check every {{ figure }}, {{ exhibit: id }} and citation in ``text`` (of section ``within``, if
    it is a section's); ``mark_of(token)`` locates one."""
    numbers = len(checker.sources)
    source_ids = [s.id for s in checker.sources]
    for ref in references(text):
        if ref.kind == "exhibit":
            _check_exhibit_reference(checker, mark_of(ref.token), ref, within)
        elif ref.kind == "figure":
            if ref.name in REPORT_FIELDS:
                _check_field(checker, mark_of(ref.token), ref)
            elif ref.name in checker.table_figures and ref.name not in checker.figures:
                continue  # defined, but could not be computed: its own error says why
            elif ref.name not in checker.figures:
                checker.error(mark_of(ref.token), f"unknown figure '{ref.name}'",
                              _did_you_mean(ref.name, [*checker.figures, *REPORT_FIELDS]), code="unknown")
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


def _check_exhibit_reference(checker: _Checker, mark: Mark, ref, within: int | None) -> None:
    """{{ exhibit: id }} names an exhibit (a chart or table section) by its id; one named by the text of
    another section counts as referred to."""
    sections = checker.loaded.spec.sections
    anchors = {section.anchor(index): index for index, section in enumerate(sections)}
    exhibits = [name for name, index in anchors.items() if sections[index].is_exhibit]
    index = anchors.get(ref.name)
    if index is None:
        checker.error(mark, f"'{ref.token}': unknown exhibit '{ref.name}'",
                      _did_you_mean(ref.name, exhibits) or _known("exhibits", exhibits), code="unknown")
    elif not sections[index].is_exhibit:
        checker.error(mark, f"'{ref.token}': section '{ref.name}' is a {sections[index].type} section, not an exhibit",
                      f"refer to a chart or table section ({_known('exhibits', exhibits)})", code="unknown")
    elif index != within:
        checker.referred_exhibits.add(ref.name)


def _check_exhibits_referred(checker: _Checker) -> None:
    """In a brief with running text (a narrative section), an exhibit no text refers to is a warning: a
    reader should be told where to look, and why. A brief of exhibits alone (a chart pack) has no text
    to refer from."""
    if any(p.is_error and p.code == "unknown" for p in checker.problems):
        return  # a reference misspelt is reported already; "never referred to" would only echo it
    loaded = checker.loaded
    if not any(section.type == "narrative" for section in loaded.spec.sections):
        return
    for index, section in enumerate(loaded.spec.sections):
        name = section.anchor(index)
        if not section.is_exhibit or name in checker.referred_exhibits:
            continue
        if section.id is not None:
            checker.warn(loaded.mark(("sections", index, "id")), f"exhibit '{name}' is never referred to",
                         f"write {{{{ exhibit: {name} }}}} where the text discusses it", code="unreferred-exhibit")
        else:
            checker.warn(loaded.mark(("sections", index, "type")), f"exhibit '{name}' is never referred to",
                         "give the section an id: and write {{ exhibit: <its id> }} where the text discusses it",
                         code="unreferred-exhibit")


def _check_language_locale(checker: _Checker) -> None:
    """The locale writes the brief's dates, times and numbers; the language is the text's. British text with
    American dates ("en-GB" text, locale "en_US") reads as a mistake: they must name the same language and,
    where both name one, the same region."""
    from babel import Locale

    spec = checker.loaded.spec
    subtags = spec.language.replace("_", "-").split("-")
    language = subtags[0].lower()
    region = next((tag.upper() for tag in subtags[1:] if len(tag) == 2 or tag.isdigit()), None)
    locale = Locale.parse(spec.locale)
    if locale.language == language and (region is None or locale.territory is None or locale.territory == region):
        return
    suggestion = f"{language}_{region}" if region else language
    try:
        Locale.parse(suggestion)
    except (ValueError, LookupError):
        suggestion = None
    written = "locale" if "locale" in checker.loaded.document.data else "language"
    checker.warn(checker.loaded.mark((written,)),
                 f"locale '{spec.locale}' writes dates and numbers for another language or region than the text's "
                 f"language '{spec.language}'",
                 f"set locale: {suggestion}" if suggestion else "make locale: and language: name the same language and region",
                 code="locale")


def _check_field(checker: _Checker, mark: Mark, ref) -> None:
    """A report field in text: {{ date }} with a date style, {{ title }} and {{ subtitle }} with none."""
    if ref.name == "date":
        if ref.style and ref.style not in REPORT_DATE_STYLES:
            checker.error(mark, f"unknown style '{ref.style}' for the report date",
                          _did_you_mean(ref.style, REPORT_DATE_STYLES) or f"use one of {', '.join(REPORT_DATE_STYLES)}",
                          code="unknown")
        return
    if ref.style:
        checker.error(mark, f"unknown style '{ref.style}' for the {ref.name}", f"write {{{{ {ref.name} }}}}: the {ref.name} "
                      "takes no style", code="unknown")
    elif getattr(checker.loaded.spec, ref.name) is None:
        checker.error(mark, f"'{ref.token}': the spec has no {ref.name}", f"add {ref.name}: or remove the reference",
                      code="unknown")


def _check_fields_refer_on(checker: _Checker) -> None:
    """The title and subtitle may show each other, but never themselves, not even by way of the other."""
    document = checker.loaded.document
    spec = checker.loaded.spec
    uses = {key: [ref for ref in references(getattr(spec, key) or "") if ref.kind == "figure" and ref.name in ("title", "subtitle")]
            for key in ("title", "subtitle")}
    for key in ("title", "subtitle"):
        for ref in uses[key]:
            through = "" if ref.name == key else f" (the {ref.name} shows the {key})"
            if ref.name == key or any(other.name == key for other in uses[ref.name]):
                checker.error(document.mark_of_text((key,), ref.token), f"'{ref.token}' in the {key} refers to the {key} itself{through}",
                              f"write the {key} out", code="self-reference")
                break


def _check_figure_names(checker: _Checker) -> None:
    """A figure may not take a report field's name: {{ date }} would mean two things."""
    for name in REPORT_FIELDS:
        if name in checker.figure_homes:
            checker.error(checker.field_mark(name), f"figure '{name}' has the name of a report field ({{{{ {name} }}}} is "
                          f"the report's {name})", "rename the figure", code="duplicate")


def _column_labels(document: Document) -> Iterator[tuple[Loc, str]]:
    """The labels the spec gives table datasets' columns: printed as column headers, read as the text is
    ({{ figure }} filled in), so checked as it is."""
    data = document.data.get("data")
    for name, entry in (data.items() if isinstance(data, dict) else ()):
        columns = entry.get("columns") if isinstance(entry, dict) else None
        for column, declared in (columns.items() if isinstance(columns, dict) else ()):
            if isinstance(declared, dict) and isinstance(declared.get("label"), str):
                yield ("data", name, "columns", column, "label"), declared["label"]


def _check_sections(checker: _Checker) -> None:
    loaded = checker.loaded
    document = loaded.document
    _check_figure_names(checker)
    _check_fields_refer_on(checker)
    texts = [*strings_in({key: document.data.get(key) for key in ("title", "subtitle", "author", "subject", "keywords")}, ()),
             *strings_in(document.data.get("sections", []), ("sections",)), *_column_labels(document)]
    for loc, text in texts:
        within = loc[1] if loc[0] == "sections" and len(loc) > 1 and isinstance(loc[1], int) else None
        _check_text(checker, lambda token, loc=loc: document.mark_of_text(loc, token), text, within)
        if len(text) > MAX_WORD_CHARS and (word := _OVERLONG_WORD.search(text)):
            checker.error(document.mark_of_text(loc, word.group(0)[:40]),
                          f"a word of {len(word.group(0)):,} characters ('{word.group(0)[:20]}…'): no line can hold it",
                          f"break it with spaces; a word has at most {MAX_WORD_CHARS} characters", code="layout")
    anchors: dict[str, int] = {}
    for index, section in enumerate(loaded.spec.sections):
        anchor = section.anchor(index)
        if anchor in anchors:
            checker.error(
                loaded.mark(("sections", index, "id")), f"section id '{anchor}' is already used by section {anchors[anchor] + 1}",
                "give each section its own id", code="duplicate",
            )
        anchors.setdefault(anchor, index)
        for loc, message, hint in section.ignored_keys():
            checker.error(loaded.mark(("sections", index) + loc), _said_where(loaded, ("sections", index) + loc, message),
                          hint, code="ignored-key")
        for loc, message, hint in section.layout_problems():
            checker.error(loaded.mark(("sections", index) + loc), message, hint, code="layout")
        _check_rail(checker, index, section)
        for ref in section.refs():
            mark = loaded.mark(("sections", index) + ref.loc)
            if ref.kind == "figure":
                if ref.name in checker.figures:
                    checker.shown.setdefault(ref.name)
                elif ref.name in checker.table_figures:
                    pass  # defined, but could not be computed: its own error says why
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
                if table is not None and ref.name not in table.column_names:
                    checker.error(mark, f"unknown column '{ref.name}' in table '{table.name}'", _did_you_mean(ref.name, table.column_names) or _known("columns", table.column_names), code="unknown")


def _check_rail(checker: _Checker, index: int, section) -> None:
    """Only some sections go in the rail beside the text; an analyst box names someone."""
    from .sections import RAIL_TYPES

    loaded = checker.loaded
    if section.place == "rail" and not section.IN_RAIL:
        checker.error(loaded.mark(("sections", index, "place")),
                      f"a {section.type} section cannot go in the rail; the rail takes {', '.join(RAIL_TYPES)} sections",
                      "remove place: rail (it is set in the main column)", code="layout")
    if section.type == "analysts" and not section.listed(loaded.spec):
        checker.error(loaded.mark(("sections", index, "type")), "the analyst box names no analyst",
                      "list them under analysts:, or add a disclosures section with its analysts", code="layout")


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


# sections whose figures carry a source line of their own, derived from the data
_SOURCED_SECTIONS = ("kpi_strip", "chart", "table", "instrument_table", "comparison", "sector_breakdown", "disclosures")


def _check_cited_where_shown(checker: _Checker) -> None:
    """A figure in running text cites its source in the same paragraph (or list item), so a reader
    can tell where each number comes from without hunting for it."""
    if checker.incomplete:
        return
    document = checker.loaded.document
    numbers = {source.id: number for number, source in enumerate(checker.sources, start=1)}
    for index, section in enumerate(checker.loaded.spec.sections):
        if section.type in _SOURCED_SECTIONS:
            continue
        for loc, text in strings_in(document.data["sections"][index], ("sections", index)):
            if loc[-1] in ("title", "label", "subtitle"):
                continue  # headings and labels: the text under them cites
            for paragraph in re.split(r"\n\s*\n", text):
                refs = list(references(paragraph))
                cited = set()
                for ref in refs:
                    if ref.kind == "citation":
                        cited.add(ref.name if not ref.name.isdigit() else next(
                            (i for i, n in numbers.items() if str(n) == ref.name), ref.name))
                for ref in refs:
                    figure = checker.figures.get(ref.name) if ref.kind == "figure" else None
                    if figure is not None and figure.source in numbers and figure.source not in cited:
                        checker.warn(document.mark_of_text(loc, ref.token),
                                     f"figure '{ref.name}' is shown without citing its source '{figure.source}' in the same paragraph",
                                     f"add [@{figure.source}] after it", code="uncited-figure")


# keys whose strings name data, columns, files or options rather than say anything to a reader
_NOT_PROSE = frozenset((
    "id", "type", "kind", "table", "x", "y", "key", "where", "figure", "breakdown", "series", "low", "high",
    "agg", "sort", "by", "width", "height", "legend", "page_break", "marker", "source", "style", "instrument",
    "ticker", "price", "currency", "at", "prices", "path", "email", "phone", "disseminated", "url",
))  # (a table column's width may be "25%": a percent figure's printed form, but no prose)


def _reader_text(document: Document) -> Iterator[tuple[Loc, str]]:
    """Every string of the spec a reader sees: the title, the subtitle and the sections' text."""
    for key in ("title", "subtitle"):
        if isinstance(document.data.get(key), str):
            yield (key,), document.data[key]
    for loc, text in strings_in(document.data.get("sections", []), ("sections",)):
        if not any(isinstance(part, str) and part in _NOT_PROSE for part in loc):
            yield loc, text


def _printed_forms(checker: _Checker) -> PrintedForms:
    locale = checker.loaded.spec.locale
    forms = []
    for name, figure in checker.figures.items():
        unit = find_unit(figure.unit, checker.units)
        if unit is None:
            continue  # an unknown unit has its own error
        own = figure.style
        for style in (own, *(s for s in FIGURE_STYLES if s != own)):
            forms.append((name, style, format_figure(figure, unit, locale, style)))  # type: ignore[arg-type]
    return PrintedForms(forms)


def _check_hand_typed(checker: _Checker) -> None:
    """A figure's printed value typed in prose ("34.0 GW") would not follow the data: it should be
    written {{ installed_total }}. Which typed numbers count is decided in handtyped.py."""
    if checker.incomplete or not checker.figures:
        return
    printed = _printed_forms(checker)
    if not printed:
        return
    document = checker.loaded.document
    for loc, text in _reader_text(document):
        for found in printed.find(text):
            figure = checker.figures[found.figure]
            reference = found.figure if found.style == figure.style else f"{found.figure} | {found.style}"
            checker.warn(_typed_mark(document, loc, text, found.start, found.typed),
                         f"'{found.typed}' is figure '{found.figure}' typed by hand",
                         f"write {{{{ {reference} }}}} so it follows the data", code="hand-typed")


def _typed_mark(document: Document, loc: Loc, text: str, start: int, typed: str) -> Mark:
    """Where the text typed at ``start`` of the string at ``loc`` is in the file: by its occurrence
    in the string, or, if the file breaks it across lines, by its first word's."""
    for needle in dict.fromkeys((typed, re.split(r"\s", typed)[0])):
        mark = document.mark_of_text(loc, needle, _occurrences(text[:start], needle))
        if mark != document.mark(loc) or text.startswith(needle):
            return mark
    return document.mark(loc)


def _occurrences(text: str, needle: str) -> int:
    count, at = 0, text.find(needle)
    while at >= 0:
        count, at = count + 1, text.find(needle, at + len(needle))
    return count


RECOMMENDATION_WORDS = re.compile(
    r"\b(buy|sell|hold|overweight|underweight|outperform|underperform|top picks?|highest[- ]conviction|"
    r"price targets?|target prices?|recommend(?:s|ed|ation|ations)?)\b", re.IGNORECASE)
_NOT_SCANNED = ("disclaimer", "disclosures", "sources")


def _check_disclosures(checker: _Checker) -> None:
    """Research carries disclosures and a classification: a brief that names instruments or uses a
    recommendation's words needs a disclosures section and ``classification:`` (investment research or
    a marketing communication), unless ``checks.disclosures: not-research`` says it is not research; its
    disclosures give the Market Abuse Regulation's items (warnings where one is missing)."""
    spec = checker.loaded.spec
    disclosures = [(index, s) for index, s in enumerate(spec.sections) if s.type == "disclosures"]
    for index, section in disclosures:
        _check_methodology_section(checker, index, section)
        _check_production_record(checker, index, section)
        if section.history is not None:
            gap = section.history_gap(checker.tables.get(section.history.table), spec.date)
            if gap is not None:
                checker.warn(checker.loaded.mark(("sections", index, "history", "table")), *gap, code="disclosures")
    for index, section in enumerate(spec.sections):
        if disclosures and section.type == "disclaimer" and section.distribution:
            checker.error(checker.loaded.mark(("sections", index, "distribution"), key=True),
                          "the disclaimer's distribution: repeats what the disclosures print; a brief with disclosures "
                          "gives its distribution legends there", "move distribution: to the disclosures section",
                          code="disclosures")
        if disclosures and section.type == "disclaimer" and section.issuer is not None:
            checker.error(checker.loaded.mark(("sections", index, "issuer"), key=True),
                          "the disclaimer's issuer: repeats what the disclosures print; a brief with disclosures "
                          "states its issuer there", "move issuer: to the disclosures section", code="disclosures")
    _check_issuer_status(checker)
    if spec.checks.disclosures == "not-research":
        return
    sign = next(filter(None, (_research_sign(checker, index, section) for index, section in enumerate(spec.sections))), None)
    if sign is not None and spec.classification is None:
        reason, where = sign
        checker.error(where, f"this brief {reason} but has no classification",
                      "add classification: investment-research, or classification: marketing-communication (which "
                      "prints the MiFID II statement that it is not investment research), at the top of the spec; or, if "
                      "it is not research, set checks.disclosures: not-research", code="disclosures")
    if sign is None and spec.classification == "investment-research":
        sign = "is classified as investment research", checker.loaded.mark(("classification",))
    if disclosures:
        _check_views_disclosed(checker, disclosures)
        if sign is not None:
            _check_mar_items(checker, disclosures, _MAR_ITEMS, checker.warn)
            _check_mar_items(checker, disclosures, _MAR_STATEMENTS, checker.error)
        return
    if sign is not None:
        reason, where = sign
        checker.error(where, f"this brief {reason} but has no disclosures section",
                      "add '- type: disclosures' (analysts, issuer, conflicts, restrictions) or, if it is not "
                      "research, set checks.disclosures: not-research", code="disclosures")


UK_EEA = ("UK", "EEA")
_ISSUER_EXAMPLE = ("{legal_form: LLP, address: '1 Example Street, London', regulator: the Financial Conduct "
                   "Authority, authorised: true}")


def _check_issuer_status(checker: _Checker) -> None:
    """A classified brief distributed in the UK or the EEA states who issues it: the legal entity, its
    registered address and its regulator (the FCA's COBS 4 and MiFID II's rules on identifying the firm).
    The section that prints the brief's legends (the disclosures, else the disclaimer) must give them."""
    spec = checker.loaded.spec
    if spec.classification is None:
        return
    from .legends import CLASSIFICATION_LABELS

    printing = [(i, s) for i, s in enumerate(spec.sections) if s.type == "disclosures"] or \
        [(i, s) for i, s in enumerate(spec.sections) if s.type == "disclaimer"]
    label = CLASSIFICATION_LABELS[spec.classification].lower()
    for index, section in printing:
        places = [code for code in section.distribution if code in UK_EEA]
        if not places:
            continue
        where = checker.loaded.mark(("sections", index, "distribution"), key=True)
        regions = " and ".join({"UK": "the UK", "EEA": "the EEA"}[code] for code in places)
        if section.issuer is None:
            checker.error(where, f"this brief ({label}) is distributed in {regions} but does not say who issues it",
                          f"give the {section.type} an issuer: {_ISSUER_EXAMPLE} (the legal entity, its registered "
                          "address and its regulator)", code="disclosures")
            continue
        missing = section.issuer.missing_for_uk_eea()
        if missing:
            checker.error(where, f"this brief ({label}) is distributed in {regions} but its issuer does not give "
                          f"the {' or the '.join(missing)}",
                          f"add them to the issuer: of the {section.type}, e.g. {_ISSUER_EXAMPLE}", code="disclosures")


MAR = "Delegated Regulation (EU) 2016/958"
# (key, what the disclosures do not do, the article, how to give it)
_MAR_ITEMS = (
    ("methodology", "say where the valuation or methodology basis of the views is described", "Article 4(1)",
     "add methodology: {text: ..., url: ..., section: ...} (the basis in words, where it is published, or the id "
     "of the section that describes it)"),
    ("horizon", "give the time horizon of the views", "Article 4(1)", "add horizon: (e.g. 12 months)"),
    ("updates", "say how often the views are updated", "Article 4(1)",
     "add updates: (e.g. monthly, and whenever a view changes)"),
    ("history", "list the views of the past 12 months", "Article 4(1)",
     "add history: {table: ..., date: ..., instrument: ..., view: ..., price: ...} naming a table with a row per "
     "view and the price at the time"),
    ("coverage", "show the distribution of views across the desk's coverage", "Article 6(3)",
     "add coverage: {table: ..., view: ..., banking: ...} naming a table with a row per instrument covered, its "
     "view and whether the firm provided it investment-banking services"),
)


def _check_mar_items(checker: _Checker, disclosures: list, items: tuple, report) -> None:
    """Research states what the Market Abuse Regulation asks of a recommendation: one problem (``report``:
    ``checker.warn`` or ``checker.error``), at the disclosures, for each item that no disclosures section gives."""
    at, _ = disclosures[0]
    where = checker.loaded.document.mark(("sections", at, "type"))
    for key, what, article, hint in items:
        if not any(getattr(section, key) is not None for _, section in disclosures):
            report(where, f"the disclosures of this research brief do not {what} ({MAR}, {article})", hint,
                   code="disclosures")


# (key, what the disclosures do not give, the article, how to give it): errors, not warnings, since each is
# a fact of this edition only the desk knows (no firm-wide page can give it, unlike the items above)
_MAR_STATEMENTS = (
    ("completed", "give the date and time the production of the brief was completed", "Article 3(1)(e)",
     "add completed: with its time zone (e.g. 2026-02-15T18:00:00+00:00), no later than disseminated:"),
    ("disclosed_to_issuers", "say whether the brief was disclosed to the issuers it concerns before its "
     "dissemination", "Article 4(1)(a)",
     "add disclosed_to_issuers: false, or disclosed_to_issuers: true with amended_after_disclosure: true or false"),
)


def _check_production_record(checker: _Checker, index: int, section) -> None:
    """The completion time comes no later than the dissemination time; whether the brief was amended after
    it was disclosed to the issuers is said exactly when it was disclosed to them."""
    mark = checker.loaded.mark
    if section.completed is not None and section.completed > section.disseminated:
        checker.error(mark(("sections", index, "completed")),
                      f"completed: {section.completed.isoformat()} is after disseminated: "
                      f"{section.disseminated.isoformat()}; a brief is completed before it is first disseminated",
                      "correct one of the two times (each with its time zone)", code="disclosures")
    if section.disclosed_to_issuers and section.amended_after_disclosure is None:
        checker.error(mark(("sections", index, "disclosed_to_issuers")),
                      "disclosed_to_issuers: true, but the disclosures do not say whether the brief was amended "
                      "after that disclosure", "add amended_after_disclosure: true or false", code="disclosures")
    if not section.disclosed_to_issuers and section.amended_after_disclosure is not None:
        checker.error(mark(("sections", index, "amended_after_disclosure"), key=True),
                      "amended_after_disclosure: says whether the brief was amended after it was disclosed to the "
                      "issuers, and the disclosures do not say it was disclosed to them",
                      "remove it, or set disclosed_to_issuers: true", code="disclosures")


def _check_methodology_section(checker: _Checker, index: int, section) -> None:
    """``methodology: section:`` names a section of this brief, by its id."""
    wanted = section.methodology.section if section.methodology is not None else None
    if wanted is None:
        return
    ids = [other.id for other in checker.loaded.spec.sections if other.id]
    if wanted not in ids:
        checker.error(checker.loaded.mark(("sections", index, "methodology", "section")),
                      f"methodology: section: '{wanted}' names no section of this brief",
                      _did_you_mean(wanted, ids) or ("the section ids: " + ", ".join(ids) if ids else
                                                     "give the section that describes the methodology an id:"),
                      code="unknown")


def _check_views_disclosed(checker: _Checker, disclosures: list) -> None:
    """Recommendation wording in the text needs views (or a statement of what kind of views they are) in
    the disclosures: a reader told of "the highest conviction" finds there what that conviction is."""
    if any(section.views or section.views_statement for _, section in disclosures):
        return
    document = checker.loaded.document
    for index, section in enumerate(checker.loaded.spec.sections):
        if section.type in _NOT_SCANNED:
            continue
        for text_loc, text in strings_in(document.data["sections"][index], ("sections", index)):
            match = RECOMMENDATION_WORDS.search(text)
            if match:
                at, _ = disclosures[0]
                shown = document.mark(("sections", at, "type"))
                checker.error(
                    document.mark_of_text(text_loc, match.group(0)),
                    f"this brief uses the words of a recommendation ('{match.group(0)}') but its disclosures "
                    f"(line {shown.line}) state no views or ratings",
                    "add views: (a view per instrument) or views_statement: (what kind of views the brief states, "
                    "e.g. thematic views, no ratings or price targets) to the disclosures, or reword the text",
                    code="disclosures")
                return


def _research_sign(checker: _Checker, index: int, section) -> tuple[str, Mark] | None:
    """What makes a section research (and where), if anything."""
    document = checker.loaded.document
    if section.type == "instrument_table":
        return "names instruments (an instrument table)", document.mark(("sections", index, "type"))
    if section.type == "implications" and any(item.exposure for item in section.items):
        return "names instruments (exposure in its implications)", document.mark(("sections", index, "items"))
    if section.type in _NOT_SCANNED:
        return None
    for text_loc, text in strings_in(document.data["sections"][index], ("sections", index)):
        match = RECOMMENDATION_WORDS.search(text)
        if match:
            return f"uses the words of a recommendation ('{match.group(0)}')", document.mark_of_text(text_loc, match.group(0))
    return None


def _check_unused(checker: _Checker) -> None:
    for name in checker.figure_homes:
        if "." not in name and name not in checker.shown and name not in REPORT_FIELDS:  # those have their own error
            checker.warn(checker.field_mark(name), f"figure '{name}' is defined but shown nowhere", "refer to it as {{ " + name + " }} or remove it", code="unused")


def _check_precision(checker: _Checker, prepared: dict[int, Any]) -> None:
    """A number printed further than PRECISION of its magnitude from its data (1.28 printed '1 bp') is a
    warning: every figure shown and every number column of a table section."""
    if checker.incomplete:
        return
    locale = checker.loaded.spec.locale
    for name in checker.shown:
        figure = checker.figures.get(name)
        unit = find_unit(figure.unit, checker.units) if figure is not None else None
        if figure is None or unit is None:
            continue
        ends = [("value", checker.exact_values.get(name, figure.value))] if not figure.is_range else [("min", figure.min), ("max", figure.max)]
        for which, value in ends:
            shown = shown_number(value, unit, locale, figure.style, figure.decimals)
            off = relative_difference(shown, value)
            if off > PRECISION:
                printed = format_figure(figure, unit, locale)
                checker.warn(checker.field_mark(name), f"figure '{name}' prints as '{printed}' but its {which} is {_data_number(value)} "
                             f"({unit.name}): the printed form is {off:.0%} off",
                             _precision_hint(value, unit, locale, figure.style, unit.name), code="precision")
                break
    warned: set[tuple] = set()
    for index, data in ((index, part) for index, value in prepared.items() for part in getattr(value, "parts", (value,))):
        if not (hasattr(data, "columns") and hasattr(data, "table") and hasattr(data, "cell_format")):
            continue  # a chart, not a table section
        for position, (column, _) in enumerate(data.columns):
            if not column.numeric or (column.unit and find_unit(column.unit, checker.units) is None):
                continue
            shown = data.cell_format(position, checker.units)
            unit, decimals, style = shown.unit, shown.decimals, shown.style
            total = data.total.values[position] if data.total is not None and data.total.hows[position] != "count" else None
            if total is not None:  # a total printed in the column's decimals: a mean of 1 and 2 is not '2'
                total_shown = data.total_format(position, checker.units, locale)
                total_places, like = total_shown.decimals, total_shown.like
                off = relative_difference(shown_cell(total, unit, locale, style, total_places, like), total)
                if off > PRECISION:
                    printed = _cell_text(total, unit, locale, style, total_places, shown.signed, like)
                    checker.warn(checker.loaded.mark(("sections", index, "total", column.name)),
                                 f"the total row's {data.total.hows[position]} of column '{column.name}' is {_data_number(total)}, "
                                 f"printed '{printed}': the printed form is {off:.0%} off",
                                 _precision_hint(total, unit, locale, style, None, cell=True, signed=shown.signed,
                                                 other_units=False), code="precision")
            key = (data.table.name, column.name, decimals, style)
            if key in warned:
                continue
            worst, worst_off = None, Decimal(0)
            by_row = column.currency_column is not None  # a price in each row's currency: its minor units
            for row_index, value in enumerate(row[position] for row in data.rows):
                if value is None:
                    continue
                if by_row:
                    row_shown = data.cell_format(position, checker.units, row_index)
                    unit, decimals = row_shown.unit, row_shown.decimals
                off = relative_difference(shown_cell(value, unit, locale, style, decimals), value)
                if off > worst_off:
                    worst, worst_off = value, off
                    worst_format = (unit, decimals)
            if worst is None or worst_off <= PRECISION:
                continue
            unit, decimals = worst_format
            warned.add(key)
            printed = _cell_text(worst, unit, locale, style, decimals, shown.signed)
            checker.warn(_cell_mark(data.table, column.name, worst),
                         f"table '{data.table.name}' column '{column.name}' prints {_data_number(worst)} as '{printed}': the printed form is {worst_off:.0%} off",
                         _precision_hint(worst, unit, locale, style, None, cell=True, signed=shown.signed), code="precision")


def _data_number(value: Decimal) -> str:
    """A number of the data as a message quotes it: plain digits, at most six decimals (a mean's 28 are noise);
    a tiny one in exponent form (1e-14, not 0)."""
    if value and abs(value) < Decimal("0.001"):
        return f"{value:.6g}"
    if isinstance(value.as_tuple().exponent, int) and value.as_tuple().exponent < -6:  # type: ignore[operator]
        value = value.quantize(Decimal("1e-6")).normalize()
    return format(value, "f")


def _cell_text(value: Decimal, unit: Unit | None, locale: str, style, decimals: int | None, signed: bool,
               like: Decimal | None = None) -> str:
    """A table cell's number as a message quotes it: as printed (signed in a change column), plain spaces."""
    return printed_cell(value, unit, locale, style, decimals, signed, like)[0].replace("\u00a0", " ")


def _precision_hint(value: Decimal, unit: Unit | None, locale: str, style, unit_name: str | None, cell: bool = False,
                    signed: bool = False, other_units: bool = True) -> str:
    """How to print ``value`` close enough: the fewest decimals that do, and (``other_units``: for data,
    not a total worked out from it) the unit it may really be in."""
    for decimals in range(0, 7):
        shown = shown_cell(value, unit, locale, style, decimals) if cell else shown_number(value, unit, locale, style, decimals)
        if relative_difference(shown, value) <= PRECISION:
            text = (_cell_text(value, unit, locale, style, decimals, signed) if cell
                    else format_number(value, unit, locale, style, decimals))
            advice = f"set decimals: {decimals} {'on the column ' if cell else ''}(prints '{text}')"
            break
    else:
        advice = "set decimals:"
    if other_units and unit is not None and unit.dimension is not None and not unit.dimension.startswith("currency "):
        # the nearest other scale of the dimension (pp for bp, kW for MW): what a mistaken unit usually is
        others = [other for name in units_of_dimension(unit.dimension, {}) if name != unit.name
                  and (other := find_unit(name, {})) is not None and other.scale != unit.scale]
        if others:
            nearest = min(others, key=lambda other: abs((other.scale / unit.scale).adjusted()))
            advice += (f", or, if the data is in another unit, give it as unit: and this one as show: "
                       f"(unit: {nearest.name}, show: {unit.name})")
    return advice


def _cell_mark(table: Table, column: str, value: Any) -> Mark:
    """Where ``value`` first stands in ``column`` of the CSV (the column's first cell if it was converted)."""
    position = table.index(column)
    index = next((i for i, row in enumerate(table.rows) if row[position] == value), 0)
    if table.cell_mark is not None:  # a workbook or a query: its source places the cell
        return table.cell_mark(index, position)
    line = table.lines[index] if table.lines else 1
    try:
        text = table.path.read_text(encoding="utf-8-sig").splitlines()[line - 1]
    except (OSError, IndexError, UnicodeDecodeError):
        return Mark.of(table.path, line, 1)
    starts = field_starts(text)
    return Mark.of(table.path, line, starts[position] if position < len(starts) else 1)
