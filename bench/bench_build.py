"""Time what a scheduled run costs: validate, a full build and an --if-changed skip of the example.

Run by hand (not collected by pytest):

    uv run python bench/bench_build.py            # 5 rounds each
    uv run python bench/bench_build.py --repeat 10

Each command runs as a fresh process, as cron or a CI job would start it, on a throwaway copy of
the example project; the in-process rows show the library's cost once Python and the imports are
warm (what a long-lived orchestrator worker pays per spec).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SPEC = "specs/investor.yaml"


def copy_project(target: Path) -> Path:
    for folder in ("specs", "data", "assets"):
        shutil.copytree(REPO / folder, target / folder)
    (target / "deckgen.toml").write_text("# project root marker\n")
    return target


def timed_process(args: list[str], cwd: Path, expect: int = 0) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "deckgen", *args], cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    if done.returncode != expect:
        raise SystemExit(f"deckgen {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    return elapsed


def timed_call(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def summary(label: str, samples: list[float]) -> str:
    return (f"{label:<44} median {statistics.median(samples) * 1000:8.0f} ms   "
            f"min {min(samples) * 1000:8.0f} ms   max {max(samples) * 1000:8.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds per measurement (default 5)")
    repeat = parser.parse_args().repeat

    with tempfile.TemporaryDirectory(prefix="deckgen-bench-") as folder:
        root = copy_project(Path(folder))
        pdf = root / "dist" / "investor.pdf"
        rows: dict[str, list[float]] = {}

        def measure(label: str, run) -> None:
            rows[label] = [run() for _ in range(repeat)]
            print(summary(label, rows[label]), flush=True)

        note = ("PYTHONDONTWRITEBYTECODE is set: imports without an existing .pyc are compiled in every process"
                if sys.dont_write_bytecode else "bytecode is cached")
        print(f"python {sys.version.split()[0]}, {repeat} rounds; {note}\n")
        measure("process: deckgen --help", lambda: timed_process(["--help"], root))
        measure("process: deckgen validate", lambda: timed_process(["validate", SPEC], root))

        def full_build() -> float:
            pdf.unlink(missing_ok=True)
            return timed_process(["build", SPEC], root)

        measure("process: deckgen build (full)", full_build)
        measure("process: deckgen build --if-changed (skip)", lambda: timed_process(["build", SPEC, "--if-changed"], root))
        measure("process: deckgen build --check (current)", lambda: timed_process(["build", SPEC, "--check"], root))

        sys.path.insert(0, str(REPO / "src"))
        from deckgen import build as library

        spec = root / SPEC
        library.build(spec)  # warm the imports and font caches once
        measure("in-process: validate()", lambda: timed_call(lambda: library.validate(spec)))
        measure("in-process: build() (warm)", lambda: timed_call(lambda: library.build(spec)))
        measure("in-process: build(if_changed=True) (skip)", lambda: timed_call(lambda: library.build(spec, if_changed=True)))


if __name__ == "__main__":
    main()
