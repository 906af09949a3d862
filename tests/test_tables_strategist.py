"""Tables a strategist expects: change columns (signed, in the brand's colours), total rows, and the
true minus sign (U+2212) wherever deckgen prints a negative number."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest

from deckgen.brand.colours import WCAG_AA, contrast
from deckgen.brand.theme import load_theme
from pdfread import page_texts, squash, text_of

MINUS = "\u2212"
SPEC = Path("specs") / "t.yaml"
MOVES = """\
desk,region,rate,chg_1m_bp,weight_pct
Alpha,Europe,4.25,14,40
Beta,Asia,3.10,-22,35
Gamma,,2.00,0,25
Delta,Asia,1.65,-4,
"""
HEAD = """\
title: Strategist tables
date: 2026-07-15
brand: ../assets/brand.yml
checks: {disclosures: not-research}
data:
  sources: ../data/grid-storage/sources.yaml
  moves:
    path: ../data/moves.csv
    source: illustrative-projects
    as_of: 2026-07-01
    columns:
      rate: {type: number, unit: percent, label: Rate}
      chg_1m_bp: {type: number, unit: bp, label: 1m change}
      weight_pct: {type: number, unit: percent, label: Weight}
sections:
"""
TABLE = """\
  - type: table
    title: Desk moves
    table: moves
    columns:
      - {key: desk}
      - {key: region}
      - {key: rate}
      - {key: chg_1m_bp, style: change}
      - {key: weight_pct}
    total: {label: Total, region: count, rate: median, chg_1m_bp: mean, weight_pct: sum}
