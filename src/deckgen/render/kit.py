"""Flowables shared by several section types: boxes, anchors, captions, charts."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Sequence

from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from ..proof.record import Exhibit, undrawable
from .measures import CELL_PADDING_X, CELL_PADDING_Y, GUTTER, TABLE_PART_MIN_ROWS  # noqa: F401  sections use them as ctx.kit.GUTTER...
from .paragraph import BalancedParagraph, Paragraph

if TYPE_CHECKING:
    from ..sections.base import RenderContext


class Anchored(Flowable):
    """A section's first flowable, carrying the section's outline entry and link target.

    The anchor is drawn by the flowable it belongs to, at its top: wherever the heading lands
    (pushed to the next page, split off with the rest of a table), the bookmark and the table of
    contents land with it. A separate zero-size marker would stay behind at the foot of the page.
    """

    def __init__(self, inner: Flowable, key: str, title: str | None, level: int = 0):
        super().__init__()
        self.inner, self.key, self.title, self.level = inner, key, title, level
        self.hAlign = getattr(inner, "hAlign", "LEFT")

    def __getattr__(self, name):  # keepWithNext, hAlign, spaceBefore... are the inner flowable's
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def wrap(self, available_width, available_height):
        self.width, self.height = self.inner.wrap(available_width, available_height)
        return self.width, self.height

    def split(self, available_width, available_height):
        parts = self.inner.split(available_width, available_height)
        if not parts:
            return []
        return [Anchored(parts[0], self.key, self.title, self.level), *parts[1:]]

    def getSpaceBefore(self):
        return self.inner.getSpaceBefore()

    def getSpaceAfter(self):
        return self.inner.getSpaceAfter()

    def drawOn(self, canvas, x, y, _sW=0):
        tagger = getattr(canvas, "_tagger", None)
        if tagger is not None and tagger.active():
            tagger.new_section()
        laid_out = getattr(canvas, "_proof", None)
        if laid_out is not None:
            laid_out.section_started(self.key)
        top = self.inner.top_at(canvas, y) if hasattr(self.inner, "top_at") else y + self.height  # a rail block: where it starts
        canvas.bookmarkHorizontal(self.key, 0, top + 2)
        if self.title:
            canvas.addOutlineEntry(self.title, self.key, level=self.level, closed=False)
        self.inner.drawOn(canvas, x, y, _sW)


def anchor(story: list[Any], key: str, title: str | None, level: int = 0) -> list[Any]:
    """``story`` with its first drawn flowable carrying the section's anchor (inside KeepTogether
    groups, which hand their content on to the frame)."""
    if not story:
        return story
    first = story[0]
    if isinstance(first, HalfWidth):  # the exhibit's title, inside its grid, carries the anchor
        first.title = Anchored(first.title, key, title, level)
        first._content = [_grid(first.ctx, [[first.title, ""], [first.body, first.notes]], span_first_row=True)]
        return story
    if isinstance(first, KeepTogether):
        first._content = anchor(list(first._content), key, title, level)
        return story
    if type(first).__name__ in ("CondPageBreak", "PageBreak", "Spacer") and len(story) > 1:
        return [first, *anchor(story[1:], key, title, level)]
    return [Anchored(first, key, title, level), *story[1:]]


def keep_heading(story: list[Any]) -> list[Any]:
    """Never leave a heading alone at the bottom of a page: keep it with what follows."""
    if len(story) >= 2:
        return [KeepTogether(story[:2]), *story[2:]]
    return story


def boxed(ctx: "RenderContext", title: str | None, content: Sequence[Any], tone: str = "primary") -> list[Any]:
    """A tinted box with a coloured rule on the left, used for takeaways and side panels."""
    from .grid import AtWidth

    rule = colors.HexColor(ctx.theme.primary if tone == "primary" else tone)
    rows = ([[ctx.paragraph(title, "box_title")]] if title else []) + [[item] for item in content]
    return [AtWidth(lambda width: _box(ctx, rows, rule, width)), Spacer(1, ctx.theme.base_size)]


def _box(ctx: "RenderContext", rows: list[list[Any]], rule, width: float) -> Table:
    """A box ``width`` wide (the frame's, or the text column's beside the rail)."""
    table = Table(rows, colWidths=[min(width, ctx.frame_width)])
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(ctx.theme.muted)),
        ("LINEBEFORE", (0, 0), (0, -1), 3, rule),
        ("LEFTPADDING", (0, 0), (-1, -1), 12),
        ("RIGHTPADDING", (0, 0), (-1, -1), 12),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ("TOPPADDING", (0, 0), (-1, 0), 9),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


BESIDE_SHARE = 0.66  # of the width, for a chart whose caption and source move beside it to fit a page


def exhibit_title(ctx: "RenderContext", title: str) -> Paragraph:
    """'Exhibit 3: Installed capacity by country': numbered in order, set apart from section headings."""
    number = ctx.next_exhibit()
    if ctx.section is not None and ctx.report.exhibits.get(ctx.report.spec.sections[ctx.section].anchor(ctx.section)) != number:
        raise RuntimeError(f"exhibit {number} is numbered otherwise where the text refers to it")  # a bug, not the user's
    style = "exhibit"
    paragraph = BalancedParagraph(f"<b>Exhibit\u00a0{number}:</b> " + ctx.markup(title, style), ctx.styles[style])
    paragraph._exhibit_markup = paragraph.text
    paragraph._proof_source, paragraph._proof_prefix, paragraph._proof_origin = title, f"Exhibit {number}: ", ("title",)
    paragraph._proof_exhibit = number
    return paragraph


MAX_BAND = 50 * 72 / 25.4  # the most white a page but the last may end in


class OpeningBreak(Flowable):
    """A new page before an opening (a heading, its intro and its first rows, ``height`` tall) that
    does not fit in what is left of this one, when what is left is a band no larger than
    ``MAX_BAND``; with more left, the opening starts here, and what follows it may split."""

    def __init__(self, height: float):
        super().__init__()
        self.height = height

    def wrap(self, available_width, available_height):
        if self.height > available_height and available_height <= MAX_BAND:
            frame = self._doctemplateAttr("frame")
            if frame:
                from reportlab.platypus.doctemplate import FrameBreak

                frame.add_generated_content(FrameBreak)
        return 0, 0

    def draw(self):
        pass


class ContinuedTitle(Paragraph):
    """'Exhibit 3: Installed capacity by country (continued)' at the top of a page a table continues
    on. Page furniture, like the repeated header row: an artifact, not a second title to read."""

    def drawOn(self, canvas, x, y, _sW=0):
        from .tagging import artifact

        with artifact(canvas):
            return super().drawOn(canvas, x, y, _sW)


def continued_title(title: Paragraph) -> Paragraph:
    markup = getattr(title, "_exhibit_markup", None) or title.text
    return ContinuedTitle(f"{markup} <i>(continued)</i>", title.style)


class TableWithNotes(Flowable):
    """A table with its caption and source line, which never part from its last rows. A table split
    across pages leaves at least ``MIN_PART_ROWS`` body rows on each part (a total row aside): it
    breaks earlier, so that as many go over with the notes, or goes over whole when fewer would stay.
    On every page the table continues on, it is headed by ``continued`` (the exhibit title, marked as
    continued) above its repeated header row."""

    MIN_PART_ROWS = TABLE_PART_MIN_ROWS
    MARGIN = 2.0  # points of slack, for spacing the frame may add between the parts returned

    def __init__(self, table, notes: Sequence[Any], continued: Paragraph | None = None, head: Paragraph | None = None):
        super().__init__()
        self.table, self.notes, self.continued, self.head = table, list(notes), continued, head
        self.hAlign = "LEFT"

    def _items(self) -> list[Any]:
        return [*([self.head] if self.head is not None else []), self.table, *self.notes]

    def _wrap_items(self, items, available_width, available_height) -> list[tuple[Any, float, float, float]]:
        """(item, width, height, gap above it) for each item, laid out top to bottom."""
        from reportlab import rl_config

        canvas = getattr(self, "canv", None)
        overlap = rl_config.overlapAttachedSpace
        laid = []
        previous = None
        for item in items:
            width, height = item.wrapOn(canvas, available_width, available_height) if canvas is not None else item.wrap(available_width, available_height)
            if previous is None:
                gap = 0.0
            elif overlap:  # as a frame spaces them: the larger of the space after and the space before
                gap = max(previous.getSpaceAfter(), item.getSpaceBefore())
            else:
                gap = previous.getSpaceAfter() + item.getSpaceBefore()
            laid.append((item, width, height, gap))
            previous = item
        return laid

    def wrap(self, available_width, available_height):
        self._laid = self._wrap_items(self._items(), available_width, available_height)
        self._width = available_width
        self.width = available_width
        self.height = sum(height + gap for _, _, height, gap in self._laid)
        return self.width, self.height

    def getSpaceBefore(self):
        return self._items()[0].getSpaceBefore()

    def getSpaceAfter(self):
        return self._items()[-1].getSpaceAfter()

    def draw(self):
        y = self.height
        for item, width, height, gap in self._laid:
            y -= gap + height
            align = getattr(item, "hAlign", "LEFT")
            x = (self._width - width) / 2 if align in ("CENTER", "CENTRE") else self._width - width if align == "RIGHT" else 0
            item.drawOn(self.canv, x, y)

    def split(self, available_width, available_height):
        self.wrap(available_width, available_height)
        if self.height <= available_height:
            return self._items()
        above = sum(height + gap for item, _, height, gap in self._laid if item is self.head)
        table_gap = next(gap for item, _, _, gap in self._laid if item is self.table)
        room = available_height - above - table_gap - self.MARGIN
        rows, header = self.table.row_heights, 1  # a PagedTable: its header row, then its rows
        total = 1 if self.table.total is not None else 0  # a total row goes over with the rows it totals
        body = len(rows) - header - total
        if body < 2 * self.MIN_PART_ROWS:  # too short to leave enough rows on both parts: it goes over whole
            return []
        fitting, used = 0, 0.0
        for height in rows[: len(rows) - self.MIN_PART_ROWS - total]:
            if used + height > room:
                break
            used += height
            fitting += 1
        if fitting < header + self.MIN_PART_ROWS:  # too few rows of the body fit here: the whole table goes over
            return []
        parts = self.table.split(available_width, used + 0.5)
        if len(parts) != 2:
            return []
        first, rest = parts
        head = [self.head] if self.head is not None else []
        return [*head, first, TableWithNotes(rest, self.notes, self.continued, head=self.continued)]


class ChartToDraw(Flowable):
    """A chart whose size is known before it is drawn (``draw``: () -> the Drawing, of that size), fetched
    from the cache or drawn only when it reaches a page. Layout goes on while the chart process draws
    (a cold build no longer waits for each chart as it builds the story), and an exhibit that misses
    its page tries its chart beside its notes at two heights and keeps at most one: of the benchmark
    brief's 32 tried, 5 were kept, and the other 27 were drawn by matplotlib for nothing."""

    def __init__(self, width: float, height: float, draw):
        super().__init__()
        self.width, self.height, self._draw, self._drawing = width, height, draw, None

    def wrap(self, availWidth, availHeight):
        return self.width, self.height

    def drawing(self):
        if self._drawing is None:
            drawing = self._draw()
            if abs(drawing.width - self.width) > 0.01 or abs(drawing.height - self.height) > 0.01:
                raise RuntimeError(f"a chart planned at {self.width:.2f} x {self.height:.2f} pt was drawn at "
                                   f"{drawing.width:.2f} x {drawing.height:.2f}")
            drawing.hAlign, drawing.vAlign = self.hAlign, self.vAlign
            for name, value in vars(self).items():
                if name.startswith("_tag_"):  # alt text, group: the structure tree reads them off the Drawing
                    setattr(drawing, name, value)
            self._drawing = drawing
        return self._drawing

    def drawOn(self, canvas, x, y, _sW=0):
        return self.drawing().drawOn(canvas, x, y, _sW)


