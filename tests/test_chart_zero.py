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
        # a tick's label may share its line of text with an annotation beside it ("10 Italian auction")
        found = re.findall(r"^(−?[\d.,]*\d)(?= |$)", after.split("\n\n")[0], re.M)[:8]
        ticks = found[:1]
        for label in found[1:]:  # the axis' labels rise; what follows them is other text
            if float(label.replace("−", "-").replace(",", "")) <= float(ticks[-1].replace("−", "-").replace(",", "")):
                break
            ticks.append(label)
        return ticks
    raise AssertionError(f"no exhibit '{title}'")


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_the_capacity_line_is_drawn_from_zero_and_the_rebased_one_is_not(project: Path, cli, page_size: str):
    result = cli("build", "specs/grid-storage.yaml", "--set", f"page_size={page_size}", cwd=project)
    assert result.code == 0, result.stderr
    pdf = project / "dist" / "grid-storage.pdf"
    capacity = _y_ticks(pdf, "Installed capacity by country", "Jul 2024")
    assert capacity == ["0", "2", "4", "6", "8", "10"], capacity  # the axis runs on past the maximum, 9.2 GW
    growth = _y_ticks(pdf, "Growth since July 2024", "Jul 2024")
    assert growth and growth[0] != "0", growth  # an index rebased to 100: read its moves, not its distance from 0
    assert float(growth[-1].replace(",", "")) >= 367.0, growth  # Spain's 367.0 reads against a tick above it


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


# -- the value axis spans the data: its labelled ticks reach past the maximum (and the minimum below zero) --

def _style():
    from deckgen.render.charts import ChartStyle
    from deckgen.render.fonts import FontNames

    fonts = FontNames("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique")
    return ChartStyle(fonts, 8, "#000000", "#555555", "#cccccc", ("#111111", "#222222", "#333333"), "#000000")


def _value_ticks(ops: list, horizontal: bool) -> list[float]:
    """The value axis' labelled ticks, read off the chart's drawing: the numbers set in one column,
    right-aligned (or, across a horizontal chart, along one row), smallest first."""
    from collections import defaultdict

    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: dict[float, list[tuple[float, float]]] = defaultdict(list)
    for op in ops:
        if op[0] != "text" or not re.fullmatch(r"[−-]?[\d,.]+", op[3]):
            continue
        value = float(op[3].replace("−", "-").replace(",", ""))
        x, y = op[1], op[2]
        key = round(y, 1) if horizontal else round(x + stringWidth(op[3], op[4], op[5]), 1)
        lines[key].append((x if horizontal else y, value))
    ticks = max(lines.values(), key=len)
    return [value for _, value in sorted(ticks)]


VALUE_AXES = [  # kind, x, series values, the extremes the ticks must reach
    ("line", ("A", "B", "C", "D"), [(5.2, 7.1, 8.4, 9.2), (4.1, 6.0, 7.7, 9.0)]),
    ("line", ("A", "B", "C", "D"), [(100.0, 180.0, 290.0, 367.0)]),
    ("area", ("A", "B", "C", "D"), [(1.0, 2.3, 3.1, 4.6)]),
    ("bar", ("A", "B", "C"), [(225.0, 875.0, 1570.0)]),
    ("bar", ("A", "B", "C"), [(-3.3, 4.0, 9.2)]),
    ("bar", ("A", "B", "C"), [(-12.5, -4.0, -1.2)]),
    ("hbar", ("A", "B", "C"), [(225.0, 875.0, 1570.0)]),
    ("stacked_bar", ("A", "B", "C"), [(1.1, 1.4, 2.2), (0.5, 0.45, 0.48)]),
    ("waterfall", ("A", "B", "C"), [(40.0, 25.0, -8.0)]),
    ("scatter", (80.0, 500.0, 2000.0), [(17.0, 120.0, 555.0)]),
]


@pytest.mark.parametrize("kind, x, values", VALUE_AXES)
def test_the_value_axis_is_labelled_past_the_data_at_both_ends(kind, x, values):
    from deckgen.charts.data import ChartData, Series
    from deckgen.charts.kinds import KINDS
    from deckgen.render.chart_draw import draw_chart

    series = tuple(Series(f"s{i}", tuple(v)) for i, v in enumerate(values))
    data = ChartData(kind, "t", "number" if kind == "scatter" else "category", x, series, None, None, "", "",
                     options={"value_labels": False})
    _, ops = draw_chart(data, _style(), ["#111111", "#222222", "#333333"], 400)
    ticks = _value_ticks(ops, KINDS[kind].horizontal)
    if kind in ("stacked_bar", "area"):
        ends = [sum(column) for column in zip(*values)]
    elif kind == "waterfall":
        ends = [sum(values[0][:i + 1]) for i in range(len(values[0]))]
    else:
        ends = [v for column in values for v in column]
    assert ticks[-1] >= max(ends), f"{kind}: the top tick {ticks[-1]} is under the maximum {max(ends)}"
    assert ticks[-1] - max(0.0, max(ends)) < ticks[1] - ticks[0] + 1e-9, f"{kind}: more than a tick above the data: {ticks}"
    if min(ends) < 0:
        assert ticks[0] <= min(ends), f"{kind}: the bottom tick {ticks[0]} is above the minimum {min(ends)}"


def test_a_fixed_y_max_is_kept_as_the_spec_gives_it():
    from deckgen.charts.data import ChartData, Series
    from deckgen.render.chart_draw import draw_chart

    data = ChartData("line", "t", "category", ("A", "B", "C"), (Series("s", (5.0, 7.0, 9.2)),), None, None, "", "",
                     options={"value_labels": False, "y_max": 9.5})
    _, ops = draw_chart(data, _style(), ["#111111"], 400)
    assert max(_value_ticks(ops, False)) < 9.5


def _horizontal_rules(ops: list) -> list[float]:
    """The y of each stroked horizontal line longer than 100 pt (grid lines, the axis line, a zero line)."""
    rules = []
    for op in ops:
        if op[0] != "path" or op[3] is None:
            continue
        points = [segment[1:] for segment in op[1] if len(segment) >= 3]
        if len(points) == 2 and abs(points[0][1] - points[1][1]) < 0.01 and abs(points[0][0] - points[1][0]) > 100:
            rules.append(round(points[0][1], 2))
    return rules


@pytest.mark.parametrize("kind, x, values", [VALUE_AXES[-1], VALUE_AXES[0], VALUE_AXES[4]])
def test_no_two_rules_drawn_a_hair_apart_at_the_foot_of_the_axis(kind, x, values):
    """Data that does not go below zero gets no stretch under it: the axis line is the zero grid line, not
    a second rule just under it (the grid example's Exhibit 7)."""
    from deckgen.charts.data import ChartData, Series
    from deckgen.render.chart_draw import draw_chart

    series = tuple(Series(f"s{i}", tuple(v)) for i, v in enumerate(values))
    data = ChartData(kind, "t", "number" if kind == "scatter" else "category", x, series, None, None, "", "",
                     options={"value_labels": False})
    _, ops = draw_chart(data, _style(), ["#111111", "#222222"], 400)
    rules = sorted(set(_horizontal_rules(ops)))
    assert len(rules) >= 3, ops
    assert all(b - a > 3 for a, b in zip(rules, rules[1:])), rules
