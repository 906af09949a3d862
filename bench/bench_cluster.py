"""Bursting on a Dask cluster: N variants of the example on a 2-worker LocalCluster against ``--jobs 2``,
and mailing M recipients through a local SMTP server.

Run by hand (not collected by pytest); needs the cluster extra (in the dev group):

    uv run python bench/bench_cluster.py                               # 1,000 variants, 1,000 recipients
    uv run python bench/bench_cluster.py --variants 100 --recipients 1000

The variants are N copies of specs/investor.yaml, each with its own subtitle (so each is a distinct
PDF), built by one ``deckgen build`` process: ``--jobs 2`` (a local process pool) and ``--cluster
local:2`` (a LocalCluster of 2 worker processes, started and stopped inside the timed run). Then
``deckgen send --cluster local:2 --dry-run`` renders N per-recipient variants and writes their
messages. Mailing: M recipients of one edition, through aiosmtpd on 127.0.0.1, with 1 and with 4
SMTP connections. Every command is a fresh process, as a scheduler would start it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_burst import edition_specs, recipients  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SPEC = Path("specs/investor.yaml")


def copy_project(target: Path) -> Path:
    for folder in ("specs", "data", "assets"):
        shutil.copytree(REPO / folder, target / folder)
    (target / "deckgen.toml").write_text("# project root marker\n")
    return target


def deckgen(args: list[str], cwd: Path, env: dict | None = None) -> float:
    import os

    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "deckgen", "-q", *args], cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"deckgen {' '.join(args[:4])} ... exited {done.returncode}:\n{done.stderr[-2000:]}")
    return elapsed


def variant_specs(root: Path, count: int) -> list[str]:
    """``count`` copies of the example spec beside it, each with its own subtitle."""
    return edition_specs(root, count)


def recipients_file(root: Path, count: int, *, variants: bool) -> str:
    return recipients(root, count, variants=variants)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rate(count: int, seconds: float) -> str:
    return f"{seconds:8.1f} s   {count / seconds:6.1f}/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=1000, help="variants to build (default 1000)")
    parser.add_argument("--recipients", type=int, default=1000, help="recipients to mail (default 1000)")
    options = parser.parse_args()

    from aiosmtpd.controller import Controller

    class Sink:
        received = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.received += 1
            return "250 2.0.0 Ok"

    with tempfile.TemporaryDirectory(prefix="deckgen-bench-") as folder:
        base = copy_project(Path(folder) / "base")
        specs = variant_specs(base, options.variants)
        print(f"{options.variants} variants of the example ({SPEC}):", flush=True)
        for label, extra in (("build --jobs 2", ["--jobs", "2"]), ("build --cluster local:2", ["--cluster", "local:2"])):
            root = Path(folder) / label.replace(" ", "_").replace(":", "")
            shutil.copytree(base, root)
            seconds = deckgen(["build", *specs, "-o", "out/", *extra], root)
            assert len(list((root / "out").glob("*.pdf"))) == options.variants
            print(f"  {label:<44} {rate(options.variants, seconds)}", flush=True)
        root = Path(folder) / "send-variants"
        shutil.copytree(base, root)
        listed = recipients_file(root, options.variants, variants=True)
        seconds = deckgen(["send", str(SPEC), "--recipients", listed, "--dry-run", "--cluster", "local:2"], root)
        print(f"  {'send --dry-run --cluster local:2 (per recipient)':<44} {rate(options.variants, seconds)}")

        port = free_port()
        controller = Controller(Sink(), hostname="127.0.0.1", port=port)
        controller.start()
        try:
            env = {"DECKGEN_SMTP_HOST": "127.0.0.1", "DECKGEN_SMTP_PORT": str(port), "DECKGEN_SMTP_SECURITY": "none",
                   "DECKGEN_MAIL_FROM": "briefs@example.com"}
            print(f"{options.recipients} recipients of one edition, local SMTP server (aiosmtpd):")
            deckgen(["build", str(SPEC)], base)  # the PDF exists: only mailing is timed
            for connections in (1, 4):
                root = Path(folder) / f"send-{connections}"
                shutil.copytree(base, root)
                listed = recipients_file(root, options.recipients, variants=False)
                before = Sink.received
                seconds = deckgen(["send", str(SPEC), "--recipients", listed, "--smtp-connections", str(connections)], root, env)
                assert Sink.received - before == options.recipients
                print(f"  {f'send --smtp-connections {connections}':<44} {rate(options.recipients, seconds)}")
        finally:
            controller.stop()


if __name__ == "__main__":
    main()
