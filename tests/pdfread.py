"""Reading a built PDF the way a reader's tools do (pypdf, pypdfium2): text, fonts, outline, links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pypdf


def text_of(path: Path) -> str:
    """All text of the PDF as pdfium extracts it (what search and copy-paste see)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def page_texts(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def squash(text: str) -> str:
    """Text with line breaks joined, for phrase searches; a word hyphenated at a line end (pdfium
    marks the join with U+FFFE) reads as the whole word, as it does when copied."""
    return " ".join(text.replace("\ufffe", "").replace("\r", " ").replace("\n", " ").split())


@dataclass(frozen=True)
class FontInfo:
    name: str
    subtype: str
    embedded: bool


def fonts_of(path: Path) -> list[FontInfo]:
    """Every font resource on every page and in every form XObject."""
    reader = pypdf.PdfReader(str(path))
    found: dict[str, FontInfo] = {}

    def visit(resources) -> None:
        resources = resources.get_object() if resources is not None else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font["/BaseFont"])] = FontInfo(str(font["/BaseFont"]), str(font["/Subtype"]), embedded)
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
                visit(xobject["/Resources"])

    for page in reader.pages:
        visit(page.get("/Resources"))
    return list(found.values())


def outline_titles(path: Path) -> list[str]:
    reader = pypdf.PdfReader(str(path))

    def walk(items) -> list[str]:
        titles = []
        for item in items:
            if isinstance(item, list):
                titles += walk(item)
            else:
                titles.append(item.title)
        return titles

    return walk(reader.outline)


@dataclass(frozen=True)
class Link:
    page: int  # 0-based page the link is on
    rect: tuple[float, float, float, float]
    uri: str | None
    target_page: int | None  # for internal links: where they land
    target_top: float | None


def links_of(path: Path) -> list[Link]:
    reader = pypdf.PdfReader(str(path))
    page_numbers = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    links = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            action = action.get_object() if action is not None else {}
            uri = action.get("/URI")
            dest = annotation.get("/Dest") or action.get("/D")
            target_page = target_top = None
            if dest is not None:
                dest = dest.get_object()
                if isinstance(dest, (str, bytes)) or hasattr(dest, "original_bytes"):
                    named = reader.named_destinations[str(dest)]
                    target_page, target_top = reader.get_destination_page_number(named), float(named.top or 0)
                else:
                    target_page = page_numbers[dest[0].idnum]
                    target_top = float(dest[3]) if len(dest) > 3 and dest[3] is not None else None
            rect = tuple(float(v) for v in annotation["/Rect"])
            links.append(Link(number, rect, str(uri) if uri else None, target_page, target_top))
    return links


def text_in(path: Path, page: int, rect: tuple[float, float, float, float]) -> str:
    """The text pdfium finds inside ``rect`` (left, bottom, right, top) on a 0-based page."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        left, bottom, right, top = rect
        return document[page].get_textpage().get_text_bounded(left, bottom, right, top)
    finally:
        document.close()


def named_destinations(path: Path) -> dict[str, tuple[int, float]]:
    """Named destination -> (0-based page, top y)."""
    reader = pypdf.PdfReader(str(path))
    found = {}
    for name, destination in reader.named_destinations.items():
        page = reader.get_destination_page_number(destination)
        top = destination.top if destination.top is not None else 0.0
        found[str(name)] = (page, float(top))
    return found


def marked_texts(path: Path) -> dict[tuple[int, int], str]:
    """The text of each marked-content sequence with an MCID, by (page index, MCID), as a reader of
    the tags gets it (pdfium): a span's /ActualText in place of the text it covers."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    def text_of(obj, textpage) -> str:
        size = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
        buffer = ctypes.create_string_buffer(size)
        raw.FPDFTextObj_GetText(obj.raw, textpage.raw, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), size)
        return buffer.raw[:size].decode("utf-16-le").rstrip("\x00")

    def actual_text(mark) -> str | None:
        length = ctypes.c_ulong()
        if not raw.FPDFPageObjMark_GetParamStringValue(mark, b"ActualText", None, 0, ctypes.byref(length)):
            return None
        buffer = ctypes.create_string_buffer(length.value)
        raw.FPDFPageObjMark_GetParamStringValue(mark, b"ActualText", ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), length.value, ctypes.byref(length))
        return buffer.raw[:length.value].decode("utf-16-le").rstrip("\x00")

    texts: dict[tuple[int, int], str] = {}
    document = pdfium.PdfDocument(str(path))
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        for obj in page.get_objects(max_depth=4):
            if obj.type != raw.FPDF_PAGEOBJ_TEXT:
                continue
            mcid = raw.FPDFPageObj_GetMarkedContentID(obj.raw)
            if mcid < 0:
                continue
            text = text_of(obj, textpage)
            for position in range(raw.FPDFPageObj_CountMarks(obj.raw)):
                actual = actual_text(raw.FPDFPageObj_GetMark(obj.raw, position))
                if actual is not None:
                    text = actual
            texts[(index, mcid)] = texts.get((index, mcid), "") + text
        textpage.close()
        page.close()
    document.close()
    return texts


