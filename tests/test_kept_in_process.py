"""What a process keeps between the variants it checks (``send`` checks one per recipient column
value) must never be stale: a file's digest, a number's text."""

from __future__ import annotations

import hashlib
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from deckgen import inputs
from deckgen.formatting import format_number, shown_number
from deckgen.units import Unit


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def settled_at_once(monkeypatch):
    """Files count as settled as soon as they are written (the rule's two seconds, made zero)."""
    monkeypatch.setattr(inputs, "SETTLED_NS", -1)
    monkeypatch.setattr(inputs, "_DIGESTS", {})


def test_a_file_rewritten_with_the_same_size_and_modification_time_is_hashed_again(tmp_path: Path, settled_at_once):
    data = tmp_path / "figures.csv"
    data.write_bytes(b"name,value\nrate,1.25\n")
    assert inputs.sha256_file(data) == _digest(b"name,value\nrate,1.25\n")
    assert str(data) in inputs._DIGESTS, "a settled file's digest is kept"
    when = data.stat().st_mtime_ns
    data.write_bytes(b"name,value\nrate,9.25\n")  # same size
    os.utime(data, ns=(when, when))  # and the same modification time: only the change time moves
    assert inputs.sha256_file(data) == _digest(b"name,value\nrate,9.25\n")


def test_a_file_replaced_by_another_is_hashed_again(tmp_path: Path, settled_at_once):
    data = tmp_path / "figures.csv"
    data.write_bytes(b"a")
    assert inputs.sha256_file(data) == _digest(b"a")
    other = tmp_path / "other.csv"
    other.write_bytes(b"b")
    os.replace(other, data)
    assert inputs.sha256_file(data) == _digest(b"b")


