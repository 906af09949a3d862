"""What happened to each spec of a build run (``SpecOutcome``), and the quick outcome of a spec
whose last edition is still current, found without checking it again (see ``editions``)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .editions import current_without_checking
from .errors import DeckgenError, ExitCode, LockedError, Problem, SpecError, StaleDataError, display_path


Outcome = Literal["built", "unchanged", "current", "out_of_date", "invalid", "stale", "locked", "failed"]


@dataclass(frozen=True)
class SpecOutcome:
    """What happened to one spec of a ``build_many`` run; never raised, always returned."""

    spec: Path
    outcome: Outcome
    output: Path | None = None
    pages: int | None = None
    duration: float = 0.0
    input_hash: str | None = None
    archived: Path | None = None
    warnings: tuple[str, ...] = ()
    error: DeckgenError | None = None
    traceback: str | None = None  # for an unexpected error: where it happened
    warning_problems: tuple[Problem, ...] = ()  # the warnings, located (``warnings`` has them as text)
    steps: tuple[tuple[str, float], ...] = ()  # seconds per step of a build: load, check, render, proof, write

    @property
    def problems(self) -> list[Problem]:
        """Every problem of this spec, located: the warnings, and the errors if it failed."""
        from .errors import problems_of

        found = list(self.warning_problems)
        if self.error is not None:
            found += [p for p in problems_of(self.error, self.spec) if p not in found]
        return found

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def exit_code(self) -> int:
        """What this outcome alone would exit with (the exception's own code for failures)."""
        if self.error is not None:
            return int(self.error.exit_code)
        return int(ExitCode.OUT_OF_DATE) if self.outcome == "out_of_date" else int(ExitCode.OK)

    def as_json(self) -> dict:
        """One log record: spec, outcome, output, pages, duration, input_hash (+ errors, warnings...)."""
        record = {
            "spec": display_path(self.spec),
            "outcome": self.outcome,
            "output": display_path(self.output) if self.output else None,
            "pages": self.pages,
            "duration": round(self.duration, 3),
            "input_hash": self.input_hash,
            "exit_code": self.exit_code,
        }
        if self.archived is not None:
            record["archived"] = display_path(self.archived)
        if self.warnings:
            record["warnings"] = list(self.warnings)
        if self.error is not None:
            problems = getattr(self.error, "problems", None)
            if problems is not None:  # a spec error: warnings and errors in their own lists
                record["errors"] = [p.render() for p in problems if p.is_error]
                warnings = [p.render() for p in problems if not p.is_error]
                if warnings:
                    record["warnings"] = record.get("warnings", []) + warnings
            else:
                record["errors"] = self.error.lines()
        if problems := self.problems:
            record["problems"] = [problem.as_json() for problem in problems]
        return record


def unchanged_outcome(spec: Path, *, check_only: bool = False, **options) -> SpecOutcome | None:
    """"unchanged" (or, for ``check_only``, "current") when the edition on disk is provably current;
    ``None`` when only the full check can tell. ``options``: those of ``build.check``."""
    started = time.perf_counter()
    current = current_without_checking(spec, **options)
    if current is None:
        return None
    return SpecOutcome(
        Path(spec), "current" if check_only else "unchanged", current.output, current.pages,
        time.perf_counter() - started, current.input_hash, warnings=tuple(p.render() for p in current.warnings),
        warning_problems=current.warnings,
    )


def outcome_of(error: DeckgenError) -> Outcome:
    """The outcome of a spec whose build raised ``error``."""
    if isinstance(error, StaleDataError):
        return "stale"
    if isinstance(error, SpecError):
        return "invalid"
    if isinstance(error, LockedError):
        return "locked"
    return "failed"
