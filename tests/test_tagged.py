"""Tagged PDF / PDF/UA-1: the Matterhorn checkpoints deckgen implements, checked with pikepdf, and the
structure tree read back by an independent reader (poppler's ``pdfinfo -struct-text``).

Both examples, both brands, with and without a table of contents.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from deckgen.build import build

from conftest import copy_project
from pdfread import element_texts, page_texts, text_of

HARBOR = "brand=../assets/brands/harbor/brand.yml"
VARIANTS = [
    ("investor", (HARBOR, "toc=true")),
    ("grid-storage", (HARBOR, "toc=true")),
    ("investor", ("toc=false",)),
    ("grid-storage", ("toc=true",)),
    ("investor", ("page_size=Letter",)),
    ("grid-storage", (HARBOR, "page_size=Letter", "toc=false")),
]
PAINTING = {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh", "BI", "INLINE IMAGE"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[tuple, Path]:
    root = copy_project(tmp_path_factory.mktemp("tagged"))
    out = {}
    for index, (spec, overrides) in enumerate(VARIANTS):
        result = build(root / "specs" / f"{spec}.yaml", overrides=[*overrides, f"output=out/{index}.pdf"], allow_stale=True)
        out[(spec, overrides)] = result.output
    return out


def variants():
    return pytest.mark.parametrize("variant", VARIANTS, ids=[f"{s}-{'-'.join(o)}" for s, o in VARIANTS])


def _walk(elem, depth=0):
    """Structure elements in reading (tree) order."""
    yield elem, depth
    kids = elem.get("/K")
    if kids is None:
        return
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type", pikepdf.Name.StructElem) == "/StructElem" and "/S" in kid:
            yield from _walk(kid, depth + 1)


def _mcids_of(elem, page):
    kids = elem.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    found = set()
    for kid in kids:
        if isinstance(kid, int) and elem.get("/Pg") is not None and elem.Pg.objgen == page.objgen:
            found.add(int(kid))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR" and kid.Pg.objgen == page.objgen:
            found.add(int(kid.MCID))
    return found


@variants()
def test_document_level_entries(built, variant):
    """Matterhorn 01-005 (MarkInfo), 06-001/06-002 (XMP pdfuaid:part, dc:title), 07-001 (DisplayDocTitle),
    11-001 (Lang), 01-006 (StructTreeRoot)."""
    with pikepdf.open(built[variant]) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in root and root.StructTreeRoot.K.S == "/Document"
        assert "/ParentTree" in root.StructTreeRoot and int(root.StructTreeRoot.ParentTreeNextKey) > 0
        assert str(root.Lang) == "en-GB"  # the spec's language: both examples are written in British English
        assert root.ViewerPreferences.DisplayDocTitle is True
        meta = pdf.open_metadata()
        assert meta["pdfuaid:part"] == "1"
        assert meta["dc:title"]
        assert meta["pdfaid:part"] == "2"  # still PDF/A-2b


@variants()
def test_all_content_is_tagged_or_an_artifact(built, variant):
    """Matterhorn 01-001..01-004: every painting operator is inside marked content that is either an
    Artifact or a tagged sequence with an MCID; every MCID on a page is in the ParentTree, pointing at
    an element that claims it."""
    with pikepdf.open(built[variant]) as pdf:
        nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
        tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for number, page in enumerate(pdf.pages, 1):
            stack, mcids = [], []
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "BMC":
                    stack.append(("artifact" if operands[0] == "/Artifact" else str(operands[0]), None))
                elif op == "BDC":
                    props = operands[1]
                    mcid = int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
                    if mcid is not None:
                        mcids.append(mcid)
                    stack.append(("artifact" if operands[0] == "/Artifact" else str(operands[0]), mcid))
                elif op == "EMC":
                    assert stack, f"page {number}: EMC without BMC/BDC"
                    stack.pop()
                elif op in PAINTING:
                    assert stack and (stack[-1][0] == "artifact" or any(m is not None for _, m in stack)), \
                        f"page {number}: {op} is neither content nor an artifact"
            assert not stack, f"page {number}: unclosed marked content"
            assert len(mcids) == len(set(mcids)) and sorted(mcids) == list(range(len(mcids)))
            if mcids:
                entries = tree[int(page.StructParents)]
                assert len(entries) == len(mcids)
                for mcid in mcids:
                    assert mcid in _mcids_of(entries[mcid], page.obj), f"page {number}: MCID {mcid}"


@variants()
def test_figures_have_alt_text_and_no_invisible_text(built, variant):
    """Matterhorn 13-004: every Figure has /Alt; the alt text is no longer drawn as invisible text."""
    with pikepdf.open(built[variant]) as pdf:
        figures = [elem for elem, _ in _walk(pdf.Root.StructTreeRoot.K) if elem.S == "/Figure"]
        assert len(figures) >= 2  # the charts (and the logo, for harbor)
        for figure in figures:
            assert len(str(figure.get("/Alt", ""))) > 5
        for page in pdf.pages:
            for operands, operator in pikepdf.parse_content_stream(page):
                assert not (str(operator) == "Tr" and int(operands[0]) == 3), "invisible text"
    assert "Chart:" not in text_of(built[variant])


@variants()
def test_headings_nest_without_skipping_levels(built, variant):
    """Matterhorn 14-002/14-003: headings start at H1 and never skip a level going down."""
    with pikepdf.open(built[variant]) as pdf:
        levels = [int(str(elem.S)[2]) for elem, _ in _walk(pdf.Root.StructTreeRoot.K) if str(elem.S) in ("/H1", "/H2", "/H3")]
    assert levels[0] == 1
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, levels


def _kids(elem):
    kids = elem.get("/K")
    return [kid for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else [])
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type", pikepdf.Name.StructElem) == "/StructElem" and "/S" in kid]


@variants()
def test_tables_have_a_caption_a_head_and_a_body(built, variant):
    """Matterhorn 15-003 (TH with Scope), 09-004: Table > Caption (the exhibit title, first), THead > TR > TH,
    TBody > TR > TD, and a total row's TFoot > TR > TH (/Scope /Row, its label) + TD."""
    with pikepdf.open(built[variant]) as pdf:
        tables = [elem for elem, _ in _walk(pdf.Root.StructTreeRoot.K) if elem.S == "/Table"]
        assert tables
        captioned = totalled = 0
        for table in tables:
            parts = _kids(table)
            roles = [str(part.S) for part in parts]
            if roles[0] == "/Caption":
                captioned += 1
                roles = roles[1:]
            assert roles in (["/THead", "/TBody"], ["/TBody"], ["/THead", "/TBody", "/TFoot"]), roles
            totalled += roles[-1] == "/TFoot"
            for part in parts:
                if part.S == "/Caption":
                    continue
                rows = _kids(part)
                assert rows and all(row.S == "/TR" for row in rows)
                if part.S == "/TFoot":
                    assert len(rows) == 1
                    cells = _kids(rows[0])
                    assert [cell.S for cell in cells] == ["/TH"] + ["/TD"] * (len(cells) - 1) and cells[0].A.Scope == "/Row"
                    continue
                cells = [cell for row in rows for cell in _kids(row)]
                expected = "/TH" if part.S == "/THead" else "/TD"
                assert cells and all(cell.S == expected for cell in cells)
                if expected == "/TH":
                    assert all(cell.A.Scope == "/Column" for cell in cells)
        assert captioned >= 1  # the example's tables are exhibits with titles
        assert totalled >= 1  # and one of them has a total row


