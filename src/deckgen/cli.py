"""The command line: parse arguments, call the library, map errors to exit codes (in ``_run``)."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Callable, List, Optional

import typer

from . import __version__
from .errors import DeckgenError, ExitCode

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
    typer.echo(line, err=True)


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


@app.command()
def build(
    specs: List[Path] = SpecArgs,
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Where to write the PDF (a folder when building several specs)."),
    overrides: Optional[List[str]] = SetOption,
    allow_stale: bool = StaleOption,
    strict: bool = StrictOption,
    root: Optional[Path] = RootOption,
    debug: bool = DebugOption,
) -> None:
    """Build the PDF for each SPEC; print the path of each file written."""
    from . import build as library

    def action() -> int:
        failed = 0
        for spec in specs:
            target = output
            if output is not None and len(specs) > 1:
                target = output / f"{spec.stem}.pdf"
            try:
                result = library.build(spec, output=target, overrides=overrides or (), allow_stale=allow_stale, strict=strict, root=root)
            except DeckgenError as exc:
                if len(specs) == 1:
                    raise
                for line in exc.lines():
                    _err(line)
                failed = max(failed, exc.exit_code)
                continue
            for warning in result.warnings:
                _err(warning.render())
            typer.echo(str(_shown(result.output)))
        return failed

    _run(action, debug)


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
    from .errors import SpecError

    def action() -> int:
        problems = []
        code = 0
        for spec in specs:
            try:
                report = library.validate(spec, overrides=overrides or (), allow_stale=allow_stale, strict=strict, root=root)
                problems += list(report.warnings)
            except SpecError as exc:
                problems += exc.problems
                code = max(code, exc.exit_code)
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
    """Write PNG pictures of the brief's pages (dist/ is not touched); print each file written."""
    from .preview import preview as make_preview

    def action() -> int:
        for path in make_preview(spec, out_dir, page or None, scale, overrides=overrides or (), allow_stale=allow_stale):
            typer.echo(str(_shown(path)))
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
    overrides: Optional[List[str]] = SetOption,
    allow_stale: bool = StaleOption,
    strict: bool = StrictOption,
    root: Optional[Path] = RootOption,
    debug: bool = DebugOption,
) -> None:
    """Build SPEC's brief if needed and email it to each recipient who has not received this edition.

    SMTP settings come from the environment only: DECKGEN_SMTP_HOST, DECKGEN_SMTP_PORT, DECKGEN_SMTP_USER, DECKGEN_SMTP_PASSWORD, DECKGEN_SMTP_SECURITY (none, starttls or ssl), DECKGEN_SMTP_CA_FILE, DECKGEN_SMTP_TIMEOUT and DECKGEN_MAIL_FROM.

    Exit codes: 0 all sent (or already received), 1 bad input or settings, 3 build failed, 4 a recipient did not get it, 75 another send is running.
    """
    from . import delivery

    labels = {"sent": "sent", "skipped": "skipped", "failed": "FAILED", "written": "wrote"}

    def show(outcome: "delivery.Outcome") -> None:
        who = outcome.recipient.address
        if outcome.status == "written":
            line = f"{labels['written']:<8} {outcome.detail}"
        else:
            line = f"{labels[outcome.status]:<8} {who}: {outcome.detail}"
        if outcome.linked:
            line += " [link instead of attachment]"
        (_err if outcome.status == "failed" else typer.echo)(line)

    def action() -> int:
        report = delivery.send(
            spec, to=to or (), recipients_files=recipients or (), dry_run=dry_run, outbox=outbox, resend=resend,
            max_attachment_mb=max_size, ledger=ledger, overrides=overrides or (), allow_stale=allow_stale,
            strict=strict, root=root, on_outcome=show, log=_err,
        )
        for warning in report.warnings:
            _err(warning.render())
        (typer.echo if report.ok else _err)(report.summary())
        return ExitCode.OK if report.ok else ExitCode.DELIVERY_FAILED

    _run(action, debug)


def _shown(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def main() -> None:
    app(prog_name="deckgen")


if __name__ == "__main__":
    main()
