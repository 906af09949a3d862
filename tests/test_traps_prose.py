"""Traps: a figure's value typed by hand wherever a reader sees text is refused under --strict, at the
line and column it is typed; numbers that merely look alike are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from handtyped_project import SPEC, TRAP_LINE, problem_lines, referring_to, write_project


def _refused(line: int, col: int, typed: str, figure: str, reference: str | None = None) -> str:
    return (f"specs/t.yaml:{line}:{col}: '{typed}' is figure '{figure}' typed by hand; "
            f"write {{{{ {reference or figure} }}}} so it follows the data")


# name -> (the section appended to the brief, the one error under --strict)
TRAPS = {
    "compact currency in a narrative": ("""\
  - type: narrative
    title: Deals
    body: The largest deal, at $52B, closed in June [@desk].
""", _refused(TRAP_LINE + 2, 32, "$52B", "deal_size")),
    "a percent in a takeaway": ("""\
  - type: takeaways
    items:
      - title: Growth
        text: Capacity grew 35% over two years [@desk].
""", _refused(TRAP_LINE + 3, 29, "35%", "growth")),
    "a range in a box item": ("""\
  - type: opportunities_risks
    opportunities:
      title: Upside
      items:
        - Shares of 35–40% are within reach [@desk]
    risks:
      title: Downside
      items:
        - Permits slow down [@desk]
""", _refused(TRAP_LINE + 4, 21, "35\u201340%", "share_range")),
    "a value in a chart caption": ("""\
  - type: comparison
    title: Forward P/E
    bars:
      - {figure: forward_pe, label: Forward P/E}
      - {figure: peer_pe, label: Peers}
    caption: At 14× forward earnings the market is not expensive.
    id: trap
""", _refused(TRAP_LINE + 5, 17, "14\u00d7", "forward_pe")),
    "a value in a KPI label": ("""\
  - type: kpi_strip
    items:
      - {figure: growth, label: "Growth (yield 1.2%)"}
""", _refused(TRAP_LINE + 2, 48, "1.2%", "yield_10y")),
    "a value in a chart annotation": ("""\
  - type: chart
    kind: bar
    title: Figures
    figures:
      - {figure: installed_total, label: Installed}
    annotations:
      - {y: 34, label: 34.0 GW today}
    id: trap
""", _refused(TRAP_LINE + 6, 24, "34.0 GW", "installed_total")),
    "the long style in a section title": ("""\
  - type: narrative
    title: Where the $52 billion goes
    body: Mostly to storage [@desk].
""", _refused(TRAP_LINE + 1, 22, "$52 billion", "deal_size", "deal_size | long")),
    "the precise style in a quote": ("""\
  - type: quote
    text: We signed for $52,000,000,000 in total.
    author: A developer
""", _refused(TRAP_LINE + 1, 25, "$52,000,000,000", "deal_size", "deal_size | precise")),
    "a count with a thousands separator in implications": ("""\
  - type: implications
    intro: Investors should watch the build-out.
    items:
      - title: Jobs
        text: The build-out employs 100,000 people [@desk].
""", _refused(TRAP_LINE + 4, 37, "100,000", "jobs")),
    "a range typed with a hyphen in chart alt text": ("""\
  - type: comparison
    title: Forward P/E
    bars:
      - {figure: forward_pe, label: Forward P/E}
      - {figure: peer_pe, label: Peers}
    alt: Shares of 35-40% against a forward P/E.
    id: trap
""", _refused(TRAP_LINE + 5, 20, "35-40%", "share_range")),
}


@pytest.mark.parametrize("trap", sorted(TRAPS))
def test_a_hand_typed_figure_is_refused_under_strict(project: Path, cli, trap: str):
    section, expected = TRAPS[trap]
    # an exhibit (id: last, so no position moves) is referred to from the narrative: only the trap is reported
    write_project(project, section, spec=referring_to("trap") if "\n    id: trap\n" in section else SPEC)
    result = cli("validate", "--strict", "specs/t.yaml", cwd=project)
    assert (result.code, problem_lines(result.stderr)) == (1, [expected])


def test_a_figure_typed_in_the_subtitle_is_refused(project: Path, cli):
    write_project(project, spec=SPEC.replace("title: Hand-typed figures\n",
                                             "title: Hand-typed figures\nsubtitle: Storage at 34.0 GW\n"))
    result = cli("validate", "--strict", "specs/t.yaml", cwd=project)
    assert (result.code, problem_lines(result.stderr)) == (1, [_refused(2, 22, "34.0 GW", "installed_total")])


# name -> a sentence that must pass --strict: numbers like a figure's, but not its printed form typed
LOOKALIKES = {
    "the year a year figure prints": "Launched in 2026, the year the register opened.",
    "the bare integer a count prints": "There are 3 sites, and 3 more are planned.",
    "a different number": "Capacity grew 36% to 34.5 GW.",
    "a longer number": "Not 134.0 GW, nor 1.25%, nor $520B, nor 1,100,000 jobs.",
    "a longer unit": "Each site stores 34.0 GWh.",
    "one end of a range": "Shares of 30–35% and 40–45% are typical elsewhere.",
    "a bare count beside a currency sign": "Each turbine costs $100,000 or 100,000%.",
    "a unit spelt differently": "Capacity reached 34 GW, a deal of $52.0B, a P/E of 14x.",
    "inside a word": "Model X34.0 GW-class and v1.2% are product names.",
    "the figures by name": "Capacity reached {{ installed_total }}, shares {{ share_range }}, "
                           "a deal of {{ deal_size | long }} and a yield of {{ yield_10y | precise }}.",
    "a citation's number": "As the register says [1].",
}


@pytest.mark.parametrize("case", sorted(LOOKALIKES))
def test_a_number_that_only_looks_like_a_figure_passes(project: Path, cli, case: str):
    write_project(project, f"""\
  - type: narrative
    title: Look-alikes
    body: "{LOOKALIKES[case]} [@desk]"
""")
    result = cli("validate", "--strict", "specs/t.yaml", cwd=project)
    assert (result.code, problem_lines(result.stderr)) == (0, [])
