"""Tagged PDF (ISO 32000-1 14.7-14.8, PDF/UA-1): the structure tree, built while the brief is laid out.

reportlab writes no structure, so deckgen adds it at the canvas level, without forking reportlab:

* every page's content stream starts in an ``/Artifact BMC`` sequence; whatever is drawn outside
  a tagged flowable (running header and footer, page numbers, rules, table backgrounds and lines,
  decorative boxes, repeated table header rows) stays an artifact;
* while a brief is built, ``Flowable.drawOn`` and ``Table._drawCell`` look for a ``Tagger`` on the
  canvas: a paragraph, a chart or the logo, a data table's cell closes the artifact, is drawn in a
  ``/Role <</MCID n>> BDC ... EMC`` sequence and reopens the artifact; the tagger records the
  structure element (role, parent, MCIDs, the link annotations drawn inside it, alt text);
* just before the canvas saves, ``write_structure`` adds the recorded tree to reportlab's document:
  StructTreeRoot, StructElems, the ParentTree and the pages' /StructParents.

A paragraph split across pages stays one element. Roles: Document > Sect (one per section) > H1/H2/H3, P, BlockQuote,
Figure (with /Alt; its exhibit title a Caption inside it), L > LI > Lbl + LBody (takeaways, bullets), TOC > TOCI > P (the table of
contents), Table > Caption, THead > TR > TH (/Scope /Column), TBody > TR > TD, TFoot > TR > TH (/Scope /Row: a total row's label)
+ TD, and Link (the linked text and its OBJR) inside the element whose text carries the link. Layout tables (boxes, grids, the
masthead) are transparent: their cells' flowables are tagged one by one. A paragraph with nothing to read (a spacer line) is an artifact.

A paragraph's text is marked inside its text object (``TextMarks``) when parts of it belong to other elements (a link's text, a
list item's marker), and read as its lines spell it: a line end is a space (text extracted from the tags does not run the last
word of one line into the first of the next), and a hyphen the line breaker added reads as nothing (``/ActualText``).
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
import threading
from contextlib import contextmanager
from typing import Any

_serial = itertools.count()

ROLE_BY_STYLE = {"h1": "H1", "h2": "H2", "h3": "H3", "box_title": "H2", "rail_title": "H2", "quote": "BlockQuote",
                 "rail_quote": "BlockQuote"}
LIST_STYLES = {"takeaway", "bullet"}


class Node:
    """A structure element: its role, children (nodes, ("mcid", page, n), ("annot", page, i)) and alt text."""

    __slots__ = ("role", "kids", "alt", "scope", "index")

    def __init__(self, role: str, alt: str | None = None, scope: str | None = None):
        self.role, self.kids, self.alt, self.scope = role, [], alt, scope
        self.index = -1  # its place among the elements written, once the tree is written

    def add(self, node: "Node") -> "Node":
        self.kids.append(node)
        return node


class Tagger:
    """The structure tree of one build, kept on the canvas (``canvas._tagger``)."""

    def __init__(self):
        self.root = Node("Document")
        self.section: Node | None = None
        self.mcids: dict[int, list[Node]] = {}  # page index -> the element of each MCID
        self.depth = 0  # inside a marked-content sequence (nested drawing belongs to it)
        self.artifact_depth = 0  # drawing page furniture
        self.open_lists: dict[int, Node] = {}  # parent -> the list its next list item joins, if nothing came between
        self.groups: dict[int, Node] = {}
        self.tables: dict[int, Node] = {}
        self.rows: dict[tuple[int, int], Node] = {}
        self.continued: dict[int, Node] = {}  # split paragraphs: their element, by key
        self.targets: dict[tuple[int, int], str] = {}  # (page, annotation index) -> internal link's destination
        self.titles: dict[str, str] = {}  # section anchors -> what a link to them says it does
        self.addresses: dict[tuple[int, int], str] = {}  # (page, annotation index) -> external link's URL
        self.open_nodes: list[Node] = []  # the elements whose marked content is open on the canvas
        self.claimed: set[tuple[int, int]] = set()  # annotations given to the Link of the text they link
        self.figures: dict[int, Node] = {}  # chart exhibits: the Figure of each, by its key
        self.read_to: dict[int, int] = {}  # split paragraphs: where in their text the part drawn last stopped

    def link_target(self, canvas, name: str) -> None:
        self.targets[(canvas.getPageNumber() - 1, len(canvas._annotationrefs))] = name

    def link_address(self, canvas, url: str) -> None:
        self.addresses[(canvas.getPageNumber() - 1, len(canvas._annotationrefs))] = url

    def href(self, page: int, index: int) -> str | None:
        """Where link annotation ``index`` of ``page`` goes, as a paragraph's link names it."""
        name = self.targets.get((page, index))
        return "#" + name if name is not None else self.addresses.get((page, index))

    @property
    def parent(self) -> Node:
        return self.section or self.root

    def new_section(self) -> None:
        self.section = self.root.add(Node("Sect"))

    def active(self) -> bool:
        return not self.depth and not self.artifact_depth

    @contextmanager
    def content(self, canvas, node: Node):
        """Draw ``node``'s content as one marked-content sequence; links drawn inside become its Link kids."""
        page = canvas.getPageNumber() - 1
        canvas._code.append(self._begin(canvas, node))
        before = len(canvas._annotationrefs)
        self.depth += 1
        self.open_nodes.append(node)
        try:
            yield
        finally:
            self.depth -= 1
            self.open_nodes.pop()
            canvas._code.append(CLOSE_CELL)
        for index in range(before, len(canvas._annotationrefs)):
            if (page, index) not in self.claimed:  # not a link of a paragraph's text drawn inside
                node.add(Node("Link")).kids.append(("annot", page, index))

    @contextmanager
    def text(self, canvas, node: Node, marks: "TextMarks"):
        """Draw a paragraph whose text ``marks`` marks inside its text object; then give each Link the
        annotation drawn for it."""
        page = canvas.getPageNumber() - 1
        before, kids_before = len(canvas._annotationrefs), len(node.kids)
        canvas._tag_text = marks
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
            canvas._tag_text = None
        annotations = range(before, len(canvas._annotationrefs))
        self.claimed.update((page, index) for index in annotations)
        if marks.links:
            claimed: set[int] = set()
            for index in annotations:  # each annotation to the (first unclaimed) Link of the text going where it goes
                href = self.href(page, index)
                links = [number for number, link_href in enumerate(marks.hrefs) if link_href == href]
                if not links:
                    node.add(Node("Link")).kids.append(("annot", page, index))
                    continue
                number = next((number for number in links if number not in claimed), links[-1])
                claimed.add(number)
                marks.links[number].kids.append(("annot", page, index))
        elif annotations:  # the whole paragraph is one link (reportlab marks no start)
            link = Node("Link")
            link.kids = [kid for kid in node.kids[kids_before:] if not isinstance(kid, Node)]
            node.kids[kids_before:] = [link]
            for kid in link.kids:
                self.mcids[kid[1]][kid[2]] = link
            link.kids.extend(("annot", page, index) for index in annotations)

    @contextmanager
    def line_ends(self, canvas, marks: "TextMarks"):
        """Draw a paragraph (in an element's marked content) reading its line ends as ``marks`` says."""
        canvas._tag_text = marks
        try:
            yield
        finally:
            canvas._tag_text = None

    def mark(self, canvas, node: Node) -> str:
        """The operator that starts marked content for ``node`` with the page's next MCID."""
        page = canvas.getPageNumber() - 1
        mcids = self.mcids.setdefault(page, [])
        node.kids.append(("mcid", page, len(mcids)))
        mcids.append(node)
        return f"/{node.role} <</MCID {len(mcids) - 1}>> BDC"

    def paragraph(self, role: str, list_item: str | None, group: int | None, key: int | None,
                  exhibit: tuple[str, int] | None, labelled: bool) -> tuple[Node, Node | None]:
        """The element of a paragraph about to be drawn (the one it continues, for the rest of a paragraph
        split across pages), and its list item's Lbl when ``labelled``. An exhibit's title (``exhibit``:
        its Figure or Table and key) is the Caption inside that element."""
        if key is not None and key in self.continued:
            return self.continued[key], None
        label = None
        if exhibit is not None:
            kind, exhibit_key = exhibit
            if kind == "Table":
                container = self.table(exhibit_key)
            else:
                container = self.figures.get(exhibit_key)
                if container is None:
                    container = self.figures[exhibit_key] = self._container(group).add(Node("Figure"))
            node = container.add(Node("Caption"))
        elif list_item and list_item != "TOC":
            parent = self._container(group)
            lists = self.open_lists.get(id(parent))
            if lists is None or parent.kids[-1] is not lists or lists.role != list_item:
                lists = self.open_lists[id(parent)] = parent.add(Node(list_item))
            item = lists.add(Node("LI"))
            label = item.add(Node("Lbl")) if labelled else None
            node = item.add(Node("LBody")).add(Node(role))
        else:
            node = self._place(role, None, list_item, group)
        if key is not None:
            self.continued[key] = node
        return node, label

    def figure(self, key: int | None, alt: str, group: int | None) -> Node:
        """The Figure of a chart exhibit (made when its title was drawn), or a Figure of its own."""
        if key is not None and key in self.figures:
            node = self.figures[key]
            node.alt = alt
            return node
        node = self._container(group).add(Node("Figure", alt))
        if key is not None:
            self.figures[key] = node
        return node

    def _container(self, group: int | None) -> Node:
        parent = self.parent
        if group is not None:
            if group not in self.groups:
                self.groups[group] = parent.add(Node("Div"))
            parent = self.groups[group]
        return parent

    def leaf(self, canvas, role: str, alt: str | None = None, list_item: str | None = None, group: int | None = None,
             key: int | None = None):
        if key is not None and key in self.continued:  # the rest of a paragraph split across pages
            return self.content(canvas, self.continued[key])
        node = self._place(role, alt, list_item, group)
        if key is not None:
            self.continued[key] = node
        return self.content(canvas, node)

    def _place(self, role, alt, list_item, group) -> Node:
        parent = self._container(group)
        if list_item:
            lists = self.open_lists.get(id(parent))
            if lists is None or parent.kids[-1] is not lists or lists.role != list_item:
                lists = self.open_lists[id(parent)] = parent.add(Node(list_item))
            if list_item == "TOC":
                node = lists.add(Node("TOCI")).add(Node(role))
            else:
                node = lists.add(Node("LI")).add(Node("LBody")).add(Node(role))
        else:
            node = parent.add(Node(role, alt))
        return node

    def open_cell(self, canvas, table_key: int, draw_key: int, row: int, header: bool, total: str | None = None) -> str:
        """The operator that starts a data-table cell's marked content (a cell drawn without going
        through reportlab's ``_drawCell``); end it with ``CLOSE_CELL``."""
        return self._begin(canvas, self.cell(table_key, draw_key, row, header, total))

    def cell(self, table_key: int, draw_key: int | None, row: int, header: bool, total: str | None = None) -> Node:
        """A new cell of row ``row`` of a table (drawn in part ``draw_key``): a TH in the table's THead; in
        a total row (``total``: its 'label' or a 'value'), a TH /Scope /Row or a TD in its TFoot; else a
        TD in its TBody."""
        key = (table_key, draw_key, row)
        tr = self.rows.get(key)
        if tr is None:
            table = self.table(table_key)
            part = "THead" if header else "TFoot" if total else "TBody"
            group = next((kid for kid in table.kids if isinstance(kid, Node) and kid.role == part), None)
            if group is None:
                group = table.add(Node(part))
            tr = self.rows[key] = group.add(Node("TR"))
        if header:
            return tr.add(Node("TH", scope="Column"))
        return tr.add(Node("TH", scope="Row") if total == "label" else Node("TD"))

    def _begin(self, canvas, node: Node) -> str:
        """Give ``node`` the next MCID on the current page; the operator that ends the artifact and
        starts its marked content."""
        return "EMC " + self.mark(canvas, node)

    def table(self, key: int) -> Node:
        if key not in self.tables:
            self.tables[key] = self.parent.add(Node("Table"))
        return self.tables[key]


