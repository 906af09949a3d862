"""``archive: pdfa-3b``: the files an edition carries inside its PDF, so one file holds the brief and
the data behind every figure (ISO 19005-3 associated files; ``render.archival`` writes them).

What is embedded, each under its path in the project (no absolute path, nothing outside the project):

* ``manifest.json`` (/AFRelationship /Supplement): the edition's manifest, less what depends on the
  written file (see ``embedded_manifest``);
* the spec and the brand file it was built from (/Source);
* every dataset file it read, as it is: figures, units and sources YAML, CSV, workbooks (/Data);
* for each database query, the rows it returned as CSV, ``snapshot/<dataset>.csv`` (/Data), in the
  form ``build --snapshot`` writes and deckgen reads back as the same table.

Each file's /ModDate comes from the data, never the clock: a table's ``as_of``, else the report date.
Planned when the spec is checked (so ``validate`` refuses an edition over ``MAX_EMBEDDED_BYTES``), read
when the PDF is written. Nothing here imports reportlab.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import BuildError, Mark, Problem, SpecError, display_path
from .inputs import InputFile, inside, resolved, sha256_file

MAX_EMBEDDED_BYTES = 50_000_000  # all the files one edition carries
MANIFEST_NAME = "manifest.json"
SNAPSHOT_FOLDER = "snapshot"
# what the manifest beside the PDF says about the written file, or where it was written: left out of
# the copy inside it (which cannot know its own sha256; the same edition written elsewhere is the same bytes)
FILE_KEYS = ("output", "pdf_sha256", "pages", "proof")
FILE_OPTIONS = ("output_given",)  # of checked_with

MIME_TYPES = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}


@dataclass(frozen=True)
class EmbeddedFile:
    """One file an edition carries: a project file (read when the PDF is written) or content deckgen made."""

    name: str  # its path in the project (posix), or manifest.json, snapshot/<dataset>.csv
    mime: str
    description: str
    relationship: str  # /AFRelationship: Data, Source or Supplement
    modified: dt.date  # /ModDate
    path: Path | None = None
    sha256: str | None = None  # of the project file, when the spec was checked
    content: bytes | None = None
    size: int = 0
    datasets: tuple[str, ...] = ()  # the datasets it holds

    def read(self) -> "EmbeddedFile":
        """This file with its content: a project file read now, and refused if it changed since it was checked."""
        if self.content is not None:
            return self
        assert self.path is not None
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise BuildError(f"cannot read {display_path(self.path)} to embed it: {exc.strerror or exc}") from exc
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise BuildError(f"{display_path(self.path)} changed while the edition was being built; build it again")
        return replace(self, content=data, size=len(data))


def plan(report, inputs: tuple[InputFile, ...], root: Path) -> tuple[EmbeddedFile, ...]:
    """The files a pdfa-3b edition of ``report`` embeds besides its manifest, in name order.

    Raises SpecError (at ``archive:``, or at the largest dataset) when one would be outside the project
    or they would add up to more than MAX_EMBEDDED_BYTES."""
    from .snapshot import table_csv

    loaded, spec = report.loaded, report.spec
    archive_mark = loaded.mark(("archive",))
    digests = {resolved(item.path): item.sha256 for item in inputs if item.role != "database"}
    files: dict[str, EmbeddedFile] = {}
    marks: dict[str, Mark] = {}
    problems: list[Problem] = []

    def add_file(path: Path, relationship: str, mark: Mark, description: str = "", dataset: str | None = None,
                 as_of: dt.date | None = None) -> None:
        path = resolved(path)
        if not inside(path, root):
            problems.append(Problem.at(mark, f"archive: pdfa-3b would embed {display_path(path)}, which is outside the "
                                             f"project ({root})",
                                       "move it into the project, or pass --root", code="archive"))
            return
        name = path.relative_to(resolved(root)).as_posix()
        known = files.get(name)
        if known is not None and known.path != path:
            problems.append(Problem.at(mark, f"archive: pdfa-3b would embed {name} twice: it is also the name of the rows "
                                             f"of dataset '{known.datasets[0]}'", "rename that dataset", code="archive"))
            return
        if known is not None:  # one workbook, several sheets
            if dataset is not None:
                names = (*known.datasets, dataset)
                files[name] = replace(known, datasets=names, description=_dataset_description(names),
                                      modified=max(known.modified, as_of or spec.date))
            return
        files[name] = EmbeddedFile(
            name=name, mime=MIME_TYPES.get(path.suffix.lower(), "application/octet-stream"),
            description=_dataset_description((dataset,)) if dataset else description, relationship=relationship,
            modified=as_of or spec.date, path=path, sha256=digests.get(path) or sha256_file(path), size=path.stat().st_size,
            datasets=(dataset,) if dataset else (),
        )
        marks[name] = mark

    add_file(loaded.path, "Source", archive_mark, "The report spec the edition was built from")
    add_file(loaded.resolve_path(spec.brand), "Source", loaded.mark(("brand",)), "The brand file the edition was styled with")
    for name in spec.data:
        dataset = spec.dataset(name)
        table = report.tables.get(name)
        as_of = table.as_of if table is not None and isinstance(table.as_of, dt.date) else None
        if dataset.path is not None:
            add_file(loaded.resolve_path(dataset.path), "Data", loaded.mark(("data", name), key=True), dataset=name, as_of=as_of)
            continue
        content = table_csv(report.read_tables[name])
        origin = next((record for record in report.datasets if record.get("name") == name), {})
        where = origin.get("database") or origin.get("url") or "its database"
        snapshot = f"{SNAPSHOT_FOLDER}/{name}.csv"
        if snapshot in files:
            problems.append(Problem.at(loaded.mark(("data", name), key=True),
                                       f"archive: pdfa-3b would embed {snapshot} twice: it is the name of the rows of "
                                       f"dataset '{name}' and a file of the project", "rename the dataset", code="archive"))
            continue
        files[snapshot] = EmbeddedFile(
            name=snapshot, mime="text/csv", relationship="Data", modified=as_of or spec.date, content=content,
            size=len(content), datasets=(name,),
            description=f"Dataset '{name}': the {len(report.read_tables[name].rows):,} row(s) its query returned from "
                        f"{where}, as CSV",
        )
        marks[snapshot] = loaded.mark(("data", name), key=True)
    total = sum(file.size for file in files.values())
    if total > MAX_EMBEDDED_BYTES and not problems:
        data = [file for file in files.values() if file.datasets] or list(files.values())
        largest = max(data, key=lambda file: file.size)
        named = (f"dataset {', '.join(repr(n) for n in largest.datasets)} ({largest.name}, {_size(largest.size)})"
                 if largest.datasets else f"{largest.name} ({_size(largest.size)})")
        problems.append(Problem.at(
            marks[largest.name],
            f"archive: pdfa-3b would embed {_size(total)} of files in the PDF, more than the "
            f"{_size(MAX_EMBEDDED_BYTES)} an edition may carry; the largest {named}",
            "select fewer rows (a narrower query or file), or use archive: pdfa-2b", code="archive"))
    if problems:
        raise SpecError([*report.warnings, *problems])
    return tuple(files[name] for name in sorted(files))


def _dataset_description(names: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{name}'" for name in names)
    return f"Dataset{'s' if len(names) > 1 else ''} {quoted}, the file as read"


def _size(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB" if size >= 1_000_000 else f"{size / 1_000:,.1f} KB"


def embedded_manifest(manifest: dict) -> dict:
    """The manifest as the PDF carries it: without FILE_KEYS and checked_with's FILE_OPTIONS."""
    embedded = {key: copy.deepcopy(value) for key, value in manifest.items() if key not in FILE_KEYS}
    if isinstance(embedded.get("checked_with"), dict):
        for key in FILE_OPTIONS:
            embedded["checked_with"].pop(key, None)
    return embedded


def manifest_file(manifest_json: bytes, report_date: dt.date) -> EmbeddedFile:
    return EmbeddedFile(
        name=MANIFEST_NAME, mime="application/json", relationship="Supplement", modified=report_date,
        content=manifest_json, size=len(manifest_json),
        description="The edition's deckgen manifest: each input and its sha256, the datasets, and every figure as "
                    "printed with its data, unit, as-of date and source",
    )
