"""Table datasets are read strictly: every problem at its CSV line and column, one line each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

HEAD = """\
title: Table test
date: 2026-07-15
brand: ../assets/brand.yml
checks: {disclosures: not-research}
data:
  sources: ../data/grid-storage/sources.yaml
  t:
    path: ../data/t.csv
    source: illustrative-projects
    as_of: 2026-07-01
    columns: {mw: number, cod: date}
sections:
  - type: table
    title: T
    table: t
  - type: sources
"""

CASES = {
    "a short row": (b"name,mw,cod\nA,1,2026-01-01\nB,2\n",
                    "data/t.csv:3:1: row has 2 cells, fewer than the header's 3; add the missing cells (empty ones too) "
                    "or quote cells that contain commas"),
    "a long row": (b"name,mw,cod\nA,1,2026-01-01,extra\n",
                   "data/t.csv:2:1: row has 4 cells, more than the header's 3; add the missing cells (empty ones too) "
                   "or quote cells that contain commas"),
    "a duplicate header": (b"name,mw,name,cod\nA,1,B,2026-01-01\n",
                           "data/t.csv:1:9: duplicate column 'name' (also column 1); rename one of them"),
    "an empty header": (b"name,,mw,cod\nA,x,1,2026-01-01\n", "data/t.csv:1:6: header cell 2 is empty; give every column a name"),
    "a NUL in a cell": (b"name,mw,cod\nA\x00B,1,2026-01-01\n",
                        "data/t.csv:2:1: column 'name': the cell contains a control character; remove it"),
    "an ESC in a file with CRLF line ends": (b"name,mw,cod\r\nA,1,2026-01-01\r\nB\x1bX,2,2026-01-02\r\n",
                                             "data/t.csv:3:1: column 'name': the cell contains a control character; remove it"),
    "a cell of 5,001 characters": (b"name,mw,cod\nA,1,2026-01-01\n" + b"x" * 5001 + b",2,2026-01-02\n",
                                   "data/t.csv:3:1: column 'name': the cell is longer than 5000 characters"),
    "a number that is not one": (b"name,mw,cod\nA,1,2026-01-01\nB,1.2.3,2026-01-02\n",
                                 "data/t.csv:3:3: column 'mw': '1.2.3' is not a number"),
    "thousands separators": (b'name,mw,cod\nA,"1,200",2026-01-01\n',
                             "data/t.csv:2:3: column 'mw': '1,200' is not a number (write numbers without thousands separators: 1234.5)"),
    "a date that is not one": (b"name,mw,cod\nA,1,2026-02-30\n", "data/t.csv:2:5: column 'cod': '2026-02-30' is not a date (YYYY-MM-DD)"),
    "a 400-digit number": (b"name,mw,cod\nA," + b"9" * 400 + b",2026-01-01\n", "data/t.csv:2:3: column 'mw': '" + "9" * 39 + "\u2026' is 10^15 or more, so it would lose precision"),
    "an integer of 16 digits": (b"name,mw,cod\nA,1234567890123456,2026-01-01\n",
                                "data/t.csv:2:3: column 'mw': '1234567890123456' is 10^15 or more, so it would lose precision"),
    "NaN": (b"name,mw,cod\nA,NaN,2026-01-01\n", "data/t.csv:2:3: column 'mw': 'NaN' is not a finite number"),
    "an unclosed quote": (b'name,mw,cod\nA,1,2026-01-01\n"B,2,2026-01-02\nC,3,2026-01-03\n',
                          "data/t.csv:3:1: a quote opened here is never closed; close it, or double the quotes inside a quoted cell (\"\")"),
    "bytes that are not UTF-8": (b"name,mw,cod\nA,1,2026-01-01\nCaf\xe9,2,2026-01-02\n",
                                 "data/t.csv:3:4: not UTF-8 text (byte 0xe9); save the file as UTF-8"),
    "an empty file": (b"", "data/t.csv:1:1: table is empty: expected a header row"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_table_is_refused_where_it_is_wrong(project: Path, cli, case: str):
    content, expected = CASES[case]
    (project / "data" / "t.csv").write_bytes(content)
    (project / "specs" / "t.yaml").write_text(HEAD)
    result = cli("validate", "specs/t.yaml", cwd=project)
    errors = [line for line in result.stderr.splitlines() if "warning" not in line and "error(s)" not in line]
    assert result.code == 1
    assert errors == [expected]
    assert cli("build", "specs/t.yaml", cwd=project).code == 1


def test_columns_are_inferred_and_a_clean_table_builds(project: Path, cli):
    (project / "data" / "t.csv").write_text("name,mw,cod,share\nA,1200,2026-01-01,12.5%\nB,80,2026-03-01,\n")
    (project / "specs" / "t.yaml").write_text(HEAD.replace("    columns: {mw: number, cod: date}\n", ""))
    result = cli("build", "specs/t.yaml", cwd=project)
    assert result.code == 0, result.stderr
    from pdfread import squash, text_of

    text = squash(text_of(project / "dist" / "t.pdf"))
    assert "A 1,200 Jan 1, 2026 12.5%" in text and "B 80 Mar 1, 2026 –" in text


def test_times_in_zones_of_one_offset_keep_their_own_zone(project: Path, cli):
    """Cells are formatted once per distinct value of a column: Seoul and Tokyo share an offset
    but not a name, and each cell keeps its own."""
    (project / "data" / "t.csv").write_text(
        "name,at\nSeoul,2026-02-13 15:30 Asia/Seoul\nTokyo,2026-02-13 15:30 Asia/Tokyo\n"
        "London,2026-02-13 09:00 Europe/London\nUTC,2026-02-13 09:00 UTC\n")
    (project / "specs" / "t.yaml").write_text(HEAD.replace("columns: {mw: number, cod: date}", "columns: {at: datetime}"))
    result = cli("build", "specs/t.yaml", cwd=project)
    assert result.code == 0, result.stderr
    from pdfread import squash, text_of

    text = squash(text_of(project / "dist" / "t.pdf"))
    for place, zone in (("Seoul", "KST"), ("Tokyo", "JST"), ("London", "GMT"), ("UTC", "UTC")):
        assert re.search(rf"{place} Feb 13, 2026, [0-9:]+ [AP]M {zone}", text), (place, zone, text)


def test_a_paged_table_measures_its_rows_as_reportlab_does():
    """A long table is set page by page with row heights measured once; they must be the heights
    reportlab's Table gives the same cells, or wrapped text would overlap the next row."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    from deckgen.render.kit import CELL_PADDING_X, CELL_PADDING_Y
    from deckgen.render.tables import PagedTable

    style = ParagraphStyle("cell", fontName="Helvetica", fontSize=8, leading=10.4)
    long_text = "a cell whose text is long enough to wrap onto several lines in a narrow column " * 2
    header = [Paragraph("Project name", style), Paragraph("A long header that wraps in its column", style)]
    rows = [["P1", "short"], ["P2", Paragraph(long_text, style)], [Paragraph(long_text[:40], style), "x"]]
    widths = [60.0, 120.0]
    commands = [("FONTSIZE", (0, 0), (-1, -1), 8), ("LEADING", (0, 0), (-1, -1), 10.4),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING_X), ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING_X),
                ("TOPPADDING", (0, 0), (-1, -1), CELL_PADDING_Y), ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PADDING_Y)]
    reference = Table([header, *rows], colWidths=widths, style=TableStyle(commands))
    reference.wrap(sum(widths), 10_000)
    paged = PagedTable(header, rows, widths, commands, None, 10.4)
    header_height, row_heights = paged._measure()
    assert [header_height, *row_heights] == pytest.approx(reference._rowHeights)
    first, rest = paged.split(sum(widths), header_height + row_heights[0] + row_heights[1] + 1)
    assert len(first._cellvalues) == 3 and len(rest.rows) == 1  # the header, then two rows; one row left


