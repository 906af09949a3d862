"""What the last successful build wrote beside its PDF (the manifest), and the quick answer to
"is it still current?" that ``build --if-changed`` and ``build --check`` give before anything heavy
is imported.

A manifest records the hash of every input, the options the spec was checked with and the versions
that render. When the same spec is built again with the same options, every recorded input still
hashes the same and the PDF on disk is the one recorded, the check and the rendering would both
repeat exactly, so the build is skipped. Anything unexpected (no manifest, an override of the output,
a spec that does not parse) answers "don't know", and the full check decides.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from .errors import Problem, display_path
from .inputs import InputFile, project_root, resolved, sha256_file

MANIFEST_FORMAT = 1
RENDERING_PACKAGES = ("reportlab", "matplotlib", "svglib", "babel", "pydantic", "fonttools", "pillow")
MAX_QUICK_SPEC_BYTES = 1_000_000  # a bigger spec is left to the full check and its limits


def manifest_path(output: Path) -> Path:
    return output.with_suffix(".manifest.json")


def manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()


def read_manifest(output: Path) -> dict | None:
    """The manifest written beside ``output`` by the last successful build, if any and readable."""
    try:
        manifest = json.loads(manifest_path(output).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


@lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    """deckgen's version and those of the packages that render, read from the installed
    distributions' folder names (``reportlab-4.2.5.dist-info``): no package is imported."""
    wanted = {name: "not installed" for name in ("deckgen", *RENDERING_PACKAGES)}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith(".dist-info"):
                continue
            project, _, version = name[: -len(".dist-info")].partition("-")
            project = project.lower().replace("_", "-").replace(".", "-")
            if wanted.get(project) == "not installed":
                wanted[project] = version
    if wanted["deckgen"] == "not installed":
        from . import __version__  # a source tree that was never installed

        wanted["deckgen"] = __version__
    return wanted


def relative(path: Path, root: Path) -> str:
    try:
        return resolved(path).relative_to(root).as_posix()
    except ValueError:
        return resolved(path).as_posix()


def input_hash(inputs: Iterable[InputFile], root: Path, overrides: tuple[str, ...], report_date: str | None = None) -> str:
    """One hash of everything that decides the PDF's bytes: the inputs' contents (by path relative
    to the project, so a copy elsewhere hashes the same), the ``--set`` overrides and the versions of
    deckgen and of the libraries that render (an upgrade may change the bytes, so it rebuilds).
    ``report_date``: a keyword date and the date it resolved to (``last-month-end 2026-11-30``), so a
    new month rebuilds although no file changed."""
    digest = hashlib.sha256()
    if report_date is not None:
        digest.update(f"date {report_date}\n".encode())
    for name, version in versions().items():
        digest.update(f"{name} {version}\n".encode())
    for item in sorted(inputs, key=lambda i: (i.role, str(i.path))):
        digest.update(f"{item.role} {relative(item.path, root)} {item.sha256}\n".encode())
    for override in overrides:
        digest.update(f"set {override}\n".encode())
    return digest.hexdigest()


def check_options(spec: Path, *, overrides: tuple[str, ...], allow_stale: bool, strict: bool, root: Path,
                  output_given: bool) -> dict:
    """The options a spec was checked with, as the manifest records them (a different option may
    change what the check accepts or warns about, so the quick answer needs the same ones)."""
    return {"overrides": list(overrides), "allow_stale": bool(allow_stale), "strict": bool(strict),
            "root": relative(root, project_root(spec)), "output_given": output_given}  # no absolute path:
    # the same project copied elsewhere records the same manifest


@dataclass(frozen=True)
class Current:
    """The edition on disk, found current without checking the spec again."""

    output: Path
    manifest: dict
    input_hash: str
    pages: int
    warnings: tuple[Problem, ...]