@variants()
def test_exhibit_titles_are_captions_inside_their_figure_or_table(built, variant):
    """Every Caption is the first child of a Figure or Table; every chart Figure of an exhibit has one."""
    with pikepdf.open(built[variant]) as pdf:
        elements = [elem for elem, _ in _walk(pdf.Root.StructTreeRoot.K)]
        parents = {kid.objgen: elem for elem in elements for kid in _kids(elem)}
        captions = [elem for elem in elements if elem.S == "/Caption"]
        assert captions
        for caption in captions:
            parent = parents[caption.objgen]
            assert parent.S in ("/Figure", "/Table") and _kids(parent)[0].objgen == caption.objgen
        charts = [elem for elem in elements if elem.S == "/Figure" and any(kid.S == "/Caption" for kid in _kids(elem))]
        assert charts and all("/Alt" in figure for figure in charts)


@variants()
def test_list_items_have_a_label_and_a_body(built, variant):
    """L > LI > Lbl (the ✓ or ▪ marker, as printed) + LBody (the item's text, without the marker)."""
    texts_by_role = element_texts(built[variant], ("/Lbl", "/LBody"))
    labels = [text for role, text in texts_by_role if role == "Lbl"]
    bodies = [text for role, text in texts_by_role if role == "LBody"]
    assert labels and len(labels) == len(bodies)
    assert all(0 < len(label.strip()) <= 2 and not any(char.isalnum() for char in label) for label in labels), labels
    assert all(body and not body[0].isspace() and body.strip()[0] not in "✓✗▪•" for body in bodies), bodies


