"""The files a build writes and reads back: the output's lock, the manifest, archived editions and the
edition on disk that is still current (``up_to_date``), and where each of them lives."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from ..editions import (
    MANIFEST_FORMAT, check_options, figure_record, manifest_bytes, manifest_path, project_relative, read_manifest, relative, versions,
)
from ..errors import BuildError, LockedError, display_path
from ..evidence import embedded_manifest, manifest_file
from ..inputs import file_kind, project_root, resolved, sha256_file, usable_path
from ..writing import write_atomic

if TYPE_CHECKING:
    from ..proof.checks import Proof
    from .checked import Checked


def output_target_problems(target: Path) -> list[tuple[str, str]]:
    """Why the PDF could not be written to ``target`` (with its manifest and lock beside it): (message, hint) pairs."""
    shown = display_path(target)
    try:
        usable_path(target)
    except ValueError as exc:
        return [(f"output {shown}: {exc}", "choose a shorter path")]
    kind = file_kind(target)
    if kind == "folder":
        return [(f"output {shown} is a folder", f"name the PDF file, like {display_path(target / 'brief.pdf')}")]
    if kind is not None and kind != "file":
        return [(f"output {shown} is {kind}, not a regular file", "write the PDF to a file")]
    if kind == "file" and not written_by_deckgen(target):
        return [(f"output {shown} exists and was not written by deckgen", "choose a new file name, or move that file away")]
    problems = []
    manifest = manifest_path(target)
    manifest_kind = file_kind(manifest)
    if manifest_kind not in (None, "file") or (manifest_kind == "file" and "deckgen_manifest" not in (read_manifest(target) or {})):
        problems.append((f"the manifest {display_path(manifest)} would replace a file that is not a deckgen manifest",
                         "choose another output name, or move that file away"))
    for folder in (target.parent, lock_path(target).parent):
        existing = next((f for f in (folder, *folder.parents) if os.path.lexists(f)), None)
        if existing is not None and file_kind(existing) != "folder":
            problems.append((f"cannot write {shown}: {display_path(existing)} is not a folder", "choose another output path"))
            break
        if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
            problems.append((f"cannot write {shown}: no permission to write in {display_path(existing)}",
                             "choose another output path"))
            break
    return problems


# the document information (in the clear in older editions; now inside a compressed object stream)
# and the XMP metadata's xmp:CreatorTool, which PDF/A keeps readable
_DECKGEN_METADATA = (b"/Creator (deckgen ", b"/Producer (deckgen ", b'xmlns:xmp="http://ns.adobe.com/xap/1.0/">deckgen ')
_METADATA_SCAN_LIMIT = 256_000_000  # bytes of a PDF searched for deckgen's metadata


def written_by_deckgen(path: Path) -> bool:
    """Whether the file at ``path`` is a PDF deckgen wrote: its manifest records its sha256, or its
    document information names deckgen as Creator or Producer."""
    manifest = read_manifest(path)
    try:
        if manifest and manifest.get("pdf_sha256") == sha256_file(path):
            return True
        with open(path, "rb") as handle:
            if not handle.read(5) == b"%PDF-":
                return False
            overlap, tail, scanned = max(map(len, _DECKGEN_METADATA)), b"", 0
            while scanned < _METADATA_SCAN_LIMIT and (chunk := handle.read(1 << 20)):
                window = tail + chunk
                if any(marker in window for marker in _DECKGEN_METADATA):
                    return True
                tail, scanned = window[-overlap:], scanned + len(chunk)
    except OSError:
        return False
    return False


def default_output(spec_path: Path, configured: Path | None, root: Path) -> Path:
    """The spec's ``output:`` (relative to the spec), else ``dist/<name>.pdf`` in the project folder ``root``."""
    if configured is not None:
        return resolved(spec_path.parent / configured)
    return root / "dist" / f"{spec_path.stem}.pdf"


def is_variant(path: Path) -> bool:
    """A recipient's variant of a brief, or its manifest: ``<output folder>/.deckgen/variants/<file>``."""
    return path.parent.name == "variants" and path.parent.parent.name == ".deckgen"


