"""The exception hierarchy and the one place where errors become exit codes."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, replace
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    OK = 0
    INVALID = 1  # the spec or its data is wrong
    USAGE = 2  # the command line is wrong
    BUILD_FAILED = 3  # anything else went wrong while building
    DELIVERY_FAILED = 4  # at least one recipient did not get the brief
    STALE = 5  # data older than the spec's max_age
    OUT_OF_DATE = 10  # `build --check`: a rebuild would change the output
    LOCKED = 75  # another run holds the lock (EX_TEMPFAIL)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located in a file (or on the command line)."""

    file: str
    line: int
    col: int
    message: str
    hint: str | None = None
    severity: str = "error"  # or "warning"
    code: str = "invalid"  # which check found it: see the table of checks in docs/checks.md

    @classmethod
    def at(
        cls, mark: "Mark | None", message: str, hint: str | None = None, severity: str = "error", code: str = "invalid"
    ) -> "Problem":
        mark = mark or Mark("<unknown>", 0, 0)
        return cls(mark.file, mark.line, mark.col, message, hint, severity, code)

    def as_error(self) -> "Problem":
        return replace(self, severity="error")

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_json(self) -> dict:
        """One machine-readable record (``--log-format json``); line and column are 0 when unknown."""
        return {"file": self.file, "line": self.line, "column": self.col, "severity": self.severity,
                "code": self.code, "message": self.message, "hint": self.hint}

    def render(self) -> str:
        """One line, whatever the message quotes: control, format and line-break characters are escaped."""
        where = self.file if self.line == 0 else f"{self.file}:{self.line}:{self.col}"
        prefix = "warning: " if self.severity == "warning" else ""
        text = f"{where}: {prefix}{self.message}"
        if self.hint:
            text += f"; {self.hint}"
        return escape_invisible(text)


@dataclass(frozen=True)
class Mark:
    """A 1-based position in a source file, printed relative to the working directory."""

    file: str
    line: int
    col: int

    @classmethod
    def of(cls, path: Path | str, line: int, col: int) -> "Mark":
        return cls(display_path(path), line, col)


# Characters that would split a message over lines, act on the terminal, or reorder what it shows:
# controls (Cc: C0, DEL, C1), format characters (Cf: bidi overrides, zero-width ones) and the Unicode
# line and paragraph separators.
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029"  # Cc, Zl, Zp
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"  # Cf (Unicode 15)
)
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_invisible(text: str) -> str:
    """``text`` with each control, format or line-break character written as an escape (``\\n``, ``\\x00``, ``\\u202e``)."""
    return _INVISIBLE.sub(lambda m: _ESCAPES.get(m.group()) or (
        f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"), text)


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # Cc, Zl, Zp


def control_character(text: str) -> str | None:
    """The first control or line-break character in ``text`` (tab included), if any."""
    found = _CONTROL.search(text)
    return found.group() if found else None


def format_character(text: str) -> str | None:
    """The first invisible format character in ``text`` (Unicode category Cf: bidi overrides, zero-width ones), if any."""
    found = _INVISIBLE.search(_CONTROL.sub("", text))
    return found.group() if found else None


def describe_character(char: str) -> str:
    """``U+0000`` with its name where Unicode gives one: for characters a message cannot show as they are."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def display_path(path: Path | str) -> str:
    """A path as the user would type it: relative to the working directory inside it, else absolute."""
    path = Path(path)
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(absolute)


class DeckgenError(Exception):
    exit_code = ExitCode.BUILD_FAILED

    def lines(self) -> list[str]:
        return [escape_invisible(f"error: {self}")]


class SpecError(DeckgenError):
    """The spec or its data has problems; every one of them is listed."""

    exit_code = ExitCode.INVALID

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=_problem_order)
        super().__init__("; ".join(p.render() for p in self.problems))

    def __reduce__(self):  # picklable, so a build in a worker process can report it whole
        return (type(self), (self.problems,))

    def lines(self) -> list[str]:
        errors = sum(p.is_error for p in self.problems)
        return [p.render() for p in self.problems] + [f"{errors} error(s); nothing was written"]


class StaleDataError(SpecError):
    exit_code = ExitCode.STALE

    def lines(self) -> list[str]:
        return super().lines()[:-1] + ["data is older than the spec's checks.max_age_days allow; refresh it or pass --allow-stale"]


class ProofError(SpecError):
    """The edition as laid out would print something wrong: nothing was written or sent."""


class UsageError(DeckgenError):
    exit_code = ExitCode.USAGE


class BuildError(DeckgenError):
    exit_code = ExitCode.BUILD_FAILED


class LockedError(DeckgenError):
    """Another run holds the lock on the same output (and ``wait`` ran out)."""

    exit_code = ExitCode.LOCKED


class DeliveryError(DeckgenError):
    exit_code = ExitCode.DELIVERY_FAILED


class BatchError(DeckgenError):
    """Some of several specs failed; each was already reported. Exits with the most relevant code."""

    def __init__(self, failed: dict[str, int], total: int):
        self.failed = dict(failed)  # spec (as shown) -> its exit code
        self.total = total
        self.exit_code = most_relevant_exit_code(failed.values())
        super().__init__(f"{len(failed)} of {total} specs failed: {', '.join(failed)}")

    def __reduce__(self):
        return (type(self), (self.failed, self.total))

    def lines(self) -> list[str]:
        return [f"error: {self}"] if self.total > 1 else []


# When several specs fail differently, the run exits with the first of these that occurred: problems a
# person must fix (invalid spec, broken build) before ones that go away on their own (stale data gets
# refreshed, a lock gets released); "out of date" (build --check) only when nothing failed.
EXIT_CODE_PRIORITY = (
    ExitCode.INVALID, ExitCode.BUILD_FAILED, ExitCode.DELIVERY_FAILED, ExitCode.STALE, ExitCode.LOCKED,
    ExitCode.OUT_OF_DATE,
)


def most_relevant_exit_code(codes) -> int:
    """The exit code that best describes a run whose specs ended with ``codes`` (0 when all are 0)."""
    codes = {int(code) for code in codes if code}
    for code in EXIT_CODE_PRIORITY:
        if code in codes:
            return int(code)
    return max(codes, default=int(ExitCode.OK))  # e.g. 130 (interrupted): not in the table, still non-zero


def _problem_order(problem: Problem) -> tuple:
    return (problem.file, problem.line, problem.col, problem.message)


def problems_of(error: DeckgenError, file: Path | str | None = None) -> list[Problem]:
    """Every problem an error stands for, located: a spec error's own, else one for ``file`` (or none
    for a batch error, whose specs were each reported already). The code names the kind of failure."""
    if isinstance(error, SpecError):
        return list(error.problems)
    if isinstance(error, BatchError):
        return []
    where = display_path(file) if file is not None else "<unknown>"
    return [Problem(where, 0, 0, str(error), code=ExitCode(error.exit_code).name.lower())]
