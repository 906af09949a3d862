"""Scheduled regeneration: reproducible, incremental, archived, locked, gated, quiet, parallel.

Real builds are slow (matplotlib + reportlab), so one module-scoped build is shared: tests that
change anything work on their own copy of it (``built``), which is cheap to make and, because the
input hash uses paths relative to the project, is "up to date" exactly like the original.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from deckgen import build as library
from deckgen.errors import ExitCode, LockedError, most_relevant_exit_code

from conftest import REPO, copy_project, written_day

SPEC = Path("specs/investor.yaml")
PDF = Path("dist/investor.pdf")
EXAMPLE_PAGES = 8  # pages of the example brief
MANIFEST = Path("dist/investor.manifest.json")
HEAVY = ("matplotlib", "reportlab", "svglib")
ANSI = re.compile(r"\x1b\[")
JSON_FIELDS = {"spec", "outcome", "output", "pages", "duration", "input_hash", "exit_code"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def imported_modules(importtime_stderr: str) -> set[str]:
    """Module names from ``python -X importtime`` output ("import time: self | cumulative | name")."""
    names = set()
    for line in importtime_stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def run_with_importtime(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "deckgen", *args], cwd=cwd, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=120,
    )


def heavy_imports(modules: set[str]) -> set[str]:
    return {name for name in modules if name.split(".")[0] in HEAVY}


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Path:
    """A project whose brief was built once (in this process), with its edition archived."""
    root = copy_project(tmp_path_factory.mktemp("built"))
    result = library.build(root / SPEC, archive=True)
    assert result.outcome == "built" and result.output == root / PDF
    return root


@pytest.fixture
def built(built_once: Path, tmp_path: Path) -> Path:
    """A private copy of the built project, PDF, manifest and archive included."""
    root = tmp_path / "project"
    shutil.copytree(built_once, root)
    return root


class LockHolder:
    """Another process holding the build lock on an output, until it is stopped (or ``seconds`` pass);
    with ``building``, it renders that spec while it holds the lock, like an overlapping scheduled run."""

    def __init__(self, output: Path, seconds: float = 120, building: Path | None = None):
        self.releasing = output.parent / "lock-holder-releasing"  # written just before the lock is let go
        work = f"b.render_and_write(b.check(Path({str(building)!r})), archive=False)" if building else "pass"
        code = (
            "import sys, time; from pathlib import Path; from deckgen import build as b\n"
            f"with b.output_lock(Path({str(output)!r})):\n"
            f"    print('holding', flush=True); {work}; time.sleep(float(sys.argv[1]))\n"
            f"    Path({str(self.releasing)!r}).write_text('now')\n"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, str(seconds)], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        )
        assert self.process.stdout.readline().strip() == "holding"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=30)


# -- reproducible ---------------------------------------------------------------------------------

def test_two_builds_in_different_folders_and_processes_are_byte_identical(built_once, project, deckgen_process):
    elsewhere = deckgen_process(
        "build", SPEC, cwd=project, env={"TZ": "Pacific/Auckland", "PYTHONHASHSEED": "4242", "LC_ALL": "C"},
    )
    assert elsewhere.code == 0, elsewhere.stderr
    assert sha256(project / PDF) == sha256(built_once / PDF)
    # the manifest records no clock time either: the same inputs give the same manifest
    assert (project / MANIFEST).read_bytes() == (built_once / MANIFEST).read_bytes()


def test_pdf_dates_are_the_report_date_not_the_clock(built_once):
    info = pypdf.PdfReader(built_once / PDF).metadata
    assert info["/CreationDate"].startswith("D:20260216")
    assert info["/ModDate"].startswith("D:20260216")


# -- editions -------------------------------------------------------------------------------------

def test_changed_figure_gives_a_different_pdf_and_a_new_archived_edition(built, cli):
    first_edition = sha256(built / PDF)
    editions_before = library.editions(built / PDF)
    assert [sha256(p) for p in editions_before] == [first_edition]
    assert editions_before[0].parent == built / "dist/archive/investor/2026-02-16"

    edit(built / "data/us-japan/figures.yaml", "bilateral_agreements: {value: 78,", "bilateral_agreements: {value: 79,")
    run = cli("build", SPEC, "--archive", cwd=built)
    assert run.code == 0, run.stderr
    second_edition = sha256(built / PDF)
    assert second_edition != first_edition
    editions = library.editions(built / PDF)
    assert sorted(sha256(p) for p in editions) == sorted([first_edition, second_edition])
    assert {p.parent for p in editions} == {built / "dist/archive/investor/2026-02-16"}  # same report date: both kept
    for edition in editions:
        assert library.read_manifest(edition)["pdf_sha256"] == sha256(edition)

    again = cli("build", SPEC, "--archive", "--if-changed", cwd=built)  # the same edition is not stored twice
    assert again.code == 0 and again.stdout.strip() == "dist/investor.pdf unchanged"
    assert len(library.editions(built / PDF)) == 2

    next_week = cli("build", SPEC, "--archive", "--set", "date=2026-02-23", cwd=built)
    assert next_week.code == 0, next_week.stderr
    newest = [p for p in library.editions(built / PDF) if p.parent.name == "2026-02-23"]
    assert len(newest) == 1 and sha256(newest[0]) == sha256(built / PDF)


def test_if_changed_archive_archives_the_current_pdf_without_rebuilding(built, cli):
    shutil.rmtree(built / "dist/archive")
    run = cli("build", SPEC, "--if-changed", "--archive", "--log-format", "json", cwd=built)
    assert run.code == 0, run.stderr
    [record] = json_lines(run.stdout)
    assert record["outcome"] == "unchanged"
    [edition] = library.editions(built / PDF)
    assert record["archived"] == str(edition.relative_to(built))
    assert edition.read_bytes() == (built / PDF).read_bytes()
    assert library.read_manifest(edition) == library.read_manifest(built / PDF)


# -- incremental ----------------------------------------------------------------------------------

def test_if_changed_skips_says_unchanged_and_never_imports_the_renderers(built):
    pdf_before, mtime_before = sha256(built / PDF), (built / PDF).stat().st_mtime_ns
    run = run_with_importtime("build", str(SPEC), "--if-changed", cwd=built)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "dist/investor.pdf unchanged\n"
    modules = imported_modules(run.stderr)
    assert {"deckgen.cli", "deckgen.editions"} <= modules  # the measurement itself works
    assert heavy_imports(modules) == set()
    # the quick answer reads the manifest and hashes the inputs: not even the spec checker is imported
    assert {"deckgen.build", "deckgen.resolve", "pydantic", "yaml"} & modules == set()
    assert sha256(built / PDF) == pdf_before and (built / PDF).stat().st_mtime_ns == mtime_before


QUICK_CASES = {
    "nothing changed": lambda project: None,
    "a data file changed": lambda project: edit(project / "data/us-japan/figures.yaml", "value:", "value:  "),
    "the brand's font changed": lambda project: (project / "assets/fonts/Lato-Regular.ttf").write_bytes(
        (project / "assets/fonts/Lato-Regular.ttf").read_bytes() + b"\0"),
    "the spec changed": lambda project: edit(project / SPEC, "Key takeaways", "Key points"),
    "the output is written with an anchor": lambda project: edit(
        project / SPEC, "output: ../dist/investor.pdf", "output: &o ../dist/investor.pdf"),
    "the PDF was damaged": lambda project: (project / PDF).write_bytes((project / PDF).read_bytes()[:-10]),
    "the manifest is gone": lambda project: (project / MANIFEST).unlink(),
}


@pytest.mark.parametrize("case", QUICK_CASES)
@pytest.mark.parametrize("options", [{}, {"overrides": ("date=2026-02-17",)}, {"strict": True}, {"output": PDF}])
def test_the_quick_answer_says_current_only_when_the_full_check_agrees(built, case, options, monkeypatch):
    from deckgen.outcome import unchanged_outcome

    monkeypatch.chdir(built)
    QUICK_CASES[case](built)
    quick = unchanged_outcome(SPEC, **options)
    try:
        checked = library.check(SPEC, **options)
    except Exception:  # the full check refuses: the quick answer must not have said current
        assert quick is None
        return
    full = library.current_edition(checked)
    if quick is not None:
        assert full is not None, case
        assert (quick.output, quick.input_hash) == (checked.output, checked.input_hash)
    if case == "nothing changed" and not options:
        assert quick is not None  # and it does answer when it can


def test_help_and_validate_do_not_import_the_renderers(built_once):
    for args in (["--help"], ["build", "--help"], ["validate", str(SPEC)]):
        run = run_with_importtime(*args, cwd=built_once)
        assert run.returncode == 0, run.stderr
        modules = imported_modules(run.stderr)
        assert "deckgen.cli" in modules
        assert heavy_imports(modules) == set(), args


def test_check_and_if_changed_follow_the_inputs(built, cli):
    current = cli("build", SPEC, "--check", cwd=built)
    assert (current.code, current.stdout) == (0, "dist/investor.pdf is up to date\n")

    edit(built / "data/us-japan/instruments.csv", "SMH", "SMH ")  # any byte that changes counts
    pdf_before = sha256(built / PDF)
    stale_output = cli("build", SPEC, "--check", cwd=built)
    assert (stale_output.code, stale_output.stdout) == (ExitCode.OUT_OF_DATE, "dist/investor.pdf is out of date\n")
    assert sha256(built / PDF) == pdf_before  # --check builds nothing

    rebuilt = cli("build", SPEC, "--if-changed", "--log-format", "json", cwd=built)
    assert rebuilt.code == 0, rebuilt.stderr
    [record] = json_lines(rebuilt.stdout)
    assert record["outcome"] == "built"
    assert cli("build", SPEC, "--check", cwd=built).code == 0


def test_check_is_out_of_date_without_a_pdf_or_with_a_damaged_one(project, built, cli):
    assert cli("build", SPEC, "--check", cwd=project).code == ExitCode.OUT_OF_DATE  # never built

    (built / PDF).write_bytes((built / PDF).read_bytes()[:-100])  # truncated after the build
    assert cli("build", SPEC, "--check", cwd=built).code == ExitCode.OUT_OF_DATE


def test_check_cannot_be_combined_with_options_that_build(built, cli):
    run = cli("build", SPEC, "--check", "--if-changed", cwd=built)
    assert run.code == ExitCode.USAGE
    assert "--check" in run.stderr


# -- safe -----------------------------------------------------------------------------------------

def test_overlapping_run_exits_75_with_one_line_and_the_pdf_stays_whole(built, cli):
    pdf_before = (built / PDF).read_bytes()
    holder = LockHolder(built / PDF)
    try:
        run = cli("build", SPEC, cwd=built)
        as_json = cli("build", SPEC, "--log-format", "json", cwd=built)
        unchanged = cli("build", SPEC, "--if-changed", cwd=built)  # nothing to do: no need for the lock
    finally:
        holder.stop()
    assert run.code == ExitCode.LOCKED
    [line] = run.stderr.splitlines()
    assert "dist/investor.pdf is being built by another deckgen run" in line and "--wait" in line
    assert as_json.code == ExitCode.LOCKED
    [record] = json_lines(as_json.stdout)
    assert (record["outcome"], record["exit_code"], record["output"]) == ("locked", 75, "dist/investor.pdf")
    assert (unchanged.code, unchanged.stdout) == (0, "dist/investor.pdf unchanged\n")
    assert (built / PDF).read_bytes() == pdf_before
    assert len(pypdf.PdfReader(built / PDF).pages) == EXAMPLE_PAGES


def test_overlapping_run_waits_for_the_lock_then_builds(built, cli):
    (built / PDF).unlink()  # so that building is needed and visible
    holder = LockHolder(built / PDF, seconds=2)
    try:
        run = cli("build", SPEC, "--wait", "60", cwd=built)
        assert holder.releasing.exists()  # the build could only finish once the other run let go
    finally:
        holder.stop()
    assert run.code == 0, run.stderr
    assert run.stdout == "dist/investor.pdf\n"
    assert len(pypdf.PdfReader(built / PDF).pages) == EXAMPLE_PAGES


def test_overlapping_if_changed_run_waits_and_then_finds_the_brief_already_built(built, cli):
    edit(built / "data/us-japan/figures.yaml", "bilateral_agreements: {value: 78,", "bilateral_agreements: {value: 77,")
    pdf_before = sha256(built / PDF)
    holder = LockHolder(built / PDF, seconds=0.5, building=built / SPEC)  # the first run, mid-build
    try:
        run = cli("build", SPEC, "--if-changed", "--wait", "120", "--log-format", "json", cwd=built)
        assert holder.releasing.exists()
    finally:
        holder.stop()
    assert run.code == 0, run.stderr
    [record] = json_lines(run.stdout)
    assert record["outcome"] == "unchanged"  # built once, by the first run; not twice
    assert sha256(built / PDF) != pdf_before
    assert library.read_manifest(built / PDF)["pdf_sha256"] == sha256(built / PDF)


def test_library_build_takes_the_same_lock(built):
    holder = LockHolder(built / PDF)
    try:
        with pytest.raises(LockedError):
            library.build(built / SPEC, wait=0.3)
    finally:
        holder.stop()


def test_invalid_data_after_a_good_build_leaves_the_previous_pdf_intact(built, cli):
    pdf_before, manifest_before = (built / PDF).read_bytes(), (built / MANIFEST).read_bytes()
    edit(built / "data/us-japan/figures.yaml", "value: 78,", "value: [78,")
    run = cli("build", SPEC, cwd=built)
    assert run.code == ExitCode.INVALID
    assert "data/us-japan/figures.yaml:" in run.stderr and "Traceback" not in run.stderr
    assert (built / PDF).read_bytes() == pdf_before
    assert (built / MANIFEST).read_bytes() == manifest_before
    assert not list((built / "dist").glob(".*.tmp"))


def test_rendering_failure_leaves_the_previous_pdf_intact(built, cli, monkeypatch):
    import deckgen.render.pdf as pdf_stage

    def half_a_pdf_then_crash(report, theme, target, **options):
        target.write(b"%PDF-1.4 half written")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pdf_stage, "render_pdf", half_a_pdf_then_crash)
    pdf_before = (built / PDF).read_bytes()
    run = cli("build", SPEC, cwd=built)
    assert run.code == ExitCode.BUILD_FAILED
    assert run.stderr.splitlines() == ["error: rendering failed: RuntimeError: disk on fire"]
    assert (built / PDF).read_bytes() == pdf_before


def test_write_failure_leaves_the_previous_pdf_intact_and_no_temporary_files(built, cli, monkeypatch):
    real_replace = os.replace

    def refuse_the_pdf(source, target):
        if str(target).endswith(".pdf"):
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", refuse_the_pdf)
    pdf_before, manifest_before = (built / PDF).read_bytes(), (built / MANIFEST).read_bytes()
    run = cli("build", SPEC, cwd=built)
    assert run.code == ExitCode.BUILD_FAILED
    assert run.stderr.splitlines() == ["error: could not write dist/investor.pdf: No space left on device"]
    assert (built / PDF).read_bytes() == pdf_before
    assert (built / MANIFEST).read_bytes() == manifest_before
    assert not list((built / "dist").glob(".*.tmp"))


# -- freshness gate -------------------------------------------------------------------------------

def test_stale_data_stops_an_unattended_run_and_allow_stale_overrides(project, deckgen_process, cli):
    later = ("--set", "date=2026-09-01")  # every figure is now far older than max_age_days (120)
    stopped = deckgen_process("build", SPEC, *later, cwd=project)
    assert stopped.code == ExitCode.STALE
    assert stopped.stdout == ""
    assert "is stale" in stopped.stderr and stopped.stderr.splitlines()[-1].endswith("pass --allow-stale")
    assert not (project / PDF).exists()

    as_json = deckgen_process("build", SPEC, *later, "--log-format", "json", cwd=project)
    [record] = json_lines(as_json.stdout)
    assert (as_json.code, record["outcome"], record["exit_code"]) == (ExitCode.STALE, "stale", 5)
    assert any("is stale" in error for error in record["errors"])

    allowed = cli("build", SPEC, *later, "--allow-stale", cwd=project)
    assert allowed.code == 0, allowed.stderr
    assert allowed.stdout == "dist/investor.pdf\n"
    assert "warning:" in allowed.stderr
    reader = pypdf.PdfReader(project / PDF)
    assert reader.metadata["/CreationDate"].startswith("D:20260901")  # dated as overridden, not today
    import datetime as dt

    written = written_day(REPO / SPEC, dt.date(2026, 9, 1))  # as the spec's locale writes it: 1 Sep 2026
    assert written in " ".join(reader.pages[0].extract_text().split())

    # the manifest lists those warnings by project-relative path, whatever folder the run starts in
    manifest, pdf = (project / MANIFEST).read_bytes(), (project / PDF).read_bytes()
    assert b"data/us-japan/figures.yaml:" in manifest
    from_elsewhere = cli("build", project / SPEC, *later, "--allow-stale", cwd=project.parent)
    assert from_elsewhere.code == 0, from_elsewhere.stderr
    assert (project / MANIFEST).read_bytes() == manifest and (project / PDF).read_bytes() == pdf


# -- quiet and machine-readable -------------------------------------------------------------------

def test_json_log_is_one_parseable_line_per_spec_with_its_fields(built, cli):
    run = cli("build", SPEC, "--if-changed", "--log-format", "json", cwd=built)
    assert run.code == 0 and run.stderr == ""
    [record] = json_lines(run.stdout)
    manifest = library.read_manifest(built / PDF)
    assert JSON_FIELDS <= record.keys()
    assert record["spec"] == "specs/investor.yaml" and record["outcome"] == "unchanged"
    assert record["output"] == "dist/investor.pdf"
    assert record["pages"] == manifest["pages"] == EXAMPLE_PAGES
    assert record["input_hash"] == manifest["input_hash"]
    assert isinstance(record["duration"], float) and record["duration"] >= 0


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_progress_only_on_a_terminal(built):
    import pty

    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "deckgen", "build", str(SPEC), "--if-changed"], cwd=built,
        stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal, env={**os.environ, "TERM": "xterm"},
    )
    os.close(terminal)
    seen = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(controller)
    assert process.wait(timeout=60) == 0
    text = seen.decode("utf-8", "replace")
    assert "dist/investor.pdf unchanged" in text
    assert "building" in text and ANSI.search(text)  # a rich progress bar was drawn

    piped = subprocess.run(
        [sys.executable, "-m", "deckgen", "build", str(SPEC), "--if-changed"], cwd=built,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, env={**os.environ, "TERM": "xterm"},
    )
    assert (piped.returncode, piped.stdout, piped.stderr) == (0, "dist/investor.pdf unchanged\n", "")


# -- many specs -----------------------------------------------------------------------------------

def test_jobs_2_builds_every_spec_and_reports_the_one_that_failed(project, deckgen_process):
    spec_text = (project / SPEC).read_text("utf-8")
    for name in ("alpha", "beta"):
        (project / f"specs/{name}.yaml").write_text(spec_text.replace("../dist/investor.pdf", f"../dist/{name}.pdf"), "utf-8")
    (project / "specs/broken.yaml").write_text(
        spec_text.replace("../dist/investor.pdf", "../dist/broken.pdf").replace("us-japan/figures.yaml", "us-japan/missing.yaml"),
        "utf-8",
    )
    specs = ["specs/alpha.yaml", "specs/broken.yaml", "specs/beta.yaml"]

    run = deckgen_process("build", *specs, "--jobs", "2", "--log-format", "json", cwd=project, timeout=300)
    assert run.code == ExitCode.INVALID
    records = {record["spec"]: record for record in json_lines(run.stdout)}
    assert set(records) == set(specs)
    for name in ("alpha", "beta"):
        record = records[f"specs/{name}.yaml"]
        assert (record["outcome"], record["output"], record["pages"]) == ("built", f"dist/{name}.pdf", EXAMPLE_PAGES)
        assert len(pypdf.PdfReader(project / f"dist/{name}.pdf").pages) == EXAMPLE_PAGES
    broken = records["specs/broken.yaml"]
    assert (broken["outcome"], broken["exit_code"]) == ("invalid", 1)
    assert any("missing.yaml" in error for error in broken["errors"])
    assert not (project / "dist/broken.pdf").exists()
    problems = json_lines(run.stderr)  # stderr: one JSON object per problem, nothing else
    assert [(p["file"], p["code"]) for p in problems] == [("specs/broken.yaml", "path")] and "missing.yaml" in problems[0]["message"]

    as_text = deckgen_process("build", *specs, "--jobs", "2", "--if-changed", cwd=project)
    assert as_text.code == ExitCode.INVALID
    assert sorted(as_text.stdout.splitlines()) == ["dist/alpha.pdf unchanged", "dist/beta.pdf unchanged"]
    problem_lines = as_text.stderr.splitlines()
    assert problem_lines[-1] == "error: 1 of 3 specs failed: specs/broken.yaml"
    assert all(line.startswith("specs/broken.yaml") for line in problem_lines[:-1]) and len(problem_lines) > 1


def test_build_many_reports_every_spec_in_order_and_never_raises(built):
    outcomes = library.build_many([built / SPEC, built / "specs/nowhere.yaml"], if_changed=True)
    assert [o.outcome for o in outcomes] == ["unchanged", "invalid"]
    assert [o.exit_code for o in outcomes] == [0, ExitCode.INVALID]
    assert outcomes[0].ok and not outcomes[1].ok and outcomes[1].error.lines()


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ([0, 0], ExitCode.OK),
        ([ExitCode.LOCKED, ExitCode.INVALID], ExitCode.INVALID),  # a person must fix it: retrying will not help
        ([ExitCode.LOCKED, ExitCode.BUILD_FAILED, ExitCode.STALE], ExitCode.BUILD_FAILED),
        ([ExitCode.LOCKED, ExitCode.STALE], ExitCode.STALE),
        ([ExitCode.OUT_OF_DATE, ExitCode.LOCKED], ExitCode.LOCKED),
        ([ExitCode.OUT_OF_DATE, 0], ExitCode.OUT_OF_DATE),
        ([130, 0], 130),
    ],
)
def test_the_most_relevant_exit_code_wins(codes, expected):
    assert most_relevant_exit_code(codes) == expected