def chart_cache_path(output: Path) -> Path:
    """Where drawn charts are kept between builds: ``<output folder>/.deckgen/charts/``. An edition kept
    inside deckgen's own folder (a recipient's variant, ``.deckgen/variants/``) shares the charts of the
    brief it is a variant of: a chart is cached by what it draws, so the variants draw none again."""
    for folder in output.parents:
        if folder.name == ".deckgen":
            return folder / "charts"
    return output.parent / ".deckgen" / "charts"


def lock_path(output: Path) -> Path:
    """The lock file that serialises builds of ``output``: ``<output folder>/.deckgen/<name>.lock``."""
    return output.parent / ".deckgen" / f"{output.name}.lock"


@contextmanager
def output_lock(output: Path, wait: float = 0) -> Iterator[bool]:
    """Hold the lock on ``output`` for the block, waiting up to ``wait`` seconds; yields whether it waited.

    An OS-level lock (``flock``; on Windows ``msvcrt``): it is released when the holder exits, even if
    it crashed or was killed, so there are no stale lock files to clean up.
    """
    from filelock import FileLock, Timeout

    path = lock_path(Path(output))
    timeout = -1 if wait is None or math.isinf(wait) else max(float(wait), 0.0)
    lock = FileLock(path, timeout=timeout, poll_interval=0.1)
    waited = False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if timeout == 0:
                raise
            waited = True
            lock.acquire()
    except Timeout:
        waited = "without waiting" if timeout == 0 else f"after waiting {timeout:g}s"
        error = LockedError(
            f"{display_path(output)} is being built by another deckgen run (lock {display_path(path)}); "
            f"gave up {waited}; retry later or pass --wait SECONDS"
        )
        error.output = Path(output)
        raise error from None
    except OSError as exc:  # after Timeout, which is an OSError too
        raise BuildError(f"cannot lock {display_path(output)}: {display_path(path)}: {exc.strerror or exc}") from exc
    try:
        yield waited
    finally:
        lock.release()


def archive_path(output: Path, report_date: dt.date, pdf_sha256: str) -> Path:
    """Where an edition is kept: ``archive/<name>/<report date>/<name>-<first 8 hex of its sha256>.pdf``.

    Named by content, so every distinct edition of a report date is kept (a corrected rebuild never
    replaces what may already have gone out), and rebuilding the same edition stores it only once.
    """
    folder = output.parent / "archive" / output.stem / report_date.isoformat()
    return folder / f"{output.stem}-{pdf_sha256[:8]}.pdf"


def keep_in_archive(output: Path, manifest: dict, pdf: bytes) -> Path:
    """Keep this edition (its PDF and manifest) at its ``archive_path``, once."""
    digest = manifest["pdf_sha256"]
    target = archive_path(output, dt.date.fromisoformat(manifest["report_date"]), digest)
    if not (target.is_file() and sha256_file(target) == digest):
        write_file(target, pdf)
    if read_manifest(target) != manifest:
        write_file(manifest_path(target), manifest_bytes(manifest))
    return target


def editions(output: Path) -> list[Path]:
    """Every archived edition of ``output``, oldest report date first (same date: in name order)."""
    folder = output.parent / "archive" / output.stem
    return sorted(folder.glob(f"*/{output.stem}-*.pdf"))


def current_edition(checked: Checked) -> tuple[dict, bytes] | None:
    """The manifest and PDF bytes on disk, if they were built from exactly these inputs and are intact."""
    manifest = read_manifest(checked.output)
    if not manifest or manifest.get("input_hash") != checked.input_hash:
        return None
    strict = checked.options.get("strict") or checked.report.spec.checks.strict
    if strict and (manifest.get("proof") or {}).get("status") != "passed":
        return None  # built with its proof downgraded to warnings, which --strict refuses: proofread it again
    try:
        pdf = checked.output.read_bytes()
    except OSError:
        return None
    return (manifest, pdf) if hashlib.sha256(pdf).hexdigest() == manifest.get("pdf_sha256") else None


