"""The performance goals, measured: deckgen against the hand-tuned baseline, in paired whole-process
runs. With ``--burst`` it also runs ``bench_burst.py`` (personalised editions per second and mailing),
so one command prints every ratio of issue 29.

Run by hand (not collected by pytest), from the repository root:

    python3 -m uv run python bench/bench_perf.py --burst          # everything (about 25 minutes)
    python3 -m uv run python bench/bench_perf.py --burst --burst-editions 100   # 100 editions only
    python3 -m uv run python bench/bench_perf.py                  # 5 rounds (3 for the scaled brief)
    python3 -m uv run python bench/bench_perf.py --rounds 9 --scaled-rounds 5
    python3 -m uv run python bench/bench_perf.py --quick          # the investor brief only
    python3 -m uv run python bench/bench_perf.py --unset-openblas # children run without OPENBLAS_CORETYPE/L2_SIZE

Every command runs as a fresh process (as cron or CI starts it) on throwaway copies of the example
project and of the scaled project ``bench/scaled.py`` generates. Paired goals alternate deckgen and
``bench/baseline_brief.py`` round by round (ABAB, then BABA), so a load spike on this shared machine
hits both sides; the table gives each side's median and their ratio. "Cold" removes the caches beside
the output (``dist/.deckgen/charts`` and ``pages``) and the PDF before each run; "charts unchanged" removes only the PDF.
Peak memory is the child's max RSS (``wait4``). Load averages are printed before and after.
Children run with bytecode caching on (PYTHONDONTWRITEBYTECODE removed from their environment; the
warm-up writes the .pyc files), as an install with compiled bytecode runs; ``--no-bytecode`` keeps it.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scaled  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "bench" / "baseline_brief.py"
INVESTOR = "specs/investor.yaml"
SCALED = "specs/scaled.yaml"
VARIANTS = 9


@dataclass
class Sample:
    seconds: float
    rss_mb: float
    cpu: float = 0.0  # user + system seconds of the process and the processes it waited for


@dataclass
class Goal:
    name: str
    target: str  # shown as is
    limit: float | None = None  # seconds (or MB, or a ratio) the median must not exceed
    ratio_limit: float | None = None  # deckgen / baseline the median ratio must not exceed
    unit: str = "s"
    deckgen: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    deckgen_cpu: list[float] = field(default_factory=list)
    baseline_cpu: list[float] = field(default_factory=list)
    note: str = ""

    def row(self) -> list[str]:
        mine = statistics.median(self.deckgen) if self.deckgen else None
        theirs = statistics.median(self.baseline) if self.baseline else None
        ratio = mine / theirs if mine is not None and theirs else None
        ok = mine is not None and (self.limit is None or mine <= self.limit) and \
            (self.ratio_limit is None or (ratio is not None and ratio <= self.ratio_limit))
        show = (lambda v: f"{v:.0f} MB") if self.unit == "MB" else \
            (lambda v: f"{v:.2f}×") if self.unit == "x" else (lambda v: f"{v:.3f} s")
        return [self.name, self.target, show(mine) if mine is not None else "—",
                show(theirs) if theirs is not None else "—", f"{ratio:.2f}×" if ratio is not None else "—",
                "pass" if ok else "FAIL"]


def child_env(unset_openblas: bool, bytecode: bool) -> dict[str, str]:
    env = dict(os.environ)
    if bytecode:  # steady state of an install: .pyc files written by the warm-up and reused
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    if unset_openblas:
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    return env


ENV: dict[str, str] = {}

FLOORS = (  # what each kind of run must load before it does anything: no build goes below these
    ("the baseline with reportlab charts", "import reportlab.platypus"),
    ("validate (the spec and brand checks)", "import deckgen.build"),
    ("a build with its charts unchanged", "import deckgen.build, deckgen.render.pdf"),
    ("a cold build's chart process", "import deckgen.render.chart_draw"),
)


def run(args: list[str], cwd: Path, expect: int = 0, env: dict | None = None) -> Sample:
    """Run one fresh process; its wall time and peak RSS."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors,
                                   env=env or ENV)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != expect:
            errors.seek(0)
            raise SystemExit(f"{' '.join(args)} (in {cwd}) exited {process.returncode}:\n"
                             f"{errors.read().decode(errors='replace')[-3000:]}")
    return Sample(elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def deckgen(*args: str) -> list[str]:
    return [sys.executable, "-m", "deckgen", *args]


def baseline(spec: str, out: str, charts: str = "matplotlib") -> list[str]:
    return [sys.executable, str(BASELINE), "--spec", spec, "--out", out, "--charts", charts]


def copy_project(target: Path) -> Path:
    for folder in ("specs", "data", "assets"):
        shutil.copytree(REPO / folder, target / folder)
    (target / "deckgen.toml").write_text("# project root marker\n")
    return target


def variants_spec(root: Path, count: int) -> str:
    """A copy of the investor spec whose delivery has ``count`` recipients, each with its own variant."""
    text = (root / INVESTOR).read_text(encoding="utf-8")
    head, _, tail = text.partition("  recipients:\n")
    _, _, rest = tail.partition("  base_url:")
    people = "".join(f"    - email: reader{n}@example.com\n      name: Reader {n}\n"
                     f"      variant: {{subtitle: \"The Pacific premium: a briefing for desk {n}\"}}\n"
                     for n in range(count))
    name = f"specs/investor-{count}.yaml"
    (root / name).write_text(head + "  recipients:\n" + people + "  base_url:" + rest, encoding="utf-8")
    return name


def clear(root: Path, cache: bool) -> None:
    dist = root / "dist"
    for pdf in dist.glob("*.pdf"):
        pdf.unlink()
    if cache:  # every cache a build keeps beside its output: the charts, where the page references landed
        for kept in ("charts", "pages"):
            shutil.rmtree(dist / ".deckgen" / kept, ignore_errors=True)


def paired(goal: Goal, rounds: int, mine, theirs, peak: Goal | None = None) -> None:
    """Alternate the two sides; ``mine``/``theirs`` return a Sample."""
    for n in range(rounds):
        order = [(goal.deckgen, goal.deckgen_cpu, mine, True), (goal.baseline, goal.baseline_cpu, theirs, False)]
        for samples, cpu, function, is_mine in (order if n % 2 == 0 else order[::-1]):
            sample = function()
            samples.append(sample.seconds)
            cpu.append(sample.cpu)
            if peak is not None:
                (peak.deckgen if is_mine else peak.baseline).append(sample.rss_mb)
    print(f"  {goal.name}: deckgen {statistics.median(goal.deckgen):.3f} s (cpu {statistics.median(goal.deckgen_cpu):.3f} s), "
          f"baseline {statistics.median(goal.baseline):.3f} s (cpu {statistics.median(goal.baseline_cpu):.3f} s)",
          flush=True)


def single(goal: Goal, rounds: int, mine) -> None:
    samples = [mine() for _ in range(rounds)]
    goal.deckgen += [sample.seconds for sample in samples]
    goal.deckgen_cpu += [sample.cpu for sample in samples]
    print(f"  {goal.name}: {statistics.median(goal.deckgen):.3f} s (cpu {statistics.median(goal.deckgen_cpu):.3f} s)",
          flush=True)


def table(goals: list[Goal]) -> str:
    rows = [["goal", "target", "deckgen (median)", "baseline (median)", "ratio", "result"]] + [g.row() for g in goals]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def steal() -> tuple[int, int]:
    """The machine's stolen and total CPU ticks so far (/proc/stat): time a virtual machine's host
    gave to others, which stretches every wall time measured here."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (fields[7] if len(fields) > 7 else 0), sum(fields)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds per investor measurement (default 5)")
    parser.add_argument("--scaled-rounds", type=int, default=3, help="rounds per scaled measurement (default 3)")
    parser.add_argument("--quick", action="store_true", help="the investor brief only (no scaled brief)")
    parser.add_argument("--unset-openblas", action="store_true",
                        help="run the children without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (both together)")
    parser.add_argument("--burst", action="store_true", help="then run bench_burst.py: editions per second, mailing")
    parser.add_argument("--burst-editions", default="100,1000", help="edition counts for --burst (default 100,1000)")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE if set: deckgen's own modules are compiled in every process")
    args = parser.parse_args()
    ENV.update(child_env(args.unset_openblas, not args.no_bytecode))
    rounds, big = args.rounds, args.scaled_rounds

    print(f"machine: {machine()}")
    print(f"load average before: {load()}; bytecode: "
          f"{'not written (PYTHONDONTWRITEBYTECODE)' if 'PYTHONDONTWRITEBYTECODE' in ENV else 'cached .pyc'}; "
          f"OPENBLAS_CORETYPE={ENV.get('OPENBLAS_CORETYPE', '(unset)')}")
    goals: list[Goal] = []
    stolen_before, total_before = steal()
    with tempfile.TemporaryDirectory(prefix="deckgen-perf-") as folder:
        root = copy_project(Path(folder) / "investor")
        base_pdf = str(root / "dist" / "baseline.pdf")
        # warm-up: disk cache, .pyc files, matplotlib's font cache; not timed
        run(deckgen("build", INVESTOR), root)
        run(baseline(INVESTOR, base_pdf), root)

        def cold() -> Sample:
            clear(root, cache=True)
            return run(deckgen("build", INVESTOR), root)

        def warm() -> Sample:
            clear(root, cache=False)
            return run(deckgen("build", INVESTOR), root)

        def hand() -> Sample:
            return run(baseline(INVESTOR, base_pdf), root)

        def hand_rl() -> Sample:
            return run(baseline(INVESTOR, base_pdf, "reportlab"), root)

        print("investor brief:")
        goal = Goal("investor: build, cold (no chart cache)", "≤ 1.0× baseline", ratio_limit=1.0)
        paired(goal, rounds, cold, hand)
        goals.append(goal)
        goal = Goal("investor: build, charts unchanged [b: rl charts]", "≤ 2.5× baseline", ratio_limit=2.5)
        paired(goal, rounds, warm, hand_rl)
        goals.append(goal)

        def warm_without_bytecode() -> Sample:  # deckgen's own bytecode from the user's cache (bytecode.py)
            clear(root, cache=False)
            return run(deckgen("build", INVESTOR), root, env={**ENV, "PYTHONDONTWRITEBYTECODE": "1"})

        goal = Goal("investor: charts unchanged, PYTHONDONTWRITEBYTECODE=1 [b: deckgen, .pyc written]", "≤ 1.05×",
                    ratio_limit=1.05)
        paired(goal, rounds, warm_without_bytecode, warm)
        goals.append(goal)
        run(deckgen("build", INVESTOR), root)
        goal = Goal("investor: build --if-changed (skip)", "≤ 0.10 s", 0.10)
        single(goal, rounds, lambda: run(deckgen("build", INVESTOR, "--if-changed"), root))
        goals.append(goal)
        goal = Goal("deckgen --help", "≤ 0.15 s", 0.15)
        single(goal, rounds, lambda: run(deckgen("--help"), root))
        goals.append(goal)
        goal = Goal("deckgen validate (investor)", "≤ 0.20 s", 0.20)
        single(goal, rounds, lambda: run(deckgen("validate", INVESTOR), root))
        goals.append(goal)

        print("  floors (a fresh Python importing, and doing nothing else):")
        for what, imports in FLOORS:
            seconds = statistics.median(run([sys.executable, "-c", imports], root).seconds for _ in range(rounds))
            print(f"    {seconds:.3f} s  {what}: {imports}", flush=True)

        one, many = variants_spec(root, 1), variants_spec(root, VARIANTS)

        def send(spec: str) -> Sample:
            clear(root, cache=False)
            shutil.rmtree(root / "dist" / "outbox", ignore_errors=True)
            return run(deckgen("send", spec, "--dry-run"), root)

        first = [send(one).seconds for _ in range(rounds)]
        all_ = [send(many).seconds for _ in range(rounds)]
        goal = Goal(f"send --dry-run: per variant after the first ({VARIANTS} variants)", "≤ 0.15 s each", 0.15,
                    note="(median(9 variants) - median(1 variant)) / 8")
        goal.deckgen = [(statistics.median(all_) - statistics.median(first)) / (VARIANTS - 1)]
        print(f"  send: 1 variant {statistics.median(first):.3f} s, {VARIANTS} variants "
              f"{statistics.median(all_):.3f} s -> {goal.deckgen[0]:.3f} s each", flush=True)
        goals.append(goal)

        if not args.quick:
            print("scaled brief (96 narratives, 50 charts, 5,000-row table):")
            projects = {}
            for rows in (5000, 10000):
                target = Path(folder) / f"scaled{rows}"
                target.mkdir()
                scaled.make_project(target, rows=rows)
                projects[rows] = target
                run(deckgen("build", SCALED), target)  # warm-up, and the chart cache for the warm runs
            s5 = projects[5000]
            s5_pdf = str(s5 / "dist" / "baseline.pdf")
            peak = Goal("scaled: peak memory (cold build)", "≤ 150 MB", 150, unit="MB")
            goal = Goal("scaled: build, cold (no chart cache)", "≤ 1.0× baseline", ratio_limit=1.0)

            def scaled_cold() -> Sample:
                clear(s5, cache=True)
                return run(deckgen("build", SCALED), s5)

            def scaled_hand() -> Sample:
                return run(baseline(SCALED, s5_pdf), s5)

            def scaled_hand_rl() -> Sample:
                return run(baseline(SCALED, s5_pdf, "reportlab"), s5)

            paired(goal, big, scaled_cold, scaled_hand, peak)
            goals += [goal]
            goal = Goal("scaled: build, charts unchanged [b: rl charts]", "≤ 1.3× baseline", ratio_limit=1.3)

            def scaled_warm(project: Path = s5) -> Sample:
                clear(project, cache=False)
                return run(deckgen("build", SCALED), project)

            paired(goal, big, scaled_warm, scaled_hand_rl)
            goals += [goal, peak]
            s10 = projects[10000]
            s10_pdf = str(s10 / "dist" / "baseline.pdf")
            goal = Goal("scaled: 10,000 vs 5,000 rows (charts unchanged)", "≤ 2×", 2.0, unit="x")
            tens, fives, hand10 = [], [], []
            for n in range(big):
                tens.append(scaled_warm(s10).seconds)
                fives.append(scaled_warm(s5).seconds)
                hand10.append(run(baseline(SCALED, s10_pdf), s10).seconds)
            goal.deckgen = [statistics.median(tens) / statistics.median(fives)]
            goal.baseline = [statistics.median(hand10) / statistics.median(goals[-3].baseline)]
            print(f"  10,000 rows: deckgen {statistics.median(tens):.3f} s vs {statistics.median(fives):.3f} s; "
                  f"baseline {statistics.median(hand10):.3f} s", flush=True)
            goals.append(goal)

    stolen_after, total_after = steal()
    share = (stolen_after - stolen_before) / max(1, total_after - total_before)
    print(f"\nload average after: {load()}; CPU time stolen by the host during the run: {share:.0%}\n")
    print(table(goals))
    print("\nratio = deckgen median / baseline median. baseline = bench/baseline_brief.py, no cache (every run is "
          "cold): matplotlib-laid-out charts, or [b: rl charts] charts drawn with reportlab alone (no matplotlib "
          "import, the fair pair for deckgen's cached charts). The 10,000-row row compares each side's 10,000-row "
          "time with its own 5,000-row time.")
    if args.burst:
        import bench_burst

        print("\nbursting and mailing (bench_burst.py):", flush=True)
        bench_burst.main(["--editions", args.burst_editions])


if __name__ == "__main__":
    main()