class ShrinkingExhibit(KeepTogether):
    """A chart exhibit kept whole, which would rather be drawn a little shorter than leave a band of
    white at the foot of a page: when it misses the space left by no more than a third of the
    chart's height, the chart is drawn again at the height that fits (``redraw``: height -> drawing)."""

    MAX_SHRINK = 0.5
    MIN_HEIGHT = 80.0
    MAX_SHRINK_ROWS = 0.2  # a chart with a row per category (hbar, range): its rows must stay readable

    def __init__(self, content: list[Any], drawing, redraw, rows: bool = False, beside=None):
        super().__init__(content)
        self.drawing, self.redraw = drawing, redraw
        self.max_shrink = self.MAX_SHRINK_ROWS if rows else self.MAX_SHRINK
        self.beside = beside  # (height, title) -> the exhibit with a narrower chart and its notes beside it
        self._made: dict[tuple[str, float], Any] = {}  # each height tried made once, however many layout passes

    def _once(self, kind: str, height: float, make):
        key = (kind, round(height, 2))
        if key not in self._made:
            self._made[key] = make(height)
        return self._made[key]

    def with_drawing(self, shorter) -> list[Any]:
        """The exhibit's flowables with ``shorter`` in place of its chart."""
        return [shorter if item is self.drawing else item for item in self._content]

    def split(self, available_width, available_height):
        self.wrap(available_width, available_height)
        deficit = self._H - available_height + 3
        chart_height = self.drawing.height
        at_top = getattr(getattr(self, "_frame", None), "_atTop", False)
        if self.redraw and 0 < deficit <= chart_height * self.max_shrink and chart_height - deficit >= self.MIN_HEIGHT and not at_top:
            shorter = self._once("shorter", chart_height - deficit, self.redraw)
            shorter.hAlign = self.drawing.hAlign
            return self.with_drawing(shorter)
        if self.beside is not None and 0 < deficit and not at_top:
            # the caption and source beside a narrower chart save their height; the chart may then
            # lose up to max_shrink of its own, but no more
            for height in (chart_height, chart_height * (1 - self.max_shrink)):
                if height < self.MIN_HEIGHT:
                    break
                exhibit = self._once("beside", height, lambda tried: self.beside(tried, self._content[0]))  # its title carries the anchor
                if exhibit.wrap(available_width, available_height)[1] <= available_height - 3:
                    return [exhibit]
        return super().split(available_width, available_height)


