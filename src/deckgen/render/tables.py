"""Typesetting a table section: cells formatted by unit and locale, widths fitted to the content.

Numbers and dates are set as single, unbreakable lines (plain strings: cheap to lay out, and a
reader never sees '1,2' and '34' on two lines). Text cells wrap at word boundaries, and become
paragraphs only when they must (markup, a figure reference, a citation, or too long for one line).
"""

from __future__ import annotations

import copy
import math
import re
from bisect import bisect_right
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus import Table, TableStyle
from reportlab.platypus.tables import _isLineCommand
from reportlab.platypus.flowables import Flowable

from .measures import CELL_PADDING_X as PADDING, CELL_PADDING_Y, TABLE_PART_MIN_ROWS
from .paragraph import Paragraph
from .tagging import CLOSE_CELL, table_key, total_cell
from ..formatting import format_date, format_number, header_unit, printed_cell

if TYPE_CHECKING:
    from ..sections.table import CellFormat, TableData
    from ..sections.base import RenderContext

EMPTY = "\u2013"
_NEEDS_PARAGRAPH = re.compile(r"\{\{|\[|\*|[^\x00-\u024f\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u00a0]")
_WIDTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt|%)\s*$")
_POINTS = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0}


class CellText(str):
    """A cell's text set in a colour of its own (a change: the brand's positive or negative colour)."""

    colour: str | None = None

    def __new__(cls, text: str, colour: str | None = None):
        cell = super().__new__(cls, text)
        cell.colour = colour
        return cell


def _cell_text(value: Any, column, shown: "CellFormat | None", locale: str, colours: tuple[str, str]) -> str:
    if value is None:
        return EMPTY
    if column.kind == "date":
        return format_date(value, locale)
    if column.kind == "datetime":
        from ..tables import format_datetime

        return format_datetime(value, locale)
    if column.numeric and shown is not None:
        text, sign = printed_cell(value, shown.unit, locale, shown.style, shown.decimals, shown.signed, shown.like)
        return CellText(text, colours[0] if sign > 0 else colours[1]) if sign else text
    return str(value)


def _total_text(data: "TableData", position: int, shown: "CellFormat | None", locale: str, colours: tuple[str, str]) -> str:
    """The total row's cell in column ``position``: its label in the first column, a total in the column's
    unit and decimals (a count as a plain count), nothing under a column not totalled."""
    total = data.total
    assert total is not None
    how, value = total.hows[position], total.values[position]
    if position == 0:
        return total.label
    if how is None:
        return ""
    if value is None:
        return EMPTY
    if how == "count":
        return format_number(value, None, locale, decimals=0)
    return _cell_text(value, data.columns[position][0], shown, locale, colours)


