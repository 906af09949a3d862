"""Database datasets: one SELECT (or WITH) statement, read-only, bounded, its rows as a table's cells.

``database:`` names an SQLite file in the project, opened read-only (``mode=ro``, and ``query_only``);
``url_env:`` names an environment variable holding any SQLAlchemy URL (credentials stay in the
environment; a URL is only ever shown with its password masked). Other databases are read in a
read-only transaction with a statement timeout. Parameters are bound, never formatted into the query.

The rows become text cells that look like a CSV's (numbers exactly, dates ISO, NULL empty), so
``tables.typed_table`` types them as it types a CSV: same declarations, inference, strictness and limits.
A cell's problem is located at the spec's ``query:`` with its row and column.

SQLAlchemy (and the driver) is imported only when a spec reads a database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import Mark, Problem, display_path
from ..editions import relative
from ..inputs import InputFile, inside
from ..tables import MAX_COLUMNS, MAX_ROWS, MAX_TABLE_BYTES, Cells, CsvResult, needs_cell_scan, typed_table

TIMEOUT_SECONDS = 30.0  # a statement running longer is stopped
FETCH_ROWS = 5_000  # rows fetched at a time: the limits are checked as they come
SQLITE_MAGIC = b"SQLite format 3\x00"
CODE = "database"


class _Refused(Exception):
    """One problem that stops reading this dataset: (key of the dataset's entry, message, hint)."""

    def __init__(self, key: tuple, message: str, hint: str | None = None, code: str = CODE):
        super().__init__(message)
        self.key, self.message, self.hint, self.code = key, message, hint, code


# -- the statement -------------------------------------------------------------------------------

def _segments(query: str):
    """The query in pieces: ("code", text) outside comments and quotes, ("quoted", text) for a string
    literal or quoted name (quotes included), ("comment", text) for a comment."""
    i, n, start = 0, len(query), 0
    while i < n:
        char = query[i]
        if query.startswith("--", i) or query.startswith("/*", i):
            if start < i:
                yield "code", query[start:i]
            if query.startswith("--", i):
                end = query.find("\n", i)
                end = n if end < 0 else end
            else:
                end = query.find("*/", i + 2)
                end = n if end < 0 else end + 2
            yield "comment", query[i:end]
            i = start = end
        elif char in "'\"`":
            if start < i:
                yield "code", query[start:i]
            end = i + 1
            while end < n:
                if query[end] == char:
                    if end + 1 < n and query[end + 1] == char:  # a doubled quote stays inside
                        end += 2
                        continue
                    break
                end += 1
            yield "quoted", query[i:end + 1]
            i = start = end + 1
        else:
            i += 1
    if start < n:
        yield "code", query[start:]


def _code_outside_literals(query: str) -> str:
    """The query with comments removed and string literals and quoted names blanked ('' / ""), so
    that what is left can be searched for ';' and its first word."""
    return "".join(text if kind == "code" else (" " if kind == "comment" else text[0] * 2)
                   for kind, text in _segments(query))


def _bindable(query: str) -> str:
    """The query as SQLAlchemy's ``text()`` reads it: a colon inside a string literal, a quoted name or a
    comment is escaped (``\\:``), so only the ``:names`` of the code are parameters ('a :b' is text)."""
    return "".join(text if kind == "code" else text.replace(":", "\\:") for kind, text in _segments(query))


def statement_problem(query: str) -> str | None:
    """Why ``query`` is not exactly one SELECT or WITH statement (checked before anything runs), or None."""
    code = _code_outside_literals(query).strip()
    body = code[:-1].rstrip() if code.endswith(";") else code
    if ";" in body:
        return "the query holds more than one statement (a ';' separates them): give exactly one SELECT or WITH statement"
    if "$$" in body:
        return "the query holds a dollar-quoted string: give exactly one plain SELECT or WITH statement"
    if "\\" in query:  # in some dialects (PostgreSQL's E'...', MySQL) a backslash escapes a quote: the scan above would be fooled
        return "the query holds a backslash: give values as params (:name), not as escaped strings in the query"
    first = re.match(r"[A-Za-z]+", body.lstrip("( \t\r\n"))
    if first is None or first.group(0).upper() not in ("SELECT", "WITH"):
        word = first.group(0).upper() if first else "that"
        return f"the query must be one SELECT or WITH statement, not {word}: deckgen only reads"
    return None


# -- values as cells -----------------------------------------------------------------------------

def _cell(value: Any) -> str:
    """A value as a CSV would write it: numbers exactly (floats to 15 significant digits), dates and
    times ISO (a time's zone kept), NULL empty."""
    kind = type(value)
    if kind is str:
        return value
    if value is None:
        return ""
    if kind is int:
        return str(value)
    if kind is float:
        return format(value, ".15g") if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if kind is Decimal:
        return format(value, "f") if value.is_finite() and -30 < value.adjusted() < 30 else str(value)
    if kind is bool:
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.isoformat(sep=" ", timespec="seconds" if value.second or value.microsecond else "minutes")
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError("binary data")
    return str(value)


# -- reading -------------------------------------------------------------------------------------

def masked(url) -> str:
    """A URL as messages and the manifest show it: the password never."""
    return url.render_as_string(hide_password=True)


def _one_line(error: BaseException, secrets: tuple[str, ...] = ()) -> str:
    """A driver's message, first line only, with any secret taken out."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text[:300]


def read_database(loaded, name: str, dataset, root: Path, spec_mark, *, source: str | None = None,
                  as_of: dt.date | None = None) -> tuple[CsvResult, list[InputFile]]:
    """The table a database dataset's query returns, and an InputFile whose digest is of the rows read
    (and of the query and its parameters); problems are located at the dataset's keys in the spec."""
    try:
        return _read(loaded, name, dataset, root, spec_mark, source, as_of)
    except _Refused as refused:
        mark = spec_mark(refused.key, False)
        return CsvResult(None, [Problem.at(mark, f"dataset '{name}': {refused.message}", refused.hint, code=refused.code)], []), []


def _read(loaded, name, dataset, root, spec_mark, source, as_of):
    import sqlalchemy
    from sqlalchemy.pool import NullPool

    query: str = dataset.query
    problem = statement_problem(query)
    if problem:
        raise _Refused(("query",), problem, code="query")
    clause = sqlalchemy.text(_bindable(query))
    used = list(clause.compile().params)
    missing = [p for p in used if p not in dataset.params]
    if missing:
        raise _Refused(("query",), f"the query uses :{missing[0]}, which params does not give",
                       f"add params: {{{missing[0]}: ...}} to the dataset")
    for param in dataset.params:
        if param not in used:
            raise _Refused(("params", param), f"param '{param}' is not used by the query",
                           f"the query's parameters: {', '.join(':' + p for p in used)}" if used else "the query has no :names; remove it")

    secrets: tuple[str, ...] = ()
    if dataset.database is not None:
        path = loaded.resolve_path(dataset.database)
        if not inside(path, root):
            raise _Refused(("database",), f"the database points outside the project ({root})",
                           "move the file inside it or pass --root", code="path")
        if not path.is_file():
            raise _Refused(("database",), f"database file not found: {dataset.database}", code="path")
        try:
            with open(path, "rb") as handle:
                head = handle.read(len(SQLITE_MAGIC))
        except OSError as exc:
            raise _Refused(("database",), f"cannot read {display_path(path)}: {exc.strerror or exc}", code="path") from None
        if head != SQLITE_MAGIC:
            raise _Refused(("database",), f"{display_path(path)} is not an SQLite database",
                           "database: is for an SQLite file; for another database use url_env:", code="path")
        import sqlite3
        from urllib.parse import quote

        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        engine = sqlalchemy.create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
                                          poolclass=NullPool)
        origin = {"database": relative(path, root.resolve())}
        origin_key, where, input_path = ("database",), display_path(path), path
    else:
        variable = dataset.url_env
        raw = os.environ.get(variable, "")
        if not raw.strip():
            raise _Refused(("url_env",), f"environment variable {variable} is {'empty' if variable in os.environ else 'not set'}",
                           f"set {variable} to the database's SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db")
        try:
            url = sqlalchemy.engine.make_url(raw.strip())
        except Exception:  # ArgumentError and friends: never echo the value, it may hold a password
            raise _Refused(("url_env",), f"environment variable {variable} does not hold a database URL",
                           "use a SQLAlchemy URL: dialect+driver://user:password@host:port/database") from None
        secrets = tuple(s for s in (url.password, raw.strip() if url.password else None) if s)
        secrets = tuple(sorted(secrets, key=len, reverse=True))
        try:
            engine = sqlalchemy.create_engine(url, poolclass=NullPool, **_connect_args(url))
        except ImportError as exc:
            raise _Refused(("url_env",), f"no driver for {masked(url)}: {_one_line(exc, secrets)}",
                           "install the driver (PostgreSQL: pip install 'psycopg[binary]' and a postgresql+psycopg:// URL)") from None
        except Exception as exc:
            raise _Refused(("url_env",), f"cannot use {masked(url)}: {_one_line(exc, secrets)}") from None
        origin = {"url": masked(url), "url_env": variable}
        origin_key, where, input_path = ("url_env",), masked(url), root / f"${variable}"
    try:
        header, rows, digest, total = _fetch(engine, clause, dataset.params, query, where, secrets, origin_key)
    finally:
        engine.dispose()

    def locate(row: int, position: int) -> Mark:
        return spec_mark(("query",), False)

    text_cells = [cell for _, row in rows for cell in row if cell and not cell[0].isdigit() and cell[0] != "-"]
    blob = " ".join(text_cells)
    scan_all = needs_cell_scan(blob, max(map(len, text_cells), default=0))
    cells = Cells(header, rows, locate, 0, scan_all=scan_all,
                  label=lambda row: f"dataset '{name}', " + ("" if row == 0 else f"row {row}, "),
                  title="the result of its query")
    result = typed_table(name, input_path, cells, dataset.columns, spec_mark, source=source, as_of=as_of)
    record = {**origin, "query": query, "params": {k: _param_shown(v) for k, v in dataset.params.items()},
              "rows": len(rows), "rows_sha256": digest}
    return result, [InputFile("database", input_path, digest, record)]


