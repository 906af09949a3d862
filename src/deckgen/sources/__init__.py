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
    from ..tables import read_csv

    options = dict(source=dataset.source, as_of=dataset.as_of if dataset.as_of != "latest" else None)
    if path is not None and path.suffix.lower() in WORKBOOK_SUFFIXES:
        from .workbook import read_workbook

        result = read_workbook(path, name, dataset.columns, spec_mark, sheet=dataset.sheet, cell_range=dataset.range, **options)
        return result, [InputFile("table", path, sha256_file(path))]
    if path is not None:
        return read_csv(path, name, dataset.columns, spec_mark, **options), [InputFile("table", path, sha256_file(path))]
    from .database import read_database

    return read_database(loaded, name, dataset, root, spec_mark, **options)