def test_a_file_changed_in_the_last_two_seconds_is_never_kept(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(inputs, "_DIGESTS", {})
    data = tmp_path / "figures.csv"
    data.write_bytes(b"fresh")
    assert inputs.sha256_file(data) == _digest(b"fresh")
    assert inputs._DIGESTS == {}, "its times could still hide a change made within their granularity"


def test_a_missing_file_raises_as_reading_it_would(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        inputs.sha256_file(tmp_path / "absent.csv")


@pytest.mark.parametrize(("number", "text"), [("1.0", "1.0 GW"), ("1.00", "1.00 GW"), ("1", "1 GW"), ("-0", "−0 GW"),
                                              ("0", "0 GW"), ("-1.50", "−1.50 GW")])
def test_equal_numbers_written_differently_keep_their_own_text(number: str, text: str):
    gw = Unit(name="GW", kind="custom", suffix=" GW")
    for _ in range(2):  # the second time from what the process kept
        for other in ("1.0", "1.00", "1", "-0", "0", "-1.50"):
            format_number(Decimal(other), gw, "en_US")
        assert format_number(Decimal(number), gw, "en_US") == text
        assert str(shown_number(Decimal(number), gw, "en_US")) == str(Decimal(number))


def test_an_extended_palette_kept_in_the_users_cache_is_the_one_worked_out(tmp_path: Path, monkeypatch):
    from deckgen.brand.colours import distinct_palette
    from deckgen.charts import colours
    from deckgen.charts.kinds import MAX_SERIES

    monkeypatch.setenv("DECKGEN_CACHE", str(tmp_path))
    brand = ("#1F3A5F", "#C8102E", "#6A7F99")
    worked_out = distinct_palette(brand, MAX_SERIES, background=colours.PAPER)
    colours._extended.cache_clear()
    assert colours.extended_palette(brand) == worked_out
    [kept] = (tmp_path / "deckgen" / "palettes").iterdir()

    def not_again(*args, **kwargs):
        raise AssertionError("worked out again although it was kept")

    colours._extended.cache_clear()  # a new process: from the file
    monkeypatch.setattr(colours, "distinct_palette", not_again)
    assert colours.extended_palette(brand) == worked_out
    monkeypatch.setattr(colours, "distinct_palette", distinct_palette)

    entry = json.loads(kept.read_text("utf-8"))
    too_alike = [*entry["colours"][:-1], "#1F3A60"]  # beside #1F3A5F: a kept file is never trusted
    too_pale = [*entry["colours"][:-1], "#FAFAFA"]
    for damaged in ("not json", json.dumps({**entry, "key": "another brand"}), json.dumps({**entry, "colours": ["red"]}),
                    json.dumps({**entry, "colours": []}), json.dumps({**entry, "colours": too_alike}),
                    json.dumps({**entry, "colours": too_pale})):
        kept.write_text(damaged, "utf-8")
        colours._extended.cache_clear()
        assert colours.extended_palette(brand) == worked_out, damaged
    assert json.loads(kept.read_text("utf-8")) == entry, "a damaged entry is made again"
    colours._extended.cache_clear()


def test_a_paragraph_style_is_keyed_by_what_it_sets_now_and_not_by_its_parent():
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle

    from deckgen.render.paragraph import Paragraph, style_key

    parent = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=11, textColor=HexColor("#112233"))
    child = ParagraphStyle("note", parent=parent)
    first = style_key(child)
    assert dict(first)["fontSize"] == 9 and "parent" not in dict(first)

    parent.fontSize = 20  # reportlab copied the parent's values into the child as it was made
    assert style_key(child) == first
    assert Paragraph("Prepared for client 0042", child).style.fontSize == 9
    child.refresh()  # ... and copies them in again when refreshed: the key follows
    assert dict(style_key(child))["fontSize"] == 20

    child.leading = 24  # set on the style after use
    assert dict(style_key(child))["leading"] == 24
    child.textColor = HexColor("#112234")
    assert dict(style_key(child))["textColor"] == ("colour", "0x112234", 1)
    child.textColor.blue = 0  # a colour changed in place is read again
    assert dict(style_key(child))["textColor"] == ("colour", "0x112200", 1)
    assert dict(style_key(child.clone("note", fontSize=14)))["fontSize"] == 14


def test_compressed_streams_are_kept_within_their_bound_and_are_zlibs_bytes(monkeypatch):
    import zlib

    from deckgen.render.pdfobjects import KeptFlate

    flate = KeptFlate()
    monkeypatch.setattr(flate, "KEPT_BYTES", 40_000)
    page = b"BT /F1 9 Tf (Prepared for client 0042) Tj ET\n" * 500
    first = flate.encode(page)
    assert first == zlib.compress(page) and flate.encode(bytes(bytearray(page))) is first, "the same content: kept"
    assert flate.encode(bytearray(page)) is first
    assert flate.encode(page.decode("latin-1")) is first, "text as reportlab's filter takes it (UTF-8)"
    for n in range(40):  # other content, until the bound pushes the first out
        other = os.urandom(2_000) + bytes([n])
        assert flate.encode(other) == zlib.compress(other)
    assert flate._size <= 40_000 and len(flate._kept) < 40
    assert flate.encode(page) == first and flate.encode(page) is not first, "compressed again once pushed out"
    kept = len(flate._kept)
    large = os.urandom(11_000)  # compressed, over a quarter of the bound: not kept, nothing pushed out
    assert flate.encode(large) == zlib.compress(large) and len(flate._kept) == kept


def test_a_pdf_stream_is_compressed_through_the_kept_filter_to_reportlabs_bytes():
    from reportlab.pdfbase.pdfdoc import PDFDocument, PDFStream, PDFZCompress

    from deckgen.render import pdfobjects

    content = b"q 1 0 0 1 72 720 cm BT /F1 9 Tf (Exhibit 1) Tj ET Q\n" * 40
    stream = PDFStream(content=content, filters=[PDFZCompress])
    expected = PDFStream(content=content, filters=[PDFZCompress]).format(PDFDocument())
    formatted = pdfobjects.StreamWithEOL(stream).format(PDFDocument())
    assert formatted == expected[:-len(b"endstream\n")] + b"\nendstream\n"
    assert stream.filters == [PDFZCompress], "the stream's own filters are left as they were"
    assert (len(content), hashlib.blake2b(content).digest()) in pdfobjects.KEPT_FLATE._kept, "compressed through it"


def test_the_lines_of_a_split_paragraph_are_read_from_each_part_not_from_the_whole():
    """The proof's reading of a paragraph's lines is kept for its broken lines; reportlab makes each
    part of a split paragraph by cloning those lines, and each part must be read as it is."""
    from reportlab.lib.styles import ParagraphStyle

    from deckgen.proof.record import _lines_of, line_texts
    from deckgen.render.paragraph import Paragraph

    style = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=11)
    text = " ".join(f"Sentence {n} of a paragraph that runs over several lines of a narrow column." for n in range(12))
    whole = Paragraph(text, style)
    whole.wrap(160, 10_000)
    lines = line_texts(whole)
    assert len(lines) > 8 and line_texts(whole) == lines and line_texts(whole) is not lines, "a fresh list each time"
    head, tail = whole.split(160, 5 * 11 + 1)
    for part in (head, tail):
        part.wrap(160, 10_000)
        assert line_texts(part) == _lines_of(part)[0]
    assert line_texts(head) + line_texts(tail) == lines


