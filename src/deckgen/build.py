"""The library API: ``validate``, ``build`` and ``build_many``. The CLI and schedulers call these.

Guarantees, for the CLI and for Python callers alike:

* the PDF, its manifest and any archived edition are written atomically (temporary file, then
  rename), after rendering succeeded: a failed build leaves the previous good PDF untouched;
* one build at a time per output file: a lock under ``<output folder>/.deckgen/`` makes a second,
  overlapping run wait up to ``wait`` seconds, then raise ``LockedError``;
* ``if_changed=True`` skips the build (without importing matplotlib or reportlab) when the manifest
  of the last successful build records the same input hash and the PDF on disk is intact.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import os
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator, Sequence

from .errors import (
    BuildError, DeckgenError, LockedError, Mark, Problem, ProofError, SpecError, StaleDataError, display_path,
)
from .evidence import embedded_manifest, manifest_file, plan as plan_evidence
from .editions import (
    MANIFEST_FORMAT, check_options, dated_rule, input_hash, manifest_bytes, manifest_path, project_relative, read_manifest, relative, versions,
)
from .outcome import SpecOutcome, unchanged_outcome
from .proof.checks import Proof, proofread
from .inputs import InputFile, file_kind, inside, project_root, sha256_file, usable_path
from .writing import write_atomic
from .resolve import Report, resolve
from .spec import COMMAND_LINE, load_spec
from .theme import Theme, load_theme


@dataclass(frozen=True)
class BuildResult:
    spec: Path
    output: Path
    manifest: Path
    pages: int
    warnings: tuple[Problem, ...]
    input_hash: str
    timings: dict[str, float] = field(default_factory=dict)
    outline: tuple[str, ...] = ()
    outcome: str = "built"  # or "unchanged": skipped by if_changed, the PDF on disk is current
    archived: Path | None = None  # this edition's copy under archive/, when archive=True


@dataclass(frozen=True)
class Checked:
    """A spec that passed every check: the report, its theme and the hash of everything it reads."""

    report: Report
    theme: Theme
    input_hash: str
    inputs: tuple[InputFile, ...]
    output: Path
    timings: dict[str, float]
    options: dict = field(default_factory=dict)  # what check() was called with, to check again later
    root: Path | None = None  # the project folder paths are relative to
    evidence: tuple = ()  # archive: pdfa-3b: the files the PDF carries besides its manifest (``evidence.EmbeddedFile``)

    def again(self) -> "Checked":
        """Check the same spec with the same options now (the inputs may have changed meanwhile)."""
        return check(self.report.loaded.path, **self.options)


def check(
    spec_path: Path | str,
    *,
    overrides: tuple[str, ...] | list[str] = (),
    output: Path | str | None = None,
    allow_stale: bool = False,
    strict: bool = False,
    root: Path | str | None = None,
) -> Checked:
    """Load, validate and resolve a spec without rendering (no matplotlib or reportlab import)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    options = {"overrides": tuple(overrides), "output": output, "allow_stale": allow_stale, "strict": strict, "root": root}
    spec_path = Path(spec_path)
    overrides = tuple(overrides)
    loaded = load_spec(spec_path, overrides)
    timings["load"] = time.perf_counter() - started
    root_path = Path(root).resolve() if root else project_root(loaded.path)
    report = resolve(loaded, overrides, allow_stale=allow_stale, strict=strict, root=root_path)
    theme = load_theme(loaded.resolve_path(loaded.spec.brand), root=root_path)
    report = _with_brand_warnings(report, theme, strict or loaded.spec.checks.strict)
    report = _with_issuer_checked(report, loaded, theme)
    report = _with_chart_colours(report, theme, strict or loaded.spec.checks.strict)
    timings["check"] = time.perf_counter() - started - timings["load"]
    inputs = report.inputs + tuple(InputFile("brand", p, sha256_file(p)) for p in theme.files)
    # --root widens (or narrows) where inputs may live; it never moves the default output
    target = (default_output(loaded.path, loaded.spec.output, project_root(loaded.path)) if output is None else Path(output)).resolve()
    _check_output(loaded, target, inputs, root_path, from_spec=output is None and loaded.spec.output is not None,
                  from_command_line=output is not None)
    date_key = dated_rule(loaded.date_rule, loaded.spec.date) if loaded.date_rule else None
    evidence = plan_evidence(report, inputs, root_path) if loaded.spec.archive == "pdfa-3b" else ()
    return Checked(report, theme, input_hash(inputs, root_path, overrides, date_key), inputs, target, timings, options,
                   root_path, evidence)


