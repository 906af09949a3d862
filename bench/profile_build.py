"""Where a build's time goes: cProfile of deckgen's build, in-process, cold and warm.

    python3 -m uv run python bench/profile_build.py                 # investor and scaled, cold and warm
    python3 -m uv run python bench/profile_build.py --only investor --top 30
    python3 -m uv run python bench/profile_build.py --dump /tmp/prof   # also writes .pstats files

Cold: a fresh interpreter, no chart cache, the profile includes importing deckgen (and so
matplotlib, reportlab, pydantic...). Warm: the same process builds again with the chart cache and
the imports in place (a long-lived worker's cost per build). Each case prints the time by package
(own time summed over a package's functions) and the top functions by own and by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
REPO = Path(__file__).resolve().parent.parent


def package(filename: str) -> str:
    """'reportlab.platypus', 'matplotlib', 'deckgen.render', '<builtins>' ... for a profile's file name."""
    if filename.startswith("~") or filename.startswith("<"):
        return "<builtins/C>"
    parts = Path(filename).parts
    for anchor in ("site-packages", "src"):
        if anchor in parts:
            rest = parts[parts.index(anchor) + 1:]
            if rest[0] == "deckgen" and len(rest) > 2:
                return f"deckgen.{rest[1]}"
            if rest[0] in ("reportlab",) and len(rest) > 2:
                return f"reportlab.{rest[1]}"
            return rest[0].removesuffix(".py")
    if "lib" in parts and "python3" in "".join(parts):
        return "stdlib:" + Path(filename).stem
    return Path(filename).name


def report(profile: cProfile.Profile, label: str, seconds: float, top: int, dump: Path | None) -> None:
    stats = pstats.Stats(profile)
    if dump:
        dump.mkdir(parents=True, exist_ok=True)
        stats.dump_stats(dump / f"{label.replace(' ', '-').replace(',', '')}.pstats")
    by_package: dict[str, float] = defaultdict(float)
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        by_package[package(filename)] += own
    print(f"\n=== {label}: {seconds:.2f} s wall (profiled) ===")
    print("own time by package: " + ", ".join(f"{name} {t:.2f}" for name, t in
                                                sorted(by_package.items(), key=lambda kv: -kv[1])[:12]))
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(top)
        body = out.getvalue()
        print(f"--- top {top} by {order} ---")
        print(body[body.index("   ncalls"):].rstrip())


def profile_case(name: str, top: int, dump: Path | None) -> None:
    """Runs in a fresh interpreter: the cold build, then a warm one."""
    with tempfile.TemporaryDirectory(prefix="deckgen-prof-") as folder:
        root = Path(folder)
        if name == "investor":
            for sub in ("specs", "data", "assets"):
                shutil.copytree(REPO / sub, root / sub)
            (root / "deckgen.toml").write_text("# project root marker\n")
            spec = root / "specs" / "investor.yaml"
        else:
            import scaled

            spec = scaled.make_project(root, rows=5000)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        from deckgen import build as library

        library.build(spec)
        profile.disable()
        report(profile, f"{name}, cold (imports, no chart cache)", time.perf_counter() - started, top, dump)
        for pdf in (root / "dist").glob("*.pdf"):
            pdf.unlink()
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        library.build(spec)
        profile.disable()
        report(profile, f"{name}, warm (same process, charts cached)", time.perf_counter() - started, top, dump)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("investor", "scaled"), default=None)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--dump", type=Path, default=None, help="also write the .pstats files here")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        profile_case(args.case, args.top, args.dump)
        return
    for case in ([args.only] if args.only else ["investor", "scaled"]):
        command = [sys.executable, __file__, "--case", case, "--top", str(args.top)]
        if args.dump:
            command += ["--dump", str(args.dump)]
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