def data_table(ctx: "RenderContext", data: "TableData", font_size: float | None = None) -> tuple["PagedTable", float]:
    """The table flowable and the height of its header plus first rows (to keep with the title)."""
    locale = ctx.report.spec.locale
    font, bold = ctx.fonts.body.regular, ctx.fonts.body.bold
    texts, totals, headers, aligns, wraps = _cells(ctx, data, locale)
    measures = _Measures(texts, headers, wraps, font, bold, totals)
    # a table too wide for the page is set a little smaller (down to 2pt below the body size)
    # before any column is squeezed below its longest word
    size = font_size or ctx.theme.base_size - 1
    while True:
        widths, fits = _fit_widths(ctx, data, measures, size, size - 0.5)
        if fits or font_size or size <= ctx.theme.base_size - 3:
            break
        size -= 0.5
    header_size = size - 0.5
    header_style = ctx.styles["header_cell"].clone("header_sized", fontSize=header_size, leading=header_size * 1.25)
    cell_style = ctx.styles["cell"].clone("cell_sized", fontSize=size, leading=size * 1.3)

    names = [column.name for column, _ in data.columns]
    header_cells = []
    for i, (text, align) in enumerate(zip(headers, aligns)):
        header = Paragraph(ctx.markup(text, "header_cell"), header_style.clone(f"h{i}", alignment={"left": 0, "center": 1, "right": 2}[align]))
        header._proof_source, header._proof_what, header._proof_origin = text, f"the header of column '{names[i]}'", ("column", names[i])
        header_cells.append(header)
    cell_styles = {align: cell_style.clone(f"c{align}", alignment={"left": 0, "center": 1, "right": 2}[align]) for align in set(aligns)}
    total_styles = {align: style.clone(f"t{align}", fontName=bold) for align, style in cell_styles.items()}
    rows: list[list[Any]] = []
    for row_index, (row_texts, row_widths) in enumerate(zip(texts + ([totals] if totals else []), measures.cells)):
        in_total = row_index == len(texts)
        cells: list[Any] = []
        for position, text in enumerate(row_texts):
            room = widths[position] - 2 * PADDING
            if wraps[position] and (_NEEDS_PARAGRAPH.search(text) or row_widths[position] * size > room):
                text = _short_last_word_kept(text, bold if in_total else font, size, room)
                style = (total_styles if in_total else cell_styles)[aligns[position]]
                cell = Paragraph(ctx.markup(text, "cell"), style)
                cell._proof_source = text
                if in_total:
                    cell._proof_origin, cell._proof_what = ("total", "label"), "the total row's label"
                else:
                    cell._proof_origin, cell._proof_what = ("column", names[position]), f"a cell of column '{names[position]}'"
                cells.append(cell)
            else:
                if row_widths[position] * size > room + 0.5 and ctx.laid_out is not None:  # a number or date: one line
                    ctx.laid_out.cell_overflow(ctx.section, names[position], text, row_widths[position] * size, room)
                cells.append(text)
        rows.append(cells)

    base = list(ctx.kit.table_style(ctx, 1).getCommands())  # the header row's style, and the rules
    base += [("FONTSIZE", (0, 1), (-1, -1), size), ("LEADING", (0, 1), (-1, -1), size * 1.3),
             ("TEXTCOLOR", (0, 1), (-1, -1), colors.HexColor(ctx.theme.foreground))]
    base += [("ALIGN", (position, 1), (position, -1), align.upper()) for position, align in enumerate(aligns)]
    stripe = colors.HexColor(ctx.theme.muted)
    total = [("FONTNAME", (0, -1), (-1, -1), bold), ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.HexColor(ctx.theme.primary))]
    table = PagedTable(header_cells, rows, widths, base, stripe, size * 1.3, total=total if totals else None)
    header_height = max(p.wrap(w - 2 * PADDING, 1000)[1] for p, w in zip(header_cells, widths)) + 8
    first_rows = min(TABLE_PART_MIN_ROWS, len(data.rows)) * (size * 1.3 + 8)  # as many as a part keeps
    return table, header_height + first_rows


SHORT_LAST_WORD = 3  # "IV", "II", "Ltd": never alone on a cell's last line


def _short_last_word_kept(text: str, font: str, size: float, room: float) -> str:
    """A wrapping cell's short last word bound to the word before it ("Thames Battery / Hub IV",
    not "Thames Battery Hub / IV"), when the two still fit the column's width together."""
    words = text.split(" ")
    if len(words) < 3 or not 0 < len(words[-1]) <= SHORT_LAST_WORD:
        return text
    pair = f"{words[-2]}\u00a0{words[-1]}"
    if stringWidth(pair, font, size) > room:
        return text
    return " ".join(words[:-2] + [pair])