def up_to_date(checked: Checked) -> bool:
    """True when the PDF on disk was built from exactly these inputs and is intact."""
    return current_edition(checked) is not None


def build_manifest(checked: Checked, output: Path, pdf: bytes, pages: int, proof: Proof | None = None) -> dict:
    """The manifest written beside the PDF: ``edition_record`` and what only the written file tells."""
    root = checked.root or project_root(checked.report.loaded.path)
    record = edition_record(checked, proof)
    written = {"output": relative(output, root), "pdf_sha256": hashlib.sha256(pdf).hexdigest(), "pages": pages}
    manifest = {}
    for key, value in record.items():
        if key == "input_hash":
            manifest.update(written)
        if key == "checked_with":
            manifest["proof"] = ({**proof.summary, "problems": [project_relative(p, root).render() for p in proof.problems]}
                                 if proof is not None else None)
        manifest[key] = value
    return manifest


def edition_record(checked: Checked, proof: Proof | None = None) -> dict:
    """What an edition was built from and shows, known before it is rendered: the manifest but its
    ``evidence.FILE_KEYS`` (its warnings: the checks', and ``proof``'s when given)."""
    report = checked.report
    root = checked.root or project_root(report.loaded.path)
    warnings = sorted((*report.warnings, *(proof.problems if proof is not None else ())))
    figures = [figure_record(report, name) for name in report.shown_figures]
    return {
        "deckgen_manifest": MANIFEST_FORMAT,
        "spec": relative(report.loaded.path, root),
        "title": report.plain(report.spec.title),  # as printed: {{ date | month }} written out
        "report_date": report.spec.date.isoformat(),
        **({"report_date_rule": report.loaded.date_rule} if report.loaded.date_rule else {}),  # date: last-month-end...
        "input_hash": checked.input_hash,
        "inputs": [
            {"role": item.role, "path": relative(item.path, root), "sha256": item.sha256}
            for item in sorted(checked.inputs, key=lambda i: (i.role, str(i.path)))
        ],
        "datasets": [dict(record) for record in report.datasets],
        "figures": figures,
        "sources": [{"number": n, "id": s.id, "title": s.title, "url": s.url} for n, s in enumerate(report.sources, 1)],
        "warnings": [project_relative(p, root).render() for p in warnings],
        "warning_problems": [project_relative(p, root).as_json() for p in warnings],
        "checked_with": check_options(report.loaded.path, overrides=tuple(checked.options.get("overrides") or ()),
                                      allow_stale=checked.options.get("allow_stale", False),
                                      strict=checked.options.get("strict", False), root=root,
                                      output_given=checked.options.get("output") is not None),
        "versions": versions(),
    }


def embedded_manifest_json(checked: Checked) -> bytes:
    """The manifest a pdfa-3b edition of ``checked`` carries (see ``evidence.embedded_manifest``)."""
    return manifest_bytes(embedded_manifest(edition_record(checked)))


def associated_files(checked: Checked, manifest: bytes | None = None) -> tuple:
    """What the PDF of ``checked`` embeds: nothing for pdfa-2b; for pdfa-3b its manifest and evidence, read now."""
    if checked.report.spec.archive != "pdfa-3b":
        return ()
    manifest = manifest if manifest is not None else embedded_manifest_json(checked)
    files = (manifest_file(manifest, checked.report.spec.date), *(file.read() for file in checked.evidence))
    return tuple(sorted(files, key=lambda file: file.name))


def write_file(path: Path, data: bytes) -> None:
    """``write_atomic``, with a failure (disk full, no permission) as one clear line. A recipient's
    variant (and its manifest) in ``.deckgen/variants/`` is made again when lost, so it is not synced
    to disk before the next is written (every variant of a thousand would be)."""
    try:
        write_atomic(path, data, durable=not is_variant(path))
    except OSError as exc:
        raise BuildError(f"could not write {display_path(path)}: {exc.strerror or exc}") from exc