def element_texts(path: Path, roles: tuple[str, ...]) -> list[tuple[str, str]]:
    """(role, text) of every structure element of ``roles``, in reading order, its text from its
    marked content and its kids' (``marked_texts``)."""
    import pikepdf

    texts = marked_texts(path)
    found: list[tuple[str, str]] = []
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}

        def text_of(element, page) -> str:
            if "/Pg" in element:
                page = pages[element.Pg.objgen]
            kids = element.get("/K")
            if kids is None:
                return ""
            parts = []
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
                if isinstance(kid, int):
                    parts.append(texts.get((page, int(kid)), ""))
                elif kid.get("/Type") == "/MCR":
                    parts.append(texts.get((pages[kid.Pg.objgen], int(kid.MCID)), ""))
                elif kid.get("/Type") == "/StructElem":
                    parts.append(text_of(kid, page))
            return "".join(parts)

        def walk(element, page):
            if "/Pg" in element:
                page = pages[element.Pg.objgen]
            if str(element.get("/S")) in roles:
                found.append((str(element.S)[1:], text_of(element, page)))
            kids = element.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
                    walk(kid, page)

        root = pdf.Root.StructTreeRoot.K
        for element in (root if isinstance(root, pikepdf.Array) else [root]):
            walk(element, None)
    return found


@dataclass
class TaggedTable:
    """A Table in the structure tree: its text, how many body rows it has (a total row, in TFoot, aside),
    the pages its cells are drawn on (and each body row's page), and the pages of what belongs to it:
    the heading just before it and the caption and source line just after it."""
    text: str
    rows: int
    pages: set[int]
    row_pages: list[int]
    heading: tuple[str, int] | None
    notes: list[tuple[str, int]]


def tagged_tables(path: Path) -> list[TaggedTable]:
    """Every Table element of the tagged PDF, in reading order (pages 0-based)."""
    import pikepdf

    texts = marked_texts(path)
    found: list[TaggedTable] = []
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}

        def kids(element) -> list:
            value = element.get("/K")
            return list(value) if isinstance(value, pikepdf.Array) else [] if value is None else [value]

        def elements(element) -> list:
            return [kid for kid in kids(element) if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem"]

        def content(element, page) -> list[tuple[int, str]]:
            """(page, text) of each marked-content sequence under ``element``."""
            if "/Pg" in element:
                page = pages[element.Pg.objgen]
            found = []
            for kid in kids(element):
                if isinstance(kid, int):
                    found.append((page, texts.get((page, int(kid)), "")))
                elif kid.get("/Type") == "/MCR":
                    found.append((pages[kid.Pg.objgen], texts.get((pages[kid.Pg.objgen], int(kid.MCID)), "")))
                elif kid.get("/Type") == "/StructElem":
                    found += content(kid, page)
            return found

        def first_page(element) -> int:
            return min(page for page, _ in content(element, None))

        def text(element) -> str:
            return " ".join("".join(part for _, part in content(element, None)).split())

        def walk(element):
            siblings = elements(element)
            for index, kid in enumerate(siblings):
                if str(kid.get("/S")) != "/Table":
                    walk(kid)
                    continue
                body = [row for part in elements(kid) if str(part.S) in ("/TBody", "/TR") for row in
                        (elements(part) if str(part.S) == "/TBody" else [part]) if str(row.S) == "/TR"]
                before = siblings[index - 1] if index else None
                heading = (text(before), first_page(before)) if before is not None and re.fullmatch(r"/H\d?", str(before.S)) else None
                notes = []
                for after in siblings[index + 1:index + 3]:  # a caption and the source line
                    if str(after.S) != "/P":
                        break
                    notes.append((text(after), first_page(after)))
                    if text(after).startswith("Source"):
                        break
                if not notes or not notes[-1][0].startswith("Source"):
                    notes = []  # what follows is the text, not the table's notes
                found.append(TaggedTable(text(kid), len(body), {page for page, _ in content(kid, None)},
                                         [first_page(row) for row in body], heading, notes))

        root = pdf.Root.StructTreeRoot
        walk(root)
    return found
