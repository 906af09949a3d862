"""The command line: parse arguments, call the library, map errors to exit codes (in ``_run``)."""

import json
import os
import sys
import time
import traceback
from contextlib import contextmanager
from enum import Enum, IntEnum
from pathlib import Path
from typing import Callable, List, Optional

import typer
from typer.core import TyperArgument, TyperCommand

from .errors import DeckgenError, ExitCode, Problem, display_path, escape_invisible, problems_of
from .startup import long_lived

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: readable metavars, and no rich import for --help
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    help="Turn a YAML report spec and its data into a branded PDF brief.",
)


class _Command(TyperCommand):
    """A command whose --help shows arguments by their metavar alone (SPEC, not SPEC <list[Path]>)."""

    def format_help(self, ctx, formatter) -> None:
        for param in self.params:
            if isinstance(param, TyperArgument) and param.metavar and param.nargs != 1:
                param.display_type_rich = lambda ctx: None  # the metavar already says what to give
        super().format_help(ctx, formatter)


def _finite(value: float | None) -> float | None:
    """A number option's value, refused when it is not finite (nan passes every min/max comparison)."""
    import math

    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"'{value}' is not a finite number")
    return value


def Flag(*names: str, help: str):  # noqa: N802 - reads like typer.Option
    """A boolean option that takes no value (no type shown in --help)."""
    return typer.Option(False, *names, help=help, metavar="")


SpecArgs = typer.Argument(..., metavar="SPEC", help="Spec file(s) to use.", exists=False, dir_okay=False)
SetOption = typer.Option(None, "--set", metavar="NAME=VALUE", help="Override a spec value (date=2026-03-01) or a figure (figures.usdjpy=150). Repeatable.")
DebugOption = Flag("--debug", help="Show the traceback of unexpected errors.")
StaleOption = Flag("--allow-stale", help="Build even if data is older than the spec's max_age.")
StrictOption = Flag("--strict", help="Treat warnings as errors.")
RootOption = typer.Option(None, "--root", metavar="DIR", help="Project folder that data files must stay inside (default: nearest folder with .git, pyproject.toml or deckgen.toml). The default output stays in the spec's own project.")
QuietOption = Flag("-q", "--quiet", help="Print only results and errors: no warnings, summaries or progress.")
VerboseOption = Flag("-v", "--verbose", help="Also print how long each step took.")
ClusterOption = typer.Option(None, "--cluster", envvar="DECKGEN_DASK_SCHEDULER", show_envvar=True, metavar="ADDRESS", help="Render in parallel: local (one process per CPU) or local:N (N processes: copies of deckgen on this machine), or on a Dask cluster at a scheduler address such as tcp://HOST:8786 (needs: pip install 'deckgen[cluster]').")


class LogFormat(str, Enum):
    text = "text"
    json = "json"


LogFormatOption = typer.Option(LogFormat.text, "--log-format", metavar="text|json", help="text: one line per problem; json: one JSON object per problem on stderr (file, line, column, severity, code, message, hint), results as JSON on stdout.")


class Verbosity(IntEnum):
    QUIET = -1
    NORMAL = 0
    VERBOSE = 1


_verbosity = Verbosity.NORMAL  # set by the global -q/-v, or by a command's own


def _set_verbosity(quiet: bool, verbose: bool) -> Verbosity:
    global _verbosity
    if quiet and verbose:
        raise typer.BadParameter("choose one of -q/--quiet and -v/--verbose", param_hint="'-q'")
    if quiet:
        _verbosity = Verbosity.QUIET
    elif verbose:
        _verbosity = Verbosity.VERBOSE
    return _verbosity


def _err(line: str) -> None:
    """One line on stderr; whatever it quotes (a server's reply, a file name) cannot split it or act on the terminal."""
    typer.echo(escape_invisible(line), err=True)


def _info(line: str) -> None:
    """A diagnostic line a person may want, on stderr; -q hides it."""
    if _verbosity > Verbosity.QUIET:
        _err(line)


def _detail(line: str) -> None:
    """A diagnostic line only -v shows."""
    if _verbosity >= Verbosity.VERBOSE:
        _err(line)


