"""Stage: Report + Theme -> PDF bytes. Page furniture, outline, metadata, fonts, page X of Y."""

from __future__ import annotations

import datetime as dt
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from .. import __version__
from ..proof.record import LaidOut
from ..resolve import Report
from ..sections.base import NothingSelected
from ..sections.disclosures import cover_reference
from ..text import escape
from ..theme import Theme
from . import archival, charts, kit, settled, tagging
from .context import RenderContext, build_styles, prose_measure
from .grid import RailBlock, RailLayout, page_grid
from .fonts import register_theme
from .archival import DocumentInfo
from .pdfobjects import CompactDocument
from .paragraph import Paragraph
from .kit import Anchored, anchor
from .pagerefs import PageTargets

PAGE_SIZES = {"A4": A4, "Letter": LETTER}
PAGE_COUNT_FORM = "dg-page-count"


@dataclass(frozen=True)
class RenderResult:
    pages: int
    outline: tuple[str, ...]
    laid_out: LaidOut | None = None  # what was printed, for the proof
    proof: Any = None  # the proof of it (``proof.checks.Proof``), once proofread
    passes: int = 1  # layout passes until every "See page N" printed the page its target landed on


class BriefCanvas(Canvas):
    """A canvas that fills in 'of Y' once the page count is known, as one shared form.

    Every page draws the form by reference, so nothing is re-laid-out or copied afterwards
    (the NumberedCanvas recipe re-plays pages and loses bookmarks and link targets).
    """

    def __init__(self, *args, count_font: str, count_size: float, count_color: str, info: DocumentInfo,
                 section_titles: dict[str, str], laid_out: LaidOut, associated: tuple = (), **kwargs):
        super().__init__(*args, **kwargs)
        self._proof = laid_out
        laid_out.new_pass()  # a brief with a table of contents is drawn more than once
        self._doc.__class__ = CompactDocument  # the structure tree in compressed object streams
        self._count_style = (count_font, count_size, count_color)
        self._info = info
        self._associated = associated  # archival.AssociatedStream: the files a PDF/A-3 edition carries
        stamp = info.created.strftime("D:%Y%m%d000000+00'00'")
        self._doc.setDateFormatter(lambda *_: stamp)  # metadata dates are the report date, not the clock
        self._tagger = tagging.Tagger()  # the structure tree, built as flowables are drawn
        self._tagger.titles = section_titles

    def drawString(self, x, y, text, *args, **kwargs):
        self._proof.furniture(text)
        return super().drawString(x, y, text, *args, **kwargs)

    def drawRightString(self, x, y, text, *args, **kwargs):
        self._proof.furniture(text)
        return super().drawRightString(x, y, text, *args, **kwargs)

    def drawCentredString(self, x, y, text, *args, **kwargs):
        self._proof.furniture(text)
        return super().drawCentredString(x, y, text, *args, **kwargs)

    def linkRect(self, contents, destinationname, *args, **kwargs):
        self._tagger.link_target(self, destinationname)  # for the link's /Contents
        return super().linkRect(contents, destinationname, *args, **kwargs)

    def linkURL(self, url, *args, **kwargs):
        self._tagger.link_address(self, url)  # for the Link element that holds the link's text
        return super().linkURL(url, *args, **kwargs)

    def showPage(self):
        tagging.page_started(self)  # the page's stream is an artifact wherever no content is tagged
        super().showPage()

    def save(self):
        total = self._pageNumber - 1 if not self._code else self._pageNumber
        if self._code:
            self.showPage()
        font, size, color = self._count_style
        self.beginForm(PAGE_COUNT_FORM)
        self.setFont(font, size)
        self.setFillColor(colors.HexColor(color))
        self.drawString(0, 0, str(total))
        self.endForm()
        archival.archive(self, self._info, self._tagger, self._associated)
        super().save()


class BriefDocument(RailLayout, BaseDocTemplate):
    def __init__(self, *args, grid, **kwargs):
        self.grid = grid
        super().__init__(*args, **kwargs)

    def afterFlowable(self, flowable):
        if isinstance(flowable, Anchored) and flowable.title:
            self.notify("TOCEntry", (flowable.level, flowable.title, self.page, flowable.key))


