"""PDF/A-2b and PDF/UA-1 clauses of issue 25 fixed in deckgen's PDF writer, each checked on its own, and
page-validation (an independent checker) reporting no failure for them.

Clauses: ISO 19005-2 6.1.7.1 (an EOL after ``stream`` and before ``endstream``, /Length exact),
6.6.2.3.1 (no XMP property outside the predefined and declared schemas: no pdf:Trapped), 6.2.3 (an
ICC profile no later than v4.2), ISO 32000-1 9.6.4 (distinct font subset tags), PDF/UA-1 7.21.7
(no ToUnicode value U+0000, U+FEFF or U+FFFE), and /PageMode /UseOutlines with bookmarks.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import page
import pikepdf
import pytest

from deckgen.render.fonts import subset_tag

_OBJECT = re.compile(rb"\s*(\d+) (\d+) obj\n")
_STREAM = re.compile(rb"stream(\r\n|\n)")


def stream_spans(pdf_path: Path) -> list[tuple[int, int, bytes]]:
    """(object number, /Length, the bytes after the data) for every stream of a PDF whose objects
    follow one another (as deckgen writes them): walks the file object by object."""
    raw = pdf_path.read_bytes()
    with pikepdf.open(pdf_path) as pdf:
        lengths = {obj.objgen[0]: int(obj.stream_dict.Length) for obj in pdf.objects
                   if isinstance(obj, pikepdf.Stream) and obj.objgen != (0, 0)}
    spans = []
    at = raw.index(b"\n", raw.index(b"\n") + 1)  # past the header and its binary comment
    while match := _OBJECT.match(raw, at):
        number = int(match.group(1))
        end = raw.index(b"endobj", match.end())
        keyword = _STREAM.search(raw, match.end(), end)
        if number in lengths:
            assert keyword, f"object {number} is a stream without the stream keyword where expected"
            data_end = keyword.end() + lengths[number]
            spans.append((number, lengths[number], raw[data_end:data_end + 12]))
            end = raw.index(b"endobj", data_end)
        at = end + len(b"endobj")
    assert raw.startswith(b"startxref", raw.index(b"startxref", at - 1)), "walked to the end of the objects"
    assert {number for number, _, _ in spans} == set(lengths), "every stream of the file was walked"
    return spans


@pytest.fixture(scope="module")
def grid_pdf(tmp_path_factory) -> Path:
    from conftest import copy_project

    from deckgen import build

    root = copy_project(tmp_path_factory.mktemp("grid"))
    return build.build(root / "specs" / "grid-storage.yaml").output


@pytest.fixture(params=["investor", "grid"])
def brief(request, example_pdf: Path, grid_pdf: Path) -> Path:
    return example_pdf if request.param == "investor" else grid_pdf


def test_every_stream_has_an_eol_before_endstream_and_an_exact_length(brief: Path):
    """ISO 19005-2 6.1.7.1: content, fonts, ToUnicode, ICC, forms, object and xref streams alike."""
    spans = stream_spans(brief)
    assert len(spans) > 15
    for number, length, after in spans:
        assert after.startswith((b"\nendstream", b"\r\nendstream")), (number, length, after)


def test_the_writer_puts_an_eol_in_image_and_form_xobjects_too(tmp_path: Path):
    """The streams reportlab formats inside its image and form XObjects (a raster logo, page X of Y)."""
    from PIL import Image
    from reportlab.pdfgen.canvas import Canvas

    from deckgen.render.pdfobjects import CompactDocument

    png = io.BytesIO()
    Image.new("RGB", (3, 2), (200, 30, 40)).save(png, "PNG")
    png.seek(0)
    path = tmp_path / "xobjects.pdf"
    canvas = Canvas(str(path))
    canvas._doc.__class__ = CompactDocument
    from reportlab.lib.utils import ImageReader

    canvas.drawImage(ImageReader(png), 10, 10, 30, 20)
    canvas.beginForm("count")
    canvas.drawString(0, 0, "of 1")
    canvas.endForm()
    canvas.doForm("count")
    canvas.save()
    with pikepdf.open(path) as pdf:
        subtypes = {str(obj.stream_dict.get("/Subtype")) for obj in pdf.objects if isinstance(obj, pikepdf.Stream)}
    assert {"/Image", "/Form"} <= subtypes
    for number, length, after in stream_spans(path):
        assert after.startswith(b"\nendstream"), (number, length, after)


@pytest.mark.parametrize("data", [b"ends in CR\r", b"ends in LF\n", b"ends in CRLF\r\n", b"plain"])
def test_stream_data_ending_in_cr_is_read_back_whole(tmp_path: Path, data: bytes):
    """A reader drops one EOL before ``endstream`` (CRLF or LF): data whose last byte is CR gets CRLF
    after it, so neither its CR nor /Length is lost (compressed streams end in any byte)."""
    from reportlab.pdfgen.canvas import Canvas

    from deckgen.render.pdfobjects import CompactDocument, RawStream, StreamWithEOL
    from reportlab.pdfbase.pdfdoc import PDFStream

    path = tmp_path / "cr.pdf"
    canvas = Canvas(str(path))
    canvas._doc.__class__ = CompactDocument
    raw = canvas._doc.Reference(RawStream(b"<< /Type /EmbeddedFile", data))
    wrapped = canvas._doc.Reference(StreamWithEOL(PDFStream(content=data.decode("latin-1"))))
    canvas._doc.Catalog.__NoDefault__ = list(canvas._doc.Catalog.__NoDefault__) + ["DeckgenRaw", "DeckgenWrapped"]
    canvas._doc.Catalog.DeckgenRaw, canvas._doc.Catalog.DeckgenWrapped = raw, wrapped
    canvas.drawString(10, 10, "x")
    canvas.save()
    with pikepdf.open(path) as pdf:
        assert pdf.Root.DeckgenRaw.read_raw_bytes() == data
        assert pdf.Root.DeckgenWrapped.read_raw_bytes() == data
    raw = path.read_bytes()
    between = re.findall(rb"stream\r?\n(.*?)endstream", raw, re.S)
    # what a reader that ignores /Length gets: the bytes up to endstream less one EOL (CRLF, else LF)
    read = [body[:-2] if body.endswith(b"\r\n") else body[:-1] if body.endswith(b"\n") else None for body in between]
    assert read.count(data) >= 2, (data, between)


def test_the_xmp_has_no_pdf_trapped(example_pdf: Path):
    """6.6.2.3.1: pdf:Trapped is not a property of XMP 2005's Adobe PDF schema."""
    with pikepdf.open(example_pdf) as pdf:
        xmp = pdf.Root.Metadata.read_bytes()
        assert b"pdfaid:part>2<" in xmp
        assert b"Trapped" not in xmp


