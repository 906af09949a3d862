"""``deckgen proof`` on a pdfa-3b edition: every figure it prints, re-checked against the data it carries.

The PDF's associated files (see ``deckgen.evidence``) are read back with pypdfium2. Each must match its
/CheckSum and, for a project file, the sha256 the embedded manifest records for it. Then the embedded
project (spec, brand file, datasets) is written to a temporary folder and checked as ``deckgen validate``
checks a spec (the same ``resolve``), with the report date and the ``--set`` overrides the manifest
records and each database query's rows read from its snapshot; every figure the manifest lists as printed
must come out printed the same, from the same value in the data. Problems are located in the PDF, and
in the embedded file where there is one: ``dist/brief.pdf[data/figures.yaml]:12:3: ...``.

Everything read from the PDF is untrusted: names that are not plain relative paths are refused, and
the files' total size is bounded before any is read.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import Mark, Problem, SpecError, display_path
from ..evidence import MANIFEST_NAME, MAX_EMBEDDED_BYTES, SNAPSHOT_FOLDER

MAX_FILES = 10_000
MAX_READ_BYTES = MAX_EMBEDDED_BYTES + 10_000_000  # the evidence and its manifest
CODE = "embedded-data"


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    checksum: str  # /Params /CheckSum as hex, lower case; "" when absent


@dataclass(frozen=True)
class Recheck:
    """What the re-check against the embedded data found."""

    problems: tuple[Problem, ...]
    figures: int  # figures re-checked
    files: int  # files the PDF carries
    manifest: dict


def recheck(pdf: Path) -> Recheck | None:
    """Re-check the figures of the edition at ``pdf`` against the data it carries; None when it carries
    no deckgen manifest (a pdfa-2b edition, or not deckgen's)."""
    shown = display_path(pdf)
    problems: list[Problem] = []

    def problem(message: str, name: str | None = None, hint: str | None = None, mark: Mark | None = None) -> None:
        where = mark or Mark(f"{shown}[{name}]" if name else shown, 0, 0)
        problems.append(Problem.at(where, message, hint, code=CODE))

    try:
        attachments = _read_attachments(pdf)
    except _TooMuch as exc:
        problem(str(exc), hint="this is not an edition deckgen wrote")
        return Recheck(tuple(problems), 0, 0, {})
    carried = next((a for a in attachments if a.name == MANIFEST_NAME), None)
    manifest = _json(carried.data) if carried is not None else None
    if not isinstance(manifest, dict) or "deckgen_manifest" not in manifest:
        return None
    by_name = {}
    for attachment in attachments:
        if attachment.checksum and hashlib.md5(attachment.data, usedforsecurity=False).hexdigest() != attachment.checksum:
            problem("the embedded file does not match its checksum: it was changed after deckgen wrote the PDF",
                    attachment.name)
        if _safe_name(attachment.name) is None:
            problem(f"an embedded file's name '{attachment.name}' is not a path inside a project; it was not re-checked")
            continue
        by_name[attachment.name] = attachment
    recorded = {str(item.get("path")): item for item in _records(manifest, "inputs")}
    for name, attachment in sorted(by_name.items()):
        item = recorded.get(name)
        if item is not None and hashlib.sha256(attachment.data).hexdigest() != item.get("sha256"):
            problem("the embedded file is not the one the edition was built from (its sha256 differs from the one its "
                    "manifest records)", name)
    queries = [f"{SNAPSHOT_FOLDER}/{record.get('name')}.csv" for record in _records(manifest, "datasets") if "query" in record]
    expected = [name for name, item in recorded.items() if item.get("role") in ("spec", "data", "table")]
    for name in [*expected, *queries]:
        if name not in by_name:
            problem(f"the edition was built from {name}, which the PDF does not carry", hint="build it again")
    checked, figures = _check_figures(manifest, by_name, shown)
    return Recheck((*problems, *checked), figures, len(attachments), manifest)


def _records(manifest: dict, key: str) -> list[dict]:
    """The manifest's list at ``key``, its mappings only (what the PDF carries is not trusted to be well formed)."""
    found = manifest.get(key)
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def _check_figures(manifest: dict, files: dict[str, Attachment], shown: str) -> tuple[list[Problem], int]:
    """Check the embedded project in a temporary folder, and compare every figure with the manifest's."""
    from ..editions import figure_record
    from ..resolve import resolve
    from ..spec import load_spec
    from ..yamlsrc import load_yaml

    if str(manifest.get("spec")) not in files:
        return [], 0  # reported: the edition was built from a spec the PDF does not carry
    folder = Path(tempfile.mkdtemp(prefix="deckgen-proof-"))
    try:
        for name, attachment in files.items():
            target = folder / name
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(attachment.data)
            except OSError as exc:
                return [Problem.at(Mark(f"{shown}[{name}]", 0, 0), f"the embedded file cannot be re-checked: {exc.strerror or exc}",
                                   code=CODE)], 0
        (folder / "deckgen.toml").write_text("# the project an edition carries, re-checked by deckgen proof\n")
        spec = folder / str(manifest.get("spec"))
        options = manifest.get("checked_with") if isinstance(manifest.get("checked_with"), dict) else {}
        written = options.get("overrides") if isinstance(options.get("overrides"), list) else []
        try:
            # every database dataset of the spec is read from its snapshot: the proof never runs a query
            data = load_yaml(spec).data.get("data")
            queries = [name for name, entry in (data.items() if isinstance(data, dict) else ())
                       if isinstance(entry, dict) and ("database" in entry or "url_env" in entry)]
            snapshots = {query: os.path.relpath(folder / SNAPSHOT_FOLDER / f"{query}.csv", spec.parent) for query in queries}
            overrides = [o for o in written if isinstance(o, str) and not any(o.startswith(f"data.{q}.") for q in queries)]
            if manifest.get("report_date_rule"):  # date: last-month-end, as it resolved then
                overrides.append(f"date={manifest.get('report_date')}")
            loaded = load_spec(spec, overrides, snapshots=snapshots)
            report = resolve(loaded, tuple(overrides), allow_stale=True, root=folder)
        except SpecError as exc:
            return [_in_pdf(p, folder, shown) for p in exc.problems if p.is_error], 0
        problems = []
        documents = _data_documents(folder, manifest, files)
        for recorded in _records(manifest, "figures"):
            name = str(recorded.get("name"))
            mark = _figure_mark(name, documents, folder, shown)
            if name not in report.figures:
                problems.append(Problem.at(mark, f"figure '{name}' ({recorded.get('value')}) is printed, but the embedded "
                                                 "data defines no such figure", code=CODE))
                continue
            found = figure_record(report, name)
            if found != recorded:
                problems.append(Problem.at(mark, _difference(name, recorded, found), "build it again from its data",
                                           code=CODE))
        return problems, len(_records(manifest, "figures"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _difference(name: str, recorded: dict, found: dict) -> str:
    if recorded.get("value") != found.get("value"):
        return (f"figure '{name}': the edition prints {recorded.get('value')}, but the data it carries gives "
                f"{found.get('value')}")
    changed = [key for key in sorted({*recorded, *found}) if recorded.get(key) != found.get(key)]
    key = changed[0]
    return (f"figure '{name}' ({recorded.get('value')}): its {key} is {_shown(recorded.get(key))} in the manifest, "
            f"but {_shown(found.get(key))} in the data it carries")


def _shown(value) -> str:
    return "–".join(value) if isinstance(value, list) else str(value)


def _in_pdf(problem: Problem, folder: Path, shown: str) -> Problem:
    """A problem found in the temporary copy, located in the PDF and the embedded file."""
    try:
        name = Path(problem.file).resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return Problem(shown, 0, 0, problem.message, problem.hint, "error", CODE)
    return Problem(f"{shown}[{name}]", problem.line, problem.col, problem.message, problem.hint, "error", CODE)


def _data_documents(folder: Path, manifest: dict, files: dict[str, Attachment]) -> list:
    """The embedded YAML data files, parsed: where each figure is defined."""
    from ..yamlsrc import load_yaml

    documents = []
    for item in _records(manifest, "inputs"):
        if item.get("role") == "data" and str(item.get("path")) in files:
            try:
                documents.append(load_yaml(folder / str(item.get("path"))))
            except SpecError:
                continue
    return documents


def _figure_mark(name: str, documents: list, folder: Path, shown: str) -> Mark:
    """Where the figure ``name`` is defined in the embedded data, as a mark in the PDF."""
    breakdown, _, part = name.partition(".")
    for document in documents:
        data = document.data if isinstance(document.data, dict) else {}
        if name in (data.get("figures") or {}):
            mark = document.mark(("figures", name), key=True)
        elif part and isinstance((data.get("breakdowns") or {}).get(breakdown), dict):
            parts = data["breakdowns"][breakdown].get("parts") or []
            index = next((i for i, p in enumerate(parts) if isinstance(p, dict) and str(p.get("id")) == part), None)
            if index is None:
                continue
            mark = document.mark(("breakdowns", breakdown, "parts", index, "id"))
        else:
            continue
        located = _in_pdf(Problem.at(mark, ""), folder, shown)
        return Mark(located.file, located.line, located.col)
    return Mark(shown, 0, 0)


class _TooMuch(Exception):
    pass


def _read_attachments(pdf: Path) -> list[Attachment]:
    """The PDF's embedded files (its /EmbeddedFiles name tree), at most MAX_FILES and MAX_READ_BYTES in all."""
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        count = document.count_attachments()
        if count > MAX_FILES:
            raise _TooMuch(f"it carries {count:,} embedded files, more than the {MAX_FILES:,} deckgen reads")
        found, total = [], 0
        for index in range(count):
            attachment = document.get_attachment(index)
            size = ctypes.c_ulong()
            pdfium_c.FPDFAttachment_GetFile(attachment, None, 0, size)
            total += size.value
            if total > MAX_READ_BYTES:
                raise _TooMuch(f"its embedded files hold more than the {MAX_READ_BYTES // 1_000_000:,} MB deckgen reads")
            data = bytes(attachment.get_data()) if size.value else b""
            checksum = attachment.get_str_value("CheckSum") if attachment.has_key("CheckSum") else ""
            found.append(Attachment(attachment.get_name(), data, checksum.strip("<>").lower()))
        return found
    finally:
        document.close()


def _safe_name(name: str) -> PurePosixPath | None:
    """``name`` as a relative path that stays inside a folder, or None."""
    if not name or len(name.encode("utf-8", "replace")) > 1000 or any(c < " " or c in "\\:" for c in name):
        return None
    if any(len(part.encode("utf-8", "replace")) > 255 for part in name.split("/")):
        return None
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("", ".", "..") for part in name.split("/")):
        return None
    return path


def _json(data: bytes):
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