def _json_line(record: dict, err: bool = False) -> None:
    typer.echo(json.dumps(record, ensure_ascii=False), err=err)


def _report_problem(problem: Problem, log_format: LogFormat) -> None:
    """One problem on stderr: a line of text, or one JSON object. -q hides warnings."""
    if not problem.is_error and _verbosity == Verbosity.QUIET:
        return
    if log_format is LogFormat.json:
        _json_line(problem.as_json(), err=True)
    else:
        _err(problem.render())


def _is_folder(path: Path) -> bool:
    """Whether ``path`` is a folder; a path the system cannot even look at (a name too long) is not,
    and the build's own checks say what is wrong with it."""
    try:
        return path.is_dir()
    except OSError:
        return False


def _run(action: Callable[[], int | None], debug: bool, log_format: LogFormat = LogFormat.text,
         subject: Path | None = None) -> None:
    """The one place where exceptions become messages and exit codes."""
    try:
        code = action() or ExitCode.OK
    except DeckgenError as exc:
        if log_format is LogFormat.json:
            for problem in problems_of(exc, subject):
                _report_problem(problem, log_format)
        else:
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
        message = f"unexpected {type(exc).__name__}: {exc}"
        if log_format is LogFormat.json:
            where = display_path(subject) if subject is not None else "<unknown>"
            _report_problem(Problem(where, 0, 0, message, "run with --debug for the traceback", code="unexpected"), log_format)
        else:
            _err(f"error: {message} (run with --debug for the traceback)")
        code = ExitCode.BUILD_FAILED
    raise typer.Exit(int(code))


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"deckgen {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, metavar="", help="Show the version and exit."),
    quiet: bool = QuietOption,
    verbose: bool = VerboseOption,
) -> None:
    """deckgen: declarative, data-driven, branded PDF briefs.

    Start with `deckgen init my-brief`, then `deckgen preview my-brief/specs/brief.yaml --watch`.
    """
    global _verbosity
    _verbosity = Verbosity.NORMAL  # every run starts from the default (the CLI may run many times in one process)
    _set_verbosity(quiet, verbose)


class OnAmbiguous(str, Enum):
    hold = "hold"
    retry = "retry"


