"""Where a table's cells come from: a CSV file, a workbook's sheet, a database query.

Each source reads its cells into ``tables.Cells`` (a header and rows of text cells it can locate) and
``tables.typed_table`` makes them the same typed Table as a CSV: the same column declarations, type
inference, strictness and limits, whatever the source. Nothing here imports a workbook reader or a
database driver until a spec uses one.
"""

from __future__ import annotations

import os

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods")
TABLE_SUFFIXES = (".csv", *WORKBOOK_SUFFIXES)


def read_table(loaded, name: str, dataset, path, root, spec_mark):
    """The table dataset ``name`` read from its source: (``tables.CsvResult``, the input files it read).

    ``path`` is the file (None for a database), ``root`` the project folder files must stay inside and
    ``spec_mark(loc, key)`` where a key of the dataset's entry is written in the spec."""
    from ..inputs import InputFile, sha256_file
    from ..tables import CsvResult, read_csv

    options = dict(source=dataset.source, as_of=dataset.as_of if dataset.as_of != "latest" else None)
    if path is None:
        from .database import read_database

        return read_database(loaded, name, dataset, root, spec_mark, **options)
    digest = sha256_file(path)
    key = (str(path), digest, os.getcwd(), name, repr(dataset.columns), dataset.sheet, dataset.range,
           options["source"], options["as_of"])
    kept = _READ.get(key)
    if kept is not None:
        return CsvResult(kept.table, [], list(kept.cells_with_markup)), [InputFile("table", path, digest)]
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from .workbook import read_workbook

        result = read_workbook(path, name, dataset.columns, spec_mark, sheet=dataset.sheet, cell_range=dataset.range, **options)
    else:
        result = read_csv(path, name, dataset.columns, spec_mark, **options)
    read = sha256_file(path)  # the contents read, if the file changed meanwhile
    if result.table is not None and not result.problems and read == digest:
        _keep(key, CsvResult(result.table, [], list(result.cells_with_markup)))
    return result, [InputFile("table", path, read)]


# Tables read without a problem, by file contents and everything else reading them depends on (the
# working folder included: locations are written relative to it): each variant of a burst reads the
# same tables (a Table is frozen; its rows are tuples of immutable values). A table with a problem is
# read again, so that the problem is located in the spec as it is now. A table read anew replaces the
# one kept for the same file and dataset; the oldest go first once MAX_CELLS_KEPT cells are kept.
MAX_CELLS_KEPT = 250_000  # about 30 MB of Python objects
_READ: dict[tuple, "CsvResult"] = {}


def _cells(result) -> int:
    table = result.table
    cells = len(table.rows) * max(1, len(table.columns))
    return cells * 2 if table.cell_mark is not None else cells  # a workbook's locations keep its raw cells


def _keep(key: tuple, result) -> None:
    for old in [old for old in _READ if old[0] == key[0] and old[3] == key[3]]:
        del _READ[old]
    size = _cells(result)
    if size > MAX_CELLS_KEPT:
        return
    while _READ and sum(_cells(kept) for kept in _READ.values()) + size > MAX_CELLS_KEPT:
        _READ.pop(next(iter(_READ)))
    _READ[key] = result