CLOSE_CELL = "EMC /Artifact BMC"  # ends marked content and reopens the page's artifact
NOTHING = "/Span <</ActualText ()>> BDC"  # what a hyphen the line breaker added reads as
SPACE = "/Span <</ActualText ( )>> BDC"  # what a line break reads as


class TextMarks:
    """How one paragraph's text is marked as reportlab writes it into a text object.

    ``ends``: how each line ends ("space": read as a space; "hyphenated": the last character is a
    hyphen the line breaker added, read as nothing; "": as printed); None leaves line ends alone.
    ``inline``: the text is marked inside the text object, where its parts can belong to different
    elements: a list item's ``marker`` to its ``label`` (Lbl), each link's text to a Link in ``node``,
    the rest to ``node``. The page's artifact sequence (or the marked content of the table cell the
    paragraph is in, ``within``) ends before the text object and starts again after it, so that
    marked content and text objects nest (ISO 32000-1 14.6)."""

    def __init__(self, tagger: Tagger, canvas, node: Node | None, ends: list[str] | None, inline: bool = False,
                 label: Node | None = None, marker: str | None = None, within: Node | None = None):
        self.tagger, self.canvas, self.node, self.ends, self.inline = tagger, canvas, node, ends, inline
        self.within = within  # the element whose marked content the text object interrupts (else the page's artifact)
        self.label, self.marker = label, marker
        self.line = 0
        self.tx = None  # the text object the paragraph writes into
        self.current: Node | None = None  # whose marked content is open in it
        self.pending: Node | None = node  # whose marked content opens before the next text
        self.opened_at = -1  # where the last sequence was opened in the text object's code
        self.text_at = -1  # where the text written last starts in it
        self.hyphen_at = -1  # where a text's last hyphen was written apart from it
        self.links: list[Node] = []
        self.hrefs: list[str] = []  # where each link goes

    def text_out(self, tx, text: str, line_end, write) -> None:
        """Write ``text`` (``write`` is reportlab's ``_textOut``), marking it and its line end."""
        code = tx._code
        if self.inline:
            if self.tx is None:
                self.tx = tx
            if self.marker is not None and self.label is not None:
                marker, self.marker = self.marker, None
                if text.startswith(marker):
                    cut = len(marker)
                    while cut < len(text) and text[cut].isspace():
                        cut += 1
                    self._open(code, self.label)
                    write(tx, text[:cut], 0)
                    text, self.pending = text[cut:], self.node
                    if not text and not line_end:
                        return
            if self.current is self.label is not None and text[:1].isspace():  # the space after the marker
                cut = len(text) - len(text.lstrip())
                write(tx, text[:cut], 0)
                text = text[cut:]
            if self.pending is not None:
                self._open(code, self.pending)
        self.text_at = len(code)
        end = ""
        if line_end and self.ends is not None and self.line < len(self.ends):
            end = self.ends[self.line]
        if line_end:
            self.line += 1
        if end == "space" and not text.strip():  # a line ending in a line break: readers drop a lone space
            code.append(SPACE)
            write(tx, " ", 0)
            code.append("EMC")
            if line_end:
                code.append("T*")
        elif end == "space" and not text.endswith((" ", "\u00a0")):
            write(tx, text + " ", line_end)
        elif end == "hyphenated" and not text and self.hyphen_at == len(code) - 1:
            code[self.hyphen_at:self.hyphen_at + 1] = [NOTHING, code[self.hyphen_at], "EMC"]  # the line's last text
            write(tx, text, line_end)
        elif text.endswith("-") and len(text) > 1:  # the hyphen apart, in case the line ends after it
            write(tx, text[:-1], 0)
            self.hyphen_at = len(code)
            write(tx, "-", 0)
            if end == "hyphenated":
                code[self.hyphen_at:self.hyphen_at + 1] = [NOTHING, code[self.hyphen_at], "EMC"]
            if line_end:
                code.append("T*")
        else:
            write(tx, text, line_end)

    def link(self, tx, href: str, what: str) -> None:
        """reportlab's link record: a link's text starts (just written) or ends (before what follows)."""
        if not self.inline or tx is not self.tx:
            return
        if what == "end":
            self.pending = self.node
            return
        code = tx._code
        if self.current is self.node and self.opened_at == self.text_at - 1:
            # nothing of the paragraph's own text since its sequence opened: the sequence is the link's
            kid = self.node.kids.pop()
            link = self.node.add(Node("Link"))
            link.kids.append(kid)
            self.tagger.mcids[kid[1]][kid[2]] = link
            code[self.opened_at] = f"/Link <</MCID {kid[2]}>> BDC"
        else:
            link = self.node.add(Node("Link"))
            code[self.text_at:self.text_at] = ["EMC" if self.current is not None else "", self.tagger.mark(self.canvas, link)]
            self.opened_at, self.text_at = self.text_at + 1, self.text_at + 2
        self.links.append(link)
        scheme, _, rest = href.partition(":")
        self.hrefs.append("#" + rest if scheme == "document" else rest if scheme.lower() == "pdf" else href)
        self.current, self.pending = link, None

    def _open(self, code: list, node: Node) -> None:
        if self.current is not None:
            code.append("EMC")
        code.append(self.tagger.mark(self.canvas, node))
        self.opened_at = len(code) - 1
        self.current, self.pending = node, None

    def close(self, tx) -> None:
        if self.current is not None:
            tx._code.append("EMC")
            self.current = None