def _with_brand_warnings(report: Report, theme: Theme, strict: bool) -> Report:
    """The brand's warnings join the report's (and, under --strict, become errors)."""
    if not theme.warnings:
        return report
    if strict:
        raise SpecError([*report.warnings, *(p.as_error() for p in theme.warnings)])
    return replace(report, warnings=tuple(sorted((*report.warnings, *theme.warnings))))


def _with_chart_colours(report: Report, theme: Theme, strict: bool) -> Report:
    """Each chart's colours set (``colors:``) resolved against the brand, following their series into
    every chart; unknown colours refused, hard-to-see ones warned about (errors under --strict)."""
    from .charts.colours import check_set_colours

    report, problems = check_set_colours(report, theme)
    if strict:
        problems = [p.as_error() for p in problems]
    if any(p.is_error for p in problems):
        raise SpecError([*report.warnings, *problems])
    return replace(report, warnings=tuple(sorted((*report.warnings, *problems)))) if problems else report


def _with_issuer_checked(report: Report, loaded, theme: Theme) -> Report:
    """The disclosures' issuer is the firm of the brand the brief is built with (or the brief is refused)."""
    from .sections.disclosures import issuer_problems

    shown = loaded.document.overridden.get(("brand",)) or f"brand: {loaded.spec.brand}"
    problems = issuer_problems(loaded, theme.name, shown)
    if problems:
        raise SpecError([*report.warnings, *problems])
    return report


def _check_output(loaded, target: Path, inputs: tuple[InputFile, ...], root: Path, *, from_spec: bool,
                  from_command_line: bool = True) -> None:
    """Everything that could stop the PDF and its manifest being written, found before rendering.

    The PDF (and its manifest) may never replace an input, a folder, a device or any file deckgen did
    not write; from the spec, it stays in the project.
    """
    if from_spec:
        where = loaded.mark(("output",))
    else:
        where = Mark(COMMAND_LINE, 0, 0) if from_command_line else Mark.of(loaded.path, 1, 1)
    problems = []
    if from_spec and not inside(target, root):
        problems.append(Problem.at(where, f"output points outside the project ({root})", "write inside it or pass -o"))
    read = {item.path.resolve() for item in inputs}
    for path in (target, manifest_path(target)):
        if path in read:
            problems.append(Problem.at(where, f"output would overwrite an input file: {display_path(path)}"))
    if not problems:
        problems += [Problem.at(where, message, hint, code="output") for message, hint in output_target_problems(target)]
    if problems:
        raise SpecError(problems)


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


def validate(spec_path: Path | str, *, proof: bool = False, **options) -> Report:
    """Run every check on a spec and its data (and its delivery section); raise SpecError listing every problem.

    ``proof``: also lay the brief out in memory and proofread it, as ``build`` does (this loads reportlab
    and matplotlib; nothing is written): what passes then, builds."""
    checked = check(spec_path, **options)
    if checked.report.spec.delivery is not None:
        from .delivery.checks import check_delivery  # no smtplib, ssl or sqlite3

        problems = check_delivery(checked, overrides=tuple(options.get("overrides") or ()),
                                  allow_stale=options.get("allow_stale", False), strict=options.get("strict", False),
                                  root=checked.root)
        if problems:
            raise SpecError([*checked.report.warnings, *problems])
    if proof:
        _, result = render_in_memory(checked, cache_charts=False)
        return replace(checked.report, warnings=tuple(sorted((*checked.report.warnings, *result.proof.problems))))
    return checked.report