class HalfWidth(ShrinkingExhibit):
    """A half-width exhibit. Two in a row share a line (``pair_half_width``); one alone keeps its
    caption and source beside it."""

    def __init__(self, ctx: "RenderContext", title, body: list[Any], notes: list[Any], redraw=None, rows: bool = False):
        self.ctx, self.title, self.body, self.notes = ctx, title, body, notes
        super().__init__([_grid(ctx, [[title, ""], [body, notes]], span_first_row=True)], body[0], redraw, rows)

    def with_drawing(self, shorter) -> list[Any]:
        return [_grid(self.ctx, [[self.title, ""], [[shorter, *self.body[1:]], self.notes]], span_first_row=True)]


def _grid(ctx: "RenderContext", rows: list[list[Any]], span_first_row: bool = False, share: float = 0.5) -> Table:
    """Two columns (the first ``share`` of the width less the gutter), the first row spanning both if asked."""
    first = (ctx.frame_width - GUTTER) * share
    table = Table([[row[0], "", row[1]] for row in rows], colWidths=[first, GUTTER, ctx.frame_width - GUTTER - first])
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]
    if span_first_row:
        commands.append(("SPAN", (0, 0), (-1, 0)))
    else:
        commands.append(("VALIGN", (0, 1), (-1, 1), "BOTTOM"))  # the two charts share a baseline
    table.setStyle(TableStyle(commands))
    table.hAlign = "LEFT"
    return table


