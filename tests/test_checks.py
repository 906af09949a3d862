"""The validation gate: each check catches its mistake at the exact place, with a useful message."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from deckgen.yamlsrc import parse_yaml

SPEC = """\
title: Check brief
date: 2026-02-16
brand: ../assets/brand.yml
data:
  figures: ../data/t/figures.yaml
  sources: ../data/t/sources.yaml
  holdings:
    path: ../data/t/holdings.csv
    source: alpha
    as_of: 2026-02-01
    columns: {ticker: ticker, weight: percent, price: number, listed: date}
checks:
  max_age_days: 90
  disclosures: not-research
sections:
  - type: narrative
    title: Figures
    body: Capital of {{ capital }} [@alpha] and a yield of {{ yield }} [@beta]. See {{ exhibit:section-2-sector_breakdown }} and {{ exhibit:section-3-instrument_table }}.
  - type: sector_breakdown
    title: Split
    breakdown: split
  - type: instrument_table
    table: holdings
    columns:
      - {key: ticker, label: Ticker}
      - {key: weight, label: Weight}
  - type: sources
"""

FIGURES = """\
figures:
  capital: {value: 52_000_000_000, unit: USD, as_of: 2026-01-15, source: alpha}
  yield: {value: 1.2, unit: percent, as_of: 2026-02-01, source: beta}
breakdowns:
  split:
    title: A split
    as_of: 2026-02-01
    source: alpha
    parts:
      - {id: a, label: Part A, min: 50, max: 60}
      - {id: b, label: Part B, min: 30, max: 40}
      - {id: c, label: Part C, value: 10}
"""

SOURCES = """\
sources:
  - {id: alpha, author: Alpha Research, title: Alpha report, url: "https://example.com/a"}
  - {id: beta, author: Beta Institute, title: Beta review}