@variants()
def test_links_hold_the_text_they_link(built, variant):
    """Each Link element holds the visible text of its link ("3" of a citation "[3]") and its annotation."""
    links = [text for role, text in element_texts(built[variant], ("/Link",))]
    assert links and all(text.strip() for text in links), links
    citations = [text for text in links if text.strip().isdigit()]
    assert len(citations) >= 10


@variants()
def test_text_read_from_the_tags_spells_the_words_printed(built, variant):
    """A reader of the tags gets words, not "itsmost" (line ends read as spaces) or "com-mitment" (a
    hyphen the line breaker added reads as nothing, /ActualText): every word it reads is a word of the
    project's text: the spec, its data and sources, its brand, and deckgen's own wording."""
    root = built[variant].parents[2]
    corpus = " ".join(path.read_text(encoding="utf-8", errors="ignore")
                      for folder in (root / "specs", root / "data", root / "assets", Path(__file__).parents[1] / "src" / "deckgen")
                      for path in folder.rglob("*") if path.suffix in (".yaml", ".yml", ".csv", ".py", ".md", ".txt"))
    from babel.dates import get_month_names

    months = " ".join(name for locale in ("en_US", "en_GB") for width in ("abbreviated", "wide")
                      for name in get_month_names(width, locale=locale).values())  # dates as the locale writes them
    known = set(re.findall(r"[^\W\d_]+", (corpus + " " + months).lower()))
    read = " ".join(text for _, text in element_texts(built[variant], ("/P", "/H1", "/H2", "/H3", "/Caption", "/TD", "/TH")))
    words = set(re.findall(r"[^\W\d_]+", read.lower()))
    assert len(words) > 150
    unknown = sorted(word for word in words if word not in known and len(word) > 2)
    assert not unknown, unknown


def test_spacer_lines_and_section_labels(built):
    """No empty P (a spacer line is an artifact); the implications' labels ("Equities", "Fixed income")
    are headings under their section's."""
    texts = element_texts(built[VARIANTS[0]], ("/P", "/H3"))
    assert all(text.strip() for _, text in texts)
    assert ("H3", "Equities") in [(role, text.strip()) for role, text in texts]
    assert ("H3", "Fixed income") in [(role, text.strip()) for role, text in texts]


@variants()
def test_links_are_tagged_and_described(built, variant):
    """Matterhorn 28-011 (Link annotations nested in Link elements, via OBJR), 28-010 (/Contents),
    24-001 / 17-? (/Tabs /S on pages with annotations)."""
    with pikepdf.open(built[variant]) as pdf:
        nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
        tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        seen = 0
        for page in pdf.pages:
            annotations = list(page.obj.get("/Annots", []))
            if annotations:
                assert page.obj.Tabs == "/S"
            for annotation in annotations:
                if annotation.Subtype != "/Link":
                    continue
                seen += 1
                assert str(annotation.Contents).startswith(("Source ", "Go to the section ", "Go to Exhibit ", "Link to ", "Email ")), \
                    str(annotation.Contents)  # says where it goes
                link = tree[int(annotation.StructParent)]
                assert link.S == "/Link"
                kids = link.K if isinstance(link.K, pikepdf.Array) else [link.K]
                assert any(isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"
                           and kid.Obj.objgen == annotation.objgen for kid in kids)
        assert seen


def test_opportunities_then_risks(built):
    """Reading order: the ✓ box (title and items) is read before the ✗ box, not row by row."""
    with pikepdf.open(built[VARIANTS[0]]) as pdf:
        divs = [elem for elem, _ in _walk(pdf.Root.StructTreeRoot.K) if elem.S == "/Div"]
    assert len(divs) == 2
    first, second = (str(div.K[0].S) for div in divs)
    assert first == second == "/H3"