def _param_shown(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _connect_args(url) -> dict:
    backend = url.get_backend_name()
    if backend == "postgresql":  # read-only for the whole session: a statement that sneaks a COMMIT in still cannot write
        return {"connect_args": {"connect_timeout": max(1, int(TIMEOUT_SECONDS)),
                                 "options": f"-c default_transaction_read_only=on -c statement_timeout={int(TIMEOUT_SECONDS * 1000)}"}}
    if backend in ("mysql", "mariadb"):
        return {"connect_args": {"connect_timeout": max(1, int(TIMEOUT_SECONDS))}}
    return {}


def _read_only(connection, backend: str) -> None:
    """Make this connection's transaction read-only and bounded in time, before the query runs."""
    import sqlalchemy

    seconds = TIMEOUT_SECONDS
    if backend == "sqlite":
        raw = connection.connection.dbapi_connection
        raw.execute("PRAGMA query_only = ON")
        deadline = time.monotonic() + seconds
        raw.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10_000)
    elif backend == "postgresql":
        connection.execute(sqlalchemy.text("SET TRANSACTION READ ONLY"))
        connection.execute(sqlalchemy.text(f"SET LOCAL statement_timeout = {int(seconds * 1000)}"))
    elif backend in ("mysql", "mariadb"):
        connection.execute(sqlalchemy.text("SET SESSION TRANSACTION READ ONLY"))
        connection.execute(sqlalchemy.text(f"SET SESSION max_execution_time = {int(seconds * 1000)}"))
    else:
        connection.execute(sqlalchemy.text("SET TRANSACTION READ ONLY"))