def new_group() -> int:
    return next(_serial)


def page_started(canvas) -> None:
    """Called as a page's content is handed over: the page's stream opens and closes an artifact."""
    canvas._code.insert(0, "/Artifact BMC")
    canvas._code.append("EMC")


@contextmanager
def artifact(canvas):
    """Page furniture: nothing drawn inside is tagged (it stays in the page's artifact sequence)."""
    tagger = getattr(canvas, "_tagger", None)
    if tagger is None:
        yield
        return
    tagger.artifact_depth += 1
    try:
        yield
    finally:
        tagger.artifact_depth -= 1


def mark_table(table, role: str = "Table"):
    """Tag ``table`` as a data table (its first ``repeatRows`` rows are column headers)."""
    table._tag_role = role
    table._tag_key = table_key()
    table._tag_continued = False
    return table


def table_key() -> int:
    """A key for a table drawn in parts (each part a Table), which makes them one Table element."""
    return next(_serial)


_installed = threading.Lock()


def install() -> None:
    """From now on, flowables and table cells drawn on a canvas with a tagger are tagged.

    Installed once and never removed: on any other canvas the hooks call reportlab's own methods
    unchanged, and builds running at the same time in threads cannot unhook each other."""
    global _hooked
    with _installed:
        if not _hooked:
            _install()
            _hooked = True