class PagedTable(Flowable):
    """A data table that continues across pages with its header repeated, set page by page: every
    row is measured once, and each page's part is a Table of just its own rows (reportlab's own
    split measures and restyles the whole rest of a long table at every page). The banding follows
    the rows across pages, and all parts are one table in the tagged PDF.

    With ``total`` (the commands that style a total row: bold, a rule above), the last row is a total
    row: on the last page only, not banded, its first cell a row header."""

    def __init__(self, header: list[Any], rows: list[list[Any]], widths: list[float], commands: list, stripe,
                 leading: float, *, first: int = 0, heights: tuple[float, list[float]] | None = None,
                 tag_key: int | None = None, styles=None, total: list | None = None):
        super().__init__()
        self.header, self.rows, self.widths, self.commands, self.stripe = header, rows, widths, commands, stripe
        self.leading = leading  # of a line of plain text in a cell
        self.first, self._heights = first, heights  # first: the index of rows[0] in the whole table
        self._styles = styles
        self.total = total
        self.tag_key = table_key() if tag_key is None else tag_key
        self.hAlign = "LEFT"

    def _part(self, count: int) -> Table:
        bands = [None, self.stripe] if self.first % 2 == 0 else [self.stripe, None]  # every other row, across pages
        header_height, row_heights = self._measure()
        with_total = self.total is not None and count == len(self.rows)
        banded = count - 1 if with_total else count
        backgrounds = [("ROWBACKGROUNDS", (0, 1), (-1, banded), bands)] if banded else []
        shared = self._shared_styles()
        if shared is None:
            commands, cell_styles = [*self.commands, *backgrounds, *(self.total if with_total else ())], None
        else:
            (header_styles, body_styles), drawing = shared
            commands = [*drawing, *backgrounds, *(c for c in self.total or () if with_total and _isLineCommand(c))]
            cell_styles = [header_styles, *([body_styles] * banded), *([self._total_styles(body_styles)] if with_total else [])]
        part = _TablePart([self.header, *self.rows[:count]], colWidths=self.widths, repeatRows=1, hAlign="LEFT",
                          rowHeights=[header_height, *row_heights[:count]], style=TableStyle(commands),
                          cellStyles=cell_styles)
        part._tag_role, part._tag_key, part._tag_continued = "Table", self.tag_key, self.first > 0
        part._tag_row_header = (count, 0) if with_total else None  # the total row's label: a TH of its row
        return part

    def _total_styles(self, body_styles: list) -> list:
        """The total row's cell styles: the body rows', in the total's font."""
        font = next(command[3] for command in self.total or () if command[0] == "FONTNAME")
        styles = [copy.copy(style) for style in body_styles]  # (a CellStyle's own copy() copies its copy method too)
        for style in styles:
            style.fontname = font
        return styles

    def _shared_styles(self):
        """The cell styles of the header row and of any body row, worked out once for every part, and
        the commands left to each part (backgrounds, rules); None when a command singles out other rows.

        reportlab applies each style command to each cell of every part, a cost that grows with the
        rows; here every body row shares one style per column, as the commands give them."""
        if self._styles is None:
            cell_commands = [c for c in self.commands if c[0] not in _DRAWING_COMMANDS and not _isLineCommand(c)]
            if not all((c[1][1], c[2][1]) in _UNIFORM_ROWS for c in cell_commands):
                self._styles = (None,)
            else:
                probe = Table([self.header, self.header], colWidths=self.widths, style=TableStyle(cell_commands))
                drawing = [c for c in self.commands if c not in cell_commands]
                self._styles = ((probe._cellStyles[0], probe._cellStyles[1]), drawing)
        return None if self._styles == (None,) else self._styles

    def _measure(self) -> tuple[float, list[float]]:
        """Each row's height as reportlab's Table computes it (one line of text, or the tallest
        paragraph, plus the cell padding), for the whole table at once."""
        if self._heights is None:
            padding = 2 * CELL_PADDING_Y
            inner = [width - 2 * PADDING for width in self.widths]
            header = max(cell.wrap(width, 1e6)[1] for cell, width in zip(self.header, inner)) + padding
            rows = []
            for row in self.rows:
                height = 0.0
                for cell, width in zip(row, inner):
                    height = max(height, self.leading if isinstance(cell, str) else cell.wrap(width, 1e6)[1])
                rows.append(height + padding)
            self._heights = (header, rows)
        return self._heights

    @property
    def row_heights(self) -> list[float]:
        """The header row's height, then each row's."""
        header_height, row_heights = self._measure()
        return [header_height, *row_heights]

    def wrap(self, available_width, available_height):
        header_height, row_heights = self._measure()
        self.width, self.height = sum(self.widths), header_height + sum(row_heights)
        return self.width, self.height

    def split(self, available_width, available_height):
        header_height, row_heights = self._measure()
        room, count = available_height - header_height, 0
        while count < len(row_heights) and row_heights[count] <= room + 1e-6:
            room -= row_heights[count]
            count += 1
        if count == 0:
            return []
        rest = PagedTable(self.header, self.rows[count:], self.widths, self.commands, self.stripe, self.leading,
                          first=self.first + count, heights=(header_height, row_heights[count:]), tag_key=self.tag_key,
                          styles=self._styles, total=self.total)
        return [self._part(count), rest]

    def draw(self):
        part = self._part(len(self.rows))
        part.wrapOn(self.canv, self.width, self.height)
        part.drawOn(self.canv, 0, 0)