def build(
    spec_path: Path | str,
    *,
    wait: float = 0,
    if_changed: bool = False,
    archive: bool = False,
    snapshot: bool = False,
    **options,
) -> BuildResult:
    """Check, render and write the PDF and its manifest atomically, under the output's lock.

    ``wait``: seconds to wait for another run building the same output (``math.inf``: no limit);
    then ``LockedError``. ``if_changed``: return ``outcome="unchanged"`` without rendering when the
    PDF on disk was built from exactly these inputs. ``archive``: also keep this edition under
    ``archive/<name>/<report date>/``. ``snapshot``: also write what each table dataset read as CSV
    in ``<name>.snapshot/`` beside the PDF. ``options`` are those of ``check``.
    """
    checked = check(spec_path, **options)
    if snapshot:
        check_snapshot(checked)
    if if_changed and (current := current_edition(checked)) is not None:
        return _unchanged(checked, *current, archive=archive, snapshot=snapshot)
    return render(checked, wait=wait, if_changed=if_changed, archive=archive, snapshot=snapshot)


def check_snapshot(checked: Checked) -> None:
    """Refuse, before anything is rendered, a snapshot that would replace a file deckgen did not write."""
    from .snapshot import snapshot_problems

    problems = snapshot_problems(checked.output, checked.report.read_tables)
    if problems:
        raise SpecError([Problem.at(Mark(COMMAND_LINE, 0, 0), message, hint, code="output") for message, hint in problems])


def _write_snapshot(checked: Checked) -> Path:
    from .snapshot import write_snapshot

    check_snapshot(checked)
    return write_snapshot(checked.output, checked.report.read_tables, _write)


def render(checked: Checked, *, wait: float = 0, if_changed: bool = False, archive: bool = False,
           snapshot: bool = False) -> BuildResult:
    """Render a checked spec and write its outputs, under the output's lock (see ``build``).

    A run that had to wait for the lock checks the spec again inside it, so it renders the inputs
    as they are now, never the snapshot it took before waiting.
    """
    with output_lock(checked.output, wait) as waited:
        fresh = checked.again() if waited else checked
        if if_changed and (current := current_edition(fresh)) is not None:  # built while we waited
            return _unchanged(fresh, *current, archive=archive, snapshot=snapshot)
        return render_and_write(fresh, archive=archive, snapshot=snapshot)


def render_and_write(checked: Checked, *, archive: bool = False, snapshot: bool = False) -> BuildResult:
    """Render in memory, then write the outputs atomically. The caller holds ``output_lock``."""
    started = time.perf_counter()
    pdf, result = render_in_memory(checked)
    return write_edition(checked, pdf, result.pages, result.outline, archive=archive,
                         render_seconds=time.perf_counter() - started, proof=result.proof, snapshot=snapshot)


def write_edition(
    checked: Checked, pdf: bytes, pages: int, outline: tuple[str, ...] = (), *, archive: bool = False,
    render_seconds: float = 0.0, proof: Proof | None = None, snapshot: bool = False,
) -> BuildResult:
    """Write a PDF rendered and proofread from ``checked`` (here or on another machine), its manifest
    and any archive copy, atomically. The caller holds ``output_lock``."""
    timings = dict(checked.timings)
    timings["render"] = render_seconds - (proof.seconds if proof is not None else 0.0)
    if proof is not None:
        timings["proof"] = proof.seconds
    output = checked.output
    manifest = build_manifest(checked, output, pdf, pages, proof)
    # Nothing is written until the PDF exists in memory. The archive copy first and the manifest
    # last: a manifest on disk always describes a PDF that was completely written.
    writing = time.perf_counter()
    if snapshot:
        _write_snapshot(checked)
    archived = _archive(output, manifest, pdf) if archive else None
    _write(output, pdf)
    _write(manifest_path(output), manifest_bytes(manifest))
    timings["write"] = time.perf_counter() - writing
    timings["total"] = sum(v for k, v in timings.items() if k != "total")
    warnings = checked.report.warnings + (proof.problems if proof is not None else ())
    return BuildResult(
        spec=checked.report.loaded.path, output=output, manifest=manifest_path(output), pages=pages,
        warnings=tuple(sorted(warnings)), input_hash=checked.input_hash, timings=timings, outline=tuple(outline),
        archived=archived,
    )