_hooked = False


def _install() -> None:
    from reportlab.graphics.shapes import Drawing
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.pdfgen.textobject import PDFTextObject
    from reportlab.platypus import Image, Paragraph, Table
    from reportlab.platypus.flowables import Flowable

    original_draw_on, original_cell, original_split = Flowable.drawOn, Table._drawCell, Table.split
    original_paragraph_split = Paragraph.split

    def draw_on(self, canvas, x, y, _sW=0):
        tagger = getattr(canvas, "_tagger", None)
        if tagger is None or not tagger.active():
            if (tagger is not None and tagger.depth and not tagger.artifact_depth and isinstance(self, Paragraph)
                    and getattr(canvas, "_tag_text", None) is None):  # a paragraph in a table cell
                if tagger.open_nodes and _has_links(self):  # its links' text in Links inside the cell
                    cell = tagger.open_nodes[-1]
                    with tagger.text(canvas, cell, TextMarks(tagger, canvas, cell, _line_ends(self, tagger), True, within=cell)):
                        return original_draw_on(self, canvas, x, y, _sW)
                with tagger.line_ends(canvas, TextMarks(tagger, canvas, None, _line_ends(self, tagger))):
                    return original_draw_on(self, canvas, x, y, _sW)
            return original_draw_on(self, canvas, x, y, _sW)
        if isinstance(self, Paragraph):
            return _draw_paragraph(self, tagger, canvas, lambda: original_draw_on(self, canvas, x, y, _sW))
        if isinstance(self, (Drawing, Image)):
            alt = getattr(self, "_tag_alt", None)
            if not alt:  # decorative: stays an artifact
                return original_draw_on(self, canvas, x, y, _sW)
            exhibit = getattr(self, "_tag_exhibit", None)
            figure = tagger.figure(exhibit[1] if exhibit else None, alt, getattr(self, "_tag_group", None))
            with tagger.content(canvas, figure):
                return original_draw_on(self, canvas, x, y, _sW)
        if isinstance(self, Table) and getattr(self, "_tag_role", None):
            tagger.table(self._tag_key)
            self._tag_draw = next(_serial)
        return original_draw_on(self, canvas, x, y, _sW)

    def draw_cell(self, cellval, cellstyle, pos, size):
        tagger = getattr(self.canv, "_tagger", None)
        if tagger is None or not getattr(self, "_tag_role", None) or not tagger.active():
            return original_cell(self, cellval, cellstyle, pos, size)
        row = _row_of(self, pos[1], size[1])
        header = row < self.repeatRows
        if header and self._tag_continued:  # the header repeated on a later page: an artifact, paragraphs and all
            with artifact(self.canv):
                return original_cell(self, cellval, cellstyle, pos, size)
        cell = tagger.cell(self._tag_key, getattr(self, "_tag_draw", None), row, header, total_cell(self, row, pos[0]))
        with tagger.content(self.canv, cell):
            return original_cell(self, cellval, cellstyle, pos, size)

    def split(self, available_width, available_height):
        parts = original_split(self, available_width, available_height)
        if getattr(self, "_tag_role", None):
            for index, part in enumerate(parts):
                part._tag_role, part._tag_key = self._tag_role, self._tag_key
                part._tag_continued = self._tag_continued or index > 0
        return parts

    def paragraph_split(self, available_width, available_height):
        """A paragraph split across pages stays one element (its parts share a key) with its role and group."""
        parts = original_paragraph_split(self, available_width, available_height)
        if len(parts) > 1:
            key = getattr(self, "_tag_key", None)
            key = next(_serial) if key is None else key
            plain = self.__dict__.get("_tag_plain")
            if plain is None:
                plain = _plain_text(self)
            for part in parts:
                part._tag_key, part._tag_plain = key, plain
                for name in ("_tag_role", "_tag_group", "_tag_exhibit"):
                    if hasattr(self, name):
                        setattr(part, name, getattr(self, name))
        return parts

    def text_out(self, text, TStar=0):
        marks = getattr(self._canvas, "_tag_text", None)
        if marks is None:
            return original_text_out(self, text, TStar)
        marks.text_out(self, text, TStar, original_text_out)

    def link_record(self, link, what):
        marks = getattr(self._canvas, "_tag_text", None)
        if marks is not None:
            marks.link(self, link[1], what)

    def draw_text(self, text_object):
        marks = getattr(self, "_tag_text", None)
        if marks is None or not marks.inline or marks.tx is not text_object:
            return original_draw_text(self, text_object)
        marks.close(text_object)
        self._code.append("EMC")  # the page's artifact (or the cell's sequence) ends before the text object ...
        original_draw_text(self, text_object)
        self._code.append(marks.tagger.mark(self, marks.within) if marks.within is not None else "/Artifact BMC")  # ... and resumes

    original_text_out, original_draw_text = PDFTextObject._textOut, Canvas.drawText
    Flowable.drawOn, Table._drawCell, Table.split = draw_on, draw_cell, split
    Paragraph.split = paragraph_split
    PDFTextObject._textOut, PDFTextObject._linkRecord, Canvas.drawText = text_out, link_record, draw_text


