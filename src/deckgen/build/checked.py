"""What a build makes before it renders (``Checked``: a spec that passed every check) and what it
returns (``BuildResult``). Below the API, so that the delivery's checks and the cluster can name them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import Problem
from ..inputs import InputFile
from ..resolve import Report
from ..theme import Theme


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
    # the function that checked it (``build.api.check``), passed down with it: what sits below the API
    # (the delivery's checks of each recipient variant, a re-check under the lock) checks with it
    checker: Callable[..., "Checked"] | None = field(default=None, repr=False, compare=False)

    def again(self) -> "Checked":
        """Check the same spec with the same options now (the inputs may have changed meanwhile)."""
        return self.check(self.report.loaded.path, **self.options)

    def check(self, spec_path: Path | str, **options) -> "Checked":
        """Check a spec (this one as a variant, say) as this one was checked: ``build.api.check``."""
        if self.checker is None:
            raise TypeError("this Checked was not made by build.api.check: it cannot check again")
        return self.checker(spec_path, **options)
