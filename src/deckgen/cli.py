"""The command line: parse arguments, call the library, map errors to exit codes (in ``_run``)."""

from __future__ import annotations

import json
import os
import sys
import traceback
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Callable, List, Optional

import typer

from . import __version__
from .errors import DeckgenError, ExitCode, display_path, escape_invisible

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Turn a YAML report spec and its data into a branded PDF brief.",
)

SpecArgs = typer.Argument(..., help="Spec file(s) to use.", exists=False, dir_okay=False)
SetOption = typer.Option(None, "--set", metavar="NAME=VALUE", help="Override a spec value (date=2026-03-01) or a figure (figures.usdjpy=150).")
DebugOption = typer.Option(False, "--debug", help="Show the traceback of unexpected errors.")
StaleOption = typer.Option(False, "--allow-stale", help="Build even if data is older than the spec's max_age.")
StrictOption = typer.Option(False, "--strict", help="Treat warnings as errors.")
RootOption = typer.Option(None, "--root", help="Project folder that data files must stay inside (default: nearest folder with .git, pyproject.toml or deckgen.toml).")


def _err(line: str) -> None:
    """One line on stderr; whatever it quotes (a server's reply, a file name) cannot split it or act on the terminal."""
    typer.echo(escape_invisible(line), err=True)