@app.command(cls=_Command)
def build(
    specs: List[Path] = SpecArgs,
    output_given: Optional[str] = typer.Option(None, "-o", "--output", metavar="PATH", help="Where to write the PDF: a file, a folder (an existing one, one ending in /, or always with several specs: <name>.pdf in it), or - for stdout."),
    overrides: Optional[List[str]] = SetOption,
    allow_stale: bool = StaleOption,
    strict: bool = StrictOption,
    root: Optional[Path] = RootOption,
    if_changed: bool = Flag("--if-changed", help="Skip a spec (and say 'unchanged') when nothing it reads changed since its last successful build."),
    check_only: bool = Flag("--check", help="Build nothing; exit 10 if a rebuild would change any output, 0 if all are current."),
    archive: bool = Flag("--archive", help="Also keep each distinct edition under archive/<name>/<report date>/ beside the output."),
    snapshot: bool = Flag("--snapshot", help="Also write what each table dataset read (files and queries) as CSV in <name>.snapshot/ beside the PDF, for audit."),
    wait: float = typer.Option(0.0, "--wait", min=0, metavar="SECONDS", callback=_finite, help="Wait this long for another run building the same output; then exit 75."),
    jobs: int = typer.Option(1, "-j", "--jobs", min=0, metavar="N", help="Build this many specs at once, in separate processes (0: one per CPU)."),
    cluster: Optional[str] = ClusterOption,
    log_format: LogFormat = typer.Option(LogFormat.text, "--log-format", metavar="text|json", help="text: paths and messages; json: one JSON object per spec on stdout, one per problem on stderr."),
    quiet: bool = QuietOption,
    verbose: bool = VerboseOption,
    debug: bool = DebugOption,
) -> None:
    """Build the PDF for each SPEC; print the path of each file written.

    Exit codes: 0 ok, 1 invalid spec or data, 3 build failed, 5 stale data, 10 out of date (--check), 75 locked by another run (see --wait). With several specs: the first of 1, 3, 5, 75, 10 that any spec ended with.
    """
    _set_verbosity(quiet, verbose)
    output = Path(output_given) if output_given is not None else None  # as typed: a Path drops a trailing "/"
    if check_only and (if_changed or archive or snapshot):
        raise typer.BadParameter("--check builds nothing, so it cannot be combined with --if-changed, --archive or --snapshot",
                                 param_hint="'--check'")
    if output is not None and str(output) == "-":
        _build_to_stdout(specs, overrides, allow_stale, strict, root, if_changed or check_only or archive or snapshot, log_format, debug)
        return
    from .errors import BatchError

    several = len(specs) > 1
    into_folder = several or (output is not None and (_is_folder(output) or output_given.endswith(("/", os.sep))))

    def action() -> int:
        with _progress(len(specs), enabled=log_format is LogFormat.text and _verbosity > Verbosity.QUIET and _interactive(),
                       thread=not _local(cluster)) as progress:
            def on_outcome(outcome) -> None:
                if log_format is LogFormat.json:
                    for problem in outcome.problems:
                        _report_problem(problem, log_format)
                    _json_line(outcome.as_json())
                else:
                    _text_report(outcome, progress.echo, several=several, debug=debug)
                if outcome.ok and outcome.outcome == "built":
                    steps = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in outcome.steps)
                    _detail(f"{display_path(outcome.spec)}: built in {outcome.duration:.2f} s" + (f" ({steps})" if steps else ""))
                progress.advance()

            options = {"overrides": tuple(overrides or ()), "allow_stale": allow_stale, "strict": strict, "root": root}
            outcomes = None
            if (if_changed or check_only) and not archive and not snapshot:  # all current? then nothing heavy is even imported
                from .outcome import unchanged_outcome

                outcomes = [unchanged_outcome(spec, check_only=check_only, **options, output=(
                                output / f"{spec.stem}.pdf" if output is not None else None) if into_folder else output)
                            for spec in specs]
                if all(outcomes):
                    for outcome in outcomes:
                        on_outcome(outcome)
                else:
                    outcomes = None
            if outcomes is None:
                worker = None
                if len(specs) == 1 and jobs == 1 and not cluster and not check_only:  # matplotlib loads meanwhile
                    from .render import chart_worker

                    worker = chart_worker.start_if_cold(specs[0], None if into_folder else output)
                try:
                    with long_lived():
                        from . import build as library

                    outcomes = library.build_many(
                        specs, jobs=jobs, output_dir=output if into_folder else None, on_outcome=on_outcome,
                        cluster=cluster or None, check_only=check_only, wait=wait, if_changed=if_changed,
                        archive=archive, **({"snapshot": True} if snapshot else {}), **({} if into_folder else {"output": output}), **options,
                    )
                except BaseException:
                    if worker is not None:
                        chart_worker.stop(at_once=True)
                    raise
                if worker is not None:
                    chart_worker.stop()
        failed = {display_path(o.spec): o.exit_code for o in outcomes if not o.ok}
        if failed:
            raise BatchError(failed, total=len(outcomes))
        return ExitCode.OUT_OF_DATE if any(o.outcome == "out_of_date" for o in outcomes) else ExitCode.OK

    _run(action, debug, log_format)


def _build_to_stdout(specs, overrides, allow_stale, strict, root, incremental: bool, log_format: LogFormat, debug: bool) -> None:
    """`build -o -`: one spec, rendered in memory, its PDF's bytes on stdout; nothing written to disk."""
    if len(specs) != 1:
        raise typer.BadParameter("-o - writes one PDF to stdout: give exactly one SPEC", param_hint="'-o'")
    if incremental:
        raise typer.BadParameter("-o - writes no file, so --if-changed, --check and --archive do not apply", param_hint="'-o'")
    stdout = typer.get_binary_stream("stdout")
    if stdout.isatty():
        raise typer.BadParameter("refusing to write a PDF to the terminal: redirect stdout (> brief.pdf) or pipe it", param_hint="'-o -'")
    from . import build as library

    def action() -> int:
        checked = library.check(specs[0], overrides=tuple(overrides or ()), allow_stale=allow_stale, strict=strict, root=root)
        for warning in checked.report.warnings:
            _report_problem(warning, log_format)
        pdf, _ = library.render_in_memory(checked, cache_charts=False)  # -o - writes no file at all
        stdout.write(pdf)
        stdout.flush()
        return ExitCode.OK

    _run(action, debug, log_format, subject=specs[0])


