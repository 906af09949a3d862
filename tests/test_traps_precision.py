"""Traps: specs that validated before units knew their dimension and scale, yet printed a number that
was not the data's. Each is now refused where it is written, or built right."""

from __future__ import annotations

from pathlib import Path

import pytest

from pdfread import squash, text_of
from test_units_precision import problems, write

FIGURE = "as_of: 2026-07-01, source: src"

# name -> (figures.yaml lines, body, columns, CSV or None, expected: a located problem under --strict, or PDF text)
TRAPS = {
    "1.28 pp written as bp": (
        f"  spread_move: {{value: 1.28, unit: bp, decimals: 0, {FIGURE}}}\n", "A move of {{ spread_move }}", None, None,
        "data/u/figures.yaml:2:3: figure 'spread_move' prints as '1 bp' but its value is 1.28 (bp): the printed form "
        "is 22% off; set decimals: 1 (prints '1.3 bp'), or, if the data is in another unit, give it as unit: and this "
        "one as show: (unit: pp, show: bp)"),
    "1.28 pp shown in bp": (
        f"  spread_move: {{value: 1.28, unit: pp, show: bp, {FIGURE}}}\n", "A move of {{ spread_move }}", None, None,
        "A move of 128 bp [1]."),
    "a MW figure shown in EUR": (
        f"  plant: {{value: 3, unit: MW, show: EUR, {FIGURE}}}\n", "A plant of {{ plant }}", None, None,
        "data/u/figures.yaml:2:37: figure 'plant' cannot be shown in 'EUR': 'MW' is power and 'EUR' is an amount in EUR; "
        "show it in a unit of power (W, kW, GW, TW), or correct unit:"),
    "a GW column shown in EUR": (
        f"  total: {{table: t, column: gw, agg: sum}}\n", "In all {{ total }}", "{yield: {unit: percent}, gw: {unit: GW, show: EUR m}}", None,
        "specs/u.yaml:12:60: column 'gw' of table 't' cannot be shown in 'EUR m': 'GW' is power and 'EUR m' is an amount "
        "in EUR; show it in a unit of power (W, kW, MW, TW), or correct unit:"),
    "a count shown in bp": (
        f"  deals: {{value: 12, unit: count, show: bp, {FIGURE}}}\n", "Deals: {{ deals }}", None, None,
        "data/u/figures.yaml:2:41: figure 'deals' cannot be shown in 'bp': 'count' has no known dimension; declare "
        "dimension: and scale: for 'count' under units: in a data file, or remove show:"),
    "a column shown in another unit with no unit of its own": (
        f"  total: {{table: t, column: gw, agg: sum}}\n", "In all {{ total }}", "{yield: {unit: percent}, gw: {show: MW}}", None,
        "specs/u.yaml:12:50: column 'gw' of table 't' has show: MW but no unit: to convert from; add unit: (the unit "
        "its numbers are written in)"),
    "a derived mean with three decimals of noise": (
        "  mean_yield: {table: t, column: yield, agg: mean}\n", "The mean is {{ mean_yield }}", None, None,
        "The mean is 13.39% [1]."),
    "a compact currency hiding 6%": (
        f"  capex: {{value: 1_060_000_000, unit: USD, decimals: 0, {FIGURE}}}\n", "Capex of {{ capex }}", None, None,
        "data/u/figures.yaml:2:3: figure 'capex' prints as '$1B' but its value is 1060000000 (USD): the printed form "
        "is 6% off; set decimals: 1 (prints '$1.1B')"),
    "a percent with 0 decimals turning 0.4 into 0%": (
        f"  share: {{value: 0.4, unit: percent, decimals: 0, {FIGURE}}}\n", "A share of {{ share }}", None, None,
        "data/u/figures.yaml:2:3: figure 'share' prints as '0%' but its value is 0.4 (percent): the printed form is "
        "100% off; set decimals: 1 (prints '0.4%'), or, if the data is in another unit, give it as unit: and this "
        "one as show: (unit: bp, show: percent)"),
    "a range whose low end rounds away": (
        f"  band: {{min: 0.4, max: 1.2, unit: percent, decimals: 0, {FIGURE}}}\n", "A band of {{ band }}", None, None,
        "data/u/figures.yaml:2:3: figure 'band' prints as '0–1%' but its min is 0.4 (percent): the printed form is "
        "100% off; set decimals: 1 (prints '0.4%'), or, if the data is in another unit, give it as unit: and this "
        "one as show: (unit: bp, show: percent)"),
    "a table column of percents with 0 decimals": (
        f"  note: {{value: 1, unit: count, {FIGURE}}}\n", "One {{ note }}", "{yield: {unit: percent, decimals: 0}, gw: {unit: GW}}",
        "name,yield,gw\nA,12.2,1.5\nB,0.4,2\n",
        "data/u/t.csv:3:3: table 't' column 'yield' prints 0.4 as '0%': the printed form is 100% off; set decimals: 1 "
        "on the column (prints '0.4%'), or, if the data is in another unit, give it as unit: and this one as show: "
        "(unit: bp, show: percent)"),
    "EUR shown in EUR m": (
        f"  capex: {{value: 12_300_000, unit: EUR, show: EUR m, {FIGURE}}}\n", "Capex of {{ capex }}", None, None,
        "Capex of €12.3M [1]."),
}


@pytest.mark.parametrize("trap", list(TRAPS))
def test_a_trap_is_refused_where_it_is_written_or_built_right(project: Path, cli, trap: str):
    figures, body, columns, csv, expected = TRAPS[trap]
    write(project, figures, body, **({"columns": columns} if columns else {}), **({"csv": csv} if csv else {}))
    result = cli("validate", "--strict", "specs/u.yaml", cwd=project)
    if ":" in expected.split(" ")[0]:
        assert result.code == 1
        assert problems(result.stderr) == [expected]
        assert cli("build", "--strict", "specs/u.yaml", cwd=project).code == 1
    else:
        assert result.code == 0, result.stderr
        assert problems(result.stderr) == []
        assert cli("build", "specs/u.yaml", cwd=project).code == 0
        assert expected in squash(text_of(project / "dist" / "u.pdf"))
