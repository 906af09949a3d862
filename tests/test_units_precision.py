"""Units with a dimension and a scale, show: conversions, and the precision check, through real builds."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from pdfread import squash, text_of

SOURCES = "sources:\n  - {id: src, author: Desk, title: Rates monitor, date: 2026-07-01}\n"
CSV = "name,yield,gw\nA,13.25,1.5\nB,13.41,2\nC,13.50,0.4\n"
SPEC = """\
title: Units test
date: 2026-07-15
brand: ../assets/brand.yml
checks: {{disclosures: not-research}}
data:
  figures: ../data/u/figures.yaml
  sources: ../data/u/sources.yaml
  t:
    path: ../data/u/t.csv
    source: src
    as_of: 2026-07-01
    columns: {columns}
sections:
  - type: narrative
    title: Numbers
    body: "{body} [@src]. See {{{{ exhibit: section-2-table }}}}."
  - type: table
    title: T
    table: t
  - type: sources
"""


def write(project: Path, figures: str, body: str, columns: str = "{yield: {unit: percent}, gw: {unit: GW}}",
          csv: str = CSV) -> None:
    folder = project / "data" / "u"
    folder.mkdir(exist_ok=True)
    (folder / "sources.yaml").write_text(SOURCES)
    (folder / "figures.yaml").write_text("figures:\n" + figures)
    (folder / "t.csv").write_text(csv)
    (project / "specs" / "u.yaml").write_text(SPEC.format(columns=columns, body=body))


def problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "spec(s) checked" not in line]


def built_text(project: Path, cli) -> str:
    result = cli("build", "specs/u.yaml", cwd=project)
    assert result.code == 0, result.stderr
    return squash(text_of(project / "dist" / "u.pdf"))


def test_a_pp_figure_shown_in_bp_prints_the_converted_number(project, cli):
    write(project, "  spread: {value: 1.28, unit: pp, show: bp, as_of: 2026-07-01, source: src}\n", "A move of {{ spread }}")
    assert "A move of 128 bp [1]." in built_text(project, cli)
    manifest = json.loads((project / "dist" / "u.manifest.json").read_text())
    [figure] = manifest["figures"]
    assert (figure["value"], figure["raw"], figure["unit"], figure["shown_unit"]) == ("128 bp", "1.28", "pp", "bp")


def test_an_unconverted_figure_has_no_shown_unit_in_the_manifest(project, cli):
    write(project, "  spread: {value: 128, unit: bp, as_of: 2026-07-01, source: src}\n", "A move of {{ spread }}")
    assert "A move of 128 bp [1]." in built_text(project, cli)
    [figure] = json.loads((project / "dist" / "u.manifest.json").read_text())["figures"]
    assert "shown_unit" not in figure and figure["unit"] == "bp"


def test_the_motivating_case_warns_and_strict_refuses_it(project, cli):
    write(project, "  spread_move: {value: 1.28, unit: bp, decimals: 0, as_of: 2026-07-01, source: src}\n",
          "A move of {{ spread_move }}")
    expected = ("data/u/figures.yaml:2:3: warning: figure 'spread_move' prints as '1 bp' but its value is 1.28 (bp): "
                "the printed form is 22% off; set decimals: 1 (prints '1.3 bp'), or, if the data is in another unit, "
                "give it as unit: and this one as show: (unit: pp, show: bp)")
    result = cli("validate", "specs/u.yaml", cwd=project)
    assert result.code == 0 and problems(result.stderr) == [expected]
    strict = cli("validate", "--strict", "specs/u.yaml", cwd=project)
    assert strict.code == 1
    assert problems(strict.stderr) == [expected.replace(" warning: ", " ", 1)]


def test_a_table_column_shown_in_another_unit_converts_every_cell(project, cli):
    write(project, "  total: {table: t, column: gw, agg: sum}\n", "In all {{ total }}",
          columns="{yield: {unit: percent}, gw: {unit: GW, show: MW}}")
    text = built_text(project, cli)
    assert "Gw (MW) A 13.25% 1,500 B 13.41% 2,000 C 13.50% 400" in text
    assert "In all 3,900 MW [1]." in text


def test_a_derived_mean_takes_its_columns_decimals(project, cli):
    write(project, "  mean_yield: {table: t, column: yield, agg: mean}\n", "The mean is {{ mean_yield }}")
    assert "The mean is 13.39% [1]." in built_text(project, cli)


def test_a_derived_figure_may_show_another_unit(project, cli):
    write(project, "  c_yield: {table: t, column: yield, where: {name: C}, show: bp}\n", "C yields {{ c_yield }}")
    assert "C yields 1,350 bp [1]." in built_text(project, cli)


def test_unknown_show_unit_is_located_at_the_show_key(project, cli):
    write(project, "  spread: {value: 1.28, unit: pp, show: bps, as_of: 2026-07-01, source: src}\n", "A move of {{ spread }}")
    result = cli("validate", "specs/u.yaml", cwd=project)
    assert result.code == 1
    assert problems(result.stderr) == ["data/u/figures.yaml:2:41: figure 'spread': unknown unit 'bps'; did you mean 'bp'?"]


def test_new_units_format_without_a_declaration(project, cli):
    write(project, "  capex: {value: 12.3, unit: EUR m, as_of: 2026-07-01, source: src}\n"
                   "  change: {value: 4.5, unit: pp, as_of: 2026-07-01, source: src}\n"
                   "  plant: {value: 1.2, unit: GW, as_of: 2026-07-01, source: src}\n",
          "Capex {{ capex }}, up {{ change }}, {{ plant }}")
    assert "Capex €12.3M, up 4.5 pp, 1.2 GW [1]." in built_text(project, cli)


def test_a_declared_unit_may_state_its_dimension_and_scale(project, cli):
    (project / "data" / "u").mkdir()
    write(project, "  peak: {value: 2.5, unit: MWp, show: kWp, as_of: 2026-07-01, source: src}\n", "Peak {{ peak }}")
    figures = project / "data" / "u" / "figures.yaml"
    figures.write_text("units:\n  MWp: {suffix: ' MWp', dimension: power, scale: 1000000}\n"
                       "  kWp: {suffix: ' kWp', dimension: power, scale: 1000}\n" + figures.read_text())
    assert "Peak 2,500 kWp [1]." in built_text(project, cli)


def test_units_know_their_dimension_and_scale():
    from deckgen.units import builtin_unit, conversion_factor, convert

    def shown(value: str, source: str, target: str) -> Decimal:
        return convert(Decimal(value), conversion_factor(builtin_unit(source), builtin_unit(target)))

    assert str(shown("1.28", "pp", "bp")) == "128"
    assert str(shown("1.5", "GW", "MW")) == "1500"
    assert str(shown("1500", "MWh", "GWh")) == "1.5"
    assert str(shown("12300000", "EUR", "EUR m")) == "12.3"
    assert str(shown("2.5", "USD bn", "USD m")) == "2500"
    assert builtin_unit("USD k").dimension == "currency USD" and builtin_unit("EUR m").scale == Decimal("1e6")
    assert builtin_unit("count").dimension is None


@pytest.mark.parametrize(("number", "unit", "decimals", "style", "text", "shown"), [
    ("52400000000", "USD", 0, "compact", "$52B", "52000000000"),
    ("1.28", "bp", 0, "compact", "1 bp", "1"),
    ("0.4", "percent", 0, "compact", "0%", "0"),
    ("1234567", "count", None, "long", "1.23 million", "1230000"),
    ("2028", "year", None, "compact", "2028", "2028"),
])
def test_shown_number_is_what_format_number_prints(number, unit, decimals, style, text, shown):
    from deckgen.formatting import format_number, shown_number
    from deckgen.units import builtin_unit

    assert format_number(Decimal(number), builtin_unit(unit), "en_US", style, decimals) == text
    assert shown_number(Decimal(number), builtin_unit(unit), "en_US", style, decimals) == Decimal(shown)