def render_pdf(report: Report, theme: Theme, target: BinaryIO, chart_cache: Path | None = None,
               associated: tuple = (), inputs: str | None = None) -> RenderResult:
    """Lay the brief out as a tagged PDF/A-2b and write it to ``target``; for ``archive: pdfa-3b``, a
    PDF/A-3b carrying ``associated`` (``evidence.EmbeddedFile``s with their content). ``inputs``: the
    hash of everything the brief is made of (``Checked.input_hash``): where its page references landed
    in a build of exactly these inputs is kept beside ``chart_cache`` and is where this layout starts."""
    import io

    seed_key = _layout_key(report)
    with _few_full_collections():
        laid_out = io.BytesIO()
        seed = _settled_pages.get(seed_key) or settled.stored(chart_cache, inputs)
        result, targets, passes = _lay_out(report, theme, laid_out, chart_cache, archival.associated_streams(associated), seed)
        if seed is not None and passes > 1:
            # The guess was wrong: lay out again from no guess, so the edition is exactly the one a
            # build of it alone makes.
            laid_out = io.BytesIO()
            result, targets, passes = _lay_out(report, theme, laid_out, chart_cache, archival.associated_streams(associated))
    if targets is not None:
        _settled_pages[seed_key] = targets
        if targets != seed:
            settled.store(chart_cache, inputs, targets)
    target.write(archival.with_content_id(laid_out.getvalue()))
    return result


# The pages every "See page N" target landed on in the last build of each spec in this process. A
# personalised edition (``send``, another subtitle) lays its brief out once with them as the guess,
# instead of a first pass that guesses nothing and a second that prints what the first found. The
# guess is only kept when the pass proves it right (every reference printed the page its target
# landed on), so the PDF is the same bytes as the edition built alone. A rebuild of the same inputs
# in a new process starts from the pages kept on disk for exactly those inputs (``settled``).
_settled_pages: dict[tuple, dict[str, int]] = {}


def _layout_key(report: Report) -> tuple:
    return (str(report.loaded.path), report.spec.page_size, len(report.spec.sections))


@contextmanager
def _few_full_collections():
    """A build allocates millions of long-lived objects (table cells, structure elements, page
    operators) and almost no garbage cycles; with Python's default thresholds the cycle collector
    walks the whole growing heap again and again (a third of a second in a 250-page brief). For the
    length of a build it runs less often, as mypy does for the same reason."""
    import gc

    global _builds_running, _saved_thresholds
    with _thresholds_lock:  # builds overlapping in threads: the first sets, the last restores
        if _builds_running == 0:
            _saved_thresholds = gc.get_threshold()
            gc.set_threshold(100_000, 20, 20)
        _builds_running += 1
    try:
        yield
    finally:
        with _thresholds_lock:
            _builds_running -= 1
            if _builds_running == 0:
                gc.set_threshold(*_saved_thresholds)


_thresholds_lock = threading.Lock()
_builds_running = 0
_saved_thresholds = (700, 10, 10)