def _plain_text(paragraph) -> str:
    from ..proof.lines import normal

    return normal(paragraph.getPlainText())


def _text_of(paragraph) -> str:
    """A paragraph's text as written (before hyphenation), kept on it and on its parts."""
    text = paragraph.__dict__.get("_tag_plain")
    if text is None:
        text = paragraph._tag_plain = _plain_text(paragraph)
    return text


def _line_ends(paragraph, tagger: Tagger) -> list[str] | None:
    """How each of a paragraph's lines ends (``proof.lines.line_ends``), a split paragraph's part read
    from where the part before it stopped; None when its lines do not spell its text."""
    from ..proof.lines import line_ends
    from ..proof.record import line_texts

    key = getattr(paragraph, "_tag_key", None)
    walked = line_ends(line_texts(paragraph), _text_of(paragraph), tagger.read_to.get(key, 0) if key is not None else 0)
    if walked is None:
        return None
    ends, read_to = walked
    if key is not None:
        tagger.read_to[key] = read_to
    return ends


def _draw_paragraph(paragraph, tagger: Tagger, canvas, draw):
    """Draw a paragraph in its element: its role from its style (or ``_tag_role``), in a list, a TOC,
    a group or an exhibit as it says; its line ends and any links and list marker marked."""
    text = _text_of(paragraph)
    if not text:  # a spacer line: nothing to read
        with artifact(canvas):
            return draw()
    style = paragraph.style.name
    exhibit = getattr(paragraph, "_tag_exhibit", None)
    role = getattr(paragraph, "_tag_role", None) or ROLE_BY_STYLE.get(style, "P")
    container = "L" if style in LIST_STYLES else "TOC" if style.startswith("toc") else None
    key = getattr(paragraph, "_tag_key", None)
    marker = _list_marker(text) if container == "L" and role == "P" and key not in tagger.continued else None
    node, label = tagger.paragraph(role, container if role == "P" else None, getattr(paragraph, "_tag_group", None), key,
                                   exhibit, marker is not None)
    ends = _line_ends(paragraph, tagger)
    inline = label is not None or _has_links(paragraph)
    marks = TextMarks(tagger, canvas, node, ends, inline, label, marker)
    if inline:
        with tagger.text(canvas, node, marks):
            return draw()
    with tagger.content(canvas, node), tagger.line_ends(canvas, marks):
        return draw()


