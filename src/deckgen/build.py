"""The library API: ``validate`` and ``build``. The CLI and schedulers call these."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from . import __version__
from .errors import BuildError, DeckgenError, Problem
from .formatting import format_figure
from .inputs import InputFile, project_root, sha256_file
from .resolve import Report, resolve
from .spec import load_spec
from .theme import Theme, load_theme


@dataclass(frozen=True)
class BuildResult:
    spec: Path
    output: Path
    manifest: Path
    pages: int
    warnings: tuple[Problem, ...]
    input_hash: str
    timings: dict[str, float] = field(default_factory=dict)
    outline: tuple[str, ...] = ()


@dataclass(frozen=True)
class Checked:
    """A spec that passed every check: the report, its theme and the hash of everything it reads."""

    report: Report
    theme: Theme
    input_hash: str
    inputs: tuple[InputFile, ...]
    output: Path
    timings: dict[str, float]


def check(
    spec_path: Path | str,
    *,
    overrides: tuple[str, ...] | list[str] = (),
    output: Path | str | None = None,
    allow_stale: bool = False,
    strict: bool = False,
    root: Path | str | None = None,
) -> Checked:
    """Load, validate and resolve a spec without rendering (no matplotlib or reportlab import)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    spec_path = Path(spec_path)
    overrides = tuple(overrides)
    loaded = load_spec(spec_path, overrides)
    timings["load"] = time.perf_counter() - started
    root_path = Path(root).resolve() if root else project_root(loaded.path)
    report = resolve(loaded, overrides, allow_stale=allow_stale, strict=strict, root=root_path)
    theme = load_theme(loaded.resolve_path(loaded.spec.brand))
    timings["resolve"] = time.perf_counter() - started - timings["load"]
    inputs = report.inputs + tuple(InputFile("brand", p, sha256_file(p)) for p in theme.files)
    target = default_output(loaded.path, loaded.spec.output, root_path) if output is None else Path(output)
    return Checked(report, theme, input_hash(inputs, root_path, overrides), inputs, target.resolve(), timings)


def validate(spec_path: Path | str, **options) -> Report:
    """Run every check on a spec and its data; raise SpecError listing every problem."""
    return check(spec_path, **options).report


def build(spec_path: Path | str, **options) -> BuildResult:
    """Check, render and write the PDF and its manifest atomically; return what was built."""
    checked = check(spec_path, **options)
    return render(checked)


def render(checked: Checked) -> BuildResult:
    from .render.pdf import render_pdf  # heavy: reportlab and matplotlib load here, not before

    timings = dict(checked.timings)
    started = time.perf_counter()
    buffer = io.BytesIO()
    try:
        result = render_pdf(checked.report, checked.theme, buffer)
    except DeckgenError:
        raise
    except Exception as exc:  # reportlab/matplotlib failures become one clear line
        raise BuildError(f"rendering failed: {type(exc).__name__}: {exc}") from exc
    timings["render"] = time.perf_counter() - started
    pdf = buffer.getvalue()
    output = checked.output
    manifest_path = output.with_suffix(".manifest.json")
    manifest = build_manifest(checked, output, pdf, result.pages)
    output.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(output, pdf)
    write_atomic(manifest_path, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
    timings["total"] = sum(v for k, v in timings.items() if k != "total")
    return BuildResult(
        spec=checked.report.loaded.path, output=output, manifest=manifest_path, pages=result.pages,
        warnings=checked.report.warnings, input_hash=checked.input_hash, timings=timings, outline=result.outline,
    )


def read_manifest(output: Path) -> dict | None:
    """The manifest written beside ``output`` by the last successful build, if any and readable."""
    try:
        return json.loads(output.with_suffix(".manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def up_to_date(checked: Checked) -> bool:
    """True when the PDF on disk was built from exactly these inputs and is intact."""
    manifest = read_manifest(checked.output)
    if not manifest or manifest.get("input_hash") != checked.input_hash:
        return False
    try:
        return hashlib.sha256(checked.output.read_bytes()).hexdigest() == manifest.get("pdf_sha256")
    except OSError:
        return False


def default_output(spec_path: Path, configured: Path | None, root: Path) -> Path:
    if configured is not None:
        return (spec_path.parent / configured).resolve()
    return root / "dist" / f"{spec_path.stem}.pdf"


def input_hash(inputs: tuple[InputFile, ...], root: Path, overrides: tuple[str, ...]) -> str:
    digest = hashlib.sha256(f"deckgen {__version__}\n".encode())
    for item in sorted(inputs, key=lambda i: (i.role, str(i.path))):
        digest.update(f"{item.role} {_relative(item.path, root)} {item.sha256}\n".encode())
    for override in overrides:
        digest.update(f"set {override}\n".encode())
    return digest.hexdigest()


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def versions() -> dict[str, str]:
    found = {"deckgen": __version__}
    for name in ("reportlab", "matplotlib", "svglib", "babel", "pydantic"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def build_manifest(checked: Checked, output: Path, pdf: bytes, pages: int) -> dict:
    report = checked.report
    root = project_root(report.loaded.path)
    locale = report.spec.locale
    figures = []
    for name in report.shown_figures:
        figure = report.figures[name]
        figures.append({
            "name": name,
            "value": format_figure(figure, locale),
            "raw": str(figure.value) if figure.value is not None else [str(figure.min), str(figure.max)],
            "unit": figure.unit,
            "as_of": figure.as_of.isoformat(),
            "source": figure.source,
        })
    return {
        "deckgen_manifest": 1,
        "spec": _relative(report.loaded.path, root),
        "title": report.spec.title,
        "report_date": report.spec.date.isoformat(),
        "output": _relative(output, root),
        "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
        "pages": pages,
        "input_hash": checked.input_hash,
        "inputs": [
            {"role": item.role, "path": _relative(item.path, root), "sha256": item.sha256}
            for item in sorted(checked.inputs, key=lambda i: (i.role, str(i.path)))
        ],
        "figures": figures,
        "sources": [{"number": n, "id": s.id, "title": s.title, "url": s.url} for n, s in enumerate(report.sources, 1)],
        "warnings": [p.render() for p in report.warnings],
        "versions": versions(),
    }


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it into place: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