def test_lines_read_against_a_text_are_a_new_list_each_time():
    from deckgen.proof.lines import breaks

    lines = ["Lines read against", "the text they were made", "from."]
    found = breaks(lines, "Lines read against the text they were made from.")
    assert [b.how for b in found] == ["space", "space"]
    found.clear()
    again = breaks(lines, "Lines read against the text they were made from.")
    assert [b.how for b in again] == ["space", "space"]
    assert breaks(lines, "Lines read against the text they were made for.") is None


def test_importing_the_spec_builds_no_model_it_may_not_use():
    """Every model builds its validator at first use: a build never validates a delivery section's
    retry policy, ``--help`` no brand (a default written as ``Model()`` would build it at import)."""
    import subprocess
    import sys

    probe = ("import deckgen.spec, deckgen.brand.models as b, deckgen.delivery.model as d; "
             "print([m.__name__ for m in (d.RetryPolicy, d.DeliverySpec, b.Brand, b.Color, b.Meta) "
             "if m.__pydantic_complete__])")
    built = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert built.strip() == "[]"


def _price_of(checked, instrument: str):
    table = checked.report.tables["prices"]
    return next(row[table.index("price")] for row in table.rows if row[table.index("instrument")] == instrument)


def test_a_table_is_shared_between_checks_until_its_file_changes(project: Path, settled_at_once):
    """Each variant of a burst reads the same table: one Table, read once; a change to the file (or to
    what the spec declares of it) is read at the next check."""
    from deckgen.build.api import check

    spec = project / "specs" / "investor.yaml"
    first = check(spec, overrides=("subtitle=For one reader",))
    second = check(spec, overrides=("subtitle=For another",))
    assert second.report.tables["prices"] is first.report.tables["prices"]
    assert _price_of(second, "VanEck Semiconductor ETF") == Decimal("250.00")

    prices = project / "data" / "us-japan" / "prices.csv"
    prices.write_text(prices.read_text().replace("SMH,250.00,", "SMH,251.50,"))
    changed = check(spec, overrides=("subtitle=For another",))
    assert _price_of(changed, "VanEck Semiconductor ETF") == Decimal("251.50")

    redated = check(spec, overrides=("data.prices.as_of=2026-02-12",))
    assert redated.report.tables["prices"].as_of.isoformat() == "2026-02-12"
    assert changed.report.tables["prices"].as_of.isoformat() == "2026-02-13"


def test_a_table_read_cleanly_before_then_broken_is_refused_where_it_is_broken(project: Path, settled_at_once):
    from deckgen.build.api import check
    from deckgen.errors import SpecError

    spec = project / "specs" / "investor.yaml"
    check(spec)
    prices = project / "data" / "us-japan" / "prices.csv"
    prices.write_text(prices.read_text().replace("SMH,250.00,", "SMH,two fifty,"))
    for _ in range(2):  # and a table with a problem is never kept: it is refused each time
        with pytest.raises(SpecError) as raised:
            check(spec)
        assert [(p.file, p.line) for p in raised.value.problems if p.is_error] == [(str(prices), 2)]


