"""Each section type on its own: it builds, and a reader finds what it promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deckgen.build import build
from deckgen.sections import SECTION_TYPES
from pdfread import outline_titles, page_texts, squash, text_of

HEAD = """\
title: Section test
date: 2026-02-16
brand: ../assets/brand.yml
data:
  figures: ../data/us-japan/figures.yaml
  sources: ../data/us-japan/sources.yaml
  instruments:
    path: ../data/us-japan/instruments.csv
    source: tse-capital-efficiency
    as_of: 2026-02-01
  capacity:
    path: ../data/grid-storage/capacity.csv
    source: elliott-governance
    as_of: 2026-01-30
    columns: {gw: {type: number, label: Capacity}}
checks: {disclosures: not-research}
sections:
"""

CASES = {
    "masthead": ("  - type: masthead\n    label: Client Note\n", ["Meridian Pacific Research", "CLIENT NOTE", "Section test", "Feb 16, 2026"]),
    "analysts": (
        "  - type: analysts\n    analysts:\n      - {name: A. Person, title: Strategist, email: a.person@example.com}\n"
        "    entity: Example Research Ltd\n",
        ["Analysts", "A. Person", "Strategist", "a.person@example.com", "Issued by Example Research Ltd."],
    ),
    "takeaways": (
        "  - type: takeaways\n    items:\n      - {title: Chips, text: 'JSIF is {{ jsif_commitment }}.'}\n",
        ["Key takeaways", "✓ Chips: JSIF is $52B."],
    ),
    "kpi_strip": (
        "  - type: kpi_strip\n    title: Numbers\n    items:\n      - {figure: usdjpy, label: Yen per dollar}\n"
        "      - {figure: defence_budget_gdp, label: Defence}\n",
        ["USD/JPY 152", "Yen per dollar", "2.0%", "Sources: [2] Ministry of Defense Japan; [10] Unattributed (illustrative). As of Jan 10 – 30, 2026."],
    ),
    "narrative": (
        "  - type: narrative\n    title: Story\n    body: |\n      First **bold** paragraph, {{ gcap_jobs }} jobs [11].\n\n      Second *one*.\n",
        ["Story", "First bold paragraph, 100,000 jobs [11].", "Second one."],
    ),
    "quote": (
        "  - type: quote\n    text: To be or not.\n    author: A. Person\n    role: Speaker\n    source: commerce-jsif\n",
        ["“To be or not.”", "— A. Person, Speaker [1]"],
    ),
    "opportunities_risks": (
        "  - type: opportunities_risks\n    opportunities: {title: Upside, items: [Growth]}\n    risks: {title: Downside, items: ['Yen at {{ usdjpy }}']}\n",
        ["✓ Upside", "✓ Growth", "✗ Downside", "✗ Yen at USD/JPY 152"],
    ),
    "instrument_table": (
        "  - type: instrument_table\n    table: instruments\n    columns:\n      - {key: ticker, label: Ticker}\n      - {key: key_figure, label: Key figure}\n",
        ["Ticker", "SMH", "JSIF chip capital $52B", "Sources: [1] US Dept. of Commerce; [2] Ministry of Defense Japan; [3] Tokyo Stock Exchange; [10] Unattributed (illustrative); [11] Unattributed (unverified)."],
    ),
    "sector_breakdown": (
        "  - type: sector_breakdown\n    title: By sector\n    breakdown: framework_by_sector\n    caption: Shares of the total.\n    show_table: true\n",
        ["By sector", "35–40%", "Semiconductors & advanced manufacturing", "Shares of the total.", "Source: [8]"],
    ),
    "comparison": (
        "  - type: comparison\n    title: P/E\n    bars:\n      - {figure: japan_forward_pe, label: Japan}\n      - {figure: sp500_forward_pe, label: US}\n",
        ["P/E", "14×", "21×", "Japan", "Source: [10] Unattributed (illustrative). As of Jan 30, 2026."],
    ),
    "implications": (
        "  - type: implications\n    items:\n      - {title: Bonds, text: 'Yields at {{ jgb_10y_yield }}.', exposure: [10-year JGB]}\n    risks: Yen rebound.\n",
        ["Investment implications", "Bonds", "Exposure: 10-year JGB", "Yields at 1.2%.", "Risks to the view. Yen rebound."],
    ),
    "sources": ("", ["Sources", "[1] US Dept. of Commerce, “Joint Semiconductor Investment Framework (JSIF) Fact Sheet,”"]),
    "chart": (
        "  - type: chart\n    kind: line\n    title: Capacity\n    table: capacity\n    x: month\n    y: gw\n    series: country\n",
        ["Exhibit 1: Capacity", "Germany", "Great Britain", "Jul 2024", "Source: [5] Elliott Management. As of Jan 30, 2026."],
    ),
    "table": (
        "  - type: table\n    title: Capacity by month\n    table: capacity\n    where: {country: Germany}\n",
        ["Exhibit 1: Capacity by month", "Month Country Capacity", "Jul 1, 2024 Germany 4.10", "Jun 1, 2026 Germany"],
    ),
    "disclosures": (
        "  - type: disclosures\n    issuer: {regulator: Example Authority}\n"
        "    analysts:\n      - {name: A. Analyst, title: Strategist, email: a@example.com, phone: '+44 20 0000 0000'}\n"
        "    conflicts:\n      - {issuer: SMH, text: No relationship.}\n"
        "    disseminated: 2026-02-16T07:00:00+00:00\n    restrictions: Professional investors only.\n",
        ["Disclosures", "A. Analyst certifies that the views expressed", "a@example.com", "Issued by Meridian Pacific Research. Regulated by Example Authority",
         "SMH: No relationship.", "First disseminated Feb 16, 2026, 7:00 AM UTC. Professional investors only."],
    ),
    "disclaimer": ("  - type: disclaimer\n    text: Not advice.\n", ["Important information", "Not advice."]),
}


def test_every_registered_section_type_has_a_case():
    assert set(CASES) == set(SECTION_TYPES)


@pytest.mark.parametrize("section_type", sorted(CASES))
def test_section_renders_on_its_own(project: Path, section_type: str):
    snippet, expected = CASES[section_type]
    spec = project / "specs" / f"{section_type}.yaml"
    spec.write_text(HEAD + snippet + "  - type: sources\n", encoding="utf-8")
    result = build(spec, allow_stale=True)
    text = squash(text_of(result.output))
    for phrase in expected:
        assert phrase in text, f"{phrase!r} missing from {section_type}"


def test_a_long_table_splits_with_its_header_repeated(project: Path):
    rows = ["name,ticker,asset_class,theme,key_figure"]
    rows += [f"Instrument number {n},T{n:03d},ETF,Theme {n},{{{{ usdjpy }}}}" for n in range(120)]
    (project / "data" / "us-japan" / "instruments.csv").write_text("\n".join(rows) + "\n")
    spec = project / "specs" / "long.yaml"
    spec.write_text(HEAD + CASES["instrument_table"][0] + "  - type: sources\n", encoding="utf-8")
    result = build(spec)
    pages = page_texts(result.output)
    table_pages = [page for page in pages if "T0" in page]
    assert len(table_pages) >= 3
    for page in table_pages:
        assert re.search(r"Ticker\s+Key figure", page), "header not repeated"
    assert "T119" in squash(text_of(result.output))
    assert "Instruments" not in outline_titles(result.output), "a table is an exhibit, not a section of the outline"
