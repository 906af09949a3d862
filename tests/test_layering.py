"""The import graph is layered: every module of deckgen sits in one stage, and no module imports a
module of a higher stage, nor is there any circle of imports at all.

Every import statement counts, wherever it is: at module level, inside a function (the usual way to
defer a heavy import) and under ``if TYPE_CHECKING:``. A deferred import still ties the two modules
together; it only changes when the price is paid. A new module must be placed in a stage below.
"""

from __future__ import annotations

import ast
import fnmatch
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "deckgen"

# Lowest first. A name is a module under deckgen ("" is the package itself); "pkg.*" places every module
# of a plug-in package not named elsewhere (a new section type, a new chart kind). A module may import
# modules of its own stage or of any stage before it, never one after it.
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", (
        "", "bytecode", "errors", "inputs", "writing", "startup", "text", "dates", "yamlsrc", "validation", "models", "units",
        "tables", "figures", "formatting", "handtyped", "snapshot", "evidence", "editions", "outcome",
        "sources", "sources.database", "sources.workbook", "delivery.addresses", "delivery.model", "legends",
    )),
    ("brand", ("brand", "brand.*", "theme")),
    ("typeset", (  # building blocks of drawing (no deckgen stage above them) and the record of what was drawn
        "render", "render.mplconfig", "render.facecache", "render.fonts", "render.hyphenation", "render.pdfobjects",
        "proof", "proof.lines", "proof.record", "render.paragraph", "render.tagging", "render.measures", "render.chart_labels",
        "render.grid",
        "render.pagerefs",
        "render.boxes",
    )),
    ("charts", ("charts", "charts.periods", "charts.kinds", "charts.kinds.*")),
    ("sections", ("sections", "sections.*", "charts.data")),
    ("spec", ("spec", "schema", "init")),
    ("resolve", ("resolve", "charts.colours")),  # charts.colours: the colours set, checked on the resolved report
    ("render", (
        "render.context", "render.kit", "render.tables", "render.charts", "render.chart_style", "render.chart_backend", "render.chart_cache", "render.settled",
        "render.chart_draw", "render.chart_worker", "render.archival", "render.pdf",
    )),
    ("proof", ("proof.checks", "proof.embedded", "proof.audit")),
    ("editions", ("build.checked", "build.outputs")),
    ("delivery checks", ("delivery.checks", "delivery.recipients", "delivery.message", "delivery.settings")),
    ("api", ("build.api",)),
    ("many specs", (
        "build", "build.many", "forkpool", "cluster", "delivery", "delivery.service", "delivery.ledger", "delivery.pool", "delivery.smtp",
    )),
    ("preview", ("preview", "preview.live", "preview.server")),
    ("cli", ("cli", "__main__")),
)

# Imports that break the layering today, each "importer -> imported" (module names under deckgen). The
# list only shrinks: a violation not listed here fails the test, and so does a listed one that is gone.
KNOWN_VIOLATIONS: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int

    def where(self) -> str:
        return f"{display(self.importer)}:{self.line}"


def module_files() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


MODULES = module_files()


def display(module: str) -> str:
    return str(MODULES[module].relative_to(PACKAGE.parents[1]))