def test_plain_cells_set_directly_look_exactly_as_reportlab_draws_them(project: Path, monkeypatch):
    """Long tables' plain-text cells skip reportlab's text objects; the pages must not change by a pixel,
    and every cell must still be a tagged cell."""
    import pypdfium2
    from PIL import ImageChops
    from reportlab.platypus import Table

    from deckgen.build import build
    from deckgen.render import tables

    spec = project / "specs" / "grid-storage.yaml"
    fast = build(spec, output=project / "dist" / "fast.pdf").output
    monkeypatch.setattr(tables._TablePart, "_drawCell", Table._drawCell)  # reportlab's own drawing (tagged by the hook)
    monkeypatch.setattr(tables.PagedTable, "_shared_styles", lambda self: None)  # and its own styling of every part
    slow = build(spec, output=project / "dist" / "slow.pdf").output
    fast_pages, slow_pages = pypdfium2.PdfDocument(fast), pypdfium2.PdfDocument(slow)
    assert len(fast_pages) == len(slow_pages)
    for number in range(len(fast_pages)):
        images = [pages[number].render(scale=2).to_pil().convert("RGB") for pages in (fast_pages, slow_pages)]
        assert ImageChops.difference(*images).getbbox() is None, f"page {number + 1} differs"
    import pikepdf

    def cells(path):
        with pikepdf.open(path) as pdf:
            return sum(1 for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") in ("/TD", "/TH"))

    assert cells(fast) == cells(slow) > 100


def test_a_short_last_word_is_never_alone_on_a_cells_last_line(project: Path):
    """"Thames Battery / Hub IV", not "Thames Battery Hub / IV": the register's names wrap before the pair."""
    import pypdfium2

    from deckgen.build import build

    pdf = pypdfium2.PdfDocument(build(project / "specs" / "grid-storage.yaml").output)
    lines = [line.strip() for page in pdf for line in page.get_textpage().get_text_range().splitlines()]
    assert any(line.endswith("Hub\u00a0IV") or line.endswith("Hub IV") for line in lines) or "Hub IV" in " ".join(lines)
    assert not [line for line in lines if line in ("I", "II", "III", "IV")]


def test_numbers_written_by_a_machine_are_read(project: Path, cli):
    """pandas and numpy write doubles with up to 17 significant digits, or with an exponent."""
    (project / "data" / "t.csv").write_text("name,mw,cod\nA,36600000.43333334,2026-01-01\nB,1.2e+07,2026-03-01\n"
                                            "C,0.123456789012345678,2026-04-01\n")
    (project / "specs" / "t.yaml").write_text(HEAD.replace("    columns: {mw: number, cod: date}\n", "    columns: {mw: {type: number, decimals: 2}, cod: date}\n"))
    result = cli("build", "specs/t.yaml", cwd=project)
    assert result.code == 0, result.stderr
    from pdfread import squash, text_of

    text = squash(text_of(project / "dist" / "t.pdf"))
    assert "A 36,600,000.43 Jan 1, 2026" in text and "B 12,000,000.00 Mar 1, 2026" in text and "C 0.12 Apr 1, 2026" in text
