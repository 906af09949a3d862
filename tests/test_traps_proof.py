"""Traps for the proof: specs that validate, yet would print something wrong once laid out.

Each is refused by ``build`` with the problem located at the spec key responsible (exit 1, nothing
written), or, where deckgen can print it right, built right.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO
from pdfread import squash, text_of


def _head() -> str:
    """A spec drawing on the grid-storage example's data (its tables, figures and sources)."""
    grid = (REPO / "specs" / "grid-storage.yaml").read_text("utf-8")
    data = grid[grid.index("\ndata:\n") + 1: grid.index("\nchecks:\n") + 1]
    return ("title: Proof trap\ndate: 2026-07-15\nlanguage: en-GB\nlocale: en_GB\n"
            "brand: ../assets/brands/harbor/brand.yml\nchecks: {disclosures: not-research}\n" + data + "sections:\n")


HEAD = _head()
HEAD_LINES = HEAD.count("\n")
SOURCES = "  - type: sources\n"

SIX_KPIS = """  - type: kpi_strip
    items:
      - {figure: cost_high_max, label: Highest cost}
      - {figure: cost_low_min, label: Lowest cost}
      - {figure: installed_total, label: Installed}
      - {figure: pipeline_mw, label: Pipeline}
      - {figure: project_count, label: Projects}
      - {figure: target_2030, label: Target}
"""

# name -> (the sections, every error build reports); {L} is the first line of the sections
REFUSED = {
    "a narrow text column breaks its words": (
        """  - type: table
    title: Costs
    table: costs
    columns:
      - {key: market, label: Market, width: 14mm}
      - {key: low}
      - {key: high}
""", [
            "specs/t.yaml:{L+4}:15: 'Germany' is broken across lines as 'Germa' | 'ny' in a cell of column 'market' (30 pt wide); give the column more width (columns: width:), fewer columns, or shorter text",
            "specs/t.yaml:{L+4}:15: 'Market' is broken across lines as 'Marke' | 't' in the header of column 'market' (30 pt wide); give the column more width (columns: width:), fewer columns, or shorter text",
            "specs/t.yaml:{L+4}:15: 'Netherlands' is broken across lines as 'Netherl' | 'ands' in a cell of column 'market' (30 pt wide); give the column more width (columns: width:), fewer columns, or shorter text",
        ]),
    "a number column too narrow for its numbers": (
        """  - type: table
    title: Projects
    table: projects
    limit: 5
    columns:
      - {key: project}
      - {key: capex_eur, label: Cost, width: 10mm}
""", [
            "specs/t.yaml:{L+6}:15: 'Cost' is broken across lines as 'Cos' | 't' in the header of column 'capex_eur' (18 pt wide); give the column more width (columns: width:), fewer columns, or shorter text",
            "specs/t.yaml:{L+6}:15: '€263M' is 8.9 pt wider than column 'capex_eur' (and 4 more of its cells): a number or date is never broken; give the column more width (columns: width:) or fewer columns",
        ]),
    "an identifier longer than the measure": (
        """  - type: narrative
    title: Identifiers
    body: The basket holds US0378331005US5949181045US0231351067US02079K3059DE0007164600US0378331005US5949181045 and nothing else [@illustrative-costs].
""", [
            "specs/t.yaml:{L+2}:28: 'US0378331005US5949181045US0231351067US02079K3059DE000716460…' is broken across lines as "
            "'US0378331005US5949181045US0231351067US02079K3059DE' | '0007164600US0378331005US5949181045' in the text (376 pt wide); "
            "shorten the text or give it more room",
        ]),
}


def _expected(lines: list[str]) -> list[str]:
    return [re.sub(r"\{L\+(\d+)\}", lambda m: str(HEAD_LINES + 1 + int(m.group(1))), line) for line in lines]