def _has_links(paragraph) -> bool:
    """Whether any of a paragraph's text is a link (its fragments as parsed, or as reportlab keeps
    them once broken into words: lists of (fragment, text))."""
    for item in getattr(paragraph, "frags", ()):
        fragments = (pair[0] for pair in item[1:]) if isinstance(item, list) else (item,)
        if any(getattr(fragment, "link", None) for fragment in fragments):
            return True
    return False


def _list_marker(text: str) -> str | None:
    """A list item's marker: its first word when that is a symbol ("✓", "▪", "•"), not a word."""
    first = text.split(" ", 1)[0]
    if 0 < len(first) <= 2 and " " in text and not any(char.isalnum() for char in first):
        return first
    return None


def total_cell(table, row: int, colpos: float) -> str | None:
    """Whether a data table's cell drawn at ``colpos`` in row ``row`` is in its total row
    (``_tag_row_header``: the row and column of the total's label): 'label', 'value', or None."""
    heads_row = getattr(table, "_tag_row_header", None)
    if heads_row is None or heads_row[0] != row:
        return None
    positions = table._colpositions
    column = min(range(len(positions) - 1), key=lambda i: abs(positions[i] - colpos))
    return "label" if column == heads_row[1] else "value"


def _row_of(table, rowpos: float, height: float) -> int:
    """The row a cell drawn at ``rowpos`` starts in (spanned cells: their top row)."""
    top = rowpos + height
    positions = table._rowpositions  # the rows' tops, from the first row down
    rising = getattr(table, "_tag_rising", None)
    if rising is None or rising[0] is not positions:
        rising = table._tag_rising = (positions, [-p for p in positions[:-1]])
    index = bisect_left(rising[1], -top)
    candidates = [i for i in (index - 1, index) if 0 <= i < len(rising[1])]
    return min(candidates, key=lambda i: abs(positions[i] - top))


