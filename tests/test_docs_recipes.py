"""The scheduling page's recipes (docs/scheduling.md) run as written: the build_many script, and the
cron and systemd jobs on a read-only checkout with a read-only HOME."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, copy_project

SCHEDULING = (REPO / "docs" / "scheduling.md").read_text("utf-8")


def _block_after(marker: str, language: str) -> str:
    start = SCHEDULING.index(marker)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(SCHEDULING, start)
    assert match, f"no {language} block after {marker!r}"
    return match.group(1)


def test_the_build_many_snippet_runs_as_written(project):
    script = _block_after("Several specs at once", "python")
    (project / "build_briefs.py").write_text(script, "utf-8")
    done = subprocess.run([sys.executable, "build_briefs.py"], cwd=project, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (project / "dist/investor.pdf").is_file() and '"outcome": "built"' in done.stderr.replace("'", '"')


def _can_mount_read_only() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind -o ro /tmp /tmp && ! touch /tmp/.deckgen-ro-probe"],
                           capture_output=True)
    return probe.returncode == 0


def _run_read_only(command: str, checkout: Path, home: Path, env: dict) -> subprocess.CompletedProcess:
    """Run ``command`` in ``checkout`` with the checkout and HOME read-only: bind mounts in a private
    mount namespace as root, file modes otherwise."""
    full_env = {**{k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "MPLCONFIGDIR"))}, "HOME": str(home), **env}
    if _can_mount_read_only():
        mounts = " && ".join(f"mount --bind -o ro {shlex.quote(str(p))} {shlex.quote(str(p))}" for p in (checkout, home))
        argv = ["unshare", "-m", "sh", "-c", f"{mounts} && cd {shlex.quote(str(checkout))} && {command}"]
    elif os.geteuid() != 0:
        for path in (checkout, home):
            for folder, _, files in os.walk(path):
                for name in files:
                    os.chmod(Path(folder) / name, 0o444)
                os.chmod(folder, 0o555)
        argv = ["sh", "-c", f"cd {shlex.quote(str(checkout))} && {command}"]
    else:
        pytest.skip("running as root without mount namespaces: cannot make a folder read-only")
    return subprocess.run(argv, env=full_env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def _deckgen_command(line: str, state: Path) -> str:
    command = line.replace(".venv/bin/deckgen", f"{shlex.quote(sys.executable)} -m deckgen")
    command = command.replace("/srv/briefs/", "").replace("/var/lib/deckgen/", f"{state}/")
    return command


def test_the_cron_recipe_works_on_a_read_only_checkout(tmp_path):
    line = next(l for l in _block_after("## cron", "crontab").splitlines() if l and not l.startswith("#"))
    command = line.split("cd /srv/briefs && ", 1)[1].split(" >>", 1)[0]
    checkout, home, state = copy_project(tmp_path / "checkout"), tmp_path / "home", tmp_path / "state"
    home.mkdir()
    state.mkdir()
    done = _run_read_only(_deckgen_command(command, state), checkout, home, {})
    assert done.returncode == 0, done.stderr
    records = [json.loads(l) for l in done.stdout.splitlines()]
    specs = sorted(p.stem for p in (checkout / "specs").glob("*.yaml"))
    assert sorted(Path(r["spec"]).stem for r in records if r["outcome"] == "built") == specs
    assert (state / "investor.pdf").is_file() and (state / "investor.manifest.json").is_file()
    assert done.stderr == "", done.stderr  # no matplotlib cache warnings, nothing at all
    assert not (checkout / "dist").exists()


def test_the_systemd_recipe_works_on_a_read_only_checkout(tmp_path):
    unit = _block_after("## systemd service and timer", "ini")
    command = next(l for l in unit.splitlines() if l.startswith("ExecStart=")).removeprefix("ExecStart=")
    cache_home = next(l for l in unit.splitlines() if l.startswith("Environment=XDG_CACHE_HOME="))
    checkout, home, state, cache = (copy_project(tmp_path / "checkout"), tmp_path / "home", tmp_path / "state",
                                    tmp_path / "cache")
    for folder in (home, state, cache):
        folder.mkdir()
    assert cache_home.endswith("=/var/cache/deckgen")
    done = _run_read_only(_deckgen_command(command, state), checkout, home, {"XDG_CACHE_HOME": str(cache)})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outcome"] == "built" and done.stderr == ""
    assert (cache / "matplotlib").is_dir()  # the font cache lives in the CacheDirectory, kept between runs
    again = _run_read_only(_deckgen_command(command, state), checkout, home, {"XDG_CACHE_HOME": str(cache)})
    assert json.loads(again.stdout)["outcome"] == "unchanged"
