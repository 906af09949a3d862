"""The command line: parse arguments, call the library, map errors to exit codes (in ``_run``)."""

from __future__ import annotations

import sys
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


def _shown(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def main() -> None:
    app(prog_name="deckgen")


if __name__ == "__main__":
    main()
