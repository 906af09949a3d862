"""The problems found in one brand.yml, each located at its key."""

from __future__ import annotations

from ..errors import Problem
from ..yamlsrc import Document, Loc


class Findings:
    """Errors and warnings about one brand file, located through its Document."""

    def __init__(self, document: Document):
        self.document = document
        self.problems: list[Problem] = []

    def error(self, loc: Loc, message: str, hint: str | None = None, key: bool = False) -> None:
        self.problems.append(Problem.at(self.document.mark(loc, key), message, hint, code="brand"))

    def warn(self, loc: Loc, message: str, hint: str | None = None, key: bool = False) -> None:
        self.problems.append(Problem.at(self.document.mark(loc, key), message, hint, severity="warning", code="brand"))
