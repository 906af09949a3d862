"""The command line people expect: -h everywhere, completion, -q/-v, JSON problems, -o -, streams, metavars."""

from __future__ import annotations

import json
import os
import shutil
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

SPEC = "specs/investor.yaml"
COMMANDS = ("build", "validate", "preview", "send", "init", "schema")
PROBLEM_KEYS = {"file", "line", "column", "severity", "code", "message", "hint"}


@pytest.mark.parametrize("command", ("", *COMMANDS))
def test_dash_h_shows_help_for_every_command_with_readable_metavars(cli, command):
    run = cli(*([command] if command else []), "-h")
    assert run.code == 0, run.stderr
    assert run.stdout.startswith("Usage: ") and "-h, --help" in run.stdout
    for unreadable in ("<bool>", "<path>", "<int", "<list[", "<float"):
        assert unreadable not in run.stdout, unreadable


def test_shell_completion_is_offered(cli, tmp_path):
    assert "--install-completion" in cli("-h").stdout
    # typer finds the shell among the process's ancestors: run it from bash, as a user would (the
    # "; exit" keeps bash from replacing itself with the command), wherever pytest itself was started
    command = f"{shlex.quote(sys.executable)} -m deckgen --show-completion; exit $?"
    run = subprocess.run(["bash", "-c", command], cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0 and "complete" in run.stdout and "deckgen" in run.stdout, run.stderr


def _misspelt(project: Path) -> Path:
    spec = project / SPEC
    spec.write_text(spec.read_text("utf-8").replace("{{ jsif_commitment }} joint", "{{ jsif_comitment }} joint", 1), "utf-8")
    return spec


def test_validate_log_format_json_gives_one_object_per_problem_on_stderr(cli, project):
    _misspelt(project)
    run = cli("validate", SPEC, "--log-format", "json", cwd=project)
    assert run.code == 1
    problems = [json.loads(line) for line in run.stderr.splitlines()]
    assert problems and all(set(p) == PROBLEM_KEYS for p in problems)
    unknown = next(p for p in problems if "jsif_comitment" in p["message"])
    assert unknown["file"] == SPEC and unknown["line"] > 0 and unknown["column"] > 0
    assert unknown["severity"] == "error" and unknown["code"] == "unknown" and "jsif_commitment" in unknown["hint"]
    assert json.loads(run.stdout) == {"specs": 1, "errors": len(problems), "warnings": 0, "exit_code": 1}


def test_build_log_format_json_reports_problems_on_stderr_and_the_spec_on_stdout(cli, project):
    _misspelt(project)
    run = cli("build", SPEC, "--log-format", "json", cwd=project)
    assert run.code == 1
    problems = [json.loads(line) for line in run.stderr.splitlines()]
    assert problems and all(set(p) == PROBLEM_KEYS for p in problems)
    record = json.loads(run.stdout)
    assert record["outcome"] == "invalid" and record["problems"] == problems


def test_a_failure_that_is_not_about_a_line_is_json_too(cli, project):
    run = cli("build", SPEC, "-o", "/proc/deckgen-cannot-write.pdf", "--log-format", "json", cwd=project)
    assert run.code == 3
    [problem] = [json.loads(line) for line in run.stderr.splitlines()]
    assert set(problem) == PROBLEM_KEYS
    assert (problem["file"], problem["line"], problem["code"]) == (SPEC, 0, "build_failed")
    assert json.loads(run.stdout)["outcome"] == "failed"


def test_send_log_format_json_gives_one_record_per_recipient_and_a_summary(cli, project):
    run = cli("send", SPEC, "--dry-run", "--log-format", "json", cwd=project)
    assert run.code == 0, run.stderr
    *recipients, summary = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(recipients) == 3 and all(r["status"] == "written" and r["path"].endswith(".eml") for r in recipients)
    assert summary == {"sent": 0, "skipped": 0, "failed": 0, "unknown": 0, "possible_duplicates": 0, "ok": True}
    assert all(json.loads(line)["severity"] == "info" for line in run.stderr.splitlines())  # "built …", as JSON


def test_dash_o_dash_writes_the_pdf_to_stdout_and_no_file(project):
    done = subprocess.run([sys.executable, "-m", "deckgen", "build", SPEC, "-o", "-"], cwd=project,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.startswith(b"%PDF-") and done.stdout.rstrip().endswith(b"%%EOF")
    assert not (project / "-").exists() and not (project / "dist").exists()


def test_dash_o_dash_with_several_specs_is_refused_clearly(cli, project):
    shutil.copy(project / SPEC, project / "specs/second.yaml")
    run = cli("build", SPEC, "specs/second.yaml", "-o", "-", cwd=project)
    assert run.code == 2 and "exactly one SPEC" in run.stderr
    assert not (project / "-").exists()


def test_preview_refuses_dash_o_dash(cli, project):
    run = cli("preview", SPEC, "-o", "-", cwd=project)
    assert run.code == 2 and not (project / "-").exists()


def test_quiet_and_verbose(cli, project):
    quiet = cli("validate", SPEC, "-q", cwd=project)
    assert quiet.code == 0 and quiet.stdout == "" and quiet.stderr == ""
    also_quiet = cli("-q", "validate", SPEC, cwd=project)
    assert also_quiet.stdout == "" and also_quiet.stderr == ""
    normal = cli("validate", SPEC, cwd=project)
    assert "1 spec(s) checked" in normal.stdout and normal.stderr == ""
    verbose = cli("validate", SPEC, "--verbose", cwd=project)
    assert "checked in" in verbose.stderr
    assert cli("validate", SPEC, "-q", "-v", cwd=project).code == 2


def test_verbose_build_says_how_long_each_step_took(cli, project):
    import re

    run = cli("build", SPEC, "-v", cwd=project)
    assert run.code == 0, run.stderr
    step = r"\d+\.\d\d s"
    assert re.search(rf"^specs/investor\.yaml: built in {step} \(load {step}, check {step}, render {step}, proof {step}, write {step}\)$",
                     run.stderr, re.MULTILINE), run.stderr


def test_root_does_not_move_the_default_output(cli, project):
    spec = project / "specs/plain.yaml"
    spec.write_text((project / SPEC).read_text("utf-8").replace("output: ../dist/investor.pdf\n", ""), "utf-8")
    wider = project.parent
    run = cli("build", "specs/plain.yaml", "--root", wider, cwd=project)
    assert run.code == 0, run.stderr
    assert run.stdout.strip() == "dist/plain.pdf" and (project / "dist/plain.pdf").is_file()
    assert not (wider / "dist").exists()


def test_dash_o_with_a_folder_writes_the_spec_name_into_it(cli, project, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    run = cli("build", SPEC, "-o", out, cwd=project)
    assert run.code == 0, run.stderr
    assert (out / "investor.pdf").is_file()


def test_send_prints_results_on_stdout_and_built_lines_on_stderr(cli, project):
    run = cli("send", SPEC, "--dry-run", cwd=project)
    assert run.code == 0, run.stderr
    assert "built " in run.stderr and "built " not in run.stdout
    lines = run.stdout.splitlines()
    assert lines[0].startswith("wrote") and lines[-1].startswith("sent 0")


def test_help_and_validate_do_not_import_the_renderers(project):
    code = ("import sys, runpy; sys.argv = ['deckgen'] + sys.argv[1:]\n"
            "try:\n    runpy.run_module('deckgen', run_name='__main__')\nexcept SystemExit: pass\n"
            "heavy = [m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'reportlab', 'rich')]\n"
            "print('HEAVY', heavy, file=sys.stderr)")
    for args in (["-h"], ["build", "-h"], ["validate", SPEC]):
        done = subprocess.run([sys.executable, "-c", code, *args], cwd=project, capture_output=True, text=True, timeout=60)
        assert "HEAVY []" in done.stderr, (args, done.stderr)


def test_long_lived_restores_the_collector_as_it_found_it():
    code = ("import gc, weakref\n"
            "from deckgen.startup import long_lived\n"
            "class Node: pass\n"
            "with long_lived():\n"
            "    assert not gc.isenabled()\n"
            "    kept = [object() for _ in range(1000)]\n"
            "frozen = gc.get_freeze_count()\n"
            "cycle = Node(); cycle.me = cycle; alive = weakref.ref(cycle); del cycle\n"
            "gc.collect()\n"
            "print(gc.isenabled(), frozen >= 1, alive() is None)\n"
            "gc.disable()\n"
            "with long_lived():\n"
            "    more = [object() for _ in range(1000)]\n"
            "print(gc.isenabled(), gc.get_freeze_count() == frozen)\n")  # once per process: a second start-up freezes nothing
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["True", "True", "True", "False", "True"], done.stderr


def test_a_home_that_cannot_be_written_gives_no_matplotlib_warnings(deckgen_process, project, tmp_path):
    env = {"HOME": "/proc/deckgen-no-home", "XDG_CACHE_HOME": "", "XDG_CONFIG_HOME": "", "MPLCONFIGDIR": ""}
    run = deckgen_process("build", SPEC, "-o", tmp_path / "brief.pdf", cwd=project, env=env)
    assert run.code == 0, run.stderr
    assert "matplotlib" not in run.stderr.lower() and "cache" not in run.stderr.lower(), run.stderr


def test_an_output_ending_in_a_slash_is_a_folder_even_for_one_spec(cli, project):
    result = cli("build", SPEC, "-o", "briefs/", cwd=project)
    assert result.code == 0, result.stderr
    assert result.stdout == "briefs/investor.pdf\n" and (project / "briefs" / "investor.pdf").is_file()