def _lay_out(report: Report, theme: Theme, target: BinaryIO, chart_cache: Path | None, associated: tuple = (),
             seed: dict[str, int] | None = None) -> tuple[RenderResult, dict[str, int] | None, int]:
    """Lay the brief out and write the PDF to ``target``; charts drawn before come from ``chart_cache``;
    ``associated``: the files it carries (``archival.AssociatedStream``s); ``seed``: where the page
    references' targets are expected to land. Returns the result, where the targets landed (None
    without page references) and the number of layout passes."""
    spec = report.spec
    fonts = register_theme(theme)
    page_width, page_height = PAGE_SIZES[spec.page_size]
    side, top, bottom = 18 * mm, 22 * mm, 22 * mm
    frame_width = page_width - 2 * side
    grid = page_grid(side, frame_width, prose_measure(fonts, theme.base_size, frame_width))
    styles = build_styles(theme, fonts, frame_width, spec.language, column_width=grid.text_width)
    laid_out = LaidOut(anchors={section.anchor(index): index for index, section in enumerate(spec.sections)})
    ctx = RenderContext(
        report=report, theme=theme, fonts=fonts, styles=styles,
        chart_style=(style := charts.chart_style(theme, fonts)), frame_width=frame_width,
        series_colours=charts.SeriesColours(style.palette), chart_cache=chart_cache, laid_out=laid_out, grid=grid,
        page_targets=PageTargets(),
    )
    info = DocumentInfo(
        title=ctx.plain(spec.title),
        author=document_author(theme.name, ctx.plain(spec.author) if spec.author else theme.author),
        subject=ctx.plain(spec.subject or spec.subtitle or spec.title),
        keywords=tuple(ctx.plain(keyword) for keyword in spec.keywords), language=spec.language, created=spec.date,
        creator_tool=f"deckgen {__version__}", producer=f"deckgen {__version__} (ReportLab)",
        part=3 if spec.archive == "pdfa-3b" else 2,
    )
    section_titles = {section.anchor(index): f"Go to the section {ctx.plain(section.heading())}"
                      for index, section in enumerate(spec.sections) if section.heading()}  # for the links' descriptions
    for index, section in enumerate(spec.sections):
        if section.anchor(index) in report.exhibits:
            section_titles[section.anchor(index)] = f"Go to {report.exhibit_label(section.anchor(index))}: {ctx.plain(section.title)}"
    reference = cover_reference(spec)
    if reference is not None:  # the cover's "See page N" goes there
        section_titles[reference.key] = reference.description
    canvasmaker = partial(
        BriefCanvas, count_font=fonts.body.regular, count_size=theme.base_size - 2,
        count_color=theme.secondary, info=info, section_titles=section_titles, laid_out=laid_out,
        associated=associated,
    )
    document = BriefDocument(
        target, grid=grid,
        pagesize=(page_width, page_height),
        leftMargin=side, rightMargin=side, topMargin=top, bottomMargin=bottom,
        title=info.title, author=info.author, subject=info.subject, keywords=list(info.keywords),
        creator=info.creator_tool, producer=info.producer,
        lang=spec.language,
        invariant=1,
        initialFontName=fonts.body.regular,
        initialFontSize=theme.base_size,
        displayDocTitle=1,
    )
    frame = Frame(side, bottom, frame_width, page_height - top - bottom, id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    furniture = _Furniture(ctx, page_width, page_height, side)
    document.addPageTemplates([
        PageTemplate(id="first", frames=[frame], onPage=furniture.first_page, autoNextPageTemplate="later"),
        PageTemplate(id="later", frames=[frame], onPage=furniture.later_page),
    ])
    charts.draw_missing(ctx, [(chart, report.prepared.get(index)) for index, section in enumerate(spec.sections)
                              if not isinstance(report.prepared.get(index), NothingSelected) for chart in section.exhibit_charts()])
    story = []
    outline = []
    plan = rail_plan(spec)

    def laid_out_section(index: int) -> list:
        section = spec.sections[index]
        title = section.heading()
        plain_title = ctx.plain(title) if title else None
        if plain_title:
            outline.append(plain_title)
        ctx.prepared, ctx.section = report.prepared.get(index), index
        flowables = [RailBlock(grid, section.render_rail(ctx))] if index in plan.in_rail else section.render(ctx)
        return anchor(flowables, section.anchor(index), plain_title)

    for index, section in enumerate(spec.sections):
        if index in plan.first_page:
            continue  # set in page 1's rail, after the masthead
        story.extend(laid_out_section(index))
        if index == plan.masthead:
            if plan.analysts is not None:
                story.extend(anchor([RailBlock(grid, plan.analysts.render_rail(ctx))], "rail-analysts", None))
            for hoisted in plan.first_page:
                story.extend(laid_out_section(hoisted))
        if spec.toc and section.type == "masthead":
            story.extend(_table_of_contents(ctx))
    story = kit.pair_half_width(ctx, story)
    if spec.toc and not any(section.type == "masthead" for section in spec.sections):
        story[0:0] = _table_of_contents(ctx)
    if ctx.page_targets.referenced:
        story.append(ctx.page_targets.settled())
    tagging.install()
    passes = 1
    with _build_defaults(fonts.body.regular):
        if spec.toc or ctx.page_targets.referenced:
            if seed is not None and not spec.toc:
                ctx.page_targets.landed.update(seed)
            passes = document.multiBuild(story, canvasmaker=canvasmaker)  # page numbers settle over passes
        else:
            document.build(story, canvasmaker=canvasmaker)
    laid_out.pages = document.page
    for what, text in (("the document's title (metadata)", info.title), ("the document's subject (metadata)", info.subject),
                       ("the document's author (metadata)", info.author),
                       *(("a keyword (metadata)", keyword) for keyword in info.keywords),
                       *(("a bookmark", title) for title in outline)):
        laid_out.string(what, text)
    landed = dict(ctx.page_targets.landed) if ctx.page_targets.referenced and not spec.toc else None
    return RenderResult(pages=document.page, outline=tuple(outline), laid_out=laid_out, passes=passes), landed, passes


def document_author(issuer: str | None, author: str | None) -> str:
    """The document's Author: the issuing firm, then the spec's author, each name once ("Kestrel Fixed
    Income, EM Strategy", never "Kestrel Fixed Income, Kestrel Fixed Income, EM Strategy")."""
    names = [issuer or ""] + [part.strip() for part in (author or "").split(",")]
    return ", ".join(dict.fromkeys(name for name in names if name))


def _table_of_contents(ctx: RenderContext) -> list:
    from reportlab.platypus import Spacer
    from reportlab.platypus.tableofcontents import TableOfContents

    toc = TableOfContents(dotsMinLevel=0)
    base = ctx.styles["body"]
    toc.levelStyles = [ParagraphStyle("toc0", parent=base, leftIndent=0, firstLineIndent=0, spaceAfter=0)]
    toc.tableStyle = [("FONTNAME", (0, 0), (-1, -1), ctx.fonts.body.regular), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                      ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
    heading = ctx.heading("Contents", level=3)
    heading._tag_role = "H2"  # set like a minor heading, but it follows the title (H1) directly
    return [heading, toc, Spacer(1, ctx.theme.base_size)]


@contextmanager
def _build_defaults(font_name: str):
    """reportlab starts drawings, table cells and canvases in Helvetica, which would then sit in the
    PDF unembedded; for the length of a build, its defaults are the brand's body font."""
    from reportlab import rl_config
    from reportlab.platypus.tables import CellStyle

    saved = (rl_config.canvas_basefontname, rl_config.defaultGraphicsFontName, CellStyle.fontname)
    rl_config.canvas_basefontname = rl_config.defaultGraphicsFontName = CellStyle.fontname = font_name
    try:
        yield
    finally:
        rl_config.canvas_basefontname, rl_config.defaultGraphicsFontName, CellStyle.fontname = saved


class _Furniture:
    """Running header (after the cover) and the footer on every page."""

    def __init__(self, ctx: RenderContext, width: float, height: float, side: float):
        self.ctx, self.width, self.height, self.side = ctx, width, height, side
        theme = ctx.theme
        self.footer_style = ParagraphStyle(
            "footer", fontName=ctx.fonts.body.regular, fontSize=theme.base_size - 2.5,
            leading=(theme.base_size - 2.5) * 1.3, textColor=colors.HexColor(theme.secondary),
        )
        self.footer_text = _footer_text(ctx)

    def first_page(self, canvas, document):
        with tagging.artifact(canvas):
            self._footer(canvas, document)

    def later_page(self, canvas, document):
        with tagging.artifact(canvas):
            self._header(canvas)
            self._footer(canvas, document)

    def _header(self, canvas):
        ctx, theme = self.ctx, self.ctx.theme
        canvas.saveState()
        y = self.height - 13 * mm
        canvas.setFont(ctx.fonts.body.bold, theme.base_size - 2)
        canvas.setFillColor(colors.HexColor(theme.primary))
        canvas.drawString(self.side, y, theme.name.upper())
        canvas.setFont(ctx.fonts.body.regular, theme.base_size - 2)
        canvas.setFillColor(colors.HexColor(theme.secondary))
        title = f"{ctx.plain(ctx.report.spec.title)} \u00b7 {ctx.date(ctx.report.spec.date)}"
        canvas.drawRightString(self.width - self.side, y, title)
        canvas.setStrokeColor(colors.HexColor(theme.rule))
        canvas.setLineWidth(0.5)
        canvas.line(self.side, y - 2.5 * mm, self.width - self.side, y - 2.5 * mm)
        canvas.restoreState()

    def _footer(self, canvas, document):
        ctx, theme = self.ctx, self.ctx.theme
        canvas.saveState()
        y = 13 * mm
        canvas.setStrokeColor(colors.HexColor(theme.rule))
        canvas.setLineWidth(0.5)
        canvas.line(self.side, y + 4 * mm, self.width - self.side, y + 4 * mm)
        size = theme.base_size - 2
        # the total is drawn later (a form); it has as many digits as this page's number on all but a few pages
        count_width = canvas.stringWidth("9" * len(str(document.page)), ctx.fonts.body.regular, size)
        label = f"Page {document.page} of "
        right = self.width - self.side - count_width
        canvas.setFont(ctx.fonts.body.regular, size)
        canvas.setFillColor(colors.HexColor(theme.secondary))
        canvas.drawRightString(right, y, label.rstrip() + " ")
        canvas.saveState()
        canvas.translate(right, y)
        canvas.doForm(PAGE_COUNT_FORM)
        canvas.restoreState()
        text = Paragraph("<br/>".join(ctx.fonts.glyph_fallback(escape(line)) for line in self.footer_text), self.footer_style)
        text._proof_furniture, text._proof_what = True, "the page footer"
        _, text_height = text.wrap(self.width - 2 * self.side - 90, 30)
        text.drawOn(canvas, self.side, y + self.footer_style.fontSize - text_height)
        canvas.restoreState()


@dataclass(frozen=True)
class RailPlan:
    """Which sections are set in the rail, and what page 1's rail carries after the masthead."""

    masthead: int | None
    in_rail: frozenset[int]
    first_page: tuple[int, ...]  # sections moved up into page 1's rail (the first key figures)
    analysts: Any = None  # the analyst box made for page 1 (``sections.analysts.Analysts``), if any


def rail_plan(spec) -> RailPlan:
    """Sections with ``place: rail`` (and analyst boxes, whose place it is) go in the rail where they
    stand. Page 1 of a brief with a masthead, unless ``rail: false``: an analyst box (its first one
    that says no place, else one of the analysts of its disclosures), and its first key-figure strip
    (when no strip says where it goes) as a "Key data" box, in the rail after the masthead."""
    from ..sections.analysts import Analysts

    sections = spec.sections
    in_rail = {index for index, section in enumerate(sections) if section.railed}
    masthead = next((index for index, section in enumerate(sections) if section.type == "masthead"), None)
    first_page: list[int] = []
    analysts = None
    if spec.rail and masthead is not None:
        box = Analysts(type="analysts")
        boxes = [index for index, section in enumerate(sections) if section.type == "analysts"]
        if not boxes and box.listed(spec):
            analysts = box
        elif boxes and sections[boxes[0]].place is None and boxes[0] > masthead:
            first_page.append(boxes[0])  # the brief's own analyst box heads page 1's rail
        strips = [index for index, section in enumerate(sections) if section.type == "kpi_strip"]
        if strips and all(sections[index].place is None for index in strips) and strips[0] > masthead:
            first_page.append(strips[0])
            in_rail.add(strips[0])
    return RailPlan(masthead, frozenset(in_rail), tuple(first_page), analysts)


def _footer_text(ctx: RenderContext) -> tuple[str, ...]:
    """The brand's footer and, for a brief with disclosures or a classification, the copyright line on a
    line of its own (the issuing firm's: the disclosures' issuer, else the brand's name)."""
    from ..legends import copyright_short
    from ..sections.disclosures import issuing_firm

    spec = ctx.report.spec
    footer = ctx.theme.footer.strip()
    firm = issuing_firm(spec, ctx.theme.name)
    if not firm or (spec.classification is None and not any(s.type == "disclosures" for s in spec.sections)):
        return (footer,)
    return tuple(filter(None, (footer, copyright_short(spec.date.year, firm))))
