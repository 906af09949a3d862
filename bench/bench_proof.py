"""Issue 23's goal, measured: the proof costs at most 10% of a build.

Run by hand (not collected by pytest), from the repository root:

    python3 -m uv run python bench/bench_proof.py              # 11 rounds per brief
    python3 -m uv run python bench/bench_proof.py --rounds 15 --no-scaled

For each brief (the investor and grid-storage examples, and the 250-page scaled brief of
``bench/scaled.py``), one process renders it in memory again and again with charts cached, rounds
alternating between the build as it ships (the renderer records what it lays out, then the proof
reads it) and the same build with both switched off (recording a no-op, no proofreading), timed in
the process's CPU time (what a neighbour on this shared machine does not change). The table gives
each side's median and the proof's share of the build; it also gives the proof stage alone
(``timings['proof']``, wall clock) as a share of the shipped build.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scaled  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
GOAL = 0.10


@contextmanager
def without_proof():
    """The build with nothing recorded and nothing proofread."""
    from deckgen import build
    from deckgen.proof import checks, record

    saved = record.LaidOut.paragraph, build.proofread_edition
    record.LaidOut.paragraph = lambda self, paragraph, canvas: None
    build.proofread_edition = lambda checked, laid_out: checks.Proof(())
    try:
        yield
    finally:
        record.LaidOut.paragraph, build.proofread_edition = saved


def measure(spec: Path, rounds: int) -> tuple[list[float], list[float], list[float]]:
    from deckgen import build

    checked = build.check(spec)
    build.render_in_memory(checked)  # warm-up: charts drawn and cached, fonts and hyphenation loaded
    shipped, bare, proof_only = [], [], []
    for index in range(rounds * 2):
        with_proof = (index % 4) in (0, 3)  # ABBA: a slow stretch of the machine hits both sides
        started = time.process_time()  # CPU time of this process: a neighbour's load on the machine does not count
        if with_proof:
            _, result = build.render_in_memory(checked)
            shipped.append(time.process_time() - started)
            proof_only.append(result.proof.seconds)
        else:
            with without_proof():
                build.render_in_memory(checked)
            bare.append(time.process_time() - started)
    return shipped, bare, proof_only


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11, help="rounds per side and brief (default 11)")
    parser.add_argument("--no-scaled", action="store_true", help="skip the 250-page scaled brief")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="deckgen-bench-proof-"))
    try:
        for folder in ("specs", "data", "assets"):
            shutil.copytree(REPO / folder, work / folder)
        (work / "deckgen.toml").write_text("")
        briefs = [("investor", work / "specs" / "investor.yaml"), ("grid-storage", work / "specs" / "grid-storage.yaml")]
        if not options.no_scaled:
            briefs.append(("scaled (250 pages)", scaled.make_project(work / "scaled")))
        print(f"{'brief':<20} {'build':>9} {'no proof':>9} {'proof share':>12} {'proof stage':>12}  goal <= {GOAL:.0%}")
        for name, spec in briefs:
            shipped, bare, proof_only = measure(spec, options.rounds)
            with_median, bare_median = statistics.median(shipped), statistics.median(bare)
            share = (with_median - bare_median) / with_median
            stage = statistics.median(proof_only) / with_median
            print(f"{name:<20} {with_median:>8.3f}s {bare_median:>8.3f}s {share:>11.1%} {stage:>11.1%}"
                  f"  {'met' if max(share, stage) <= GOAL else 'NOT MET'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
