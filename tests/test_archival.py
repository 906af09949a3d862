"""PDF/A-2b: the clauses deckgen implements, checked with pikepdf (veraPDF is not available here).

Checked: 6.1.3 (a trailer /ID), 6.2.3 (an output intent with an RGB ICC profile), 6.2.11 (every
font embedded), 6.3.2 (annotations printable, none hidden), 6.6.2 / 6.6.4 (XMP metadata with the
PDF/A identification, matching the document information), and no encryption or JavaScript.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf

from deckgen.build import build


def _fonts(pdf: pikepdf.Pdf):
    seen = set()
    stack = [page.obj for page in pdf.pages]
    while stack:
        obj = stack.pop()
        resources = obj.get("/Resources")
        if resources is None:
            continue
        for _, font in resources.get("/Font", {}).items():
            if font.objgen not in seen:
                seen.add(font.objgen)
                yield font
        for _, xobject in resources.get("/XObject", {}).items():
            if xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                stack.append(xobject)


def test_the_brief_identifies_itself_as_pdf_a_2b(example_pdf: Path):
    with pikepdf.open(example_pdf) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert meta["dc:title"] == str(pdf.docinfo["/Title"]) == "US–Japan Strategic Alignment"
        assert meta["pdf:Producer"] == str(pdf.docinfo["/Producer"])
        assert meta["xmp:CreateDate"].startswith("2026-02-16")
        assert not pdf.is_encrypted
        assert "/JavaScript" not in pdf.Root.get("/Names", {}) and "/OpenAction" not in pdf.Root


def test_an_srgb_output_intent_is_embedded(example_pdf: Path):
    with pikepdf.open(example_pdf) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1"
        profile = intent.DestOutputProfile
        data = profile.read_bytes()
        assert profile.N == 3 and data[36:40] == b"acsp" and data[16:20] == b"RGB "


def test_every_annotation_prints_and_every_font_is_embedded(example_pdf: Path):
    with pikepdf.open(example_pdf) as pdf:
        annotations = [a for page in pdf.pages for a in page.obj.get("/Annots", [])]
        assert annotations, "the brief has links"
        assert all(int(a.F) & 4 and not int(a.F) & (1 | 2 | 32) for a in annotations)
        for font in _fonts(pdf):
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0] if descendants else font).get("/FontDescriptor")
            assert descriptor is not None and ("/FontFile2" in descriptor or "/FontFile3" in descriptor), font.get("/BaseFont")


def test_each_edition_has_its_own_id_and_a_rebuild_the_same(project: Path, tmp_path: Path):
    spec = project / "specs" / "investor.yaml"
    first = build(spec, output=tmp_path / "a.pdf").output
    again = build(spec, output=tmp_path / "b.pdf").output
    later = build(spec, output=tmp_path / "c.pdf", overrides=["date=2026-02-17"]).output
    assert first.read_bytes() == again.read_bytes()
    ids = [bytes(pikepdf.open(p).trailer.ID[0]) for p in (first, later)]
    assert ids[0] != ids[1] and all(len(i) == 16 for i in ids)


def test_the_xmp_packet_is_well_formed_and_declares_pdf_ua_in_an_extension_schema(example_pdf: Path):
    from xml.etree import ElementTree

    with pikepdf.open(example_pdf) as pdf:
        stream = pdf.Root.Metadata
        assert "/Filter" not in stream  # 6.6.2.1: the metadata stream is not filtered
        packet = stream.read_bytes()
        assert pdf.open_metadata()["pdfuaid:part"] == "1"
    root = ElementTree.fromstring(packet[packet.index(b"<x:xmpmeta"):packet.rindex(b"</x:xmpmeta>") + 12])
    schema = "{http://www.aiim.org/pdfa/ns/schema#}"
    (declared,) = [item for item in root.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li")
                   if item.findtext(f"{schema}prefix") == "pdfuaid"]
    assert declared.findtext(f"{schema}namespaceURI") == "http://www.aiim.org/pdfua/ns/id/"
    assert declared.findtext(".//{http://www.aiim.org/pdfa/ns/property#}name") == "part"


def test_the_structure_tree_is_packed_in_compressed_object_streams(example_pdf: Path):
    data = example_pdf.read_bytes()
    assert data.startswith(b"%PDF-1.7") and b"/Type /XRef" in data and b"\nxref\n" not in data
    assert b"/StructElem" not in data  # every element sits in a compressed object stream
    with pikepdf.open(example_pdf) as pdf:
        elements = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/StructElem"]
        assert len(elements) > 100
        assert str(pdf.Root.StructTreeRoot.K.S) == "/Document"


def test_the_cross_reference_rows_are_predicted_byte_by_byte_like_png_up():
    """The PNG Up predictor worked out on whole integers gives, byte for byte, what subtracting each
    byte from the one above it gives: for offsets that borrow across bytes, wrap below zero, or repeat."""
    import random
    import struct

    from deckgen.render.pdfobjects import _png_up_rows

    def one_byte_at_a_time(rows):
        out, previous = bytearray(), bytes(len(rows[0])) if rows else b""
        for row in rows:
            out.append(2)
            out.extend((current - above) & 0xFF for current, above in zip(row, previous))
            previous = row
        return bytes(out)

    generator = random.Random(12)
    cases = [[], [struct.pack(">BIH", 1, 0xFFFFFFFF, 0xFFFF)],
             [struct.pack(">BIH", 2, 0x0100, 0), struct.pack(">BIH", 1, 0x00FF, 1)],  # borrows, wraps
             [struct.pack(">BIH", 2, 7, 3)] * 5]
    cases += [[struct.pack(">BIH", generator.randrange(3), generator.randrange(2**32), generator.randrange(2**16))
               for _ in range(count)] for count in (3, 50, 2000)]
    for rows in cases:
        assert _png_up_rows(rows) == one_byte_at_a_time(rows)


def test_the_author_names_the_issuer_and_the_author_once_each():
    from deckgen.render.pdf import document_author

    assert document_author("Kestrel Fixed Income", "Kestrel Fixed Income, EM Strategy") == "Kestrel Fixed Income, EM Strategy"
    assert document_author("Harbor Lane Capital", "Energy Transition Desk") == "Harbor Lane Capital, Energy Transition Desk"
    assert document_author(None, None) == "" and document_author("Firm", None) == "Firm"