def render_in_memory(checked: Checked, *, cache_charts: bool = True, manifest: bytes | None = None):
    """Render a checked spec and proofread what was laid out; return the PDF's bytes and the
    renderer's result (pages, outline, the proof). Raises ``ProofError`` when the proof fails.

    Writes nothing but, with ``cache_charts``, the charts it draws to the chart cache. ``manifest``: for
    ``archive: pdfa-3b``, the manifest to embed (``embedded_manifest_json``), when made elsewhere."""
    from .render.pdf import render_pdf  # heavy: reportlab and matplotlib load here, not before

    buffer = io.BytesIO()
    try:
        cache = chart_cache_path(checked.output) if cache_charts else None
        associated = associated_files(checked, manifest)
        result = render_pdf(checked.report, checked.theme, buffer, chart_cache=cache, associated=associated)
    except DeckgenError:
        raise
    except Exception as exc:  # reportlab/matplotlib failures become one clear line
        raise BuildError(f"rendering failed: {type(exc).__name__}: {exc}") from exc
    proof = proofread_edition(checked, result.laid_out)
    return buffer.getvalue(), replace(result, laid_out=None, proof=proof)


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


def proofread_edition(checked: Checked, laid_out) -> Proof:
    """The proof of what was laid out; ``ProofError`` with every problem when it fails (under
    ``--strict`` its warnings fail it too)."""
    started = time.perf_counter()
    spec = checked.report.spec
    proof = proofread(laid_out, checked.report, downgrade=spec.checks.proof == "warn")
    strict = checked.options.get("strict") or spec.checks.strict
    if strict:
        proof = replace(proof, problems=tuple(p.as_error() for p in proof.problems))
    if not proof.passed:
        raise ProofError([*checked.report.warnings, *proof.problems])
    return replace(proof, seconds=time.perf_counter() - started)


def build_bytes(spec_path: Path | str, **options) -> bytes:
    """Check and render a spec and return the PDF's bytes; nothing is written (``deckgen build -o -``)."""
    return render_in_memory(check(spec_path, **options), cache_charts=False)[0]


def _unchanged(checked: Checked, manifest: dict, pdf: bytes, *, archive: bool, snapshot: bool = False) -> BuildResult:
    archived = _archive(checked.output, manifest, pdf) if archive else None
    if snapshot:
        _write_snapshot(checked)
    return BuildResult(
        spec=checked.report.loaded.path, output=checked.output, manifest=manifest_path(checked.output),
        pages=int(manifest.get("pages") or 0), warnings=checked.report.warnings, input_hash=checked.input_hash,
        timings=dict(checked.timings), outcome="unchanged", archived=archived,
    )


# -- locking -------------------------------------------------------------------------------------

def chart_cache_path(output: Path) -> Path:
    """Where drawn charts are kept between builds: ``<output folder>/.deckgen/charts/``."""
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


# -- editions ------------------------------------------------------------------------------------

def archive_path(output: Path, report_date: dt.date, pdf_sha256: str) -> Path:
    """Where an edition is kept: ``archive/<name>/<report date>/<name>-<first 8 hex of its sha256>.pdf``.

    Named by content, so every distinct edition of a report date is kept (a corrected rebuild never
    replaces what may already have gone out), and rebuilding the same edition stores it only once.
    """
    folder = output.parent / "archive" / output.stem / report_date.isoformat()
    return folder / f"{output.stem}-{pdf_sha256[:8]}.pdf"


