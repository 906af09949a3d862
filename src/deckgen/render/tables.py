"""Typesetting a table section: cells formatted by unit and locale, widths fitted to the content.

Numbers and dates are set as single, unbreakable lines (plain strings: cheap to lay out, and a
reader never sees '1,2' and '34' on two lines). Text cells wrap at word boundaries, and become
paragraphs only when they must (markup, a figure reference, a citation, or too long for one line).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Table, TableStyle

from .tagging import mark_table
from ..formatting import format_date, format_number, tick_affixes
from ..units import Unit, find_unit

if TYPE_CHECKING:
    from ..sections.table import TableData
    from .context import RenderContext

PADDING = 5.0
EMPTY = "\u2013"
_NEEDS_PARAGRAPH = re.compile(r"\{\{|\[|\*|[^\x00-\u024f\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u00a0]")
_WIDTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt|%)\s*$")
_POINTS = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0}


def _header_unit(unit: Unit | None, locale: str) -> str:
    """A unit named in the header rather than in every cell: long suffixes ('GW', '/kWh')."""
    if unit is None or unit.kind != "custom":
        return ""
    _, _, in_title = tick_affixes(unit, locale)
    return unit.axis_label if in_title else ""


def _cell_text(value: Any, column, setting, unit: Unit | None, decimals: int | None, locale: str) -> str:
    if value is None:
        return EMPTY
    if column.kind == "date":
        return format_date(value, locale)
    if column.numeric:
        if _header_unit(unit, locale) and unit is not None:  # the header names the unit: plain numbers
            digits = decimals if decimals is not None else unit.decimals
            return format_number(value, None, locale, decimals=digits).replace(" ", "\u00a0")
        text = format_number(value, unit, locale, setting.style or column.style or "compact", decimals)
        return text.replace(" ", "\u00a0")
    return str(value)


def _decimals(values: list[Any], explicit: int | None) -> int | None:
    """One number of decimals per column, so the digits line up."""
    if explicit is not None:
        return explicit
    places = [max(0, -v.as_tuple().exponent) for v in values if isinstance(v, Decimal) and isinstance(v.as_tuple().exponent, int)]
    return max(places, default=0) if places else None


def data_table(ctx: "RenderContext", data: "TableData", font_size: float | None = None) -> tuple[Table, float]:
    """The table flowable and the height of its header plus first rows (to keep with the title)."""
    locale = ctx.report.spec.locale
    font, bold = ctx.fonts.body.regular, ctx.fonts.body.bold
    texts, headers, aligns, wraps = _cells(ctx, data, locale)
    # a table too wide for the page is set a little smaller (down to 2pt below the body size)
    # before any column is squeezed below its longest word
    size = font_size or ctx.theme.base_size - 1
    while True:
        widths, fits = _fit_widths(ctx, data, texts, headers, wraps, size, size - 0.5, font, bold)
        if fits or font_size or size <= ctx.theme.base_size - 3:
            break
        size -= 0.5
    header_size = size - 0.5
    header_style = ctx.styles["header_cell"].clone("header_sized", fontSize=header_size, leading=header_size * 1.25)
    cell_style = ctx.styles["cell"].clone("cell_sized", fontSize=size, leading=size * 1.3)

    header_cells = [
        Paragraph(ctx.markup(text, "header_cell"), header_style.clone(f"h{i}", alignment={"left": 0, "center": 1, "right": 2}[align]))
        for i, (text, align) in enumerate(zip(headers, aligns))
    ]
    rows: list[list[Any]] = [header_cells]
    for row_texts in texts:
        cells: list[Any] = []
        for position, text in enumerate(row_texts):
            if wraps[position] and (_NEEDS_PARAGRAPH.search(text) or stringWidth(text, font, size) > widths[position] - 2 * PADDING):
                style = cell_style.clone("c", alignment={"left": 0, "center": 1, "right": 2}[aligns[position]])
                cells.append(Paragraph(ctx.markup(text, "cell"), style))
            else:
                cells.append(text)
        rows.append(cells)

    table = mark_table(Table(rows, colWidths=widths, repeatRows=1, splitByRow=1, hAlign="LEFT"))
    commands = list(ctx.kit.table_style(ctx, len(rows)).getCommands())
    commands += [("FONTSIZE", (0, 1), (-1, -1), size), ("LEADING", (0, 1), (-1, -1), size * 1.3),
                 ("TEXTCOLOR", (0, 1), (-1, -1), colors.HexColor(ctx.theme.foreground))]
    for position, align in enumerate(aligns):
        commands.append(("ALIGN", (position, 1), (position, -1), align.upper()))
    table.setStyle(TableStyle(commands))
    header_height = max(p.wrap(w - 2 * PADDING, 1000)[1] for p, w in zip(header_cells, widths)) + 8
    first_rows = min(3, len(data.rows)) * (size * 1.3 + 8)
    return table, header_height + first_rows


def _cells(ctx: "RenderContext", data: "TableData", locale: str):
    """Every cell as text, each column's header, alignment and whether its cells may wrap."""
    texts: list[list[str]] = [[] for _ in data.rows]
    headers, aligns, wraps = [], [], []
    for position, (column, setting) in enumerate(data.columns):
        unit = find_unit(column.unit, ctx.report.units) if column.unit else None
        decimals = setting.decimals if setting.decimals is not None else column.decimals
        if column.numeric and decimals is None and (unit is None or unit.decimals is None):
            decimals = _decimals([row[position] for row in data.rows], None)
        for row_texts, row in zip(texts, data.rows):
            row_texts.append(_cell_text(row[position], column, setting, unit, decimals, locale))
        label = setting.label or column.title
        named_unit = _header_unit(unit, locale)
        headers.append(f"{label} ({named_unit})" if named_unit else label)
        aligns.append(setting.align or ("right" if column.numeric or column.kind == "date" else "left"))
        wraps.append(not (column.numeric or column.kind in ("date", "ticker")))

    return texts, headers, aligns, wraps


