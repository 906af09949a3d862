"""Shared fixtures: a throwaway copy of the example project, and ways to run deckgen on it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent


def copy_project(target: Path) -> Path:
    """specs/, data/ and assets/ copied into ``target``, marked as a project by deckgen.toml."""
    for folder in ("specs", "data", "assets"):
        shutil.copytree(REPO / folder, target / folder)
    (target / "deckgen.toml").write_text("# project root marker\n")
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway copy of the example project."""
    return copy_project(tmp_path)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(monkeypatch):
    """Run the deckgen CLI in-process (fast); returns exit code, stdout and stderr separately."""

    def run(*args: str, cwd: Path | None = None) -> Run:
        from deckgen.cli import app

        if cwd is not None:
            monkeypatch.chdir(cwd)
        result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def deckgen_process():
    """Run deckgen as a real, unattended process: a fresh interpreter, no terminal, nothing on stdin."""

    def run(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120) -> Run:
        full_env = {**os.environ, **(env or {})}
        done = subprocess.run(
            [sys.executable, "-m", "deckgen", *map(str, args)], cwd=cwd, env=full_env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture(scope="session")
def example_pdf(tmp_path_factory) -> Path:
    """The example brief, built once per test session from a copy of the project."""
    root = copy_project(tmp_path_factory.mktemp("example"))
    from deckgen import build

    result = build.build(root / "specs" / "investor.yaml")
    return result.output


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, and deckgen's settings
    pointing at it; yields its handler (``.received``, ``.to(address)``)."""
    from aiosmtpd.controller import Controller

    from test_delivery import Handler, _free_port

    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    for name, value in (("DECKGEN_SMTP_HOST", "127.0.0.1"), ("DECKGEN_SMTP_PORT", str(controller.port)),
                        ("DECKGEN_SMTP_SECURITY", "none"), ("DECKGEN_MAIL_FROM", "Briefs <briefs@example.com>")):
        monkeypatch.setenv(name, value)
    yield handler
    controller.stop()


def output_line(spec: Path) -> int:
    """The line of a spec's top-level ``output:`` key (errors about the output are located there)."""
    lines = spec.read_text("utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith("output:"))


def spec_locale(spec: Path) -> str:
    """The ``locale:`` a spec writes its dates and numbers in (tests compute the strings they expect from it)."""
    import yaml

    return yaml.safe_load(spec.read_text("utf-8")).get("locale") or "en_US"


def written_day(spec: Path, day, style: str | None = None) -> str:
    """A date as a brief built from ``spec`` prints it ('16 Feb 2026'; style 'long': '16 February 2026'),
    its no-break spaces as plain ones, as ``pdfread.squash`` reads them."""
    from deckgen.dates import format_report_date

    return " ".join(format_report_date(day, spec_locale(spec), style).split())


def written_moment(spec: Path, moment) -> str:
    """A date and time as a brief built from ``spec`` prints it ('13 Feb 2026, 16:00 EST')."""
    from deckgen.dates import format_timestamp

    return " ".join(format_timestamp(moment, spec_locale(spec)).split())


def edit_spec(project: Path, relative: str, old: str, new: str) -> None:
    """Replace the first ``old`` in a project file by ``new`` (which must be there)."""
    path = project / relative
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def problem_lines(stderr: str) -> list[str]:
    """The problems a command printed, without its summary lines."""
    return [line for line in stderr.splitlines() if "spec(s) checked" not in line and "nothing was written" not in line]