def test_a_data_file_linked_outside_the_project_between_two_checks_is_refused(project: Path, tmp_path_factory):
    """Paths are resolved once per check, not once per process: a link changed between two variants
    is followed as it is at the second."""
    from deckgen.build.api import check
    from deckgen.errors import SpecError

    spec = project / "specs" / "investor.yaml"
    prices = project / "data" / "us-japan" / "prices.csv"
    kept = project / "data" / "us-japan" / "prices-kept.csv"
    prices.rename(kept)
    prices.symlink_to(kept)
    check(spec, overrides=("subtitle=Before",))
    outside = tmp_path_factory.mktemp("elsewhere") / "prices.csv"
    outside.write_bytes(kept.read_bytes())
    prices.unlink()
    prices.symlink_to(outside)
    with pytest.raises(SpecError) as raised:
        check(spec, overrides=("subtitle=After",))
    assert any("dataset 'prices' points outside the project" in p.message for p in raised.value.problems)


def test_only_short_texts_are_kept_and_a_kept_text_reads_as_a_new_one():
    from deckgen import handtyped, text

    short = "Rates rose {{ rate }} [@fed] {{ exhibit: curve }}."
    long = short + " filler" * 1000
    assert len(long) > text.KEPT_TEXT_LENGTH
    before = (text._references.cache_info().currsize, handtyped._number_runs.cache_info().currsize)
    expected = [("figure", "rate"), ("citation", "fed"), ("exhibit", "curve")]
    assert [(r.kind, r.name) for r in text.references(long)] == expected
    typed = list(handtyped.PrintedForms([("rate", "compact", "4.25%")]).find(long + " 4.25%"))
    assert [(f.typed, f.figure) for f in typed] == [("4.25%", "rate")]
    assert (text._references.cache_info().currsize, handtyped._number_runs.cache_info().currsize) == before
    for _ in range(2):  # the second time from what the process kept
        assert [(r.kind, r.name) for r in text.references(short)] == expected
        found = list(handtyped.PrintedForms([("rate", "compact", "4.25%")]).find("It was 4.25% in May."))
        assert [(f.typed, f.figure) for f in found] == [("4.25%", "rate")]


def test_a_kept_table_locates_its_cells_from_the_folder_deckgen_runs_in(project: Path, monkeypatch, settled_at_once):
    """Locations are written relative to the working folder: a table kept from a check run in one
    folder is read again for a check run in another."""
    from deckgen.build.api import check
    from deckgen.errors import SpecError

    instruments = project / "data" / "us-japan" / "instruments.csv"
    text = instruments.read_text()
    assert "{{ jgb_10y_yield }}" in text
    instruments.write_text(text.replace("{{ jgb_10y_yield }}", "{{ no_such_figure }}"))
    for folder, shown in ((project, "data/us-japan/instruments.csv"), (project / "data", "us-japan/instruments.csv")):
        monkeypatch.chdir(folder)
        with pytest.raises(SpecError) as raised:
            check(project / "specs" / "investor.yaml")
        assert {p.file for p in raised.value.problems if "no_such_figure" in p.message} == {shown}


def test_the_tables_kept_are_bounded_by_their_cells_and_a_file_read_anew_replaces_its_old_contents(
        project: Path, monkeypatch, settled_at_once):
    from deckgen import sources
    from deckgen.build.api import check

    monkeypatch.setattr(sources, "_READ", {})
    spec = project / "specs" / "investor.yaml"
    check(spec)
    kept = dict(sources._READ)
    names = sorted(key[3] for key in kept)
    assert "prices" in names and len(names) >= 3
    prices = project / "data" / "us-japan" / "prices.csv"
    prices.write_text(prices.read_text().replace("SMH,250.00,", "SMH,251.50,"))
    check(spec)
    assert sorted(key[3] for key in sources._READ) == names, "the old contents of prices.csv are let go"
    bound = sum(sources._cells(result) for result in kept.values()) // 2
    monkeypatch.setattr(sources, "MAX_CELLS_KEPT", bound)
    monkeypatch.setattr(sources, "_READ", {})
    check(spec)
    assert 0 < len(sources._READ) < len(names)
    assert sum(sources._cells(result) for result in sources._READ.values()) <= bound