# -- writing the tree ------------------------------------------------------------------------------

def link_description(annotation, target: str | None, titles: dict[str, str]) -> str:
    """/Contents for a link annotation (a reportlab ``PDFDictionary``): where it goes, in words."""
    action = annotation.dict.get("A")
    uri = action.dict.get("URI") if action is not None else None
    if uri is not None:
        uri = str(uri.s)
        return f"Email {uri[7:]}" if uri.startswith("mailto:") else f"Link to {uri}"
    if target and target.startswith("src-"):
        return f"Source {target[4:]} in the list of sources"
    if target in titles:  # "Go to the section Outlook", "Go to Exhibit 5: Installed capacity"
        return titles[target]
    return "Link within the brief"


def write_structure(document, tagger: Tagger) -> None:
    """Write ``tagger``'s tree into ``document`` (a ``CompactDocument``, just before it is saved):
    StructTreeRoot, the elements, ParentTree, /StructParents, link annotations' /StructParent and
    /Contents, /Tabs /S, /MarkInfo.

    A long table has tens of thousands of elements. They are not registered with reportlab one by
    one: the document numbers them after its own objects as it saves, and each element's bytes are
    made then, a thousand at a time, straight into a compressed object stream."""
    from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFPage, PDFString

    from .pdfobjects import RawObject, annotation_dictionary

    pages = document.Pages.pages
    elements: list[Node] = []  # the elements with content somewhere below them, in reading order
    parents: list[int] = []  # each element's parent, by index (-1: the StructTreeRoot)
    annotations: list[tuple[int, int]] = []  # the element of each link annotation, by its /StructParent key
    names: dict[tuple[int, int], str] = {}  # (page, position) -> the annotation's name in the document
    next_key = len(pages)

    def visit(node: Node, parent: int) -> bool:
        nonlocal next_key
        index = len(elements)
        elements.append(node)
        parents.append(parent)
        found = False
        for kid in node.kids:
            if isinstance(kid, Node):
                found = visit(kid, index) or found
            else:
                found = True
                if kid[0] == "annot":
                    _, page, position = kid
                    name = names[(page, position)] = pages[page].Annots[position].name
                    annotation = document.idToObject[name] = annotation_dictionary(document.idToObject[name])
                    annotation["StructParent"] = next_key
                    annotation["Contents"] = PDFString(link_description(
                        annotation, tagger.targets.get((page, position)), tagger.titles))
                    annotations.append((next_key, index))
                    next_key += 1
        if found:
            node.index = index
        else:  # nothing drawn below it: not written
            del elements[index:], parents[index:]
        return found

    visit(tagger.root, -1)
    page_extras = [*PDFPage.__NoDefault__, "StructParents", "Tabs"]
    for index, page in enumerate(pages):
        if index in tagger.mcids:
            page.StructParents = index
        if page.Annots:
            page.Tabs = PDFName("S")
        page.__NoDefault__ = page_extras
    root = RawObject()
    document.Reference(root)
    catalog = document.Catalog
    catalog.StructTreeRoot = root
    catalog.MarkInfo = PDFDictionary({"Marked": "true"})
    document.deferred_objects = _StructureObjects(document, tagger, elements, parents, annotations, names, root,
                                                  next_key)