def pair_half_width(ctx: "RenderContext", story: list[Any]) -> list[Any]:
    """Consecutive half-width exhibits side by side (each exhibit's title carries its own anchor)."""
    result: list[Any] = []
    index = 0
    while index < len(story):
        item = story[index]
        if isinstance(item, HalfWidth):
            following = index + 1
            if following < len(story) and isinstance(story[following], HalfWidth):
                partner = story[following]
                for exhibit in (item, partner):  # read exhibit by exhibit, not row by row across the pair
                    group = tag_group()
                    for flowable in [exhibit.title, *exhibit.body, *exhibit.notes]:
                        in_group(getattr(flowable, "inner", flowable), group)
                grid = _grid(ctx, [[item.title, partner.title], [item.body, partner.body], [item.notes, partner.notes]])
                result.append(KeepTogether([grid, Spacer(1, ctx.theme.base_size * 0.6)]))
                index = following + 1
                continue
        result.append(item)
        index += 1
    return result


def chart_exhibit(ctx: "RenderContext", chart, data) -> list[Any]:
    """Exhibit title, chart, alt text, caption and source line, kept together on one page."""
    from .charts import chart_drawing, chart_height, exhibit_inputs

    from ..charts.data import describe

    data, colours, width = exhibit_inputs(ctx, chart, data, ctx.series_colours)
    half = chart.width == "half"
    title = exhibit_title(ctx, chart.title)
    title._tag_exhibit = figure = ("Figure", tag_group())  # the title is the Caption in the chart's Figure
    alt = ctx.plain(data.alt) if data.alt else describe(data)
    texts = chart_texts(data, alt)
    drawn_texts = [(what, undrawable(text, ctx.chart_style.fonts.regular)) for what, text in texts if what != "alt text"]
    record = Exhibit(ctx.exhibits, "chart", ctx.plain(chart.title), ctx.section, texts=texts,
                     missing_glyphs=tuple((what, chars) for what, chars in drawn_texts if chars))
    if ctx.laid_out is not None:
        ctx.laid_out.exhibit(record)

    def drawn(shown, chart_width: float):
        drawing = chart_drawing(shown, ctx.chart_style, colours, chart_width, ctx.chart_cache)
        record.notes.extend(note for note in drawing._notes if note not in record.notes)
        return drawing

    def chart_at(chart_width: float, height: float | None = None) -> ChartToDraw:
        """The chart ``chart_width`` wide, at its own height or at ``height``, with its alt text."""
        shown = data if height is None else replace(data, options={**data.options, "height": height})
        flowable = ChartToDraw(chart_width, chart_height(shown), lambda: drawn(shown, chart_width))
        flowable._tag_alt, flowable._tag_exhibit = alt, figure  # the Figure's /Alt in the structure tree
        return flowable

    drawing = chart_at(width)
    drawing.hAlign = "LEFT"
    body = [drawing]
    notes = ([ctx.paragraph(chart.caption, "caption")] if chart.caption else [])
    notes.append(ctx.provenance(figure_names=data.figure_names, source_ids=data.source_ids, as_of=data.as_of))

    def redraw(height: float) -> ChartToDraw:
        return chart_at(width, height)

    from ..charts.kinds import KINDS

    rows = KINDS[data.kind].horizontal  # a row per category: it may lose less height
    if half:
        return [HalfWidth(ctx, title, body, notes, redraw, rows)]

    def beside(height: float, heading=title):
        chart = chart_at((ctx.frame_width - GUTTER) * BESIDE_SHARE, height)
        return _grid(ctx, [[heading, ""], [[chart], notes]], span_first_row=True, share=BESIDE_SHARE)

    return [ShrinkingExhibit([title, *body, *notes], drawing, redraw, rows, beside)]