def _text_report(outcome, echo: Callable[[str, bool], None], *, several: bool, debug: bool) -> None:
    """One line on stdout per spec that worked; one line on stderr per problem of one that did not."""
    for warning in outcome.warnings if _verbosity > Verbosity.QUIET else ():
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
        if not self.progress.live.auto_refresh:
            self.progress.refresh()


def _local(cluster: str | None) -> bool:
    """Whether ``--cluster`` renders on this machine (in forked copies, or a LocalCluster)."""
    address = (cluster or "").strip()
    return address == "local" or address.startswith("local:")


@contextmanager
def _progress(total: int, *, enabled: bool, thread: bool = True):
    """Rich progress while specs build when a person watches; otherwise plain lines (rich never imported).
    Without ``thread``, the bar is redrawn as specs finish rather than by a thread of its own: ``--cluster
    local`` forks copies of this process, which it does only while no other thread runs."""
    if not enabled:
        yield _Quiet()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True, redirect_stdout=False, redirect_stderr=False,
                  auto_refresh=thread) as progress:
        yield _RichProgress(progress, progress.add_task("building", total=total))


@contextmanager
def _lazy_progress(description: str, *, enabled: bool, thread: bool = True):
    """A callable ``(done, total)`` that shows a progress bar once there is something to wait for
    (without ``thread``, redrawn at each call rather than by a thread of its own: see ``_progress``)."""
    if not enabled:
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True, redirect_stdout=False, redirect_stderr=False,
                  auto_refresh=thread) as bar:
        task = bar.add_task(description, total=None, visible=False)
        yield lambda done, total: bar.update(task, completed=done, total=total, visible=done < total, refresh=not thread)


@app.command(cls=_Command)
def validate(
    specs: List[Path] = SpecArgs,
    overrides: Optional[List[str]] = SetOption,
    allow_stale: bool = StaleOption,
    strict: bool = StrictOption,
    root: Optional[Path] = RootOption,
    proof: bool = Flag("--proof", help="Also lay each brief out in memory and proofread it, as build does (slower; writes nothing)."),
    log_format: LogFormat = LogFormatOption,
    quiet: bool = QuietOption,
    verbose: bool = VerboseOption,
    debug: bool = DebugOption,
) -> None:
    """Run every check on each SPEC and its data without rendering (with --proof, the build's proof too).

    Problems go to stderr, one per line (or one JSON object each with --log-format json); the summary goes to stdout when there are no errors.
    """
    _set_verbosity(quiet, verbose)
    with long_lived():
        from . import build as library
    from .errors import SpecError, most_relevant_exit_code

    def action() -> int:
        problems = []
        codes = []
        for spec in specs:
            started = time.perf_counter()
            try:
                report = library.validate(spec, overrides=overrides or (), allow_stale=allow_stale, strict=strict, root=root,
                                          proof=proof)
                problems += list(report.warnings)
                _detail(f"{display_path(spec)}: {len(report.inputs)} file(s) checked in {time.perf_counter() - started:.2f} s")
            except SpecError as exc:
                problems += exc.problems
                codes.append(exc.exit_code)
        code = most_relevant_exit_code(codes)
        for problem in sorted(problems):
            _report_problem(problem, log_format)
        errors = sum(p.is_error for p in problems)
        warnings = len(problems) - errors
        if log_format is LogFormat.json:
            _json_line({"specs": len(specs), "errors": errors, "warnings": warnings, "exit_code": int(code)})
        elif errors:
            _err(f"{len(specs)} spec(s) checked: {errors} error(s), {warnings} warning(s)")
        elif _verbosity > Verbosity.QUIET:
            typer.echo(f"{len(specs)} spec(s) checked: {errors} error(s), {warnings} warning(s)")
        return code

    _run(action, debug, log_format)


