"""The library API: ``validate``, ``build`` and ``build_many``. The CLI and schedulers call these.

Guarantees, for the CLI and for Python callers alike:

* the PDF, its manifest and any archived edition are written atomically (temporary file, then
  rename), after rendering succeeded: a failed build leaves the previous good PDF untouched;
* one build at a time per output file: a lock under ``<output folder>/.deckgen/`` makes a second,
  overlapping run wait up to ``wait`` seconds, then raise ``LockedError``;
* ``if_changed=True`` skips the build (without importing matplotlib or reportlab) when the manifest
  of the last successful build records the same input hash and the PDF on disk is intact.

By concern, lowest first: ``checked`` (what a check makes, what a build returns), ``outputs`` (the
lock, manifests, archived editions), ``api`` (check, validate, build, render), ``many`` (many specs,
side by side or on a cluster). Every name is importable from ``deckgen.build`` as before.
"""

from __future__ import annotations

from ..editions import figure_record, read_manifest, versions
from ..outcome import SpecOutcome, outcome_of as _outcome_of
from .api import (
    _unchanged, build, build_bytes, check, check_snapshot, proofread_edition, render, render_and_write, render_in_memory,
    validate, write_edition,
)
from .checked import BuildResult, Checked
from .many import build_many, build_one
from .outputs import (
    archive_path, associated_files, build_manifest, chart_cache_path, current_edition, default_output, edition_record, editions,
    embedded_manifest_json, lock_path, output_lock, output_target_problems, up_to_date, written_by_deckgen,
)

__all__ = [
    "BuildResult", "Checked", "SpecOutcome", "archive_path", "associated_files", "build", "build_bytes", "build_many",
    "build_manifest", "build_one", "chart_cache_path", "check", "check_snapshot", "current_edition", "default_output",
    "edition_record", "editions", "embedded_manifest_json", "figure_record", "lock_path", "output_lock",
    "output_target_problems", "proofread_edition", "render", "render_and_write", "render_in_memory", "up_to_date",
    "read_manifest", "validate", "versions", "write_edition", "written_by_deckgen", "_outcome_of", "_unchanged",
]