class _TablePart(Table):
    """One page's part of a ``PagedTable``. Its plain-text cells, most cells of a long table, are set
    as text operators directly (and tagged as cells); reportlab draws every other cell. The output is
    what reportlab's ``drawString`` writes, without building a text object per cell."""

    def _drawCell(self, cellval, cellstyle, pos, size):
        if type(cellval) is CellText:  # a change: in its colour
            cellstyle, cellval = self._coloured(cellstyle, cellval.colour), str(cellval)
        if (type(cellval) is not str or "\n" in cellval or cellstyle.href or cellstyle.destination
                or cellstyle.direction or cellstyle.shaping or cellstyle.alignment not in _PLAIN_ALIGNMENTS):
            return super()._drawCell(cellval, cellstyle, pos, size)
        font = getFont(cellstyle.fontname)
        if not font._dynamicFont:  # only embedded TrueType fonts are drawn here
            return super()._drawCell(cellval, cellstyle, pos, size)
        canvas = self.canv
        if self._curcellstyle is not cellstyle:  # as reportlab's _drawCell: state changes only
            current = self._curcellstyle
            if current is None or cellstyle.color != current.color:
                canvas.setFillColor(cellstyle.color)
            if (current is None or cellstyle.leading != current.leading or cellstyle.fontname != current.fontname
                    or cellstyle.fontsize != current.fontsize):
                canvas.setFont(cellstyle.fontname, cellstyle.fontsize, cellstyle.leading)
            self._curcellstyle = cellstyle
        colpos, rowpos = pos
        colwidth, rowheight = size
        fontsize = cellstyle.fontsize
        valign = cellstyle.valign
        if valign == "TOP":
            y = rowpos + rowheight - cellstyle.topPadding - fontsize
        elif valign == "BOTTOM":
            y = rowpos + cellstyle.bottomPadding + cellstyle.leading - fontsize
        else:
            y = rowpos + (cellstyle.bottomPadding + rowheight - cellstyle.topPadding + cellstyle.leading) / 2.0 - fontsize
        just = cellstyle.alignment
        if just == "LEFT":
            x = colpos + cellstyle.leftPadding
        elif just == "RIGHT":
            x = colpos + colwidth - cellstyle.rightPadding - font.stringWidth(cellval, fontsize)
        else:
            x = colpos + (colwidth + cellstyle.leftPadding - cellstyle.rightPadding) * 0.5 - font.stringWidth(cellval, fontsize) * 0.5
        encoded = _encoded(canvas, font, cellval, fontsize)
        text = f"BT 1 0 0 1 {fp_str(x)} {fp_str(y)} Tm {encoded} ET"
        tagger = getattr(canvas, "_tagger", None)
        role = getattr(self, "_tag_role", None)
        if tagger is None or role is None or not tagger.active():
            canvas._code.append(text)
            return
        row = self._row_index()[rowpos]
        header = row < self.repeatRows
        if header and self._tag_continued:  # the header repeated on a later page: an artifact
            canvas._code.append(text)
            return
        total = total_cell(self, row, colpos)
        canvas._code.extend((tagger.open_cell(canvas, self._tag_key, self._tag_draw, row, header, total), text, CLOSE_CELL))

    _tag_row_header: tuple[int, int] | None = None  # (row, column) of the cell that heads its row (a total's label)

    def _coloured(self, cellstyle, colour: str | None):
        """``cellstyle`` in ``colour``: one copy per style and colour, so the state changes only between colours."""
        if colour is None:
            return cellstyle
        copies = self.__dict__.setdefault("_colour_styles", {})
        key = (id(cellstyle), colour)
        found = copies.get(key)
        if found is None:
            found = copies[key] = copy.copy(cellstyle)
            found.color = colors.HexColor(colour)
        return found

    def _row_index(self) -> dict[float, int]:
        """Each row's index by the position ``draw`` passes for it."""
        index = getattr(self, "_rows_by_position", None)
        if index is None or index[0] is not self._rowpositions:
            index = self._rows_by_position = (self._rowpositions, {p: i for i, p in enumerate(self._rowpositions[1:])})
        return index[1]