"""


def _write(project: Path, sections: str, moves: str = MOVES) -> str:
    (project / "data" / "moves.csv").write_text(moves)
    text = HEAD + sections + "  - type: sources\n"
    (project / SPEC).write_text(text)
    return text


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("specs/") and "warning:" not in line]


def _at(text: str, needle: str, after: str = "") -> str:
    """``LINE:COL`` (1-based) of ``needle`` in ``text``, searching from where ``after`` occurs."""
    offset = text.index(needle, text.index(after) if after else 0)
    return f"{text.count(chr(10), 0, offset) + 1}:{offset - text.rfind(chr(10), 0, offset)}"


# -- reading colours from the content stream ----------------------------------------------------------

def _to_unicode(font) -> dict[int, str]:
    """A simple font's codes -> text, from its /ToUnicode CMap (bfchar and bfrange entries)."""
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    found: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            found[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(text, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                found[code] = chr(start + offset)
    return found


def coloured_texts(path: Path) -> list[tuple[str, str, str]]:
    """(text, fill colour as #RRGGBB, font) of every text object on the pages' own content streams."""
    shown: list[tuple[str, str, str]] = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            fonts = {str(name): font for name, font in page.Resources.get("/Font", {}).items()}
            maps: dict[str, dict[int, str]] = {}
            colour, font, text, base = "#000000", "", "", ""
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "rg":
                    colour = "#" + "".join(f"{round(float(v) * 255):02X}" for v in operands)
                elif op == "Tf":
                    font = str(operands[0])
                    base = str(fonts[font].get("/BaseFont", ""))
                elif op == "BT":
                    text = ""
                elif op in ("Tj", "TJ"):
                    codes = maps.setdefault(font, _to_unicode(fonts[font]))
                    strings = [operands[0]] if op == "Tj" else [s for s in operands[0] if isinstance(s, pikepdf.String)]
                    text += "".join(codes.get(b, "?") for s in strings for b in bytes(s))
                elif op == "ET" and text:
                    shown.append((text, colour, base))
    return shown


def _colour_of(texts: list[tuple[str, str, str]], wanted: str) -> tuple[str, str]:
    matches = [(colour, font) for text, colour, font in texts if text == wanted]
    assert matches, f"{wanted!r} is not printed as a text of its own"
    return matches[0]


# -- change columns -------------------------------------------------------------------------------

def test_a_change_column_prints_signed_numbers_in_the_brand_colours(project: Path, cli):
    _write(project, TABLE)
    result = cli("build", SPEC, cwd=project)
    assert result.code == 0, result.stderr
    pdf = project / "dist" / "t.pdf"

    text = squash(text_of(pdf))
    assert "Desk Region Rate 1m change (bp) Weight" in text
    assert f"Alpha Europe 4.25% +14 40% Beta Asia 3.10% {MINUS}22 35% Gamma \u2013 2.00% 0 25% " \
           f"Delta Asia 1.65% {MINUS}4 \u2013" in text
    assert not re.search(r"\+0\b|\u22120\b", text), "a zero is unsigned"

    theme = load_theme(project / "assets" / "brand.yml")
    texts = coloured_texts(pdf)
    assert _colour_of(texts, "+14")[0] == theme.positive_text
    assert _colour_of(texts, f"{MINUS}22")[0] == _colour_of(texts, f"{MINUS}4")[0] == theme.negative_text
    assert _colour_of(texts, "0")[0] == theme.foreground == _colour_of(texts, "4.25%")[0]
    for colour in (theme.positive_text, theme.negative_text):
        assert contrast(colour, "#FFFFFF") >= WCAG_AA and contrast(colour, theme.muted) >= WCAG_AA
    proof = json.loads((project / "dist" / "t.manifest.json").read_text())["proof"]
    assert proof["status"] == "passed" and proof["problems"] == []


def test_a_light_brand_green_is_darkened_until_it_can_be_read_on_the_stripe(project: Path, cli):
    brand = project / "assets" / "brand.yml"
    brand.write_text(brand.read_text().replace('green: "#2E7D32"', 'green: "#5CB85C"'))  # 2.4:1 on white
    _write(project, TABLE)
    assert cli("build", SPEC, cwd=project).code == 0

    theme = load_theme(brand)
    positive = _colour_of(coloured_texts(project / "dist" / "t.pdf"), "+14")[0]
    assert positive == theme.positive_text != "#5CB85C"
    assert contrast(positive, theme.muted) >= WCAG_AA and contrast(positive, "#FFFFFF") >= WCAG_AA
    red, green, blue = (int(positive[i:i + 2], 16) for i in (1, 3, 5))
    assert green > red and green > blue, "still a green"


def test_change_formats_by_the_column_unit_and_rounds_before_it_signs():
    from deckgen.formatting import format_change
    from deckgen.units import builtin_unit

    usd, percent = builtin_unit("USD"), builtin_unit("percent")
    assert format_change(Decimal("14"), None, "en_US", "compact", 0) == ("+14", 1)
    assert format_change(Decimal("-22"), None, "en_US", "compact", 0) == (f"{MINUS}22", -1)
    assert format_change(Decimal("0"), None, "en_US", "compact", 0) == ("0", 0)
    assert format_change(Decimal("-0.04"), percent, "en_US", "compact", 1) == ("0.0%", 0)
    assert format_change(Decimal("1.25"), percent, "de_DE", "compact", 2) == ("+1,25%", 1)
    assert format_change(Decimal("-5"), usd, "en_US", "compact", 0) == (f"{MINUS}$5", -1)


# -- total rows -----------------------------------------------------------------------------------

def test_a_total_row_sums_means_medians_and_counts_the_rows_printed(project: Path, cli):
    _write(project, TABLE)
    assert cli("build", SPEC, cwd=project).code == 0
    pdf = project / "dist" / "t.pdf"

    text = squash(text_of(pdf))
    # count: the filled region cells (3 of 4); median of the rates: (2.00 + 3.10) / 2; the mean change:
    # (14 - 22 + 0 - 4) / 4; the sum of the weights, the empty one left out
    assert f"Delta Asia 1.65% {MINUS}4 \u2013 Total 3 2.55% {MINUS}3 100% Source:" in text
    texts = coloured_texts(pdf)
    assert _colour_of(texts, "Total")[1].endswith("Lato-Bold")
    assert _colour_of(texts, "100%")[1].endswith("Lato-Bold")
    colour, font = _colour_of(texts, f"{MINUS}3")
    assert font.endswith("Lato-Bold") and colour == load_theme(project / "assets" / "brand.yml").negative_text
    assert _colour_of(texts, "40%")[1].endswith("Lato-Regular")


def test_a_total_at_another_scale_than_its_cells_is_written_at_theirs():
    from deckgen.formatting import format_cell, shown_cell, total_decimals, total_like
    from deckgen.units import builtin_unit

    eur = builtin_unit("EUR")
    cells = [Decimal(138_000_000), Decimal(950_000_000)]
    total = Decimal(8_274_900_000)
    like = total_like(total, cells, eur, "en_US", "compact", 0)
    assert like == Decimal(950_000_000)
    assert format_cell(total, eur, "en_US", "compact", 0, like) == "\u20ac8,275M"
    assert shown_cell(total, eur, "en_US", "compact", 0, like) == Decimal(8_275_000_000)
    assert format_cell(-total, eur, "en_US", "compact", 0, like) == "\u2212\u20ac8,275M"
    assert format_cell(total, eur, "de_DE", "compact", 0, total_like(total, cells, eur, "de_DE", "compact", 0)) \
        == "8.275\u00a0Mio.\u00a0\u20ac"
    # at the cells' scale already: as any cell
    assert total_like(Decimal(588_000_000), cells, eur, "en_US", "compact", 0) is None
    # the long form has no cell-scale pattern: more decimals, as before
    assert total_like(total, cells, eur, "en_US", "long", 0) is None
    assert total_decimals(total, cells, eur, "en_US", "long", 0) >= 1
    assert total_decimals(Decimal(100), [Decimal(40), Decimal(35)], builtin_unit("percent"), "en_US", "compact", 0) == 0


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_the_register_total_of_the_example_is_written_in_its_columns_terms(project: Path, cli, size):
    import csv

    assert cli("build", "specs/grid-storage.yaml", "--set", f"page_size={size}", cwd=project).code == 0
    text = squash(text_of(project / "dist" / "grid-storage.pdf"))
    with open(project / "data/grid-storage/projects.csv", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    mw, mwh, capex = (sum(Decimal(row[key]) for row in rows) for key in ("mw", "mwh", "capex_eur"))
    assert f"Total {mw:,.0f} {mwh:,.0f} \u20ac{capex / 1_000_000:,.0f}M Every project in the register" in text


def test_a_total_is_of_the_rows_the_table_prints_after_where_and_limit(project: Path, cli):
    _write(project, TABLE.replace("    total:", "    where: {region: [Europe, Asia]}\n    sort: {by: weight_pct, "
                                                "descending: true}\n    limit: 2\n    total:"))
    assert cli("build", SPEC, cwd=project).code == 0

    text = squash(text_of(project / "dist" / "t.pdf"))
    assert f"Alpha Europe 4.25% +14 40% Beta Asia 3.10% {MINUS}22 35% Total 2 3.68% {MINUS}4 75% Source:" in text


def test_a_long_table_prints_its_total_row_once_on_its_last_page_tagged_as_a_row(project: Path, cli):
    rows = "".join(f"Desk {n},{'Asia' if n % 2 else 'Europe'},1.00,{n % 7 - 3},1\n" for n in range(1, 151))
    _write(project, TABLE.replace("chg_1m_bp: mean", "chg_1m_bp: sum"), "desk,region,rate,chg_1m_bp,weight_pct\n" + rows)
    assert cli("build", SPEC, cwd=project).code == 0
    pdf = project / "dist" / "t.pdf"

    pages = [squash(page) for page in page_texts(pdf)]
    with_table = [n for n, page in enumerate(pages) if "Desk 1" in page or "Desk moves (continued)" in page]
    assert len(with_table) >= 3, "the table runs over several pages"
    total = sum(n % 7 - 3 for n in range(1, 151))
    assert total < 0
    assert f"Desk 150 Europe 1.00% 0 1% Total 150 1.00% {MINUS}{-total} 150% Source:" in pages[with_table[-1]]
    assert [page.count("Total 150 1.00%") for page in pages] == [int(n == with_table[-1]) for n in range(len(pages))]

    with pikepdf.open(pdf) as document:
        tables = [element for element in _elements(document.Root.StructTreeRoot) if element.S == "/Table"]
        assert len(tables) == 1, "one table, however many pages"
        parts = {str(part.S): [row for row in _elements(part) if row.S == "/TR"]
                 for part in _elements(tables[0]) if part.S in ("/THead", "/TBody", "/TFoot")}
        assert [len(parts[name]) for name in ("/THead", "/TBody", "/TFoot")] == [1, 150, 1]
        header, last = list(parts["/THead"][0].K), list(parts["/TFoot"][0].K)
        assert [cell.S for cell in header] == ["/TH"] * 5 and all(cell.A.Scope == "/Column" for cell in header)
        assert [cell.S for cell in last] == ["/TH", "/TD", "/TD", "/TD", "/TD"]
        assert last[0].A.Scope == "/Row"
        assert all(cell.S == "/TD" for row in parts["/TBody"] for cell in row.K)


def _elements(node):
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _elements(kid)


# -- refused where they are wrong ------------------------------------------------------------------

REFUSED = {
    "an unknown column": (
        TABLE.replace("weight_pct: sum}", "wieght_pct: sum}"), "wieght_pct: sum", "",
        "unknown column 'wieght_pct' in the total row: table 'moves' has no such column; did you mean 'weight_pct'?"),
    "a column not shown": (
        TABLE.replace("      - {key: weight_pct}\n", ""), "weight_pct: sum", "",
        "column 'weight_pct' is not shown in this table, so it has no total; add it to columns:, or remove its total"),
    "an unknown way to total": (
        TABLE.replace("weight_pct: sum}", "weight_pct: summ}"), "summ", "",
        "unknown total 'summ' for column 'weight_pct'; did you mean 'sum'? (sum, mean, median or count)"),
    "a way to total that is nothing like one": (
        TABLE.replace("weight_pct: sum}", "weight_pct: average}"), "average", "",
        "unknown total 'average' for column 'weight_pct'; total a column by sum, mean, median or count"),
    "a sum of a text column": (
        TABLE.replace("region: count", "region: sum"), "sum", "total:",
        "column 'region' holds text, which has no sum; use count (its filled cells), or total a number column"),
    "a total in the label's column": (
        TABLE.replace("region: count", "desk: count"), "desk: count", "",
        "column 'desk' is the first column, where the total row's label goes; show another column first (columns:), "
        "or remove its total"),
    "a total row that totals nothing": (
        TABLE.replace("{label: Total, region: count, rate: median, chg_1m_bp: mean, weight_pct: sum}", "{label: Total}"),
        "{label: Total}", "",
        "the total row totals no column; add COLUMN: sum (or mean, median, count) for a column the table shows"),
    "style: change on a text column": (
        TABLE.replace("{key: region}", "{key: region, style: change}"), "change}", "key: region",
        "style: change prints signed numbers, and column 'region' holds text; remove it, or use it on a number column"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_wrong_total_or_change_is_refused_where_it_is_written(project: Path, cli, case: str):
    section, needle, after, message = REFUSED[case]
    text = _write(project, section)

    result = cli("validate", SPEC, cwd=project)

    assert result.code == 1, result.stderr
    assert _errors(result.stderr) == [f"specs/t.yaml:{_at(text, needle, after)}: {message}"]
    assert cli("build", SPEC, cwd=project).code == 1


def test_a_total_printed_too_far_from_its_value_is_a_warning_at_its_key(project: Path, cli):
    # the changes 3, -22, 0 and 1: their median is 0.5, printed '0' in the column's 0 decimals (rounded half to even)
    moves = MOVES.replace("Alpha,Europe,4.25,14,", "Alpha,Europe,4.25,3,").replace("Delta,Asia,1.65,-4,", "Delta,Asia,1.65,1,")
    text = _write(project, TABLE.replace("chg_1m_bp: mean", "chg_1m_bp: median"), moves)

    result = cli("validate", SPEC, cwd=project)

    assert result.code == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if "total row" in line] == [
        f"specs/t.yaml:{_at(text, 'median, weight')}: warning: the total row's median of column 'chg_1m_bp' "
        "is 0.5, printed '0': the printed form is 100% off; set decimals: 1 on the column (prints '+0.5')"]


# -- the true minus, everywhere ------------------------------------------------------------------

NEGATIVES = """\
  - type: kpi_strip
    items:
      - {figure: index_move, label: Index move}
      - {figure: desk_loss, label: Desk result}
  - type: narrative
    title: A bad month
    body: The index moved {{ index_move }} [@illustrative-projects] and the desk lost {{ desk_loss | long }}
      [@illustrative-projects], a swing of {{ swing }} [@illustrative-projects].
  - type: chart
    kind: bar
    title: One-month changes
    table: moves
    x: desk
    y: chg_1m_bp
""" + TABLE
NEGATIVE_FIGURES = """\
figures:
  index_move: {value: -3.4, unit: percent, as_of: 2026-07-01, source: illustrative-projects}
  desk_loss: {value: -1_200_000, unit: EUR, as_of: 2026-07-01, source: illustrative-projects}
  swing: {min: -10, max: -5, unit: percent, as_of: 2026-07-01, source: illustrative-projects}
"""
# a hyphen-minus printed as a sign: before a digit, and not joining a word or number to it ("10-year",
# "2026-02-16", "[1-3]", "COVID-19" are not minus signs)
HYPHEN_MINUS = re.compile(r"(?<![\w\-\u2013\u2014])-(?=\d)")


def _signs(text: str) -> list[str]:
    return [text[max(0, m.start() - 20): m.end() + 10] for m in HYPHEN_MINUS.finditer(text)]


def test_every_negative_is_printed_with_the_minus_sign(project: Path, cli):
    (project / "data" / "negatives.yaml").write_text(NEGATIVE_FIGURES)
    text = _write(project, NEGATIVES)
    (project / SPEC).write_text(text.replace("data:\n", "data:\n  negatives: ../data/negatives.yaml\n", 1))
    built = {}
    for spec in ("specs/t.yaml", "specs/investor.yaml", "specs/grid-storage.yaml"):
        result = cli("build", spec, cwd=project)
        assert result.code == 0, result.stderr
        built[spec] = squash(text_of(project / "dist" / (Path(spec).stem + ".pdf")))
        assert _signs(built[spec]) == [], spec

    negatives = built["specs/t.yaml"]
    assert f"{MINUS}3.4% Index move {MINUS}\u20ac1.2M Desk result" in negatives, "KPI tiles"
    assert f"The index moved {MINUS}3.4% [4] and the desk lost {MINUS}\u20ac1.2 million [4], a swing of " \
           f"{MINUS}10\u2013{MINUS}5% [4]." in negatives, "prose figures (a range of two negatives keeps both signs)"
    assert f"Beta Asia 3.10% {MINUS}22 35%" in negatives, "table cells"
    chart = negatives[negatives.index("Exhibit 1: One-month changes"):negatives.index("Exhibit 2")]
    assert f"{MINUS}20" in chart and f"{MINUS}22 bp" in chart, "the chart's ticks and value labels"
    assert f"Reciprocal US tariff on Japanese exports 25% 15% {MINUS}10" in built["specs/investor.yaml"]


def test_the_hyphen_minus_check_tells_signs_from_hyphens():
    assert _signs("10-year JGB, 2026-02-16, [1-3], COVID-19, 1990s-2000s, Feb 13 \u2013 16") == []
    assert len(_signs("fell -3.4% to $-12 (-5)")) == 3


def test_every_formatting_path_writes_the_minus_sign():
    from deckgen.formatting import format_number, format_tick, join_range
    from deckgen.units import UnitDef, builtin_unit, unit_from_def

    per_kwh = unit_from_def("EUR/kWh", UnitDef(prefix="\u20ac", suffix="/kWh"))
    printed = {
        format_number(Decimal("-1234.5"), builtin_unit("USD"), "en_US"): f"{MINUS}$1.23K",
        format_number(Decimal("-52000000000"), builtin_unit("USD"), "en_US", "long"): f"{MINUS}$52 billion",
        format_number(Decimal("-22"), builtin_unit("JPY/USD"), "en_US"): f"USD/JPY\u00a0{MINUS}22",
        format_number(Decimal("-12.3"), builtin_unit("EUR m"), "en_US"): f"{MINUS}\u20ac12.3M",
        format_number(Decimal("-140"), per_kwh, "en_US"): f"{MINUS}\u20ac140/kWh",
        format_number(Decimal("-1.5"), builtin_unit("multiple"), "en_US"): f"{MINUS}1.5\u00d7",
        format_number(Decimal("-2.5"), builtin_unit("percent"), "de_DE"): f"{MINUS}2,5%",
        format_number(Decimal("-5"), builtin_unit("count"), "en_US"): f"{MINUS}5",
        format_tick(-20000, 10000, builtin_unit("USD"), "en_US"): f"{MINUS}$20K",
        format_tick(-0.5, 0.5, None, "en_US"): f"{MINUS}0.5",
        join_range(f"{MINUS}10%", f"{MINUS}5%"): f"{MINUS}10\u2013{MINUS}5%",
    }
    assert {text: text for text in printed} == printed
