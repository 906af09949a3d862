"""Charts a strategist expects (issue 26, the chart half): a yield curve over tenors, rebased series,
scatter groups with labels that never collide, bars coloured by sign, waterfalls, series colours set
by name, quarter-end dates named as quarters, and a true minus everywhere a chart prints one.

Every test builds a real PDF and reads what a reader sees: text and glyph boxes (pypdfium2), fill
colours and bar geometry from the content stream (pikepdf), alt text from the structure tree. The
emerging-market numbers below are ILLUSTRATIVE (synthetic), made for these tests.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from deckgen.build import build
from pdfread import squash, text_of

MINUS = "\u2212"

HEAD = """\
title: Strategist charts
date: 2026-07-15
locale: en_GB
brand: ../assets/brands/harbor/brand.yml
data:
  figures: ../data/em/figures.yaml
  sources: ../data/em/sources.yaml
  capacity:
    path: ../data/grid-storage/capacity.csv
    source: illustrative-em
    as_of: 2026-06-30
    columns: {month: date, gw: {type: number, unit: GW, label: Installed capacity}}
  additions:
    path: ../data/grid-storage/additions.csv
    source: illustrative-em
    as_of: 2026-06-30
    columns:
      quarter: date
      lfp: {type: number, unit: GW, label: LFP}
      nmc: {type: number, unit: GW, label: NMC}
      sodium_ion: {type: number, unit: GW, label: Sodium-ion}
      flow: {type: number, unit: GW, label: Flow}
  curve:
    path: ../data/em/curve.csv
    source: illustrative-em
    as_of: 2026-06-30
    columns:
      tenor: text
      Brazil: {type: number, unit: percent, label: 10Y yield}
      Mexico: {type: number, unit: percent, label: 10Y yield}
      South Africa: {type: number, unit: percent, label: 10Y yield}
  points:
    path: ../data/em/points.csv
    source: illustrative-em
    as_of: 2026-06-30
    columns: {growth: {type: number, unit: percent, label: GDP growth}, yield: {type: number, unit: percent, label: 10Y yield}}
  attribution:
    path: ../data/em/attribution.csv
    source: illustrative-em
    as_of: 2026-06-30
    columns: {bp: {type: number, unit: bp, label: Contribution}}
  flows:
    path: ../data/em/flows.csv
    source: illustrative-em
    as_of: 2026-06-30
    columns: {quarter: date, bp: {type: number, unit: bp, label: Net flows}}
  monthly:
    path: ../data/em/monthly.csv
    source: illustrative-em
    as_of: 2026-06-30
    columns: {month: date, bp: {type: number, unit: bp, label: Net flows}}
sections:
"""

DATA = {
    "curve.csv": "tenor,Brazil,Mexico,South Africa\n1Y,14.2,9.1,7.9\n2Y,13.6,8.7,8.1\n5Y,13.1,8.9,9.0\n"
                 "10Y,13.4,9.3,10.4\n30Y,13.9,9.8,11.6\n",
    "points.csv": "country,growth,yield,bucket\nChile,2.1,5.6,Investment grade\nIndonesia,2.2,5.7,Investment grade\n"
                  "Peru,2.4,6.3,Investment grade\nMexico,1.5,9.3,Investment grade\nPoland,3.0,5.4,Investment grade\n"
                  "Brazil,2.9,13.4,High yield\nColombia,1.8,10.1,High yield\nSouth Africa,0.9,10.4,High yield\n"
                  "Turkey,3.1,27.5,High yield\nEgypt,4.0,25.1,High yield\nHungary,0.8,6.5,Investment grade\n"
                  "India,6.5,6.8,Investment grade\nMalaysia,2.3,5.8,Investment grade\nThailand,2.0,5.5,Investment grade\n",
    "attribution.csv": "component,bp\nCarry,14\nDuration,-22\nSpread,30\nCurrency,-8\nSelection,5\n",
    "flows.csv": "quarter,bp\n2024-03-31,12\n2024-06-30,-5\n2024-09-30,8\n2024-12-31,-3\n2025-03-31,15\n"
                 "2025-06-30,4\n2025-09-30,-9\n2025-12-31,7\n",
    "monthly.csv": "month,bp\n2025-07-31,3\n2025-08-31,-2\n2025-09-30,4\n2025-10-31,1\n2025-11-30,-1\n2025-12-31,5\n",
    "figures.yaml": "units:\n  bp: {suffix: ' bp', decimals: 0}\n  GW: {suffix: ' GW', decimals: 1}\n",
    "sources.yaml": "sources:\n  - {id: illustrative-em, author: deckgen tests, title: Illustrative market data (synthetic), "
                    "date: 2026-06-30}\n",
}

POSITIVE, NEGATIVE, SECONDARY = (47, 107, 59), (194, 59, 77), (112, 102, 94)  # harbor: success, danger, secondary


@pytest.fixture
def em(project: Path) -> Path:
    folder = project / "data" / "em"
    folder.mkdir()
    for name, text in DATA.items():
        (folder / name).write_text(text, encoding="utf-8")
    return project


def write_spec(root: Path, sections: str) -> Path:
    spec = root / "specs" / "t.yaml"
    spec.write_text(HEAD + sections + "  - type: sources\n", encoding="utf-8")
    return spec


def chart(kind: str, table: str, body: str, title: str = "T") -> str:
    return f"  - type: chart\n    kind: {kind}\n    title: {title}\n    table: {table}\n" + "".join(
        f"    {line}\n" for line in body.strip().splitlines())


# -- reading the PDF -----------------------------------------------------------------------------

def texts(pdf: Path, page: int = 0) -> list[tuple[str, tuple[int, int, int], tuple[float, float, float, float]]]:
    """(text, fill colour, (left, bottom, right, top)) of each text object on the page, as drawn."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        found = []
        drawn = document[page]
        textpage = drawn.get_textpage()
        for obj in drawn.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_TEXT,)):
            obj.textpage = textpage
            red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
            pdfium_c.FPDFPageObj_GetFillColor(obj, red, green, blue, alpha)
            found.append((obj.extract().strip(), (red.value, green.value, blue.value), tuple(obj.get_bounds())))
        return found
    finally:
        document.close()