@app.command(cls=_Command)
def preview(
    spec: Path = typer.Argument(..., metavar="SPEC", help="Spec file to preview.", dir_okay=False),
    watch: bool = Flag("-w", "--watch", help="Serve the brief on 127.0.0.1 as a page that rebuilds and reloads itself whenever the spec, data, brand, fonts or logo change."),
    port: int = typer.Option(8765, "--port", min=0, max=65535, metavar="N", help="With --watch: the port to serve on (0: any free port)."),
    page: Optional[List[int]] = typer.Option(None, "--page", "-p", metavar="N", help="Page number(s) to render (default: all). Repeatable."),
    out_dir: Optional[Path] = typer.Option(None, "-o", "--output", metavar="DIR", help="Folder for the PNGs (default: dist/preview/<name>/)."),
    scale: float = typer.Option(1.5, "--scale", min=0.2, max=8.0, metavar="FACTOR", callback=_finite, help="Pixels per point (1.5 ≈ 108 dpi)."),
    overrides: Optional[List[str]] = SetOption,
    allow_stale: bool = StaleOption,
    root: Optional[Path] = RootOption,
    quiet: bool = QuietOption,
    verbose: bool = VerboseOption,
    debug: bool = DebugOption,
) -> None:
    """Write PNG pictures of the brief's pages (the PDF in dist/ is left alone); print each file written.

    With --watch: serve the pages on http://127.0.0.1:N/ instead, rebuild after every change and reload the page; the URL is printed on stdout, each rebuild and every problem on stderr. Ctrl-C stops it.
    """
    _set_verbosity(quiet, verbose)
    if out_dir is not None and str(out_dir) == "-":
        raise typer.BadParameter("preview writes PNG files into a folder; give a folder, not -", param_hint="'-o'")
    options = {"overrides": tuple(overrides or ()), "allow_stale": allow_stale, "root": root}
    if watch:
        from .preview.server import serve

        def on_event(line: str, problem: bool) -> None:
            (_err if problem else _info)(line)

        def announce(url: str) -> None:
            typer.echo(url)
            sys.stdout.flush()

        _run(lambda: serve(spec, port=port, scale=scale, on_ready=announce, on_event=on_event, **options), debug, subject=spec)
        return
    from .preview import preview as make_preview

    def action() -> int:
        for path in make_preview(spec, out_dir, page or None, scale, **options):
            typer.echo(display_path(path))
        return 0

    _run(action, debug, subject=spec)