def current_without_checking(
    spec: Path | str,
    *,
    output: Path | str | None = None,
    overrides: Iterable[str] = (),
    allow_stale: bool = False,
    strict: bool = False,
    root: Path | str | None = None,
) -> Current | None:
    """The current edition if the last build of ``spec`` with these options read exactly the files
    that are there now and its PDF is intact; ``None`` whenever that cannot be shown cheaply."""
    try:
        spec = Path(spec).resolve()
        overrides = tuple(overrides)
        if any(o.split("=", 1)[0].strip() == "output" for o in overrides):
            return None
        root_path = Path(root).resolve() if root else project_root(spec)
        target = Path(output).resolve() if output is not None else configured_output(spec)
        if target is None:
            return None
        manifest = read_manifest(target)
        if not manifest or manifest.get("deckgen_manifest") != MANIFEST_FORMAT:
            return None
        wanted = check_options(spec, overrides=overrides, allow_stale=allow_stale, strict=strict, root=root_path,
                               output_given=output is not None)
        if manifest.get("checked_with") != wanted or manifest.get("spec") != relative(spec, root_path):
            return None
        if manifest.get("versions") != versions():
            return None
        inputs = manifest.get("inputs")
        if not isinstance(inputs, list) or not any(i.get("role") == "spec" for i in inputs):
            return None
        if any(i.get("role") == "database" for i in inputs):
            return None  # a query's rows can change with no file changing: only reading them again can tell
        found = []
        for item in inputs:
            path = Path(item["path"])
            path = path if path.is_absolute() else root_path / path
            digest = sha256_file(path)
            if digest != item["sha256"]:
                return None
            found.append(InputFile(item["role"], path, digest))
        rule = manifest.get("report_date_rule")
        digest = input_hash(found, root_path, overrides, dated_rule(rule) if rule is not None else None)
        if digest != manifest.get("input_hash"):
            return None
        if hashlib.sha256(target.read_bytes()).hexdigest() != manifest.get("pdf_sha256"):
            return None
        warnings = tuple(_problem(record, root_path) for record in manifest.get("warning_problems", []))
        return Current(target, manifest, digest, int(manifest.get("pages") or 0), warnings)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def dated_rule(rule: str, resolved: dt.date | None = None) -> str:
    """A keyword date as the input hash has it: the keyword and the date it stands for (today, when
    ``resolved`` is not given; $DECKGEN_TODAY pins today)."""
    from .dates import resolve_keyword, today

    return f"{rule} {(resolved or resolve_keyword(rule, today())).isoformat()}"


# A top-level ``output: PATH`` line (plain, or in single or double quotes without escapes), and any
# line where a key ``output`` might be set some other way (nested, flow style): then only the full
# check can tell where the PDF goes.
_OUTPUT_LINE = re.compile(
    r"""^output:[ \t]*(?:"([^"\\\n]*)"|'([^'\n]*)'|([^\s#"'{\[&*!|>%@`~][^#\n]*?))[ \t]*(?:#.*)?$""", re.M)
_ANY_OUTPUT_KEY = re.compile(r"""^[^#\n]*\boutput["']?[ \t]*:""", re.M)


def configured_output(spec: Path) -> Path | None:
    """Where the spec's ``output:`` puts the PDF (else ``dist/`` of the spec's own project, whatever
    ``--root`` says), read from its text without a YAML parser; ``None`` if that is not certain."""
    if spec.stat().st_size > MAX_QUICK_SPEC_BYTES:
        return None
    text = spec.read_text("utf-8")
    lines = _OUTPUT_LINE.findall(text)
    if len(_ANY_OUTPUT_KEY.findall(text)) != len(lines) or len(lines) > 1:
        return None
    if not lines:
        return project_root(spec) / "dist" / f"{spec.stem}.pdf"
    configured = next(part for part in lines[0] if part)
    if configured in ("null", "Null", "NULL", "~"):
        return None
    return (spec.parent / configured).resolve()


def project_relative(problem: Problem, root: Path) -> Problem:
    """A warning as the manifest keeps it: its file relative to the project, not to where deckgen ran."""
    if problem.file.startswith("<"):  # <command line>, <unknown>
        return problem
    return replace(problem, file=relative(Path(problem.file), root))


def _problem(record: dict, root: Path) -> Problem:
    file = record["file"]
    shown = file if file.startswith("<") else display_path(root / file)
    return Problem(shown, int(record["line"]), int(record["column"]), str(record["message"]), record.get("hint"),
                   str(record["severity"]), str(record["code"]))


def figure_record(report, name: str) -> dict:
    """A figure the brief shows, as the manifest records it: printed, and as the data has it."""
    figure = report.figures[name]
    data = report.data_figures.get(name, figure)  # as the data has it, before show: converted it
    entry = {
        "name": name,
        "value": report.format(name),
        "raw": str(data.value) if data.value is not None else [str(data.min), str(data.max)],
        "unit": data.unit,
        "as_of": figure.as_of.isoformat(),
        "source": figure.source,
    }
    if data is not figure:
        entry["shown_unit"] = figure.unit
    return entry