def _archive(output: Path, manifest: dict, pdf: bytes) -> Path:
    digest = manifest["pdf_sha256"]
    target = archive_path(output, dt.date.fromisoformat(manifest["report_date"]), digest)
    if not (target.is_file() and sha256_file(target) == digest):
        _write(target, pdf)
    if read_manifest(target) != manifest:
        _write(manifest_path(target), manifest_bytes(manifest))
    return target


def editions(output: Path) -> list[Path]:
    """Every archived edition of ``output``, oldest report date first (same date: in name order)."""
    folder = output.parent / "archive" / output.stem
    return sorted(folder.glob(f"*/{output.stem}-*.pdf"))


# -- manifests -----------------------------------------------------------------------------------

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


def default_output(spec_path: Path, configured: Path | None, root: Path) -> Path:
    """The spec's ``output:`` (relative to the spec), else ``dist/<name>.pdf`` in the project folder ``root``."""
    if configured is not None:
        return (spec_path.parent / configured).resolve()
    return root / "dist" / f"{spec_path.stem}.pdf"


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


def figure_record(report: Report, name: str) -> dict:
    """A figure the brief shows, as the manifest records it: printed, and as the data has it."""
    figure = report.figures[name]
    data = report.data_figures.get(name, figure)  # as the data has it, before show: converted it
    entry = {
        "name": name,
        "value": report.format(name),
        "raw": str(data.value) if data.value is not None else [str(data.min), str(data.max)],
        "unit": data.unit,
        "as_of": figure.as_of.isoformat(),
        "source": figure.source,
    }
    if data is not figure:
        entry["shown_unit"] = figure.unit
    return entry


def _write(path: Path, data: bytes) -> None:
    """``write_atomic``, with a failure (disk full, no permission) as one clear line."""
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise BuildError(f"could not write {display_path(path)}: {exc.strerror or exc}") from exc


# -- many specs ----------------------------------------------------------------------------------

def build_one(
    spec: Path | str,
    *,
    check_only: bool = False,
    wait: float = 0,
    if_changed: bool = False,
    archive: bool = False,
    snapshot: bool = False,
    **options,
) -> SpecOutcome:
    """Build (or with ``check_only``, only compare) one spec and report the outcome instead of raising."""
    spec = Path(spec)
    started = time.perf_counter()
    if (if_changed or check_only) and not archive and not snapshot and (quick := unchanged_outcome(spec, check_only=check_only, **options)):
        return quick
    try:
        if check_only:
            checked = check(spec, **options)
            current = current_edition(checked)
            return SpecOutcome(
                spec, "current" if current else "out_of_date", checked.output,
                int(current[0].get("pages") or 0) if current else None, time.perf_counter() - started,
                checked.input_hash, warnings=tuple(p.render() for p in checked.report.warnings),
                warning_problems=tuple(checked.report.warnings),
            )
        result = build(spec, wait=wait, if_changed=if_changed, archive=archive, snapshot=snapshot, **options)
        return SpecOutcome(
            spec, result.outcome, result.output, result.pages, time.perf_counter() - started, result.input_hash,
            result.archived, tuple(p.render() for p in result.warnings), warning_problems=tuple(result.warnings),
            steps=tuple((step, seconds) for step, seconds in result.timings.items() if step != "total"),
        )
    except DeckgenError as exc:
        return SpecOutcome(
            spec, _outcome_of(exc), getattr(exc, "output", None), duration=time.perf_counter() - started, error=exc,
        )
    except Exception as exc:  # a bug or an environment problem: reported, and the other specs go on
        error = BuildError(f"unexpected {type(exc).__name__}: {exc}")
        return SpecOutcome(
            spec, "failed", duration=time.perf_counter() - started, error=error, traceback=traceback.format_exc(),
        )


def _outcome_of(error: DeckgenError) -> str:
    if isinstance(error, StaleDataError):
        return "stale"
    if isinstance(error, SpecError):
        return "invalid"
    if isinstance(error, LockedError):
        return "locked"
    return "failed"