def _run(action: Callable[[], int | None], debug: bool) -> None:
    """The one place where exceptions become messages and exit codes."""
    try:
        code = action() or ExitCode.OK
    except DeckgenError as exc:
        for line in exc.lines():
            _err(line)
        if debug:
            traceback.print_exc()
        code = exc.exit_code
    except KeyboardInterrupt:
        _err("interrupted")
        code = 130
    except Exception as exc:  # a bug or an environment problem: one line, unless --debug
        if debug:
            traceback.print_exc()
        _err(f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)")
        code = ExitCode.BUILD_FAILED
    raise typer.Exit(int(code))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"deckgen {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """deckgen: declarative, data-driven, branded PDF briefs."""


class LogFormat(str, Enum):
    text = "text"
    json = "json"


class OnAmbiguous(str, Enum):
    hold = "hold"
    retry = "retry"


@app.command()
def build(
    specs: List[Path] = SpecArgs,
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Where to write the PDF (a folder when building several specs)."),
    overrides: Optional[List[str]] = SetOption,
    allow_stale: bool = StaleOption,
    strict: bool = StrictOption,
    root: Optional[Path] = RootOption,
    if_changed: bool = typer.Option(False, "--if-changed", help="Skip a spec (and say 'unchanged') when nothing it reads changed since its last successful build."),
    check_only: bool = typer.Option(False, "--check", help="Build nothing; exit 10 if a rebuild would change any output, 0 if all are current."),
    archive: bool = typer.Option(False, "--archive", help="Also keep each distinct edition under archive/<name>/<report date>/ beside the output."),
    wait: float = typer.Option(0.0, "--wait", min=0, metavar="SECONDS", help="Wait this long for another run building the same output; then exit 75."),
    jobs: int = typer.Option(1, "-j", "--jobs", min=0, help="Build this many specs at once, in separate processes (0: one per CPU)."),
    log_format: LogFormat = typer.Option(LogFormat.text, "--log-format", help="text: paths and messages; json: one JSON object per spec on stdout."),
    debug: bool = DebugOption,
) -> None:
    """Build the PDF for each SPEC; print the path of each file written.

    Exit codes: 0 ok, 1 invalid spec or data, 3 build failed, 5 stale data, 10 out of date (--check), 75 locked by another run (see --wait). With several specs: the first of 1, 3, 5, 75, 10 that any spec ended with.
    """
    if check_only and (if_changed or archive):
        raise typer.BadParameter("--check builds nothing, so it cannot be combined with --if-changed or --archive", param_hint="'--check'")
    from . import build as library
    from .errors import BatchError

    several = len(specs) > 1

    def action() -> int:
        with _progress(len(specs), enabled=log_format is LogFormat.text and _interactive()) as progress:
            def on_outcome(outcome) -> None:
                if log_format is LogFormat.json:
                    _json_report(outcome)
                else:
                    _text_report(outcome, progress.echo, several=several, debug=debug)
                progress.advance()

            outcomes = library.build_many(
                specs, jobs=jobs, output_dir=output if several else None, on_outcome=on_outcome,
                check_only=check_only, wait=wait, if_changed=if_changed, archive=archive,
                **({} if several else {"output": output}),
                overrides=tuple(overrides or ()), allow_stale=allow_stale, strict=strict, root=root,
            )
        failed = {display_path(o.spec): o.exit_code for o in outcomes if not o.ok}
        if failed:
            raise BatchError(failed, total=len(outcomes))
        return ExitCode.OUT_OF_DATE if any(o.outcome == "out_of_date" for o in outcomes) else ExitCode.OK

    _run(action, debug)


def _text_report(outcome, echo: Callable[[str, bool], None], *, several: bool, debug: bool) -> None:
    """One line on stdout per spec that worked; one line on stderr per problem of one that did not."""
    for warning in outcome.warnings:
        echo(warning, True)
    if outcome.error is None:
        shown = display_path(outcome.output)
        suffix = {"built": "", "unchanged": " unchanged", "current": " is up to date", "out_of_date": " is out of date"}
        echo(f"{shown}{suffix[outcome.outcome]}", False)
        return
    spec = display_path(outcome.spec)
    prefix = f"{spec}: " if several else ""
    lines = outcome.error.lines()
    if outcome.traceback and not debug:
        lines[-1] += " (run with --debug for the traceback)"
    for line in lines:
        echo(line if line.startswith(f"{spec}:") else prefix + line, True)  # every line names its spec
    if debug:
        echo(outcome.traceback or "".join(traceback.format_exception(outcome.error)).rstrip(), True)


def _json_report(outcome) -> None:
    typer.echo(json.dumps(outcome.as_json(), ensure_ascii=False))


def _interactive() -> bool:
    """Progress only for a person watching: both streams on a terminal, and not a dumb one."""
    return sys.stdout.isatty() and sys.stderr.isatty() and os.environ.get("TERM") != "dumb"


class _Quiet:
    """No progress display: lines go straight to stdout or stderr."""

    def echo(self, line: str, err: bool) -> None:
        typer.echo(line, err=err)

    def advance(self) -> None:
        pass


class _RichProgress:
    """A progress bar on the terminal; lines are printed above it so the two never mix."""

    def __init__(self, progress, task):
        self.progress, self.task = progress, task

    def echo(self, line: str, err: bool) -> None:
        self.progress.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def advance(self) -> None:
        self.progress.advance(self.task)


@contextmanager
def _progress(total: int, *, enabled: bool):
    """Rich progress while specs build when a person watches; otherwise plain lines (rich never imported)."""
    if not enabled:
        yield _Quiet()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True, redirect_stdout=False, redirect_stderr=False) as progress:
        yield _RichProgress(progress, progress.add_task("building", total=total))


@app.command()
def validate(
    specs: List[Path] = SpecArgs,
    overrides: Optional[List[str]] = SetOption,
    allow_stale: bool = StaleOption,
    strict: bool = StrictOption,
    root: Optional[Path] = RootOption,
    debug: bool = DebugOption,
) -> None:
    """Run every check on each SPEC and its data without rendering."""
    from . import build as library
    from .errors import SpecError, most_relevant_exit_code

    def action() -> int:
        problems = []
        codes = []
        for spec in specs:
            try:
                report = library.validate(spec, overrides=overrides or (), allow_stale=allow_stale, strict=strict, root=root)
                problems += list(report.warnings)
            except SpecError as exc:
                problems += exc.problems
                codes.append(exc.exit_code)
        code = most_relevant_exit_code(codes)
        for problem in sorted(problems):
            _err(problem.render())
        errors = sum(p.is_error for p in problems)
        warnings = len(problems) - errors
        summary = f"{len(specs)} spec(s) checked: {errors} error(s), {warnings} warning(s)"
        (_err if errors else typer.echo)(summary)
        return code

    _run(action, debug)


@app.command()
def preview(
    spec: Path = typer.Argument(..., help="Spec file to preview.", dir_okay=False),
    page: Optional[List[int]] = typer.Option(None, "--page", "-p", help="Page number(s) to render (default: all)."),
    out_dir: Optional[Path] = typer.Option(None, "-o", "--output", help="Folder for the PNGs (default: dist/preview/<name>/)."),
    scale: float = typer.Option(1.5, "--scale", min=0.2, max=8.0, help="Pixels per point (1.5 ≈ 108 dpi)."),
    overrides: Optional[List[str]] = SetOption,
    allow_stale: bool = StaleOption,
    debug: bool = DebugOption,
) -> None:
    """Write PNG pictures of the brief's pages (the PDF in dist/ is left alone); print each file written."""
    from .preview import preview as make_preview

    def action() -> int:
        for path in make_preview(spec, out_dir, page or None, scale, overrides=overrides or (), allow_stale=allow_stale):
            typer.echo(display_path(path))
        return 0

    _run(action, debug)


