"""Many specs in one run: ``build_many`` builds them side by side (processes, or a Dask cluster) and
reports a ``SpecOutcome`` for each, never raising for one spec."""

from __future__ import annotations

import os
import time
import traceback
from pathlib import Path
from typing import Callable, Sequence

from ..errors import BuildError, DeckgenError, Mark, Problem, SpecError, display_path
from ..inputs import project_root
from ..outcome import SpecOutcome, outcome_of, unchanged_outcome
from ..spec import load_spec
from .api import build, check
from .outputs import current_edition, default_output


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
            spec, outcome_of(exc), getattr(exc, "output", None), duration=time.perf_counter() - started, error=exc,
        )
    except Exception as exc:  # a bug or an environment problem: reported, and the other specs go on
        error = BuildError(f"unexpected {type(exc).__name__}: {exc}")
        return SpecOutcome(
            spec, "failed", duration=time.perf_counter() - started, error=error, traceback=traceback.format_exc(),
        )


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
    """Build several specs, ``jobs`` at a time in separate processes (0: one per CPU), or with ``cluster``.

    One spec failing does not stop the others; every spec gets a ``SpecOutcome`` (in the order of
    ``specs``), and ``on_outcome`` is called with each as soon as it is known. ``output_dir`` puts each
    PDF there as ``<spec name>.pdf``. Other options are those of ``build_one``. Worker processes are
    started with "spawn" (safe in a threaded host such as a scheduler); a caller's script must then
    guard its entry point with ``if __name__ == "__main__":``.

    ``cluster`` (``"local"``, ``"local:N"``, ``"tcp://host:8786"`` or a ``distributed.Client``): check
    here, render in forked copies of this process (``local``) or on a Dask cluster's workers, write here;
    ``jobs`` is then ignored (see ``deckgen.cluster``).
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
        from ..cluster import build_many_on_cluster

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