@app.command(cls=_Command)
def send(
    spec: Path = typer.Argument(..., metavar="SPEC", help="Spec file whose brief to send.", dir_okay=False),
    to: Optional[List[str]] = typer.Option(None, "--to", metavar="ADDR", help="Send to this address ('Ann Lee <ann@example.com>' works too) instead of the spec's recipients. Repeatable."),
    recipients: Optional[List[Path]] = typer.Option(None, "--recipients", metavar="FILE", help="Send to the recipients in this CSV or YAML file instead of the spec's. Repeatable."),
    dry_run: bool = Flag("--dry-run", help="Write each message as a .eml file into the outbox; send nothing, record nothing."),
    outbox: Optional[Path] = typer.Option(None, "--outbox", metavar="DIR", help="Where --dry-run writes .eml files (default: outbox/ beside the PDF)."),
    resend: bool = Flag("--resend", help="Send even to recipients the ledger says already received this edition."),
    max_size: Optional[float] = typer.Option(None, "--max-size", metavar="MB", min=0.001, callback=_finite, help="Attachment size limit in MB (default: the spec's delivery.max_attachment_mb, else 10)."),
    ledger: Optional[Path] = typer.Option(None, "--ledger", metavar="FILE", help="The delivery ledger (default: the spec's delivery.ledger, else .deckgen/delivery.sqlite beside the PDF)."),
    on_ambiguous: OnAmbiguous = typer.Option(OnAmbiguous.retry, "--on-ambiguous", help="When the connection is lost after a message was sent, so the server may have stored it: retry (the default: send again, now and on later runs: at least once, each possible duplicate recorded) or hold (record 'unknown', never send it again unless told: at most once)."),
    cluster: Optional[str] = ClusterOption,
    connections: Optional[int] = typer.Option(None, "--smtp-connections", envvar="DECKGEN_SMTP_CONNECTIONS", min=1, max=32, metavar="N", help="Send over this many SMTP connections at once (default: 4 with --cluster, else 1)."),
    overrides: Optional[List[str]] = SetOption,
    allow_stale: bool = StaleOption,
    strict: bool = StrictOption,
    root: Optional[Path] = RootOption,
    log_format: LogFormat = LogFormatOption,
    quiet: bool = QuietOption,
    verbose: bool = VerboseOption,
    debug: bool = DebugOption,
) -> None:
    """Build SPEC's brief if needed and email it to each recipient who has not received this edition.

    SMTP settings come from the environment only: DECKGEN_SMTP_HOST, DECKGEN_SMTP_PORT, DECKGEN_SMTP_USER, DECKGEN_SMTP_PASSWORD, DECKGEN_SMTP_SECURITY (none, starttls or ssl), DECKGEN_SMTP_CA_FILE, DECKGEN_SMTP_TIMEOUT and DECKGEN_MAIL_FROM.

    Exit codes: 0 all sent (or already received), 1 bad input or settings, 3 build failed, 4 a recipient did not get it (or may not have: unknown), 5 stale data, 75 another send is running.
    """
    _set_verbosity(quiet, verbose)
    from . import delivery

    labels = {"sent": "sent", "skipped": "skipped", "failed": "FAILED", "unknown": "UNKNOWN", "written": "wrote"}

    def show(outcome: "delivery.Outcome") -> None:
        """Each recipient's outcome is a result (stdout); a failure is a diagnostic (stderr)."""
        if log_format is LogFormat.json:
            record = {"recipient": outcome.recipient.address, "status": outcome.status, "detail": outcome.detail,
                      "linked": outcome.linked, "path": display_path(outcome.path) if outcome.path else None,
                      "possible_duplicate": outcome.possible_duplicate}
            _json_line(record, err=outcome.status == "failed")
            return
        who = outcome.recipient.address
        if outcome.status == "written":
            line = f"{labels['written']:<8} {outcome.detail}"
        else:
            line = f"{labels[outcome.status]:<8} {who}: {outcome.detail}"
        if outcome.linked:
            line += " [link instead of attachment]"
        if outcome.possible_duplicate:
            line += " [possibly twice: an earlier copy may have been stored when the connection was lost]"
        (_err if outcome.status in ("failed", "unknown") else typer.echo)(escape_invisible(line))

    def log(line: str) -> None:
        """What send does on the way ("built …"): diagnostics, on stderr."""
        if log_format is LogFormat.json:
            if _verbosity > Verbosity.QUIET:
                _json_line(Problem(display_path(spec), 0, 0, line, severity="info", code="progress").as_json(), err=True)
        else:
            _info(line)

    def action() -> int:
        with _lazy_progress("building variants", enabled=log_format is LogFormat.text and _verbosity > Verbosity.QUIET and _interactive(),
                            thread=not _local(cluster)) as progress:
            report = delivery.send(
                spec, to=to or (), recipients_files=recipients or (), dry_run=dry_run, outbox=outbox, resend=resend,
                max_attachment_mb=max_size, ledger=ledger, overrides=overrides or (), allow_stale=allow_stale,
                strict=strict, root=root, on_ambiguous=on_ambiguous.value, on_outcome=show, log=log, cluster=cluster or None,
                connections=connections or (4 if cluster else 1), on_build_progress=progress,
            )
        for warning in report.warnings:
            _report_problem(warning, log_format)
        if log_format is LogFormat.json:
            _json_line({"sent": report.sent, "skipped": report.skipped, "failed": report.failed, "unknown": report.unknown,
                        "possible_duplicates": report.possible_duplicates, "ok": report.ok})
        else:
            (typer.echo if report.ok else _err)(report.summary())
        return ExitCode.OK if report.ok else ExitCode.DELIVERY_FAILED

    _run(action, debug, log_format, subject=spec)