@app.command()
def send(
    spec: Path = typer.Argument(..., help="Spec file whose brief to send.", dir_okay=False),
    to: Optional[List[str]] = typer.Option(None, "--to", metavar="ADDR", help="Send to this address ('Ann Lee <ann@example.com>' works too) instead of the spec's recipients. Repeatable."),
    recipients: Optional[List[Path]] = typer.Option(None, "--recipients", metavar="FILE", help="Send to the recipients in this CSV or YAML file instead of the spec's. Repeatable."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Write each message as a .eml file into the outbox; send nothing, record nothing."),
    outbox: Optional[Path] = typer.Option(None, "--outbox", metavar="DIR", help="Where --dry-run writes .eml files (default: outbox/ beside the PDF)."),
    resend: bool = typer.Option(False, "--resend", help="Send even to recipients the ledger says already received this edition."),
    max_size: Optional[float] = typer.Option(None, "--max-size", metavar="MB", min=0.001, help="Attachment size limit in MB (default: the spec's delivery.max_attachment_mb, else 10)."),
    ledger: Optional[Path] = typer.Option(None, "--ledger", metavar="FILE", help="The delivery ledger (default: the spec's delivery.ledger, else .deckgen/delivery.sqlite beside the PDF)."),
    on_ambiguous: OnAmbiguous = typer.Option(OnAmbiguous.hold, "--on-ambiguous", help="When the connection is lost after a message was sent, so the server may have stored it: hold (record 'unknown', never send it again unless told: at most once) or retry (send again, now and on later runs: at least once)."),
    overrides: Optional[List[str]] = SetOption,
    allow_stale: bool = StaleOption,
    strict: bool = StrictOption,
    root: Optional[Path] = RootOption,
    debug: bool = DebugOption,
) -> None:
    """Build SPEC's brief if needed and email it to each recipient who has not received this edition.

    SMTP settings come from the environment only: DECKGEN_SMTP_HOST, DECKGEN_SMTP_PORT, DECKGEN_SMTP_USER, DECKGEN_SMTP_PASSWORD, DECKGEN_SMTP_SECURITY (none, starttls or ssl), DECKGEN_SMTP_CA_FILE, DECKGEN_SMTP_TIMEOUT and DECKGEN_MAIL_FROM.

    Exit codes: 0 all sent (or already received), 1 bad input or settings, 3 build failed, 4 a recipient did not get it (or may not have: unknown), 5 stale data, 75 another send is running.
    """
    from . import delivery

    labels = {"sent": "sent", "skipped": "skipped", "failed": "FAILED", "unknown": "UNKNOWN", "written": "wrote"}

    def show(outcome: "delivery.Outcome") -> None:
        who = outcome.recipient.address
        if outcome.status == "written":
            line = f"{labels['written']:<8} {outcome.detail}"
        else:
            line = f"{labels[outcome.status]:<8} {who}: {outcome.detail}"
        if outcome.linked:
            line += " [link instead of attachment]"
        (_err if outcome.status in ("failed", "unknown") else typer.echo)(escape_invisible(line))

    def action() -> int:
        report = delivery.send(
            spec, to=to or (), recipients_files=recipients or (), dry_run=dry_run, outbox=outbox, resend=resend,
            max_attachment_mb=max_size, ledger=ledger, overrides=overrides or (), allow_stale=allow_stale,
            strict=strict, root=root, on_ambiguous=on_ambiguous.value, on_outcome=show, log=_err,
        )
        for warning in report.warnings:
            _err(warning.render())
        (typer.echo if report.ok else _err)(report.summary())
        return ExitCode.OK if report.ok else ExitCode.DELIVERY_FAILED

    _run(action, debug)


def main() -> None:
    app(prog_name="deckgen")


if __name__ == "__main__":
    main()