def test_a_brief_with_bookmarks_opens_on_its_outline(example_pdf: Path):
    with pikepdf.open(example_pdf) as pdf:
        assert len(pdf.open_outline().root) > 0
        assert pdf.Root.PageMode == "/UseOutlines"


def _fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    return [obj for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font" and "/FontDescriptor" in obj]


def test_each_font_subset_has_its_own_tag(brief: Path):
    """ISO 32000-1 9.6.4: six capitals and a plus, a different tag for each subset."""
    with pikepdf.open(brief) as pdf:
        names = [str(font.BaseFont)[1:] for font in _fonts(pdf)]
        assert len(names) >= 3
        tags = [name.split("+")[0] for name in names]
        assert all(re.fullmatch(r"[A-Z]{6}", tag) for tag in tags), names
        assert len(set(tags)) == len(tags), names
        for font in _fonts(pdf):
            assert str(font.FontDescriptor.FontName) == str(font.BaseFont)


def test_subset_tags_are_deterministic_and_distinct():
    assert subset_tag("dg-Lato-Regular-0123abcd", 0) == subset_tag("dg-Lato-Regular-0123abcd", 0)
    tags = {subset_tag(f"dg-font-{font}", subset) for font in range(50) for subset in range(4)}
    assert len(tags) == 200


def test_no_tounicode_value_is_u0000_ufeff_or_ufffe(brief: Path):
    """PDF/UA-1 7.21.7: reportlab's first subset reserves codes for C0 controls, mapped to U+0000 upward."""
    bad = re.compile(rb"<[0-9A-F]{2}> <(0000|FEFF|FFFE)>")
    with pikepdf.open(brief) as pdf:
        for font in _fonts(pdf):
            cmap = font.ToUnicode.read_bytes()
            entries = re.findall(rb"<[0-9A-F]{2}> <[0-9A-F]{4}>", cmap)
            assert entries and not bad.search(cmap), font.BaseFont
            (count,) = re.findall(rb"(\d+) beginbfchar", cmap)
            assert int(count) == len(entries)


def test_the_icc_profile_is_no_later_than_v4_2(example_pdf: Path):
    """6.2.3 via ISO 19005-2's normative ICC.1:2004-10 (v4.2); LittleCMS labels its profiles v4.4."""
    with pikepdf.open(example_pdf) as pdf:
        (intent,) = pdf.Root.OutputIntents
        data = intent.DestOutputProfile.read_bytes()
    assert (data[8], data[9]) <= (4, 0x20), data[8:12].hex()
    assert data[12:20] == b"mntrRGB " and data[36:40] == b"acsp"


FIXED_2B = ("PDFA2B-STREAM-EOL", "PDFA2B-STREAM-LENGTH", "PDFA2B-XMP-PREDEFINED-PROPERTY",
            "PDFA2B-XMP-PREDEFINED-VALUE-TYPE", "PDFA2B-XMP-PROPERTY-DEFINITION")
FIXED_UA1 = ("PDFUA1-FONT-UNICODE-VALUE",)


def test_page_validation_reports_no_failure_for_the_fixed_clauses(brief: Path):
    for profile, fixed in (("2b", FIXED_2B), ("ua1", FIXED_UA1)):
        report = page.validate_pdf(str(brief), profile=profile)
        failures = [failure.rule_id for failure in report.failures]
        assert report.rules.total > 50
        assert not [rule for rule in failures if rule.startswith(fixed)], (profile, failures)


def test_the_scaled_brief_is_pdf_a_2b_and_pdf_ua_1(tmp_path: Path):
    """The benchmark's scaled brief (bench/scaled.py: many narrative sections and charts of every
    kind it cycles through, a long table over many pages), smaller here: still compliant by
    page-validation's 2b and ua1 profiles."""
    import sys

    from deckgen.build import build

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    try:
        from scaled import make_project
    finally:
        sys.path.pop(0)
    spec = make_project(tmp_path / "scaled", rows=600, narratives=12, charts=8)
    result = build(spec, allow_stale=True)
    with pikepdf.open(result.output) as pdf:
        assert len(pdf.pages) > 15
    for profile in ("2b", "ua1"):
        checked = page.validate_pdf(str(result.output), profile=profile)
        assert checked.rules.failed == 0, (profile, [failure.rule_id for failure in checked.failures])