def test_marked_content_leaves_the_page_unchanged(built, tmp_path):
    """The visual page is unchanged: the pages rendered with and without the marked-content operators
    are the same pixels."""
    import pypdfium2 as pdfium

    path = built[VARIANTS[0]]
    stripped = tmp_path / "stripped.pdf"
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            kept = [(o, op) for o, op in pikepdf.parse_content_stream(page) if str(op) not in ("BMC", "BDC", "EMC")]
            page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
        pdf.save(stripped)
    tagged, plain = pdfium.PdfDocument(str(path)), pdfium.PdfDocument(str(stripped))
    assert len(tagged) == len(plain)
    for index in range(len(tagged)):
        a = tagged[index].render(scale=1).to_pil().tobytes()
        b = plain[index].render(scale=1).to_pil().tobytes()
        assert a == b, f"page {index + 1}"


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils (pdfinfo) is not installed")
@variants()
def test_poppler_reads_the_structure_in_order(built, variant):
    """An independent reader: poppler lists headings, paragraphs, table cells and figures in reading
    order, and none of the running headers and footers."""
    done = subprocess.run(["pdfinfo", "-struct-text", str(built[variant])], capture_output=True, text=True, check=True)
    text = done.stdout
    roles = {line.strip().split(" ")[0].rstrip(":") for line in text.splitlines() if not line.strip().startswith(('"', "/", "Object"))}
    assert {"Document", "Sect", "H1", "H2", "P", "Figure", "Table", "TR", "TH", "TD", "Caption", "Link"} <= roles, roles
    assert "Page 1 of" not in text and "Page 2 of" not in text
    pages = page_texts(built[variant])
    footer = "For professional investors only"  # the running footer (the text may say it too)
    if all(footer in page for page in pages):
        assert sum(page.count(footer) for page in pages) - text.count(footer) >= len(pages)
    lines = [line.strip() for line in text.splitlines()]
    headings = [lines[i + 1].strip('"') for i, line in enumerate(lines[:-1]) if re.fullmatch(r"H[1-3]( \(block\))?", line)]
    if variant[0] == "investor":
        title = "US–Japan Strategic Alignment"
        assert headings[0] == title and text.count(title) == 1  # the running header repeats it: an artifact
        assert headings.index("Key takeaways") < headings.index("Sources") < headings.index("Disclosures")
        sources_heading = re.search(r'H[1-3] \(block\)\n\s+"Sources"', text).start()  # (the contents link to it too)
        assert text.index('"Instrument"') < sources_heading  # table cells in reading order
        assert text.index('"Exhibit 1: ') < sources_heading
    else:
        assert len(headings) >= 4
        # a table's header row repeated on the next page is an artifact, never headings in the outline a reader navigates
        assert not {"Project", "Country", "Developer", "Status"} & set(headings), headings


@variants()
def test_page_validation_finds_every_layout_pdf_a_2b_and_pdf_ua_1(built, variant):
    """An independent checker (page-validation's PDF/A-2b and PDF/UA-1 profiles) on every layout: both
    examples, both brands, A4 and Letter, contents on and off."""
    page = pytest.importorskip("page")
    for profile in ("2b", "ua1"):
        result = page.validate_pdf(str(built[variant]), profile=profile)
        assert result.rules.failed == 0, (profile, [str(item) for item in getattr(result, "failures", [])][:5])


def test_table_of_contents_is_a_toc(built):
    """With a table of contents on: TOC > TOCI, one entry per section heading, each with its link."""
    with pikepdf.open(built[VARIANTS[0]]) as pdf:
        tocs = [elem for elem, _ in _walk(pdf.Root.StructTreeRoot.K) if elem.S == "/TOC"]
        assert len(tocs) == 1
        items = list(tocs[0].K)
        assert len(items) > 5 and all(item.S == "/TOCI" for item in items)
    with pikepdf.open(built[VARIANTS[2]]) as pdf:  # no table of contents
        assert not [elem for elem, _ in _walk(pdf.Root.StructTreeRoot.K) if elem.S == "/TOC"]


def test_paired_exhibits_are_read_one_after_the_other(built):
    """Two half-width exhibits side by side: each exhibit's title, chart and notes together, in its own
    section, not row by row across the pair."""
    with pikepdf.open(built[VARIANTS[1]]) as pdf:
        divs = [elem for elem, _ in _walk(pdf.Root.StructTreeRoot.K) if elem.S == "/Div"]
        paired = [div for div in divs if _kids(div)[0].S == "/Figure"]
        assert len(paired) >= 2
        for div in paired:  # the exhibit's Figure (its title the Caption inside), then its notes
            figure, *notes = _kids(div)
            assert _kids(figure)[0].S == "/Caption" and "/Alt" in figure
            assert notes and all(note.S == "/P" for note in notes)


def test_a_paragraph_split_across_pages_is_one_element(tmp_path):
    """A paragraph continued on the next page is one P, its content on both pages (MCRs with /Pg)."""
    root = copy_project(tmp_path)
    long_paragraph = " ".join(["The alliance reshapes supply chains, capital flows and corporate governance."] * 90)
    result = build(root / "specs" / "investor.yaml", overrides=[HARBOR, f"sections.3.body={long_paragraph}"])
    with pikepdf.open(result.output) as pdf:
        split = [elem for elem, _ in _walk(pdf.Root.StructTreeRoot.K)
                 if elem.S == "/P" and isinstance(elem.K, pikepdf.Array)
                 and any(isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR" for kid in elem.K)]
        assert split