@pytest.mark.parametrize("trap", sorted(REFUSED))
def test_a_trap_is_refused_at_the_key_responsible_and_nothing_is_written(project: Path, cli, trap: str):
    sections, expected = REFUSED[trap]
    (project / "specs" / "t.yaml").write_text(HEAD + sections + SOURCES, "utf-8")
    assert cli("validate", "specs/t.yaml", cwd=project).code == 0  # the input is valid: only the layout is wrong
    result = cli("build", "specs/t.yaml", cwd=project)
    errors = [line for line in result.stderr.splitlines() if "warning:" not in line]
    assert result.code == 1
    assert errors == _expected(expected) + [f"{len(expected)} error(s); nothing was written"]
    assert not (project / "dist" / "t.pdf").exists()


def _alt_texts(pdf: Path) -> list[str]:
    import pikepdf

    with pikepdf.open(pdf) as document:
        return [str(o["/Alt"]) for o in document.objects if isinstance(o, pikepdf.Dictionary) and "/Alt" in o]


def _metadata(pdf: Path) -> dict[str, str]:
    import pypdf

    return {key: str(value) for key, value in (pypdf.PdfReader(str(pdf)).metadata or {}).items()}


CHART = """  - type: chart
    kind: line
    title: {title}
    table: capacity
    x: month
    y: gw
    series: country
"""

# name -> (head changes, sections, what the built PDF must show)
BUILT_RIGHT = {
    "a figure in a chart's title reaches its alt text": (
        {}, CHART.format(title="Capacity reached {{ installed_total }}"),
        lambda pdf: any(alt.startswith("Line chart: Capacity reached 34.0 GW.") for alt in _alt_texts(pdf))),
    "a figure in a chart's own alt text": (
        {}, CHART.format(title="Capacity") + "    alt: Six markets, {{ installed_total }} in all.\n",
        lambda pdf: "Six markets, 34.0 GW in all." in _alt_texts(pdf)),
    "a figure in an annotation's label": (
        {}, CHART.format(title="Capacity") + '    annotations:\n      - {y: 5, label: "Target {{ target_2030 }}"}\n',
        lambda pdf: "Target 50.0 GW" in squash(text_of(pdf))),
    "a figure in an axis title": (
        {}, CHART.format(title="Capacity") + '    x_label: "Month (to {{ installed_total }})"\n',
        lambda pdf: "Month (to 34.0 GW)" in squash(text_of(pdf))),
    "a figure in the subject": (
        {"subject": "Storage at {{ installed_total }}"}, CHART.format(title="Capacity"),
        lambda pdf: _metadata(pdf).get("/Subject") == "Storage at 34.0 GW"),
    "a figure in a keyword": (
        {"keywords": "[storage, '{{ installed_total }}']"}, CHART.format(title="Capacity"),
        lambda pdf: "34.0 GW" in _metadata(pdf).get("/Keywords", "")),
    # values that would split in six narrow tiles shrink together (to 70% at most) and each stays on one line
    "six KPI tiles whose values would split": (
        {}, SIX_KPIS,
        lambda pdf: "€290/kWh Highest cost €200/kWh Lowest cost 34.0 GW Installed 5,120 MW Pipeline 60 Projects "
                    "50.0 GW Target" in squash(text_of(pdf))),
    "a long header in a column given a small share": (
        {}, """  - type: table
    title: Costs
    table: costs
    columns:
      - {key: market, width: 3}
      - {key: low, label: Lowest installed cost, width: 0.4}
      - {key: high, width: 3}
""", lambda pdf: "Lowest installed cost" in squash(text_of(pdf))),
}


@pytest.mark.parametrize("trap", sorted(BUILT_RIGHT))
def test_a_trap_deckgen_can_print_right_is_built_right(project: Path, cli, trap: str):
    head_changes, sections, check = BUILT_RIGHT[trap]
    head = HEAD
    for key, value in head_changes.items():
        head = head.replace("date: 2026-07-15\n", f"date: 2026-07-15\n{key}: {value}\n")
    (project / "specs" / "t.yaml").write_text(head + sections + SOURCES, "utf-8")
    result = cli("build", "specs/t.yaml", cwd=project)
    assert result.code == 0, result.stderr
    pdf = project / "dist" / "t.pdf"
    assert "{{" not in text_of(pdf) and not any("{{" in alt for alt in _alt_texts(pdf))
    assert check(pdf)
