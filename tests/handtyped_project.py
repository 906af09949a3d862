"""A small brief whose figures print in every way the hand-typed check must know, used by
test_hand_typed.py and test_traps_prose.py. Its prose refers to every figure, so it is clean under
--strict; a test appends one section of its own (at line TRAP_LINE) to type a figure by hand."""

from __future__ import annotations

from pathlib import Path

FIGURES = """\
units:
  GW: {suffix: " GW", decimals: 1}
figures:
  installed_total: {value: 34.0, unit: GW, as_of: 2026-06-30, source: desk}
  deal_size: {value: 52_000_000_000, unit: USD, as_of: 2026-06-30, source: desk}
  growth: {value: 35, unit: percent, as_of: 2026-06-30, source: desk}
  share_range: {min: 35, max: 40, unit: percent, as_of: 2026-06-30, source: desk}
  forward_pe: {value: 14, unit: multiple, as_of: 2026-06-30, source: desk}
  peer_pe: {value: 21, unit: multiple, as_of: 2026-06-30, source: desk}
  sites: {value: 3, unit: count, as_of: 2026-06-30, source: desk}
  launch_year: {value: 2026, unit: year, as_of: 2026-06-30, source: desk}
  jobs: {value: 100_000, unit: count, as_of: 2026-06-30, source: desk}
  yield_10y: {value: 1.2, unit: percent, as_of: 2026-06-30, source: desk}
"""

SOURCES = """\
sources:
  - {id: desk, author: deckgen tests, title: Figures made up for a test, date: 2026-06-30}
"""

SPEC = """\
title: Hand-typed figures
date: 2026-07-15
brand: ../assets/brand.yml
checks: {disclosures: not-research}
data:
  figures: ../data/t/figures.yaml
  sources: ../data/t/sources.yaml
sections:
  - type: kpi_strip
    items:
      - {figure: installed_total, label: Installed capacity}
      - {figure: deal_size, label: Largest deal}
  - type: narrative
    title: Every figure by name
    body: |
      Capacity reached {{ installed_total }} [@desk]. The deal was {{ deal_size | long }}, growth
      {{ growth }}, shares {{ share_range }}, P/E {{ forward_pe }}, {{ sites }} sites, launched in
      {{ launch_year }}, {{ jobs }} jobs, a yield of {{ yield_10y }}, peers at {{ peer_pe }} [@desk].
  - type: sources
"""
TRAP_LINE = SPEC.count("\n") + 1  # the first line of the section a test appends


def referring_to(exhibit: str, spec: str = SPEC) -> str:
    """``spec`` whose narrative refers to the exhibit with id ``exhibit`` (a section a test appends), so that
    the exhibit is not reported as never referred to; no line of the spec moves."""
    last = "peers at {{ peer_pe }} [@desk]."
    assert spec.count(last) == 1
    return spec.replace(last, f"{last} See {{{{ exhibit: {exhibit} }}}}.")


def write_project(project: Path, extra_section: str = "", spec: str = SPEC) -> Path:
    """The brief written into ``project`` (a copy of the example project) as specs/t.yaml."""
    (project / "data" / "t").mkdir()
    (project / "data" / "t" / "figures.yaml").write_text(FIGURES)
    (project / "data" / "t" / "sources.yaml").write_text(SOURCES)
    path = project / "specs" / "t.yaml"
    path.write_text(spec + extra_section, encoding="utf-8")
    return path


def problem_lines(stderr: str) -> list[str]:
    """stderr without its summary line."""
    return [line for line in stderr.splitlines() if "spec(s) checked" not in line]