def chart_texts(data, alt: str) -> tuple[tuple[str, str], ...]:
    """Every text a chart draws or speaks, named for a message: title, axis titles, legend, labels, alt text."""
    texts = [("title", data.title), ("alt text", alt), ("value axis title", data.value_title), ("x axis title", data.x_title)]
    for series in data.series:
        texts.append(("legend", series.name))
        texts += [("value label", label) for label in series.labels if label]
    texts += [("point label", label) for label in data.point_labels if label]
    texts += [("category", str(x)) for x in data.x if isinstance(x, str)]
    texts += [("annotation", reference.label) for reference in data.references if reference.label]
    return tuple((what, text) for what, text in texts if text)


KEEP_WHOLE_ROWS = 12  # a table of this many rows or fewer is never split across pages


def kept_whole(flowables: list[Any], rows: int) -> list[Any]:
    """``flowables`` (a table with what belongs to it: its title, caption, source) moved together to
    where they fit when the table has KEEP_WHOLE_ROWS body rows or fewer; a longer table may flow on.
    Every table the engine sets goes through here, so the rule holds for each of them."""
    if rows <= KEEP_WHOLE_ROWS:
        return [KeepTogether(flowables)]
    return list(flowables)


def titled_table(ctx: "RenderContext", title: Paragraph, data, caption: str | None = None,
                 font_size: float | None = None, page_break_before: bool = False) -> list[Any]:
    """A title (an exhibit's, a sub-heading) over a table of ``data`` with its caption and source: kept
    whole if it has KEEP_WHOLE_ROWS rows or fewer, else flowing across pages (header repeated), the
    title kept with the table's first rows."""
    from reportlab.platypus import CondPageBreak, PageBreak

    block, first_rows_height = table_block(ctx, data, caption, font_size, continued=continued_title(title))
    _, title_height = title.wrap(ctx.frame_width, 1000)
    opening = PageBreak() if page_break_before else CondPageBreak(title_height + first_rows_height + 8)
    return [opening, *kept_whole([title, *block], len(data.rows))]


def table_exhibit(ctx: "RenderContext", section, data) -> list[Any]:
    """Exhibit title and a table with its caption and source (``titled_table``)."""
    title = exhibit_title(ctx, section.title)
    if ctx.laid_out is not None:
        ctx.laid_out.exhibit(Exhibit(ctx.exhibits, "table", ctx.plain(section.title), ctx.section, rows=len(data.rows)))
    story = titled_table(ctx, title, data, section.caption, section.font_size, section.page_break == "before")
    table = next(item for item in _flat(story) if isinstance(item, TableWithNotes)).table
    title._tag_exhibit = ("Table", table.tag_key)  # the title is the Caption in the Table
    return story


