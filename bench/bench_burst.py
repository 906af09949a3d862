"""Issue 29's bursting goals, measured: personalised editions per second, deckgen against the
hand-tuned script run once per edition, and 1,000 recipients mailed to a local SMTP server.

Run by hand (not collected by pytest), from the repository root; needs the cluster extra (dev group):

    python3 -m uv run python bench/bench_burst.py                      # 100 and 1,000 editions
    python3 -m uv run python bench/bench_burst.py --editions 100       # 100 only (about 2 minutes)

Each edition is the investor brief with its own subtitle ("Prepared for client 0042"). deckgen makes
them all in one run, ``deckgen send specs/investor.yaml --recipients editions.csv --dry-run`` (a
recipients file with a ``subtitle`` column: one variant per recipient), in one process pinned to one
core, and with ``--cluster local:2`` (a LocalCluster of two worker processes, started and stopped
inside the timed run). The script, ``bench/baseline_brief.py --charts reportlab`` (charts drawn with
reportlab alone: the fastest a script reaches with its charts ready, as deckgen's come from its
cache), is started once per edition on its own copy of the spec: one at a time on one core, and two
at a time for the cluster's pair. Rates are editions per second; a ratio is deckgen's rate over the
script's, so bigger is better (goal: ≥ 2× on the cluster, ≥ 1.5× in one process).

Mailing: 1,000 recipients of one edition (its PDF built beforehand), ``deckgen send`` through the
SMTP sink in ``bench/smtp_sink.py`` (reads blocks, as a production server does; the tests' aiosmtpd
reads one line at a time and would be timed instead), with 1 and with 4 connections (goal ≤ 10 s).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_perf import copy_project, load, machine, steal  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "bench" / "baseline_brief.py"
SPEC = "specs/investor.yaml"


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an install's steady state: bytecode written once, reused
    return env


def one_core() -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def run(args: list[str], cwd: Path, *, pinned: bool = False, env: dict | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env=env or environment(), preexec_fn=one_core if pinned else None)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:6])} ... (in {cwd}) exited {done.returncode}:\n{done.stderr.decode()[-3000:]}")
    return elapsed


def subtitle(n: int) -> str:
    return f"Prepared for client {n:04d}"


def edition_specs(root: Path, count: int) -> list[str]:
    """The script's inputs: one copy of the spec per edition, with that edition's subtitle."""
    text = (root / SPEC).read_text("utf-8")
    original = next(line for line in text.splitlines() if line.startswith("subtitle:"))
    (root / "editions").mkdir(exist_ok=True)
    names = []
    for n in range(count):
        name = f"specs/edition-{n:04d}.yaml"
        (root / name).write_text(text.replace(original, f'subtitle: "{subtitle(n)}"'), "utf-8")
        names.append(name)
    return names


def recipients(root: Path, count: int, *, variants: bool) -> str:
    lines = ["email,name,subtitle" if variants else "email,name"]
    lines += [f"client{n:04d}@example.com,Client {n:04d}" + (f",{subtitle(n)}" if variants else "") for n in range(count)]
    name = f"recipients-{count}{'-variants' if variants else ''}.csv"
    (root / name).write_text("\n".join(lines) + "\n", "utf-8")
    return name


def script_editions(root: Path, specs: list[str], at_a_time: int) -> float:
    """The script started once per edition, ``at_a_time`` at once (each pinned to one core when one)."""
    def one(spec: str) -> float:
        out = root / "editions" / (Path(spec).stem + ".pdf")
        return run([sys.executable, str(BASELINE), "--spec", spec, "--out", str(out), "--charts", "reportlab"], root,
                   pinned=at_a_time == 1)

    started = time.perf_counter()
    with ThreadPoolExecutor(at_a_time) as pool:
        list(pool.map(one, specs))
    return time.perf_counter() - started


def deckgen_editions(root: Path, listed: str, cluster: str | None) -> float:
    shutil.rmtree(root / "dist" / "outbox", ignore_errors=True)
    shutil.rmtree(root / "dist" / ".deckgen" / "variants", ignore_errors=True)
    args = [sys.executable, "-m", "deckgen", "-q", "send", SPEC, "--recipients", listed, "--dry-run"]
    if cluster:
        args += ["--cluster", cluster]
    return run(args, root, pinned=cluster is None)


def line(what: str, count: int, mine: float, theirs: float | None, goal: float | None) -> str:
    rate = count / mine
    if theirs is None:
        return f"| {what} | {mine:.1f} s | {rate:.1f}/s | | | |"
    ratio = rate / (count / theirs)
    verdict = "pass" if goal is not None and ratio >= goal else "FAIL"
    return f"| {what} | {mine:.1f} s | {rate:.1f}/s | {theirs:.1f} s ({count / theirs:.1f}/s) | {ratio:.2f}× (goal ≥ {goal}×) | {verdict} |"


def bursting(counts: list[int], folder: Path) -> list[str]:
    rows = []
    root = copy_project(folder / "burst")
    run([sys.executable, "-m", "deckgen", "-q", "build", SPEC], root)  # the chart cache, as a desk's project has it
    run([sys.executable, str(BASELINE), "--spec", SPEC, "--out", str(root / "dist" / "baseline.pdf"), "--charts", "reportlab"], root)
    for count in counts:
        specs = edition_specs(root, count)
        listed = recipients(root, count, variants=True)
        print(f"{count} personalised editions:", flush=True)
        theirs_one = script_editions(root, specs, 1)
        mine_one = deckgen_editions(root, listed, None)
        print(f"  one core: script {theirs_one:.1f} s, deckgen send (one process) {mine_one:.1f} s", flush=True)
        theirs_two = script_editions(root, specs, 2)
        mine_two = deckgen_editions(root, listed, "local:2")
        print(f"  two cores: script x2 {theirs_two:.1f} s, deckgen send --cluster local:2 {mine_two:.1f} s", flush=True)
        rows.append(line(f"{count} editions, one process (one core)", count, mine_one, theirs_one, 1.5))
        rows.append(line(f"{count} editions, --cluster local:2", count, mine_two, theirs_two, 2.0))
    return rows


def mailing(count: int, folder: Path) -> list[str]:
    rows = []
    root = copy_project(folder / "mail")
    run([sys.executable, "-m", "deckgen", "-q", "build", SPEC], root)  # only the mailing is timed
    listed = recipients(root, count, variants=False)
    with SmtpSink() as sink:
        env = {**environment(), "DECKGEN_SMTP_HOST": "127.0.0.1", "DECKGEN_SMTP_PORT": str(sink.port),
               "DECKGEN_SMTP_SECURITY": "none", "DECKGEN_MAIL_FROM": "briefs@example.com"}
        for connections in (1, 4):
            before = sink.messages
            seconds = run([sys.executable, "-m", "deckgen", "-q", "send", SPEC, "--recipients", listed, "--resend",
                           "--smtp-connections", str(connections)], root, env=env)
            assert sink.messages - before == count, f"the server received {sink.messages - before} of {count}"
            print(f"  {count} recipients, {connections} connection(s): {seconds:.1f} s", flush=True)
            verdict = "pass" if seconds <= 10 else "FAIL"
            rows.append(f"| {count} recipients to a local SMTP server, {connections} connection(s) | {seconds:.1f} s | "
                        f"{count / seconds:.0f}/s | | goal ≤ 10 s | {verdict} |")
    return rows


HEADER = ["| run | deckgen | rate | script per edition | ratio (rates) | result |", "|---|---|---|---|---|---|"]


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editions", default="100,1000", help="comma-separated edition counts (default 100,1000)")
    parser.add_argument("--recipients", type=int, default=1000, help="recipients to mail (default 1000)")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.editions.split(",") if n]
    print(f"machine: {machine()}; load average before: {load()}", flush=True)
    stolen_before, total_before = steal()
    with tempfile.TemporaryDirectory(prefix="deckgen-burst-") as folder:
        rows = bursting(counts, Path(folder))
        print("mailing:", flush=True)
        rows += mailing(args.recipients, Path(folder))
    stolen_after, total_after = steal()
    share = (stolen_after - stolen_before) / max(1, total_after - total_before)
    print(f"\nload average after: {load()}; CPU time stolen by the host during the run: {share:.0%}\n")
    print("\n".join(HEADER + rows))
    return rows


if __name__ == "__main__":
    main()