_DRAWING_COMMANDS = frozenset({"BACKGROUND", "ROWBACKGROUNDS", "COLBACKGROUNDS", "SPAN", "NOSPLIT"})
_UNIFORM_ROWS = frozenset({(0, 0), (0, -1), (1, -1)})  # the header, every row, every body row


_PLAIN_ALIGNMENTS = frozenset({"LEFT", "RIGHT", "CENTRE", "CENTER"})


def _encoded(canvas, font, text: str, size: float) -> str:
    """``text`` in ``font`` as text-showing operators, as reportlab's text object writes them (subset
    by subset); remembered for the document, where the subsets' codes never change."""
    cache = canvas.__dict__.setdefault("_dg_encoded", {})
    key = (font.fontName, text, size)
    encoded = cache.get(key)
    if encoded is None:
        document = canvas._doc
        size_text = fp_str(size)
        encoded = cache[key] = " ".join(
            f"{font.getSubsetInternalName(subset, document)} {size_text} Tf ({canvas._escape(chunk)}) Tj"
            for subset, chunk in font.splitString(text, document))
    return encoded


class _Measures:
    """Every cell's width at one point of the font size, measured once: widths scale with the size,
    so trying a smaller size for a wide table measures nothing again."""

    def __init__(self, texts: list[list[str]], headers: list[str], wraps: list[bool], font: str, bold: str,
                 totals: list[str] | None = None):
        width = _widths_in(font)  # a long table repeats its countries, statuses and round numbers
        bold_width = _widths_in(bold)
        self.cells = [[width(text) for text in row] for row in texts]  # and the total row's, set in bold
        if totals is not None:
            self.cells.append([bold_width(text) for text in totals])
        columns = range(len(headers))
        self.widest = [max((row[i] for row in self.cells), default=0) for i in columns]
        self.sorted = [sorted(row[i] for row in self.cells) if wraps[i] else [] for i in columns]
        self.longest_word = [
            max((*(width(word) for row in texts for word in row[i].split()),
                 *(bold_width(word) for word in (totals[i].split() if totals else ()))), default=0) if wraps[i] else 0
            for i in columns
        ]
        self.header_words = [max((stringWidth(word, bold, 1) for word in header.split()), default=0) for header in headers]
        self.header_full = [stringWidth(header, bold, 1) for header in headers]
        self.wraps = wraps


def _widths_in(font: str):
    """The width of a text at one point in ``font``, each text measured once."""
    measure = getFont(font).stringWidth
    widths: dict[str, float] = {}

    def width(text: str) -> float:
        found = widths.get(text)
        if found is None:
            found = widths[text] = measure(text, 1)
        return found

    return width


