"""Where a table's cells come from: a CSV file, a workbook's sheet, a database query.

Each source reads its cells into ``tables.Cells`` (a header and rows of text cells it can locate) and
``tables.typed_table`` makes them the same typed Table as a CSV: the same column declarations, type
inference, strictness and limits, whatever the source. Nothing here imports a workbook reader or a
database driver until a spec uses one.
"""

from __future__ import annotations

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
    key = (str(path), digest, name, repr(dataset.columns), dataset.sheet, dataset.range, options["source"], options["as_of"])
    kept = _READ.get(key)
    if kept is not None:
        table, cells_with_markup = kept[0].table, kept[0].cells_with_markup
        return CsvResult(table, [], list(cells_with_markup)), [InputFile("table", path, digest)]
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from .workbook import read_workbook

        result = read_workbook(path, name, dataset.columns, spec_mark, sheet=dataset.sheet, cell_range=dataset.range, **options)
    else:
        result = read_csv(path, name, dataset.columns, spec_mark, **options)
    if result.table is not None and not result.problems and sha256_file(path) == digest:
        _keep(key, CsvResult(result.table, [], list(result.cells_with_markup)), path.stat().st_size)
    return result, [InputFile("table", path, digest)]


# Tables read without a problem, by file contents and everything else the reading depends on: each
# variant of a burst reads the same tables (a Table is frozen; its rows are tuples of immutable values).
# A table with problems is read again, so that they are located in the spec as it is now. The oldest
# go first once the files kept add up to MAX_BYTES_KEPT.
MAX_BYTES_KEPT = 16_000_000
_READ: dict[tuple, tuple["CsvResult", int]] = {}


def _keep(key: tuple, result, size: int) -> None:
    if size > MAX_BYTES_KEPT:
        return
    while _READ and sum(kept_size for _, kept_size in _READ.values()) + size > MAX_BYTES_KEPT:
        _READ.pop(next(iter(_READ)))
    _READ[key] = (result, size)