"""

HOLDINGS = """\
ticker,weight,price,listed
ON,12.5%,101.5,2020-01-31
NO,7,99,2019-12-01
"""


@pytest.fixture
def tiny(project: Path) -> Path:
    folder = project / "data" / "t"
    folder.mkdir()
    (folder / "figures.yaml").write_text(FIGURES)
    (folder / "sources.yaml").write_text(SOURCES)
    (folder / "holdings.csv").write_text(HOLDINGS)
    (project / "specs" / "t.yaml").write_text(SPEC)
    return project


def edit(project: Path, relative: str, old: str, new: str) -> None:
    path = project / relative
    text = path.read_text()
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new))


def lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "spec(s) checked" not in line]


def test_the_tiny_project_is_clean(cli, tiny):
    result = cli("validate", "specs/t.yaml", cwd=tiny)
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "1 spec(s) checked: 0 error(s), 0 warning(s)"


def test_the_example_passes_with_no_warning(cli, project):
    result = cli("validate", "specs/investor.yaml", "--strict", cwd=project)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    assert "0 error(s), 0 warning(s)" in result.stdout


def test_range_with_min_above_max(cli, tiny):
    edit(tiny, "data/t/figures.yaml", "min: 50, max: 60", "min: 55, max: 52")
    result = cli("validate", "specs/t.yaml", cwd=tiny)
    assert result.code == 1
    assert lines(result.stderr) == ["data/t/figures.yaml:10:37: figure 'split.a': min 55 is greater than max 52; swap them"]


def test_shares_that_cannot_reach_100(cli, tiny):
    edit(tiny, "data/t/figures.yaml", "min: 30, max: 40", "min: 20, max: 25")
    result = cli("validate", "specs/t.yaml", cwd=tiny)
    assert result.code == 1
    assert lines(result.stderr) == [
        "data/t/figures.yaml:5:3: breakdown 'split': the maximum shares add up to 95%, less than 100%; "
        "check the parts or set checks.share_tolerance (now 0)"
    ]


def test_shares_above_100_and_the_tolerance(cli, tiny):
    edit(tiny, "data/t/figures.yaml", "min: 50, max: 60", "min: 62, max: 70")
    result = cli("validate", "specs/t.yaml", cwd=tiny)
    assert lines(result.stderr) == [
        "data/t/figures.yaml:5:3: breakdown 'split': the minimum shares add up to 102%, more than 100%; "
        "check the parts or set checks.share_tolerance (now 0)"
    ]
    edit(tiny, "specs/t.yaml", "max_age_days: 90", "max_age_days: 90\n  share_tolerance: 2.5")
    assert cli("validate", "specs/t.yaml", cwd=tiny).code == 0


def test_figure_citing_an_unknown_source(cli, tiny):
    edit(tiny, "data/t/figures.yaml", "source: beta}", "source: betta}")
    edit(tiny, "specs/t.yaml", "{{ yield }} [@beta]", "{{ yield }}")
    result = cli("validate", "specs/t.yaml", cwd=tiny)
    assert result.code == 1
    assert lines(result.stderr) == [
        "data/t/figures.yaml:3:65: figure 'yield' cites unknown source 'betta'; did you mean 'beta'?",
        "data/t/sources.yaml:3:10: warning: source 'beta' is never cited; cite it with [@id] or remove it",
    ]


def test_uncited_source_warns_and_strict_makes_it_an_error(cli, tiny):
    edit(tiny, "data/t/sources.yaml", "title: Beta review}", "title: Beta review}\n  - {id: gamma, author: G, title: Unused}")
    result = cli("validate", "specs/t.yaml", cwd=tiny)
    assert result.code == 0
    assert lines(result.stderr) == ["data/t/sources.yaml:4:10: warning: source 'gamma' is never cited; cite it with [@id] or remove it"]
    strict = cli("validate", "specs/t.yaml", "--strict", cwd=tiny)
    assert strict.code == 1
    assert lines(strict.stderr) == ["data/t/sources.yaml:4:10: source 'gamma' is never cited; cite it with [@id] or remove it"]


def test_figure_shown_nowhere_warns(cli, tiny):
    edit(tiny, "data/t/figures.yaml", "breakdowns:", "  spare: {value: 3, unit: count, as_of: 2026-02-01, source: alpha}\nbreakdowns:")
    result = cli("build", "specs/t.yaml", cwd=tiny)
    assert result.code == 0
    assert "data/t/figures.yaml:4:3: warning: figure 'spare' is defined but shown nowhere; refer to it as {{ spare }} or remove it" in result.stderr
    assert cli("build", "specs/t.yaml", "--strict", cwd=tiny).code == 1


def test_stale_data_exits_5_and_allow_stale_builds(cli, tiny):
    edit(tiny, "data/t/figures.yaml", "as_of: 2026-01-15", "as_of: 2025-10-01")
    result = cli("build", "specs/t.yaml", cwd=tiny)
    assert result.code == 5
    assert lines(result.stderr) == [
        "data/t/figures.yaml:2:54: figure 'capital' is stale: as of 2025-10-01, 138 days before the report date 2026-02-16 "
        "(max_age_days: 90); refresh the data or pass --allow-stale",
        "data is older than the spec's checks.max_age_days allow; refresh it or pass --allow-stale",
    ]
    assert not (tiny / "dist").exists()
    allowed = cli("build", "specs/t.yaml", "--allow-stale", cwd=tiny)
    assert allowed.code == 0
    assert "warning: figure 'capital' is stale" in allowed.stderr


def test_as_of_after_the_report_date(cli, tiny):
    edit(tiny, "data/t/figures.yaml", "as_of: 2026-01-15", "as_of: 2026-03-01")
    result = cli("validate", "specs/t.yaml", cwd=tiny)
    assert result.code == 1
    assert lines(result.stderr) == [
        "data/t/figures.yaml:2:54: figure 'capital' is as of 2026-03-01, after the report date 2026-02-16; check the date or the report date"
    ]


def test_table_cells_are_checked_row_by_row(cli, tiny):
    (tiny / "data/t/holdings.csv").write_text("ticker,weight,price,listed\nok,12.5%,1O1.5,2020-02-30\nON,,99,2019-12-01\n")
    result = cli("validate", "specs/t.yaml", cwd=tiny)
    assert result.code == 1
    assert lines(result.stderr) == [
        "data/t/holdings.csv:2:1: column 'ticker': 'ok' is not a ticker (capital letters, digits, '.', '-', '/', space)",
        "data/t/holdings.csv:2:10: column 'price': '1O1.5' is not a number",
        "data/t/holdings.csv:2:16: column 'listed': '2020-02-30' is not a date (YYYY-MM-DD)",
    ]


def test_table_column_that_does_not_exist(cli, tiny):
    edit(tiny, "specs/t.yaml", "{key: weight, label: Weight}", "{key: wieght, label: Weight}")
    result = cli("validate", "specs/t.yaml", cwd=tiny)
    assert lines(result.stderr) == ["specs/t.yaml:26:15: unknown column 'wieght' in table 'holdings'; did you mean 'weight'?"]


def test_every_problem_at_once_sorted_by_file_and_line(cli, tiny):
    edit(tiny, "specs/t.yaml", "{{ yield }} [@beta]", "{{ yeild }}")
    edit(tiny, "data/t/figures.yaml", "min: 50, max: 60", "min: 55, max: 52")
    edit(tiny, "data/t/figures.yaml", "unit: percent", "unit: percnt")
    result = cli("validate", "specs/t.yaml", cwd=tiny)
    assert lines(result.stderr) == [
        "data/t/figures.yaml:3:3: warning: figure 'yield' is defined but shown nowhere; refer to it as {{ yield }} or remove it",
        "data/t/figures.yaml:3:29: figure 'yield': unknown unit 'percnt'; did you mean 'percent'?",
        "data/t/figures.yaml:10:37: figure 'split.a': min 55 is greater than max 52; swap them",
        "data/t/sources.yaml:3:10: warning: source 'beta' is never cited; cite it with [@id] or remove it",
        "specs/t.yaml:18:60: unknown figure 'yeild'; did you mean 'yield'?",
    ]
    edit(tiny, "data/t/figures.yaml", "unit: percnt", "unit: percent")
    result = cli("validate", "specs/t.yaml", cwd=tiny)
    assert lines(result.stderr) == [
        "data/t/figures.yaml:3:3: warning: figure 'yield' is defined but shown nowhere; refer to it as {{ yield }} or remove it",
        "data/t/figures.yaml:10:37: figure 'split.a': min 55 is greater than max 52; swap them",
        "data/t/sources.yaml:3:10: warning: source 'beta' is never cited; cite it with [@id] or remove it",
        "specs/t.yaml:18:60: unknown figure 'yeild'; did you mean 'yield'?",
    ]


def test_yaml_1_1_booleans_and_sexagesimals_stay_strings(tmp_path):
    document = parse_yaml("ticker: ON\ncountry: NO\nflag: Y\nanswer: yes\ntime: 07:00\ntruth: true\nhex: 0x1F\n", tmp_path / "x.yaml")
    assert document.data == {"ticker": "ON", "country": "NO", "flag": "Y", "answer": "yes", "time": "07:00", "truth": True, "hex": 31}


def test_tickers_that_look_like_booleans_reach_the_page(cli, tiny):
    edit(tiny, "specs/t.yaml", "  - type: sources", "  - type: implications\n    items:\n      - {title: Own, text: Both, exposure: [ON, NO, Y]}\n  - type: sources")
    result = cli("build", "specs/t.yaml", cwd=tiny)
    assert result.code == 0, result.stderr
    from pdfread import squash, text_of

    assert "Exposure: ON, NO, Y" in squash(text_of(tiny / "dist" / "t.pdf"))


def test_set_overrides_are_validated_like_the_file(cli, tiny):
    bad = cli("validate", "specs/t.yaml", "--set", "date=2026-13-01", cwd=tiny)
    assert bad.code == 1
    assert lines(bad.stderr) == ["<command line>: --set date=2026-13-01: Input should be a valid date or datetime, month value is outside expected range of 1-12"]
    unknown = cli("validate", "specs/t.yaml", "--set", "figures.capitl=1", cwd=tiny)
    assert lines(unknown.stderr) == ["<command line>: --set figures.capitl=1: unknown figure 'capitl'; did you mean 'capital'?"]
    wrong = cli("validate", "specs/t.yaml", "--set", "figures.capital=lots", cwd=tiny)
    assert wrong.code == 1
    assert lines(wrong.stderr) == ["<command line>: --set figures.capital.value=lots: Input should be a valid decimal"]
    later = cli("validate", "specs/t.yaml", "--set", "date=2026-06-30", cwd=tiny)
    assert later.code == 5


def test_set_changes_the_figure_everywhere(cli, tiny):
    result = cli("build", "specs/t.yaml", "--set", "figures.capital=61e9", "--set", "title=Overridden", cwd=tiny)
    assert result.code == 0, result.stderr
    manifest = json.loads((tiny / "dist" / "t.manifest.json").read_text())
    assert manifest["title"] == "Overridden"
    assert {"name": "capital", "value": "$61B", "raw": "61000000000.0", "unit": "USD", "as_of": "2026-01-15", "source": "alpha"} in manifest["figures"]


def test_manifest_lists_every_figure_of_the_example(example_pdf):
    manifest = json.loads(example_pdf.with_suffix(".manifest.json").read_text())
    names = {figure["name"] for figure in manifest["figures"]}
    figures_file = parse_yaml((example_pdf.parent.parent / "data/us-japan/figures.yaml").read_text(), Path("f.yaml")).data
    table_figures = parse_yaml((example_pdf.parent.parent / "data/us-japan/tariffs.yaml").read_text(), Path("t.yaml")).data
    expected = set(figures_file["figures"]) | set(table_figures["figures"]) | {
        f"{breakdown}.{part['id']}" for breakdown, body in figures_file["breakdowns"].items() for part in body["parts"]
    }
    assert names == expected
    jsif = next(f for f in manifest["figures"] if f["name"] == "jsif_commitment")
    from babel.numbers import get_currency_symbol

    from conftest import REPO, spec_locale

    usd = get_currency_symbol("USD", spec_locale(REPO / "specs" / "investor.yaml"))  # the example's locale writes it
    assert jsif == {"name": "jsif_commitment", "value": f"{usd}52B", "raw": "52000000000", "unit": "USD", "as_of": "2025-12-15", "source": "commerce-jsif"}
    roles = {item["role"] for item in manifest["inputs"]}
    assert roles == {"spec", "data", "table", "brand"}
    assert set(manifest["versions"]) >= {"deckgen", "reportlab", "matplotlib"}
    assert manifest["pages"] >= 4 and len(manifest["pdf_sha256"]) == 64


DISCLOSURES = """\
  - type: disclosures
    issuer: {regulator: Example Authority (ref 1)}
    analysts:
      - {name: A. Analyst, email: a@example.com, phone: "+44 20 0000 0000"}
    prices: {table: holdings, instrument: ticker, price: price, at: listed}
    completed: 2026-02-15T18:00:00+00:00
    disseminated: 2026-02-16T07:00:00+00:00
    disclosed_to_issuers: false
    restrictions: Professional investors only.