def _shared_outputs(specs: list[Path], per_spec: list[dict]) -> dict[int, SpecError]:
    """Specs of one run that would write the same PDF: none of them is built (which should win?)."""
    by_output: dict[Path, list[tuple[int, Mark]]] = {}
    for index, spec in enumerate(specs):
        options = per_spec[index]
        try:
            loaded = load_spec(spec, tuple(options.get("overrides") or ()))
        except DeckgenError:
            continue  # reported when the spec itself is built
        configured = options.get("output")
        output = (default_output(loaded.path, loaded.spec.output, project_root(loaded.path)) if configured is None else Path(configured)).resolve()
        mark = loaded.mark(("output",)) if configured is None and loaded.spec.output else Mark.of(spec, 1, 1)
        by_output.setdefault(output, []).append((index, mark))
    errors = {}
    for output, users in by_output.items():
        if len(users) > 1:
            for index, mark in users:
                others = ", ".join(display_path(specs[other]) for other, _ in users if other != index)
                message = f"writes the same PDF as {others} ({display_path(output)}); give each spec its own output"
                errors[index] = SpecError([Problem.at(mark, message, code="output")])
    return errors


def build_many(
    specs: Sequence[Path | str],
    *,
    jobs: int = 1,
    output_dir: Path | str | None = None,
    on_outcome: Callable[[SpecOutcome], None] | None = None,
    cluster=None,
    **options,
) -> list[SpecOutcome]:
    """Build several specs, ``jobs`` at a time in separate processes (0: one per CPU), or on a Dask cluster.

    One spec failing does not stop the others; every spec gets a ``SpecOutcome`` (in the order of
    ``specs``), and ``on_outcome`` is called with each as soon as it is known. ``output_dir`` puts each
    PDF there as ``<spec name>.pdf``. Other options are those of ``build_one``. Worker processes are
    started with "spawn" (safe in a threaded host such as a scheduler); a caller's script must then
    guard its entry point with ``if __name__ == "__main__":``.

    ``cluster`` (``"local"``, ``"local:N"``, ``"tcp://host:8786"`` or a ``distributed.Client``): check
    here, render on the cluster's workers, write here; ``jobs`` is then ignored (see ``deckgen.cluster``).
    """
    specs = [Path(spec) for spec in specs]
    jobs = jobs or os.cpu_count() or 1
    if jobs < 0:
        raise ValueError("jobs must be 0 (one per CPU) or more")
    per_spec = [
        {**options, "output": Path(output_dir) / f"{spec.stem}.pdf"} if output_dir is not None else dict(options)
        for spec in specs
    ]
    outcomes: list[SpecOutcome | None] = [None] * len(specs)

    def record(index: int, outcome: SpecOutcome) -> None:
        outcomes[index] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    for index, error in _shared_outputs(specs, per_spec).items():
        record(index, SpecOutcome(specs[index], "invalid", duration=0.0, error=error))
    pending = [index for index in range(len(specs)) if outcomes[index] is None]

    if cluster is not None and not options.get("check_only") and pending:
        from .cluster import build_many_on_cluster

        for position, outcome in build_many_on_cluster([specs[i] for i in pending], [per_spec[i] for i in pending], cluster):
            record(pending[position], outcome)
        return outcomes  # type: ignore[return-value]

    if jobs == 1 or len(pending) <= 1:
        for index in pending:
            record(index, build_one(specs[index], **per_spec[index]))
        return outcomes  # type: ignore[return-value]

    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(pending)), mp_context=context) as pool:
        futures = {pool.submit(build_one, specs[index], **per_spec[index]): index for index in pending}
        try:
            for future in as_completed(futures):
                index = futures[future]
                try:
                    outcome = future.result()
                except Exception as exc:  # the worker died (killed, out of memory) or could not report back
                    outcome = SpecOutcome(
                        specs[index], "failed", duration=time.perf_counter() - started,
                        error=BuildError(f"worker process failed: {type(exc).__name__}: {exc}"),
                    )
                record(index, outcome)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return outcomes  # type: ignore[return-value]