class _StructureObjects:
    """The structure elements and the ParentTree, numbered from ``first`` when the document saves."""

    def __init__(self, document, tagger: Tagger, elements: list[Node], parents: list[int],
                 annotations: list[tuple[int, int]], names: dict[tuple[int, int], str], root, next_key: int):
        self.document, self.tagger, self.elements, self.parents = document, tagger, elements, parents
        self.annotations, self.names, self.root, self.next_key = annotations, names, root, next_key
        self.count = len(elements) + 1  # and the ParentTree

    def bodies(self, first: int):
        """Each object's bytes, in number order from ``first``; sets the StructTreeRoot's."""
        from reportlab.pdfbase.pdfdoc import PDFString

        from .pdfobjects import reference_bytes

        document, pages = self.document, self.document.Pages.pages
        page_refs = [reference_bytes(document, page.__InternalName__) for page in pages]
        root_ref = reference_bytes(document, self.root.__InternalName__)
        parent_tree = first + len(self.elements)
        self.root.body = b"<< /Type /StructTreeRoot /K %d 0 R /ParentTree %d 0 R /ParentTreeNextKey %d >>" % (
            first, parent_tree, self.next_key)
        roles: dict[str, bytes] = {}
        for node, parent in zip(self.elements, self.parents):
            role = roles.get(node.role) or roles.setdefault(node.role, node.role.encode())
            parent_ref = root_ref if parent < 0 else b"%d 0 R" % (first + parent)
            if len(node.kids) == 1 and not node.alt and not node.scope:  # most elements: a cell or a line of text
                kid = node.kids[0]
                if type(kid) is tuple and kid[0] == "mcid":
                    yield b"<< /Type /StructElem /S /%s /P %s /Pg %s /K %d >>" % (role, parent_ref, page_refs[kid[1]], kid[2])
                    continue
            first_page = next((kid[1] for kid in node.kids if isinstance(kid, tuple)), None)
            kids = []
            for kid in node.kids:
                if isinstance(kid, Node):
                    if kid.index >= 0:
                        kids.append(b"%d 0 R" % (first + kid.index))
                elif kid[0] == "mcid":
                    _, page, mcid = kid
                    kids.append(b"%d" % mcid if page == first_page else
                                b"<< /Type /MCR /Pg %s /MCID %d >>" % (page_refs[page], mcid))
                else:
                    _, page, position = kid
                    kids.append(b"<< /Type /OBJR /Obj %s /Pg %s >>" % (
                        reference_bytes(document, self.names[(page, position)]), page_refs[page]))
            body = b"<< /Type /StructElem /S /%s /P %s" % (role, parent_ref)
            if first_page is not None:
                body += b" /Pg " + page_refs[first_page]
            body += b" /K " + (kids[0] if len(kids) == 1 else b"[ " + b" ".join(kids) + b" ]")
            if node.alt:
                body += b" /Alt " + PDFString(node.alt).format(document)
            if node.scope:
                body += b" /A << /O /Table /Scope /%s >>" % node.scope.encode()
            yield body + b" >>"
        nums = [b"%d [ %s ]" % (page, b" ".join(b"%d 0 R" % (first + node.index) for node in nodes))
                for page, nodes in sorted(self.tagger.mcids.items())]
        nums.extend(b"%d %d 0 R" % (key, first + index) for key, index in self.annotations)
        yield b"<< /Nums [ " + b"\n".join(nums) + b" ] >>"