@app.command(cls=_Command)
def init(
    directory: Path = typer.Argument(..., metavar="DIR", help="Folder for the new project (created if needed; no file in it is ever overwritten).", file_okay=False),
    quiet: bool = QuietOption,
    verbose: bool = VerboseOption,
    debug: bool = DebugOption,
) -> None:
    """Start a new brief: write a working project (spec, data, sources, brand with fonts and logo, editor settings) into DIR.

    It validates with --strict and builds at once. The last line on stdout is the path of the spec written. Never overwrites a file.
    """
    _set_verbosity(quiet, verbose)
    from .init import create_project

    def action() -> int:
        created = create_project(directory)
        for path in created.files:
            _detail(f"wrote {display_path(path)}")
        spec = display_path(created.spec)
        _info(f"created a new brief in {display_path(created.root)}; next:")
        _info(f"  deckgen build {spec}")
        _info(f"  deckgen preview {spec} --watch")
        typer.echo(spec)
        return ExitCode.OK

    _run(action, debug)


class SchemaKind(str, Enum):
    spec = "spec"
    data = "data"
    brand = "brand"


@app.command(cls=_Command)
def proof(
    pdfs: List[Path] = typer.Argument(..., metavar="PDF", help="Edition(s) deckgen wrote, each with its manifest beside it (a pdfa-3b edition carries its own)."),
    log_format: LogFormat = LogFormatOption,
    quiet: bool = QuietOption,
    debug: bool = DebugOption,
) -> None:
    """Check editions already written, with their manifests: for an audit, or a CI job that receives PDFs.

    Each PDF must be the one its manifest describes (sha256), its proof must have passed when it was built, and its text must still show what the proof recorded: every figure on its page, every exhibit on its page, no template text in pages, bookmarks or metadata. A pdfa-3b edition carries its manifest and data: every figure it prints is re-checked against them too. Exit 1 if any check fails.
    """
    _set_verbosity(quiet, False)
    from .proof.audit import audit

    def action() -> int:
        failed = 0
        for pdf in pdfs:
            result = audit(pdf)
            for problem in result.problems:
                _report_problem(problem, log_format)
            failed += not result.passed
            if log_format is LogFormat.json:
                _json_line({"pdf": display_path(pdf), **result.record()})
            elif result.passed and _verbosity > Verbosity.QUIET:
                typer.echo(result.line())
        return ExitCode.INVALID if failed else ExitCode.OK

    _run(action, debug, log_format)


@app.command(cls=_Command)
def schema(
    kind: SchemaKind = typer.Argument(SchemaKind.spec, metavar="[spec|data|brand]", help="Which file the schema describes: a spec, a data file (figures, breakdowns, sources) or brand.yml."),
    debug: bool = DebugOption,
) -> None:
    """Print the JSON Schema of a spec, data file or brand.yml, generated from deckgen's own models.

    Point an editor at it for completion and checking as you type: deckgen schema > spec.schema.json, then a first line "# yaml-language-server: $schema=spec.schema.json" in the YAML file. See the documentation, Getting started: "Editor support".
    """
    from .schema import schema_text

    def action() -> int:
        typer.echo(schema_text(kind.value))
        return ExitCode.OK

    _run(action, debug)


def main() -> None:
    import gc
    import os

    # pydantic looks for plugins in every installed distribution's entry points as the first model is
    # built (30 ms of a build); the command line uses none. A caller's own setting is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        app(prog_name="deckgen")
    finally:
        # The process ends here. Its last garbage collection, as the interpreter shuts down, walks
        # everything a build made (a tenth of a second after the investor brief) to free nothing
        # that outlives the process; frozen objects are left out of it, and exit handlers still run.
        gc.freeze()


if __name__ == "__main__":
    main()