def _fit_widths(ctx, data, texts, headers, wraps, size, header_size, font, bold) -> list[float]:
    """Given widths first (lengths, or relative weights when every column has one); the rest fit
    their content: numbers and dates get their widest cell, text shares what is left."""
    available = ctx.frame_width
    settings = [setting for _, setting in data.columns]
    if all(isinstance(s.width, (int, float)) for s in settings):
        total = sum(s.width for s in settings)  # type: ignore[misc]
        return [available * s.width / total for s in settings], True  # type: ignore[operator]
    fixed: dict[int, float] = {}
    for position, setting in enumerate(settings):
        if isinstance(setting.width, str):
            match = _WIDTH.match(setting.width)
            number, unit = float(match.group(1)), match.group(2)  # type: ignore[union-attr]
            fixed[position] = available * number / 100 if unit == "%" else number * _POINTS[unit]
    natural, minimum, header_widths = [], [], []
    for position, header in enumerate(headers):
        cells = [row[position] for row in texts]
        widest_cell = max((stringWidth(text, font, size) for text in cells), default=0)
        header_words = max((stringWidth(word, bold, header_size) for word in header.split()), default=0)
        header_full = stringWidth(header, bold, header_size)
        header_widths.append(header_full + 2 * PADDING + 1)
        if wraps[position]:
            longest_word = max((stringWidth(word, font, size) for text in cells for word in text.split()), default=0)
            natural.append(max(widest_cell, header_full) + 2 * PADDING)
            minimum.append(max(longest_word, header_words, 30) + 2 * PADDING)
        else:
            width = max(widest_cell, header_words) + 2 * PADDING + 1
            natural.append(max(width, min(header_full + 2 * PADDING, width * 1.6)))
            minimum.append(width)
    widths = [fixed.get(i, natural[i]) for i in range(len(headers))]
    free = [i for i in range(len(headers)) if i not in fixed]
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
    rigid = sum(widths[i] for i in range(len(headers)) if i in fixed or not wraps[i])
    flexible = [i for i in free if wraps[i]]
    room = available - rigid
    need = sum(natural[i] for i in flexible) or 1
    for i in flexible:
        widths[i] = max(minimum[i], room * natural[i] / need)
    overflow = sum(widths) - available
    if overflow > 0.5:  # even at their minimum the columns do not fit: shrink everything evenly
        factor = available / sum(widths)
        return [w * factor for w in widths], False
    return widths, True