def _fetch(engine, clause, params: dict, query: str, where: str, secrets: tuple[str, ...], origin_key: tuple):
    """(header, rows as (row number, cells), digest of the rows read, bytes read), the limits checked as rows come."""
    import sqlalchemy.exc

    digest = hashlib.sha256()
    digest.update(f"query {query}\n".encode())
    for param in sorted(params):
        digest.update(f"param {param}={params[param]!r}\n".encode())
    backend = engine.url.get_backend_name()
    try:
        with engine.connect() as connection:
            try:
                _read_only(connection, backend)
            except sqlalchemy.exc.DBAPIError as exc:
                raise _Refused(origin_key, f"cannot open a read-only transaction on {where}: {_one_line(exc, secrets)}",
                               "deckgen reads only in a read-only transaction") from None
            result = connection.execute(clause, params)
            if not result.returns_rows:
                raise _Refused(("query",), "the query returned no rows or columns: give one SELECT statement", code="query")
            header = [str(name) for name in result.keys()]
            if len(header) > MAX_COLUMNS:
                raise _Refused(("query",), f"the query returns {len(header)} columns, more than the limit of {MAX_COLUMNS}",
                               "select only the columns the brief shows", code="query")
            digest.update(("\x1f".join(header) + "\x1e").encode())
            rows: list[tuple[int, list[str]]] = []
            total = 0
            number = 0
            while batch := result.fetchmany(FETCH_ROWS):
                if number + len(batch) > MAX_ROWS:
                    raise _Refused(("query",), f"the query returns more than {MAX_ROWS:,} rows",
                                   "aggregate in the query (GROUP BY) or narrow its WHERE", code="query")
                for values in batch:
                    number += 1
                    try:
                        cells = [_cell(value) for value in values]
                    except TypeError:
                        position = next(i for i, v in enumerate(values) if isinstance(v, (bytes, bytearray, memoryview)))
                        raise _Refused(("query",), f"row {number}, column '{header[position]}': binary data cannot be a "
                                       "table cell", "select it as text, or leave it out", code="table") from None
                    rows.append((number, cells))
                chunk = "\x1e".join("\x1f".join(cells) for _, cells in rows[-len(batch):]).encode()
                digest.update(chunk + b"\x1e")
                total += len(chunk)
                if total > MAX_TABLE_BYTES:
                    raise _Refused(("query",), f"the query returns more than {MAX_TABLE_BYTES // 1_000_000} MB",
                                   "aggregate in the query or select fewer columns", code="query")
            connection.rollback()  # nothing to keep: a read-only transaction ends without a commit
    except _Refused:
        raise
    except sqlalchemy.exc.DBAPIError as exc:
        said = str(getattr(exc, "orig", exc)).lower()
        if "statement timeout" in said or (backend == "sqlite" and "interrupted" in said):
            raise _Refused(("query",), f"the query ran longer than {TIMEOUT_SECONDS:g} s and was stopped",
                           "make it cheaper (an index, a narrower WHERE) or aggregate ahead of time") from None
        if exc.statement is None:  # while connecting
            raise _Refused(origin_key, f"cannot connect to {where}: {_one_line(exc, secrets)}") from None
        raise _Refused(("query",), f"the database refused the query: {_one_line(exc, secrets)}") from None
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise _Refused(("query",), f"the query failed: {_one_line(exc, secrets)}") from None
    return header, rows, digest.hexdigest(), total