def _estimated_lines(widths: dict[int, float], measures: _Measures, size: float) -> int:
    """About how many lines the table's rows take with these text column widths (fewer: shorter)."""
    inner = {i: max(1.0, w - 2 * PADDING) for i, w in widths.items()}
    return sum(max((math.ceil(row[i] * size / inner[i]) for i in inner), default=1) for row in measures.cells)


def _fewest_wrapped(columns: list[int], minimum: list[float], measures: _Measures, size: float,
                    room: float) -> dict[int, float]:
    """Widths for text columns sharing ``room`` so that as few cells as possible wrap: starting from
    each column's minimum, the room goes step by step to the widening that puts the most cells on
    one line per point (a column of short names before one long note); what is left once every
    cell fits is shared in proportion to the widths."""
    widths = {i: minimum[i] for i in columns}
    room -= sum(widths.values())
    cells = {i: [w * size + 2 * PADDING for w in measures.sorted[i]] for i in columns}
    fitting = {i: bisect_right(cells[i], widths[i]) for i in columns}  # cells that fit at the width
    while room > 0.01:
        best = None
        for i in columns:
            if fitting[i] == len(cells[i]):
                continue
            target = cells[i][fitting[i]]
            gained = bisect_right(cells[i], target) - fitting[i]
            cost = target - widths[i]
            if cost <= room and (best is None or gained / cost > best[0]):
                best = (gained / cost, i, target)
        if best is None:
            break
        _, i, target = best
        room -= target - widths[i]
        widths[i] = target
        fitting[i] = bisect_right(cells[i], target)
    if room > 0.01 and widths:  # every cell that can fit does: share the rest
        total = sum(widths.values())
        widths = {i: w + room * w / total for i, w in widths.items()}
    return widths


def _cells(ctx: "RenderContext", data: "TableData", locale: str):
    """Every cell as text, the total row's (None: no total row), each column's header, alignment and
    whether its cells may wrap."""
    texts: list[list[str]] = [[] for _ in data.rows]
    totals: list[str] | None = [] if data.total is not None else None
    headers, aligns, wraps = [], [], []
    colours = (ctx.theme.positive_text, ctx.theme.negative_text)
    for position, (column, setting) in enumerate(data.columns):
        shown = data.cell_format(position, ctx.report.units) if column.numeric else None
        unit = shown.unit if shown is not None else None
        formatted: dict[tuple[type, str], str] = {}  # by repr: equal values may print apart (1.0 and 1.00, KST and JST)
        by_row = column.numeric and column.currency_column is not None  # a price in each row's currency
        for index, (row_texts, row) in enumerate(zip(texts, data.rows)):
            value = row[position]
            row_shown = data.cell_format(position, ctx.report.units, index) if by_row else shown
            key = (type(value), repr(value), row_shown.decimals if row_shown else None,
                   row_shown.unit.name if row_shown and row_shown.unit else None)
            text = formatted.get(key)
            if text is None:
                text = formatted[key] = _cell_text(value, column, row_shown, locale, colours)
            row_texts.append(text)
        if totals is not None:
            total_shown = data.total_format(position, ctx.report.units, locale) if shown is not None else None
            totals.append(_total_text(data, position, total_shown, locale, colours))
        label = setting.label or column.title
        named_unit = header_unit(unit, locale)
        headers.append(f"{label} ({named_unit})" if named_unit else label)
        aligns.append(setting.align or ("right" if column.numeric or column.kind == "date" else "left"))
        wraps.append(not (column.numeric or column.kind in ("date", "ticker")))

    return texts, totals, headers, aligns, wraps