def is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def known(name: str) -> str:
    """The deckgen module a dotted name (relative to deckgen) lives in: itself, or its nearest parent."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def imports_of(module: str) -> list[Import]:
    return imports_in(module, MODULES[module].read_text(encoding="utf-8"), package=is_package(module))


def imports_in(module: str, source: str, *, package: bool = False) -> list[Import]:
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):  # every depth: module level, functions, TYPE_CHECKING blocks
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name.removeprefix("deckgen").lstrip(".") for alias in node.names
                       if alias.name == "deckgen" or alias.name.startswith("deckgen.")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if module else []
                if not package:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                base_name = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module == "deckgen" or (node.module or "").startswith("deckgen."):
                base_name = node.module.removeprefix("deckgen").lstrip(".")
            else:
                continue
            for alias in node.names:  # from . import x: the submodule x when there is one
                submodule = f"{base_name}.{alias.name}".lstrip(".")
                targets.append(submodule if submodule in MODULES else base_name)
        for target in targets:
            imported = known(target)
            if imported != module and Import(module, imported, node.lineno) not in found:
                found.append(Import(module, imported, node.lineno))
    return found


def stage_of(module: str) -> int | None:
    """The stage a module is placed in: by its own name, else by the nearest "pkg.*" above it."""
    for index, (_, names) in enumerate(STAGES):
        if module in names:
            return index
    matches = [(len(pattern), index) for index, (_, names) in enumerate(STAGES) for pattern in names
               if pattern.endswith(".*") and fnmatch.fnmatchcase(module, pattern)]
    return max(matches)[1] if matches else None


def graph() -> dict[str, list[Import]]:
    return {module: imports_of(module) for module in MODULES}


def circles(edges: dict[str, list[Import]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:  # iterative would be longer; the graph is a few hundred nodes deep at most
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for edge in edges[module]:
            if edge.imported not in index:
                visit(edge.imported)
                low[module] = min(low[module], low[edge.imported])
            elif edge.imported in on_stack:
                low[module] = min(low[module], index[edge.imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return sorted(found)


def upward_imports(edges: dict[str, list[Import]]) -> list[Import]:
    return [edge for module in sorted(edges) for edge in edges[module]
            if stage_of(edge.imported) is not None and stage_of(module) is not None
            and stage_of(edge.imported) > stage_of(module)]


def describe(edge: Import) -> str:
    below, above = STAGES[stage_of(edge.importer)][0], STAGES[stage_of(edge.imported)][0]
    return f"{edge.where()}: deckgen.{edge.importer} ({below}) imports deckgen.{edge.imported} ({above})"


def test_every_module_is_placed_in_a_stage():
    unplaced = sorted(display(module) for module in MODULES if stage_of(module) is None)
    assert not unplaced, "modules in no stage (add each to STAGES in tests/test_layering.py): " + ", ".join(unplaced)
    named = [name for _, names in STAGES for name in names if not name.endswith(".*")]
    assert not [name for name in named if name not in MODULES], "STAGES names modules that do not exist"
    assert len(named) == len(set(named)), "a module is named in two stages"


def test_no_module_imports_a_higher_stage():
    violations = upward_imports(graph())
    new = [describe(edge) for edge in violations if f"{edge.importer} -> {edge.imported}" not in KNOWN_VIOLATIONS]
    assert not new, "imports of a higher stage:\n" + "\n".join(new)
    gone = KNOWN_VIOLATIONS - {f"{edge.importer} -> {edge.imported}" for edge in violations}
    assert not gone, "fixed: remove from KNOWN_VIOLATIONS: " + ", ".join(sorted(gone))


def test_the_import_graph_has_no_circles():
    edges = graph()
    found = circles(edges)
    lines = []
    for component in found:
        members = set(component)
        lines.append(f"a circle of {len(component)} modules: {', '.join('deckgen.' + m for m in component)}")
        lines += [f"    {edge.where()}: imports deckgen.{edge.imported}" for m in component for edge in edges[m]
                  if edge.imported in members]
    assert not found, "\n".join(lines)


def test_the_scan_sees_every_kind_of_import():
    """Deferred, TYPE_CHECKING, absolute and relative imports all count; `from . import x` is the module x."""
    source = """
from typing import TYPE_CHECKING
import json
from . import kit, nothing_by_that_name
if TYPE_CHECKING:
    from ..resolve import Report
def later():
    import deckgen.build.api
    from deckgen import cluster
    from ..sections.base import SectionModel
"""
    found = {(edge.imported, edge.line) for edge in imports_in("render.context", source)}
    assert found == {("render.kit", 4), ("render", 4), ("resolve", 6), ("build.api", 8), ("cluster", 9),
                     ("sections.base", 10)}
    assert {edge.imported for edge in imports_in("sections", "from .base import Ref", package=True)} == {"sections.base"}


def test_a_circle_and_an_upward_import_are_reported():
    edges = {"errors": [Import("errors", "spec", 3)], "spec": [Import("spec", "errors", 7)]}
    assert circles(edges) == [["errors", "spec"]]
    assert [describe(edge) for edge in upward_imports(edges)] == [
        "src/deckgen/errors.py:3: deckgen.errors (foundation) imports deckgen.spec (spec)"]
