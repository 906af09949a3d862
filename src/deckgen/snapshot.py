"""``build --snapshot``: what each table dataset read, written as CSV beside the edition, for audit.

``dist/<name>.snapshot/<dataset>.csv``, one per table dataset (CSV, workbook or database query), as its
source gave it (before ``show:`` converts a column), in a form deckgen reads back as the same table.
Each file is written atomically, and never over a file deckgen did not write: the folder's
``.deckgen-snapshot.json`` records the digest of every file deckgen wrote there.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

from .errors import display_path
from .inputs import file_kind

MARKER = ".deckgen-snapshot.json"


def snapshot_folder(output: Path) -> Path:
    return output.with_suffix(".snapshot")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        zone = getattr(value.tzinfo, "key", None)
        return f"{value:%Y-%m-%d %H:%M:%S} {zone}" if zone else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def table_csv(table) -> bytes:
    """A table as CSV: its header, then its rows (numbers exactly, dates ISO, times with their zone)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.column_names)
    writer.writerows([_cell(value) for value in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8")


def _written(folder: Path) -> dict[str, str]:
    try:
        recorded = json.loads((folder / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def _sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def snapshot_problems(output: Path, names) -> list[tuple[str, str]]:
    """Why the snapshot of ``names`` could not be written beside ``output``: (message, hint) pairs."""
    folder = snapshot_folder(output)
    kind = file_kind(folder)
    if kind not in (None, "folder"):
        return [(f"--snapshot: {display_path(folder)} is {'a file' if kind == 'file' else kind}, not a folder deckgen wrote",
                 "move it away")]
    written = _written(folder)
    problems = []
    if kind == "folder" and file_kind(folder / MARKER) not in (None,) and not written:
        problems.append((f"--snapshot: {display_path(folder / MARKER)} is not deckgen's record of its snapshot", "move it away"))
    for name in names:
        path = folder / f"{name}.csv"
        if path.parent != folder or name.startswith("."):  # dataset names are names (checked with the spec): never a path
            problems.append((f"--snapshot: dataset '{name}' does not name a file in {display_path(folder)}", "rename the dataset"))
            continue
        found = file_kind(path)
        if found is None:
            continue
        if found != "file" or written.get(f"{name}.csv") != _sha(path):
            problems.append((f"--snapshot: {display_path(path)} exists and was not written by deckgen",
                             "move that file away, or choose another output name"))
    return problems


def write_snapshot(output: Path, tables: Mapping[str, Any], write) -> Path:
    """Write each table as ``<dataset>.csv`` in the snapshot folder with ``write(path, bytes)`` (atomic),
    then the record of what was written. The caller checked ``snapshot_problems`` first."""
    folder = snapshot_folder(output)
    written = _written(folder)
    for name, table in tables.items():
        data = table_csv(table)
        write(folder / f"{name}.csv", data)
        written[f"{name}.csv"] = hashlib.sha256(data).hexdigest()
    write(folder / MARKER, (json.dumps(dict(sorted(written.items())), indent=2) + "\n").encode())
    return folder