def _flat(story: list[Any]) -> list[Any]:
    """The flowables of ``story``, with a KeepTogether's content in its place."""
    return [inner for item in story for inner in (_flat(item._content) if isinstance(item, KeepTogether) else [item])]


def nothing_selected_exhibit(ctx: "RenderContext", title: str, text: str) -> list[Any]:
    """A table or chart whose ``where`` selected no row, with ``if_empty``: its title and that text
    (a paragraph), kept together; no empty table or chart, and no source line for data not shown."""
    return [KeepTogether([exhibit_title(ctx, title), ctx.paragraph(text, "body")])]


def table_block(ctx: "RenderContext", data, caption: str | None = None, font_size: float | None = None,
                continued: Paragraph | None = None) -> tuple[list[Any], float]:
    """A table of a dataset with its caption and source line, kept with its last rows (``continued``:
    what heads the pages it continues on); and the height of its header and first rows."""
    from .tables import data_table

    table, first_rows_height = data_table(ctx, data, font_size=font_size)
    notes: list[Any] = []
    if caption:
        notes.append(ctx.paragraph(caption, "caption"))
    tables = (data.table, *data.also_from)
    notes.append(ctx.provenance(source_ids=[table.source for table in tables if table.source],
                                as_of=[table.as_of for table in tables if table.as_of],
                                figure_names=data.figure_names))
    return [TableWithNotes(table, notes, continued)], first_rows_height


def data_table(table: Table) -> Table:
    """``table`` tagged as a data table (Table/TR/TH/TD; its repeated header rows are artifacts)."""
    from .tagging import mark_table

    return mark_table(table)


def tag_group():
    """A key for flowables read together in the structure tree (one Div), wherever they are drawn."""
    from .tagging import new_group

    return new_group()


def in_group(flowable, group):
    flowable._tag_group = group
    return flowable




def table_style(ctx: "RenderContext", rows: int, header: bool = True) -> TableStyle:
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), ctx.fonts.body.regular),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_PADDING_Y),
        ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PADDING_Y),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING_X),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.HexColor(ctx.theme.primary)),
    ]
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(ctx.theme.primary)),
            ("FONTNAME", (0, 0), (-1, 0), ctx.fonts.body.bold),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.HexColor(ctx.theme.on_primary)),
        ]
    first = 1 if header else 0
    for row in range(first, rows):
        if (row - first) % 2 == 1:
            commands.append(("BACKGROUND", (0, row), (-1, row), colors.HexColor(ctx.theme.muted)))
    return TableStyle(commands)


def logo(path, height: float, max_width: float = 170):
    """The brand logo at ``height`` points (less if it would be wider than ``max_width``): SVG stays
    vector; PNG/JPEG is placed as an image.

    The bytes drawn are the bytes checked (the same sandbox rules as ``validate``), read once.
    """
    import io
    from pathlib import Path

    from ..brand.files import AssetError, read_regular_file
    from ..brand.logos import MAX_LOGO_BYTES, check_logo
    from ..errors import BuildError

    path = Path(path)
    try:
        data = read_regular_file(path, MAX_LOGO_BYTES, "logo")
        kind = check_logo(data, path.name)
    except AssetError as exc:
        raise BuildError(str(exc)) from None
    if kind == "SVG":
        from reportlab.graphics.shapes import Drawing, Group
        from svglib.svglib import svg2rlg

        try:
            source = svg2rlg(io.BytesIO(data))
        except Exception as exc:  # svglib's own failures, on an SVG the sandbox accepted
            raise BuildError(f"logo {path.name} could not be drawn as SVG ({type(exc).__name__}); re-export it") from None
        if source is None or not source.height or not source.width:
            raise BuildError(f"logo {path.name} could not be read as SVG")
        scale = min(height / source.height, max_width / source.width)
        height = source.height * scale
        group = Group(*source.contents)
        group.scale(scale, scale)
        drawing = Drawing(source.width * scale, height)
        drawing.add(group)
        return drawing
    from reportlab.platypus import Image

    from reportlab.lib.utils import ImageReader

    pixels_wide, pixels_high = ImageReader(io.BytesIO(data)).getSize()
    scale = min(height / pixels_high, max_width / pixels_wide)
    image = Image(io.BytesIO(data), width=pixels_wide * scale, height=pixels_high * scale)
    image.width, image.height = image.drawWidth, image.drawHeight  # known before layout, like a Drawing's
    return image
