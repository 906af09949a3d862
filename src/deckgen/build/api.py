"""The library API: ``check``, ``validate``, ``build`` and ``build_bytes``. The CLI and schedulers call these.

Guarantees, for the CLI and for Python callers alike:

* the PDF, its manifest and any archived edition are written atomically (temporary file, then
  rename), after rendering succeeded: a failed build leaves the previous good PDF untouched;
* one build at a time per output file: a lock under ``<output folder>/.deckgen/`` makes a second,
  overlapping run wait up to ``wait`` seconds, then raise ``LockedError``;
* ``if_changed=True`` skips the build (without importing matplotlib or reportlab) when the manifest
  of the last successful build records the same input hash and the PDF on disk is intact.
"""

from __future__ import annotations

import io
import time
from dataclasses import replace
from pathlib import Path

from ..editions import dated_rule, input_hash, manifest_bytes, manifest_path
from ..errors import BuildError, DeckgenError, Mark, Problem, ProofError, SpecError, display_path
from ..evidence import plan as plan_evidence
from ..inputs import InputFile, inside, paths_resolved_once, project_root, resolved, sha256_file
from ..proof.checks import Proof, proofread
from ..resolve import Report, resolve
from ..spec import COMMAND_LINE, load_spec
from ..theme import Theme, load_theme
from .checked import BuildResult, Checked
from .outputs import (
    associated_files, build_manifest, chart_cache_path, current_edition, default_output, keep_in_archive, output_lock,
    output_target_problems, write_file,
)


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
    with paths_resolved_once():
        return _check(spec_path, tuple(overrides), output, allow_stale, strict, root)


def _check(spec_path: Path | str, overrides: tuple[str, ...], output: Path | str | None, allow_stale: bool,
           strict: bool, root: Path | str | None) -> Checked:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    options = {"overrides": overrides, "output": output, "allow_stale": allow_stale, "strict": strict, "root": root}
    spec_path = Path(spec_path)
    loaded = load_spec(spec_path, overrides)
    timings["load"] = time.perf_counter() - started
    root_path = resolved(Path(root)) if root else project_root(loaded.path)
    report = resolve(loaded, overrides, allow_stale=allow_stale, strict=strict, root=root_path)
    theme = load_theme(loaded.resolve_path(loaded.spec.brand), root=root_path)
    report = _with_brand_warnings(report, theme, strict or loaded.spec.checks.strict)
    report = _with_issuer_checked(report, loaded, theme)
    report = _with_chart_colours(report, theme, strict or loaded.spec.checks.strict)
    timings["check"] = time.perf_counter() - started - timings["load"]
    inputs = report.inputs + tuple(InputFile("brand", p, sha256_file(p)) for p in theme.files)
    # --root widens (or narrows) where inputs may live; it never moves the default output
    target = (default_output(loaded.path, loaded.spec.output, project_root(loaded.path)) if output is None else Path(output))
    target = resolved(target)
    _check_output(loaded, target, inputs, root_path, from_spec=output is None and loaded.spec.output is not None,
                  from_command_line=output is not None)
    date_key = dated_rule(loaded.date_rule, loaded.spec.date) if loaded.date_rule else None
    evidence = plan_evidence(report, inputs, root_path) if loaded.spec.archive == "pdfa-3b" else ()
    return Checked(report, theme, input_hash(inputs, root_path, overrides, date_key), inputs, target, timings, options,
                   root_path, evidence, checker=check)


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
    from ..charts.colours import check_set_colours

    report, problems = check_set_colours(report, theme)
    if strict:
        problems = [p.as_error() for p in problems]
    if any(p.is_error for p in problems):
        raise SpecError([*report.warnings, *problems])
    return replace(report, warnings=tuple(sorted((*report.warnings, *problems)))) if problems else report


def _with_issuer_checked(report: Report, loaded, theme: Theme) -> Report:
    """The disclosures' issuer is the firm of the brand the brief is built with (or the brief is refused)."""
    from ..sections.disclosures import issuer_problems

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
    read = {resolved(item.path) for item in inputs}
    for path in (target, manifest_path(target)):
        if path in read:
            problems.append(Problem.at(where, f"output would overwrite an input file: {display_path(path)}"))
    if not problems:
        problems += [Problem.at(where, message, hint, code="output") for message, hint in output_target_problems(target)]
    if problems:
        raise SpecError(problems)


def validate(spec_path: Path | str, *, proof: bool = False, **options) -> Report:
    """Run every check on a spec and its data (and its delivery section); raise SpecError listing every problem.

    ``proof``: also lay the brief out in memory and proofread it, as ``build`` does (this loads reportlab
    and matplotlib; nothing is written): what passes then, builds."""
    checked = check(spec_path, **options)
    if checked.report.spec.delivery is not None:
        from ..delivery.checks import check_delivery  # no smtplib, ssl or sqlite3

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
    from ..snapshot import snapshot_problems

    problems = snapshot_problems(checked.output, checked.report.read_tables)
    if problems:
        raise SpecError([Problem.at(Mark(COMMAND_LINE, 0, 0), message, hint, code="output") for message, hint in problems])


def _write_snapshot(checked: Checked) -> Path:
    from ..snapshot import write_snapshot

    check_snapshot(checked)
    return write_snapshot(checked.output, checked.report.read_tables, write_file)


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
    archived = keep_in_archive(output, manifest, pdf) if archive else None
    write_file(output, pdf)
    write_file(manifest_path(output), manifest_bytes(manifest))
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
    from ..render.pdf import render_pdf  # heavy: reportlab and matplotlib load here, not before

    buffer = io.BytesIO()
    try:
        cache = chart_cache_path(checked.output) if cache_charts else None
        associated = associated_files(checked, manifest)
        result = render_pdf(checked.report, checked.theme, buffer, chart_cache=cache, associated=associated,
                            inputs=checked.input_hash)
    except DeckgenError:
        raise
    except Exception as exc:  # reportlab/matplotlib failures become one clear line
        raise BuildError(f"rendering failed: {type(exc).__name__}: {exc}") from exc
    proof = proofread_edition(checked, result.laid_out)
    return buffer.getvalue(), replace(result, laid_out=None, proof=proof)


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
    archived = keep_in_archive(checked.output, manifest, pdf) if archive else None
    if snapshot:
        _write_snapshot(checked)
    return BuildResult(
        spec=checked.report.loaded.path, output=checked.output, manifest=manifest_path(checked.output),
        pages=int(manifest.get("pages") or 0), warnings=checked.report.warnings, input_hash=checked.input_hash,
        timings=dict(checked.timings), outcome="unchanged", archived=archived,
    )
