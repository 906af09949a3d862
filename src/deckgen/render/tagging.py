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

A paragraph split across pages stays one element. Roles: Document > Sect (one per section) > H1/H2/H3, P, Caption, BlockQuote, Figure (with /Alt),
L > LI > LBody (takeaways, bullets), TOC > TOCI > P (the table of contents), Table > TR > TH (/Scope /Column; a total
row's label /Scope /Row) / TD, Link (OBJR) inside the
element whose text carries the link. Layout tables (boxes, grids, the masthead) are transparent:
their cells' flowables are tagged one by one.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
import threading
from contextlib import contextmanager
from typing import Any

_serial = itertools.count()

ROLE_BY_STYLE = {
    "h1": "H1", "h2": "H2", "h3": "H3", "box_title": "H2",
    "exhibit": "Caption", "caption": "Caption", "quote": "BlockQuote",
}
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
        self.titles: dict[str, str] = {}  # section anchors -> their headings

    def link_target(self, canvas, name: str) -> None:
        self.targets[(canvas.getPageNumber() - 1, len(canvas._annotationrefs))] = name

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
        try:
            yield
        finally:
            self.depth -= 1
            canvas._code.append(CLOSE_CELL)
        for index in range(before, len(canvas._annotationrefs)):
            node.add(Node("Link")).kids.append(("annot", page, index))

    def leaf(self, canvas, role: str, alt: str | None = None, list_item: str | None = None, group: int | None = None,
             key: int | None = None):
        if key is not None and key in self.continued:  # the rest of a paragraph split across pages
            return self.content(canvas, self.continued[key])
        node = self._place(role, alt, list_item, group)
        if key is not None:
            self.continued[key] = node
        return self.content(canvas, node)

    def _place(self, role, alt, list_item, group) -> Node:
        parent = self.parent
        if group is not None:
            if group not in self.groups:
                self.groups[group] = parent.add(Node("Div"))
            parent = self.groups[group]
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

    def open_cell(self, canvas, table_key: int, draw_key: int, row: int, header: bool, row_header: bool = False) -> str:
        """The operator that starts a data-table cell's marked content (a cell drawn without going
        through reportlab's ``_drawCell``); end it with ``CLOSE_CELL``."""
        return self._begin(canvas, self.cell(table_key, draw_key, row, header, row_header))

    def cell(self, table_key: int, draw_key: int | None, row: int, header: bool, row_header: bool = False) -> Node:
        """A new cell of row ``row``: a column header (TH, /Scope /Column), a row's header (TH, /Scope
        /Row: a total row's label) or a data cell (TD)."""
        key = (table_key, draw_key, row)
        tr = self.rows.get(key)
        if tr is None:
            tr = self.rows[key] = self.table(table_key).add(Node("TR"))
        if header or row_header:
            return tr.add(Node("TH", scope="Column" if header else "Row"))
        return tr.add(Node("TD"))

    def _begin(self, canvas, node: Node) -> str:
        """Give ``node`` the next MCID on the current page; the operator that ends the artifact and
        starts its marked content."""
        page = canvas.getPageNumber() - 1
        mcids = self.mcids.setdefault(page, [])
        node.kids.append(("mcid", page, len(mcids)))
        mcids.append(node)
        return f"EMC /{node.role} <</MCID {len(mcids) - 1}>> BDC"

    def table(self, key: int) -> Node:
        if key not in self.tables:
            self.tables[key] = self.parent.add(Node("Table"))
        return self.tables[key]


CLOSE_CELL = "EMC /Artifact BMC"  # ends marked content and reopens the page's artifact


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
    from reportlab.platypus import Image, Paragraph, Table
    from reportlab.platypus.flowables import Flowable

    original_draw_on, original_cell, original_split = Flowable.drawOn, Table._drawCell, Table.split
    original_paragraph_split = Paragraph.split

    def draw_on(self, canvas, x, y, _sW=0):
        tagger = getattr(canvas, "_tagger", None)
        if tagger is None or not tagger.active():
            return original_draw_on(self, canvas, x, y, _sW)
        if isinstance(self, Paragraph):
            style = self.style.name
            role = getattr(self, "_tag_role", None) or ROLE_BY_STYLE.get(style, "P")
            group = getattr(self, "_tag_group", None)
            container = "L" if style in LIST_STYLES else "TOC" if style.startswith("toc") else None
            with tagger.leaf(canvas, role, list_item=container if role == "P" else None, group=group,
                             key=getattr(self, "_tag_key", None)):
                return original_draw_on(self, canvas, x, y, _sW)
        if isinstance(self, (Drawing, Image)):
            alt = getattr(self, "_tag_alt", None)
            if not alt:  # decorative: stays an artifact
                return original_draw_on(self, canvas, x, y, _sW)
            with tagger.leaf(canvas, "Figure", alt=alt, group=getattr(self, "_tag_group", None)):
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
        heads_row = getattr(self, "_tag_row_header", None)
        row_header = heads_row is not None and heads_row[0] == row and column_of(self, pos[0]) == heads_row[1]
        cell = tagger.cell(self._tag_key, getattr(self, "_tag_draw", None), row, header, row_header)
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
            for part in parts:
                part._tag_key = key
                for name in ("_tag_role", "_tag_group"):
                    if hasattr(self, name):
                        setattr(part, name, getattr(self, name))
        return parts

    Flowable.drawOn, Table._drawCell, Table.split = draw_on, draw_cell, split
    Paragraph.split = paragraph_split


def column_of(table, colpos: float) -> int:
    """The column a cell drawn at ``colpos`` starts in."""
    positions = table._colpositions
    return min(range(len(positions) - 1), key=lambda i: abs(positions[i] - colpos))


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
    if target in titles:
        return f"Go to the section {titles[target]}"
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