def _relative_widths(available: float, weights: list[float], minimum: list[float]) -> tuple[list[float], bool]:
    """Widths in proportion to ``weights``, except that a column narrower than its ``minimum`` (its
    longest word, its widest number) takes what it lacks from the columns with room to spare: a
    brand's wider font must not break "Government" in a column sized for a narrower one. False
    when even the minimums do not fit."""
    total = sum(weights)
    widths = [available * weight / total for weight in weights]
    short = {i: minimum[i] - width for i, width in enumerate(widths) if minimum[i] - width > 0.01}
    spare = {i: width - minimum[i] for i, width in enumerate(widths) if i not in short and width > minimum[i]}
    if short:
        need, room = sum(short.values()), sum(spare.values())
        given = min(need, room)
        for i, lacking in short.items():
            widths[i] += lacking * given / need
        for i, extra in spare.items():
            widths[i] -= extra * given / room if room else 0
    return widths, sum(minimum) <= available + 0.5


def _fit_widths(ctx, data, measures: _Measures, size: float, header_size: float) -> tuple[list[float], bool]:
    """Given widths first (lengths, or relative weights when every column has one); the rest fit
    their content: numbers and dates get their widest cell, text shares what is left."""
    available = ctx.frame_width
    settings = [setting for _, setting in data.columns]
    fixed: dict[int, float] = {}
    for position, setting in enumerate(settings):
        if isinstance(setting.width, str):
            match = _WIDTH.match(setting.width)
            number, unit = float(match.group(1)), match.group(2)  # type: ignore[union-attr]
            fixed[position] = available * number / 100 if unit == "%" else number * _POINTS[unit]
    wraps = measures.wraps
    natural, minimum, header_widths = [], [], []
    for position in range(len(wraps)):
        widest_cell = measures.widest[position] * size
        header_words = measures.header_words[position] * header_size
        header_full = measures.header_full[position] * header_size
        header_widths.append(header_full + 2 * PADDING + 1)
        if wraps[position]:
            natural.append(max(widest_cell, header_full) + 2 * PADDING)
            minimum.append(max(measures.longest_word[position] * size, header_words, 30) + 2 * PADDING)
        else:
            width = max(widest_cell, header_words) + 2 * PADDING + 1
            natural.append(max(width, min(header_full + 2 * PADDING, width * 1.6)))
            minimum.append(width)
    columns = len(wraps)
    if all(isinstance(s.width, (int, float)) for s in settings):
        return _relative_widths(available, [s.width for s in settings], minimum)  # type: ignore[misc]
    widths = [fixed.get(i, natural[i]) for i in range(columns)]
    free = [i for i in range(columns) if i not in fixed]
    total = sum(widths)
    if total <= available:
        for i in free:  # with room to spare, a number column's header stays on one line
            if not wraps[i] and header_widths[i] > widths[i] and total + header_widths[i] - widths[i] <= available:
                total += header_widths[i] - widths[i]
                widths[i] = header_widths[i]
        spare = available - total
        growable = [i for i in free if wraps[i]] or free
        weight = sum(natural[i] for i in growable) or 1
        for i in growable:
            widths[i] += spare * natural[i] / weight
        return widths, True
    # too wide: unbreakable columns take their cells' width (their headers may wrap at spaces);
    # text columns shrink towards their longest word
    for i in free:
        if not wraps[i]:
            widths[i] = minimum[i]
    rigid = sum(widths[i] for i in range(columns) if i in fixed or not wraps[i])
    flexible = [i for i in free if wraps[i]]
    room = available - rigid
    need = sum(natural[i] for i in flexible) or 1
    proportional = {i: max(minimum[i], room * natural[i] / need) for i in flexible}
    candidates = [proportional, _fewest_wrapped(flexible, minimum, measures, size, room)]
    best = min(candidates, key=lambda option: _estimated_lines(option, measures, size))
    for i, width in best.items():
        widths[i] = width
    overflow = sum(widths) - available
    if overflow > 0.5:  # even at their minimum the columns do not fit: shrink everything evenly
        factor = available / sum(widths)
        return [w * factor for w in widths], False
    return widths, True