"""


def test_research_without_disclosures_is_refused(cli, tiny):
    edit(tiny, "specs/t.yaml", "  disclosures: not-research\n", "")
    result = cli("validate", "specs/t.yaml", cwd=tiny)
    assert result.code == 1
    assert lines(result.stderr) == [
        "specs/t.yaml:21:11: this brief names instruments (an instrument table) but has no classification; add "
        "classification: investment-research, or classification: marketing-communication (which prints the MiFID II "
        "statement that it is not investment research), at the top of the spec; or, if it is not research, set "
        "checks.disclosures: not-research",
        "specs/t.yaml:21:11: this brief names instruments (an instrument table) but has no disclosures section; add "
        "'- type: disclosures' (analysts, issuer, conflicts, restrictions) or, if it is not research, set "
        "checks.disclosures: not-research"]
    edit(tiny, "specs/t.yaml", "  - type: sources\n", "  - type: sources\n" + DISCLOSURES)
    edit(tiny, "specs/t.yaml", "checks:\n", "classification: marketing-communication\nchecks:\n")
    assert cli("validate", "specs/t.yaml", cwd=tiny).code == 0


def test_recommendation_words_make_a_brief_research(cli, tiny):
    edit(tiny, "specs/t.yaml", "  disclosures: not-research\n", "")
    edit(tiny, "specs/t.yaml", "  - type: instrument_table\n    table: holdings\n    columns:\n      - {key: ticker, label: Ticker}\n"
         "      - {key: weight, label: Weight}\n", "")
    edit(tiny, "specs/t.yaml", " and {{ exhibit:section-3-instrument_table }}", "")  # the table it referred to is gone
    edit(tiny, "specs/t.yaml", "and a yield of", "and our top pick, a yield of")
    result = cli("validate", "specs/t.yaml", cwd=tiny)
    assert result.code == 1
    assert lines(result.stderr)[-1].startswith(
        "specs/t.yaml:17:53: this brief uses the words of a recommendation ('top pick') but has no disclosures section")


def test_a_figure_in_prose_cites_its_source_in_the_same_paragraph(cli, tiny):
    edit(tiny, "specs/t.yaml", "{{ yield }} [@beta].", "{{ yield }}.")
    result = cli("validate", "specs/t.yaml", cwd=tiny)
    assert "specs/t.yaml:18:60: warning: figure 'yield' is shown without citing its source 'beta' in the same " \
           "paragraph; add [@beta] after it" in lines(result.stderr)
    assert cli("validate", "--strict", "specs/t.yaml", cwd=tiny).code == 1


def test_a_source_address_with_markup_characters_links_exactly_to_itself(cli, tiny):
    from pdfread import links_of, squash, text_of

    address = "https://example.com/a?x=1&amp=2&lt;=3"  # <, > and quotes are refused by the check
    edit(tiny, "data/t/sources.yaml", "https://example.com/a", address)
    run = cli("build", "specs/t.yaml", cwd=tiny)
    assert run.code == 0, run.stderr
    pdf = tiny / "dist" / "t.pdf"
    assert address in [link.uri for link in links_of(pdf)]
    assert squash(address) in squash(text_of(pdf))