def words(pdf: Path, page: int = 0) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each word on the page with the union of its glyph boxes (left, bottom, right, top)."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        textpage = document[page].get_textpage()
        content = textpage.get_text_range()
        found = []
        for match in re.finditer(r"\S+", content):
            boxes = [textpage.get_charbox(i) for i in range(match.start(), match.end())]
            found.append((match.group(), (min(b[0] for b in boxes), min(b[1] for b in boxes),
                                          max(b[2] for b in boxes), max(b[3] for b in boxes))))
        return found
    finally:
        document.close()


def fills(pdf: Path, page: int = 0) -> list[tuple[tuple[int, int, int], tuple[float, float, float, float]]]:
    """(fill colour, bounding box in page space) of every filled path, read from the page's content
    stream: rg sets the colour, q/Q/cm the transformation, m/l/c/re the path, f/f*/B fill it."""
    with pikepdf.open(pdf) as document:
        operations = pikepdf.parse_content_stream(document.pages[page])
    matrix, colour, stack, points, found = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), (0, 0, 0), [], [], []

    def at(x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = matrix
        return a * x + c * y + e, b * x + d * y + f

    for operands, operator in operations:
        name, values = str(operator), [float(v) for v in operands if isinstance(v, (int, float, Decimal))]
        if name == "q":
            stack.append((matrix, colour))
        elif name == "Q":
            matrix, colour = stack.pop()
        elif name == "cm":
            a, b, c, d, e, f = values
            m = matrix
            matrix = (a * m[0] + b * m[2], a * m[1] + b * m[3], c * m[0] + d * m[2], c * m[1] + d * m[3],
                      e * m[0] + f * m[2] + m[4], e * m[1] + f * m[3] + m[5])
        elif name == "rg":
            colour = tuple(round(v * 255) for v in values)
        elif name in ("m", "l", "c"):
            points += [at(values[i], values[i + 1]) for i in range(0, len(values), 2)]
        elif name == "re":
            x, y, w, h = values
            points += [at(x, y), at(x + w, y + h)]
        elif name in ("f", "f*", "B", "B*", "b", "b*"):
            if points:
                found.append((colour, (min(p[0] for p in points), min(p[1] for p in points),
                                       max(p[0] for p in points), max(p[1] for p in points))))
            points = []
        elif name in ("S", "s", "n"):
            points = []
    return found


def bars(pdf: Path, page: int = 0, colours=(POSITIVE, NEGATIVE, SECONDARY)) -> list:
    """Filled rectangles in the given colours larger than a marker: a chart's bars."""
    return [(colour, box) for colour, box in fills(pdf, page)
            if colour in colours and box[2] - box[0] > 6 and box[3] - box[1] > 0.5]


def alt_texts(pdf: Path) -> list[str]:
    with pikepdf.open(pdf) as document:
        return [str(o["/Alt"]) for o in document.objects if isinstance(o, pikepdf.Dictionary) and "/Alt" in o]


def overlap(one, two) -> bool:
    return one[0] < two[2] and two[0] < one[2] and one[1] < two[3] and two[1] < one[3]


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


# -- a text x: categories in the data's order -------------------------------------------------------

def test_a_yield_curve_is_a_line_over_its_tenors_in_the_data_order(em: Path):
    spec = write_spec(em, chart("line", "curve", "x: tenor\ny: [Brazil, Mexico, South Africa]", "Curves"))
    pdf = build(spec).output
    found = words(pdf)
    axis = next(box[1] for text, box in found if text == "1Y")
    tenors = [(text, box) for text, box in found if text in ("1Y", "2Y", "5Y", "10Y", "30Y") and abs(box[1] - axis) < 1]
    assert [text for text, _ in sorted(tenors, key=lambda item: item[1][0])] == ["1Y", "2Y", "5Y", "10Y", "30Y"]
    assert len({round(box[1]) for _, box in tenors}) == 1, "the tenors sit on one axis"
    text = squash(text_of(pdf))
    # a label every y column shares ('10Y yield') names none of the series: it titles the axis, once
    for end_label in ("Brazil 13.9%", "Mexico 9.8%", "South Africa 11.6%"):
        assert end_label in text
    assert text.count("10Y yield") == 1, text


def test_an_area_takes_a_text_x_too(em: Path):
    spec = write_spec(em, chart("area", "curve", "x: tenor\ny: [Brazil, Mexico]"))
    text = squash(text_of(build(spec).output))
    assert re.search(r"1Y\s+2Y\s+5Y\s+10Y\s+30Y", text), text


def test_a_label_of_its_own_names_the_series(em: Path):
    spec = write_spec(em, chart("line", "curve", "x: tenor\ny: [Brazil, Mexico, South Africa]"))
    spec.write_text(spec.read_text().replace("Mexico: {type: number, unit: percent, label: 10Y yield}",
                                             "Mexico: {type: number, unit: percent, label: Mexican 10Y}"))
    text = squash(text_of(build(spec).output))
    assert "Mexican 10Y 9.8%" in text and "Brazil 13.9%" in text and "South Africa 11.6%" in text
    assert "10Y yield" not in text, "the axis title is a label all the columns share: here there is none"


# -- rebase ------------------------------------------------------------------------------------------

def test_rebase_divides_each_series_by_its_first_value(em: Path):
    spec = write_spec(em, chart("line", "capacity", "x: month\ny: gw\nseries: country\ntransform: rebase", "Rebased"))
    pdf = build(spec).output
    text = squash(text_of(pdf))
    assert "Installed capacity, Jul 2024=100" in text
    rows = [line.split(",") for line in (em / "data" / "grid-storage" / "capacity.csv").read_text().splitlines()[1:]]
    germany = [Decimal(gw) for _, country, gw in rows if country == "Germany"]
    assert f"Germany {germany[-1] / germany[0] * 100:.1f}" in text
    assert "100" in text.split("Rebased", 1)[1]
    alt = next(a for a in alt_texts(pdf) if a.startswith("Line chart: Rebased."))
    assert "rebased to 100" in alt and "Jul 2024=100" in alt


@pytest.mark.parametrize("first, said", [("0", "0"), ("", "no value")])
def test_rebase_refuses_a_series_that_starts_at_zero_or_nothing(em: Path, cli, first: str, said: str):
    curve = em / "data" / "em" / "curve.csv"
    curve.write_text(curve.read_text().replace("1Y,14.2,9.1,7.9", f"1Y,14.2,{first},7.9"))
    spec = write_spec(em, chart("line", "curve", "x: tenor\ny: [Brazil, Mexico]\ntransform: rebase"))
    line = spec.read_text().splitlines().index("    transform: rebase") + 1
    result = cli("validate", "specs/t.yaml", cwd=em)
    assert result.code == 1
    assert f"specs/t.yaml:{line}:16: transform: rebase divides each series by its first value, and 'Mexico' has {said} " \
           "at tenor 1Y; start the chart where every series has a non-zero value (where:), or remove transform" in result.stderr


# -- scatter: groups and labels ----------------------------------------------------------------------

def test_scatter_groups_by_a_text_column_and_labels_never_collide(em: Path):
    spec = write_spec(em, chart("scatter", "points", "x: growth\ny: yield\nseries: bucket\nlabel: country", "Growth and yields"))
    pdf = build(spec).output
    found = texts(pdf)
    names = [line.split(",")[0] for line in DATA["points.csv"].splitlines()[1:]]
    labels = {text: box for text, _, box in found if text in names}
    assert set(labels) == set(names), "every point is named"
    legend = [text for text, _, _ in found if text in ("Investment grade", "High yield")]
    assert sorted(legend) == ["High yield", "Investment grade"], "one legend entry per category"
    markers = [(colour, box) for colour, box in fills(pdf) if 3 < box[2] - box[0] < 6 and 3 < box[3] - box[1] < 6]
    legend_bottom = min(box[1] for text, _, box in found if text in legend)
    point_markers = [box for _, box in markers if box[1] < legend_bottom - 5]
    assert len(point_markers) == len(names), "a marker per point"
    assert len({colour for colour, box in markers if box in point_markers}) == 2, "one colour per category"
    for name, box in labels.items():
        for other, other_box in labels.items():
            assert other == name or not overlap(box, other_box), f"'{name}' overlaps '{other}'"
        for marker in point_markers:
            assert not overlap(box, marker), f"'{name}' lies over a marker"
        for text, _, other_box in found:
            if text not in names:
                assert not overlap(box, other_box), f"'{name}' overlaps '{text}' (an axis's text)"


@pytest.mark.parametrize("crowd", ["grid", "one spot"])
def test_point_labels_stay_clear_in_a_crowd_or_are_left_out_with_a_warning(em: Path, crowd: str):
    if crowd == "grid":  # 20 points 0.05 apart: every label finds a place
        rows = [f"Country {n},{2 + (n % 5) * 0.05:.2f},{5 + (n // 5) * 0.1:.2f},Group {n % 2}" for n in range(20)]
    else:  # 60 points on one spot: there is no room for them all
        rows = [f"Country {n},2.0,5.0,Group {n % 2}" for n in range(60)]
    (em / "data" / "em" / "points.csv").write_text("country,growth,yield,bucket\n" + "\n".join(rows) + "\n")
    spec = write_spec(em, chart("scatter", "points", "x: growth\ny: yield\nseries: bucket\nlabel: country\nwidth: half"))
    result = build(spec)
    boxes = [(text, box) for text, _, box in texts(result.output) if text.startswith("Country ")]
    markers = [box for _, box in fills(result.output) if 3 < box[2] - box[0] < 6 and 3 < box[3] - box[1] < 6]
    for index, (name, box) in enumerate(boxes):
        assert not any(overlap(box, other) for _, other in boxes[index + 1:]), name
        assert not any(overlap(box, marker) for marker in markers), name
    left_out = [p for p in result.warnings if p.code == "chart-label"]
    assert len(boxes) + len(left_out) == len(rows), "a label is placed, or left out with a warning"
    if crowd == "grid":
        assert not left_out
    else:
        assert 10 < len(boxes) < 60
        line = spec.read_text().splitlines().index("    label: country") + 1
        for problem in left_out:
            assert (problem.line, problem.severity) == (line, "warning")
            assert re.fullmatch(r"Exhibit 1: the label 'Country \d+' has no free place beside its point and is left out",
                                problem.message)


# -- colours by sign ---------------------------------------------------------------------------------

def test_hbar_bars_and_their_labels_take_the_brand_positive_and_negative_colours(em: Path):
    spec = write_spec(em, chart("hbar", "attribution", "x: component\ny: bp\nvalue_labels: true\ncolor_by: sign"))
    pdf = build(spec).output
    drawn = sorted(bars(pdf), key=lambda bar: -bar[1][1])  # top to bottom: the data's order
    values = [14, -22, 30, -8, 5]
    assert [colour for colour, _ in drawn] == [POSITIVE if v > 0 else NEGATIVE for v in values]
    zero = min(box[2] for _, box in drawn if _ == NEGATIVE)
    assert all(abs(box[0] - zero) < 0.5 for colour, box in drawn if colour == POSITIVE), "rises start at zero"
    labels = {text: colour for text, colour, _ in texts(pdf) if text.endswith(" bp")}
    assert labels == {"14 bp": POSITIVE, f"{MINUS}22 bp": NEGATIVE, "30 bp": POSITIVE, f"{MINUS}8 bp": NEGATIVE,
                      "5 bp": POSITIVE}


def test_bar_colour_by_sign_and_quarter_ends_named_as_quarters(em: Path):
    spec = write_spec(em, chart("bar", "flows", "x: quarter\ny: bp\ncolor_by: sign"))
    pdf = build(spec).output
    drawn = sorted(bars(pdf), key=lambda bar: bar[1][0])
    values = [12, -5, 8, -3, 15, 4, -9, 7]
    assert [colour for colour, _ in drawn] == [POSITIVE if v > 0 else NEGATIVE for v in values]
    ticks = [(text, box) for text, _, box in texts(pdf) if re.fullmatch(r"Q[1-4]( \d{4})?", text)]
    assert [text for text, _ in sorted(ticks, key=lambda t: t[1][0])] == \
        ["Q1 2024", "Q2", "Q3", "Q4", "Q1 2025", "Q2", "Q3", "Q4"], "one label per bar, the quarter it closes"
    for (_, bar), (_, tick) in zip(drawn, sorted(ticks, key=lambda t: t[1][0])):
        assert abs((bar[0] + bar[2]) / 2 - (tick[0] + tick[2]) / 2) < 1.0, "each label under its bar"
    assert not re.search(r"\bJan 2025\b", squash(text_of(pdf))), "no month names for quarter-end data"


def test_month_ends_are_named_as_the_month_they_close(em: Path):
    spec = write_spec(em, chart("bar", "monthly", "x: month\ny: bp"))
    text = squash(text_of(build(spec).output))
    assert re.search(r"Jul 2025\s+Aug\s+Sept?\s+Oct\s+Nov\s+Dec", text), text


def test_period_ticks_thin_out_on_round_periods_when_they_do_not_fit():
    from deckgen.render.chart_draw import date_ticks
    from deckgen.render.charts import ChartStyle
    from deckgen.render.fonts import FontNames

    fonts = FontNames("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique")
    style = ChartStyle(fonts, 8, "#000000", "#555555", "#cccccc", ("#000000",), "#000000")
    quarters = [dt.date(year, month, day) for year in (2024, 2025) for month, day in ((3, 31), (6, 30), (9, 30), (12, 31))]
    ticks, labels = date_ticks(quarters, 420, style, "en_US")
    assert labels == ["Q1 2024", "Q2", "Q3", "Q4", "Q1 2025", "Q2", "Q3", "Q4"] and ticks == quarters
    ticks, labels = date_ticks(quarters, 160, style, "en_US")
    assert labels == ["Q2 2024", "Q4", "Q2 2025", "Q4"] and all(t.month in (6, 12) for t in ticks)
    _, french = date_ticks(quarters, 420, style, "fr_FR")
    assert french[0] == "T1 2024"
    years = [dt.date(2019 + i, 12, 31) for i in range(6)]
    assert date_ticks(years, 420, style, "en_US")[1] == ["2019", "2020", "2021", "2022", "2023", "2024"]


# -- waterfall ---------------------------------------------------------------------------------------

def test_a_waterfall_floats_each_contribution_from_the_running_total_and_ends_on_their_sum(em: Path):
    spec = write_spec(em, chart("waterfall", "attribution", "x: component\ny: bp\ntotal: Total return", "Attribution"))
    pdf = build(spec).output
    values = [14, -22, 30, -8, 5]
    drawn = sorted(bars(pdf), key=lambda bar: bar[1][0])
    assert [colour for colour, _ in drawn] == [POSITIVE if v > 0 else NEGATIVE for v in values] + [SECONDARY]
    scale = (drawn[0][1][3] - drawn[0][1][1]) / 14  # points per bp
    zero = drawn[0][1][1]
    level = 0
    for value, (_, box) in zip(values, drawn):
        assert abs(box[1] - (zero + min(level, level + value) * scale)) < 0.5
        assert abs(box[3] - box[1] - abs(value) * scale) < 0.5
        level += value
    total = drawn[-1][1]
    assert abs(total[1] - zero) < 0.5 and abs(total[3] - (zero + sum(values) * scale)) < 0.5, "the end bar: their sum, from zero"
    labels = {text: colour for text, colour, _ in texts(pdf) if text.endswith(" bp")}
    assert labels == {"+14 bp": POSITIVE, f"{MINUS}22 bp": NEGATIVE, "+30 bp": POSITIVE, f"{MINUS}8 bp": NEGATIVE,
                      "+5 bp": POSITIVE, "19 bp": (43, 43, 43)}
    text = squash(text_of(pdf))
    assert "Total return" in text
    alt = next(a for a in alt_texts(pdf) if a.startswith("Waterfall chart: Attribution."))
    assert f"Duration {MINUS}22 bp" in alt and "Total return, their total: 19 bp" in alt


def test_waterfall_connectors_can_be_left_out_and_the_total_defaults(em: Path):
    def strokes(pdf: Path) -> int:
        with pikepdf.open(pdf) as document:
            return sum(1 for _, op in pikepdf.parse_content_stream(document.pages[0]) if str(op) == "S")

    with_lines = build(write_spec(em, chart("waterfall", "attribution", "x: component\ny: bp"))).output
    without = build(write_spec(em, chart("waterfall", "attribution", "x: component\ny: bp\nconnectors: false")),
                    output=em / "dist" / "without.pdf").output
    assert strokes(with_lines) - strokes(without) == 5, "one connector from each bar to the next"
    assert "Total" in squash(text_of(with_lines))


# -- minus signs -------------------------------------------------------------------------------------

def test_every_minus_a_chart_prints_is_a_true_minus(em: Path):
    sections = (chart("bar", "flows", "x: quarter\ny: bp\nvalue_labels: true")
                + chart("hbar", "attribution", "x: component\ny: bp")
                + chart("waterfall", "attribution", "x: component\ny: bp")
                + chart("line", "flows", "x: quarter\ny: bp"))
    pdf = build(write_spec(em, sections)).output
    text = text_of(pdf)
    assert f"{MINUS}22 bp" in text and f"{MINUS}9 bp" in text and f"{MINUS}10" in text
    assert not re.search(r"(?<![\w])-\s?\d", text), re.findall(r".{10}-\s?\d.{5}", text)
    assert all(MINUS not in a or "-" not in re.sub(r"[A-Za-z]-[A-Za-z]", "", a) for a in alt_texts(pdf))


def test_format_signed_writes_changes_and_true_minuses():
    from deckgen.formatting import format_number, format_signed
    from deckgen.units import UnitDef, builtin_unit, unit_from_def

    bp = unit_from_def("bp", UnitDef(suffix=" bp"))
    assert format_signed(Decimal("-22"), bp, "en_US", plus=True) == f"{MINUS}22 bp"
    assert format_signed(Decimal("14"), bp, "en_US", plus=True) == "+14 bp"
    assert format_signed(Decimal("14"), bp, "en_US") == "14 bp"
    assert format_signed(Decimal("-0.04"), None, "en_US", decimals=1, plus=True) == "0.0"
    assert format_signed(Decimal("-5200000"), builtin_unit("USD"), "en_US") == f"{MINUS}$5.2M"
    assert format_signed(Decimal("-3.5"), builtin_unit("percent"), "de_DE") == \
        MINUS + format_number(Decimal("3.5"), builtin_unit("percent"), "de_DE")
    # format_number writes the true minus too (formatting.true_minus): the two agree on every negative
    assert format_number(Decimal("-3.5"), builtin_unit("percent"), "de_DE") == f"{MINUS}3,5%"


# -- colours set by name -----------------------------------------------------------------------------

def test_colours_set_by_name_follow_their_series_into_every_chart(em: Path):
    sections = (chart("stacked_bar", "additions", "x: quarter\ny: [lfp, nmc, sodium_ion, flow]\n"
                                                  "colors: {lfp: '#1B7837', NMC: copper, flow: brand-stone}")
                + chart("percent_bar", "additions", "x: quarter\ny: [lfp, nmc, sodium_ion, flow]"))
    result = build(write_spec(em, sections))
    set_colours = {hex_rgb("#1B7837"), hex_rgb("#B8733D"), hex_rgb("#70665E")}
    pages = [fills(result.output, page) for page in range(len(pdfium.PdfDocument(str(result.output))))]
    drawn = [colour for page in pages for colour, box in page if box[3] - box[1] > 0.5 and box[2] - box[0] > 8]
    assert set_colours <= set(drawn)
    by_chart = {}
    for page in pages:
        for colour, box in page:
            if colour in set_colours:
                by_chart.setdefault(colour, []).append(box)
    assert all(len(boxes) >= 16 for boxes in by_chart.values()), "eight bars in each of the two charts (and a legend key)"
    from deckgen.brand.colours import delta_e

    sodium = [c for c in set(drawn) - set_colours if sum(1 for d in drawn if d == c) >= 8]  # none in 2024: no bar
    assert len(sodium) == 1, "sodium-ion: one automatic colour, the same in both charts"
    for colour in set_colours:
        assert delta_e("#%02X%02X%02X" % sodium[0], "#%02X%02X%02X" % colour) >= 15
    assert not [p for p in result.warnings if p.code == "chart-colour"]


COLOUR_ERRORS = {
    "unknown name": ("colors: {Brazil: brand-forrest}",
                     "'brand-forrest' is not a colour of the brand or #RRGGBB; did you mean 'brand-forest'?"),
    "bad hex": ("colors: {Brazil: '#12345'}", "'#12345' is not a hex colour; use #RGB or #RRGGBB"),
    "unknown series": ("colors: {Brasil: '#1B7837'}", "'Brasil' is not a series of this chart; did you mean 'Brazil'?"),
    "colours by sign": ("colors: {Brazil: '#1B7837'}\ncolor_by: sign",
                        "'colors' has no effect when bars are coloured by sign; remove it (the brand's positive and "
                        "negative colours are used), or set color_by: series"),
}


@pytest.mark.parametrize("case", sorted(COLOUR_ERRORS))
def test_colour_mistakes_are_refused_at_their_key(em: Path, cli, case: str):
    option, message = COLOUR_ERRORS[case]
    kind = "bar" if "sign" in option else "line"
    spec = write_spec(em, chart(kind, "curve", f"x: tenor\ny: {'Brazil' if kind == 'bar' else '[Brazil, Mexico]'}\n{option}"))
    text = spec.read_text()
    colours = text.index("colors:")
    offset = text.index("{", colours) if case == "colours by sign" else text.index(": ", text.index("{", colours)) + 2
    where = f"{text.count(chr(10), 0, offset) + 1}:{offset - text.rfind(chr(10), 0, offset)}"
    for command in ("validate", "build"):
        result = cli(command, "specs/t.yaml", cwd=em)
        errors = [line for line in result.stderr.splitlines() if line.startswith("specs/") and "warning:" not in line]
        assert result.code == 1 and errors == [f"specs/t.yaml:{where}: {message}"], result.stderr
    assert not (em / "dist" / "t.pdf").exists()


def test_colours_hard_to_see_or_to_tell_apart_are_warned_about_at_the_colors_key(em: Path, cli):
    spec = write_spec(em, chart("line", "curve", "x: tenor\ny: [Brazil, Mexico, South Africa]\n"
                                                 "colors: {Brazil: '#1B7837', Mexico: brand-forest, South Africa: sand}"))
    text = spec.read_text()
    result = cli("validate", "specs/t.yaml", cwd=em)
    assert result.code == 0, result.stderr

    def at(needle: str) -> str:
        offset = text.index(needle, text.index("colors:"))
        return f"{text.count(chr(10), 0, offset) + 1}:{offset - text.rfind(chr(10), 0, offset)}"

    assert f"specs/t.yaml:{at('brand-forest')}: warning: series 'Mexico' (#2F6B3B) and 'Brazil' (#1B7837) are hard to " \
           "tell apart in this chart: CIEDE2000 difference 5.5, below 15; pick colours further apart" in result.stderr
    assert f"specs/t.yaml:{at('sand')}: warning: series 'South Africa' in #F4EDE4 has a contrast of 1.16:1 on the white " \
           "page; a chart's marks need 3:1; pick a darker colour" in result.stderr
    strict = cli("validate", "--strict", "specs/t.yaml", cwd=em)
    assert strict.code == 1


def test_a_series_has_one_colour_in_the_brief(em: Path, cli):
    spec = write_spec(em, chart("line", "curve", "x: tenor\ny: [Brazil, Mexico]\ncolors: {Brazil: '#1B7837'}")
                      + chart("line", "curve", "x: tenor\ny: [Brazil, South Africa]\ncolors: {Brazil: copper}"))
    result = cli("validate", "specs/t.yaml", cwd=em)
    text = spec.read_text()
    offset = text.index("copper")
    where = f"{text.count(chr(10), 0, offset) + 1}:{offset - text.rfind(chr(10), 0, offset)}"
    assert result.code == 1
    assert f"specs/t.yaml:{where}: series 'Brazil' is copper (#B8733D) here and #1B7837 (#1B7837) in section 1; a series " \
           "keeps one colour in the brief; set its colour once: it follows the series into every chart" in result.stderr


def test_a_change_of_colours_or_transform_draws_the_chart_again(em: Path):
    spec = write_spec(em, chart("line", "curve", "x: tenor\ny: [Brazil, Mexico]\ncolors: {Brazil: '#1B7837'}"))
    first = build(spec).output
    assert hex_rgb("#1B7837") in {colour for colour, _ in fills(first)} or _stroked(first, "#1B7837")
    spec.write_text(spec.read_text().replace("'#1B7837'", "'#5A2D82'"))
    second = build(spec).output  # same output folder: the chart cache is there
    assert _stroked(second, "#5A2D82") and not _stroked(second, "#1B7837")
    spec.write_text(spec.read_text().replace("colors: {Brazil: '#5A2D82'}", "transform: rebase"))
    assert "10Y yield, 1Y=100" in squash(text_of(build(spec).output))


def _stroked(pdf: Path, colour: str) -> bool:
    with pikepdf.open(pdf) as document:
        operations = pikepdf.parse_content_stream(document.pages[0])
    wanted = tuple(round(c / 255, 4) for c in hex_rgb(colour))
    return any(str(op) == "RG" and tuple(round(float(v), 4) for v in operands) == wanted for operands, op in operations)


SHARED_BRANDS = Path(__file__).resolve().parent.parent.parent / "shared" / "brands"


@pytest.mark.skipif(not SHARED_BRANDS.is_dir(), reason="../shared/brands is absent")
def test_every_real_brand_gives_twelve_series_colours_a_reader_can_tell_apart_and_see():
    from deckgen.brand.colours import contrast, delta_e
    from deckgen.brand.theme import load_theme
    from deckgen.charts.colours import extended_palette

    brands = [next(p for p in sorted(folder.rglob("*")) if p.name in ("_brand.yml", "brand.yml", "_brand.yaml"))
              for folder in sorted(SHARED_BRANDS.iterdir()) if folder.is_dir()]
    assert brands
    for brand in brands:
        palette = extended_palette(load_theme(brand).chart_palette)
        assert len(palette) == 12, brand
        for index, colour in enumerate(palette):
            assert contrast(colour, "#FFFFFF") >= 3, (brand, colour)
            for other in palette[index + 1:]:
                assert delta_e(colour, other) >= 15, (brand, colour, other)


def test_the_automatic_palette_keeps_clear_of_colours_set():
    from deckgen.brand.colours import delta_e
    from deckgen.charts.colours import SeriesColours, extended_palette
    from deckgen.charts.data import ChartData, Series

    palette = extended_palette(["#0B2545", "#1F5F8B", "#2A9D8F"])
    names = ["A", "B", "C", "D"]
    set_colour = "#103050"  # a shade of the brand's first colour
    data = ChartData("line", "t", "date", (1,), tuple(Series(n, (1.0,), keyed=True) for n in names), None, None, "", "",
                     options={"colors": {"A": set_colour}})
    colours = SeriesColours(palette).for_chart(data)
    assert colours[0] == set_colour
    for index, colour in enumerate(colours):
        for other in colours[index + 1:]:
            assert delta_e(colour, other) >= 15, (colour, other)


# -- validate: the new options, where they are written ---------------------------------------------

OPTION_ERRORS = {
    "rebase on a bar": (chart("bar", "attribution", "x: component\ny: bp\ntransform: rebase"), "transform",
                        "'transform' has no effect on kind: bar; remove it (it applies to kind: line, area)"),
    "total on a line": (chart("line", "curve", "x: tenor\ny: Brazil\ntotal: All"), "total",
                        "'total' has no effect on kind: line; remove it (it applies to kind: waterfall)"),
    "sign on a stacked bar": (chart("stacked_bar", "additions", "x: quarter\ny: [lfp, nmc]\ncolor_by: sign"), "color_by",
                              "'color_by' has no effect on kind: stacked_bar; remove it (it applies to kind: bar, hbar, waterfall)"),
    "sign on several series": (chart("bar", "curve", "x: tenor\ny: [Brazil, Mexico]\ncolor_by: sign"), "color_by",
                               "color_by: sign colours the bars of one series by their sign; this chart has 2 series; "
                               "draw one series, or remove color_by"),
    "a waterfall of two columns": (chart("waterfall", "curve", "x: tenor\ny: [Brazil, Mexico]"), "type",
                                   "sections.0: kind: waterfall draws one y column (each x category's contribution), and no series"),
    "a total named like a contribution": (chart("waterfall", "attribution", "x: component\ny: bp\ntotal: Carry"), "total",
                                          "the end bar's label 'Carry' is also one of the contributions; name the end bar "
                                          "otherwise with total:"),
    "a waterfall over dates": (chart("waterfall", "flows", "x: quarter\ny: bp"), "x",
                               "kind: waterfall needs x to be a text or ticker column; 'quarter' is date"),
    "connectors on a bar": (chart("bar", "attribution", "x: component\ny: bp\nconnectors: false"), "connectors",
                            "'connectors' has no effect on kind: bar; remove it (it applies to kind: waterfall)"),
}


@pytest.mark.parametrize("case", sorted(OPTION_ERRORS))
def test_new_option_mistakes_are_caught_at_validate_where_they_were_made(em: Path, cli, case: str):
    body, key, message = OPTION_ERRORS[case]
    spec = write_spec(em, body)
    lines = spec.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.strip().lstrip("- ").startswith(f"{key}:") and i > HEAD.count("\n"))
    column = lines[line - 1].index(":") + 3 if key != "type" else lines[line - 1].index("type") + 1
    result = cli("validate", "specs/t.yaml", cwd=em)
    errors = [l for l in result.stderr.splitlines() if l.startswith("specs/") and "warning:" not in l]
    assert result.code == 1
    assert errors == [f"specs/t.yaml:{line}:{column}: {message}"], result.stderr
    assert cli("build", "specs/t.yaml", cwd=em).code == 1, "build refuses what validate refuses"


def test_the_schema_knows_the_new_options(cli):
    import json

    result = cli("schema")
    schema = json.loads(result.stdout)
    chart_def = next(d for d in schema["$defs"].values() if d.get("properties", {}).get("type", {}).get("const") == "chart")
    properties = chart_def["properties"]
    assert {"colors", "transform", "color_by", "total", "connectors"} <= set(properties)
    assert "waterfall" in properties["kind"]["enum"]
    assert "rebase" in json.dumps(properties["transform"]) and "sign" in json.dumps(properties["color_by"])
