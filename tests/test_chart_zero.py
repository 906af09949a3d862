"""Value axes and zero: a bar's or an area's length is its value, so its axis always includes zero; a line
of amounts that lies close to zero is drawn from zero; a line far from it (a rebased index) keeps a
tight axis. Scatter markers keep a white ring so points on top of one another stay told apart."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from deckgen.build import build


def _y_ticks(pdf: Path, title: str, first_x_tick: str) -> list[str]:
    """The value-axis tick labels of the exhibit titled ``title``, bottom first, as the page's text gives them."""
    document = pdfium.PdfDocument(str(pdf))
    for page in document:
        text = page.get_textpage().get_text_range().replace("\r\n", "\n")
        start = text.find(title)
        if start < 0:
            continue
        after = text[start:].split(first_x_tick, 1)[1].split("\n", 1)[1]
        return re.findall(r"^(−?[\d.,]+)$", after.split("\n\n")[0], re.M)[:8]
    raise AssertionError(f"no exhibit '{title}'")


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_the_capacity_line_is_drawn_from_zero_and_the_rebased_one_is_not(project: Path, cli, page_size: str):
    result = cli("build", "specs/grid-storage.yaml", "--set", f"page_size={page_size}", cwd=project)
    assert result.code == 0, result.stderr
    pdf = project / "dist" / "grid-storage.pdf"
    capacity = _y_ticks(pdf, "Installed capacity by country", "Jul 2024")
    assert capacity[0] == "0" and capacity[:5] == ["0", "2", "4", "6", "8"], capacity
    growth = _y_ticks(pdf, "Growth since July 2024", "Jul 2024")
    assert growth and growth[0] != "0", growth  # an index rebased to 100: read its moves, not its distance from 0


def _with_chart_option(project: Path, chart_id: str, option: str) -> tuple[Path, int]:
    spec = project / "specs" / "grid-storage.yaml"
    lines = spec.read_text().splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.strip() == f"id: {chart_id}") + 1
    lines.insert(at, f"    {option}\n")
    spec.write_text("".join(lines))
    return spec, at + 1


@pytest.mark.parametrize("option, message", [
    ("y_min: 1", "kind: stacked_bar draws each value as a length from zero, so its axis includes zero; y_min 1 would "
                 "cut every bar short; remove y_min, or draw the data as a line"),
    ("y_max: -1", "kind: stacked_bar draws each value as a length from zero, so its axis includes zero; y_max -1 would "
                  "cut every bar short; remove y_max, or draw the data as a line"),
])
def test_a_bar_axis_that_leaves_out_zero_is_refused_at_the_key(project: Path, cli, option: str, message: str):
    spec, line = _with_chart_option(project, "additions", option)
    result = cli("validate", "specs/grid-storage.yaml", cwd=project)
    assert result.code == 1
    assert f"specs/grid-storage.yaml:{line}:{len(option.split(':')[0]) + 7}: {message}" in result.stderr, result.stderr
    assert cli("build", "specs/grid-storage.yaml", cwd=project).code == 1


def test_a_line_may_start_away_from_zero_when_the_spec_says_so(project: Path, cli):
    _with_chart_option(project, "capacity", "y_min: 0.5")
    result = cli("build", "specs/grid-storage.yaml", cwd=project)
    assert result.code == 0, result.stderr
    ticks = _y_ticks(project / "dist" / "grid-storage.pdf", "Installed capacity by country", "Jul 2024")
    assert ticks[0] != "0", ticks


def test_scatter_markers_are_ringed_in_white(project: Path):
    """Each marker is filled in its series' colour and stroked white, so coincident points stay apart."""
    import pikepdf

    pdf = build(project / "specs" / "grid-storage.yaml").output
    document = pdfium.PdfDocument(str(pdf))
    page = next(i for i in range(len(document)) if "Project size and cost" in document[i].get_textpage().get_text_range())
    with pikepdf.open(pdf) as opened:
        operations = pikepdf.parse_content_stream(opened.pages[page])
    stroke, ringed = None, 0
    for operands, operator in operations:
        if str(operator) == "RG":
            stroke = tuple(round(float(v), 3) for v in operands)
        elif str(operator) in ("S", "B", "B*") and stroke == (1.0, 1.0, 1.0):
            ringed += 1
    projects = sum(1 for _ in (project / "data" / "grid-storage" / "projects.csv").open()) - 1
    assert ringed >= projects, (ringed, projects)
