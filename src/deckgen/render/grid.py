"""The page grid: a text column at the running-text measure and a rail beside it, on every page.

Running text is set to the text column; exhibits and tables span the column and the rail. What a
spec places in the rail (``place: rail``; on page 1 by default the analyst box and the key data) is a
``RailBlock``: it takes no height in the flow of the page. It is drawn in the rail at the point of the
story it stands at, and what follows it is set beside it, in the text column, until the rail is
clear: text narrows to the column (it is there already), boxes are made at the column's width, and a
flowable that cannot be narrowed (a chart, a data table) starts below the rail. Rail content that
does not fit on its page goes on at the top of the rail of the next page. ``RailLayout`` is the
document template's side of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

GUTTER = 4.5 * mm  # between the text column and the rail
MIN_RAIL = 34 * mm  # the narrowest rail: a box there holds a dozen characters a line at the least
RAIL_SPACE = 10.0  # points between two blocks in the rail, and below the rail before full-width content
_FUZZ = 0.01


@dataclass(frozen=True)
class PageGrid:
    """Where the text column and the rail are, across the frame (``left``: the frame's left edge)."""

    left: float
    frame_width: float
    text_width: float
    gutter: float = GUTTER

    @property
    def rail_width(self) -> float:
        return self.frame_width - self.text_width - self.gutter

    @property
    def rail_offset(self) -> float:
        """From the frame's left edge to the rail's."""
        return self.text_width + self.gutter

    @property
    def text_right(self) -> float:
        """The text column's right edge, on the page."""
        return self.left + self.text_width

    @property
    def rail_left(self) -> float:
        return self.left + self.rail_offset


def page_grid(left: float, frame_width: float, measure: float) -> PageGrid:
    """The grid of a frame ``frame_width`` wide whose running text is ``measure`` wide (about 80
    characters): the rail takes what the measure leaves, less the gutter, and at least ``MIN_RAIL``
    (the text column then narrows a little; it stays within 60-90 characters)."""
    rail = max(MIN_RAIL, frame_width - measure - GUTTER)
    return PageGrid(left, frame_width, frame_width - GUTTER - rail)


@dataclass
class _Stacked:
    """Rail items laid out in a height: those placed (item, height, gap above) and those left over."""

    placed: list[tuple[Any, float, float]] = field(default_factory=list)
    rest: list[Any] = field(default_factory=list)

    @property
    def height(self) -> float:
        return sum(height + gap for _, height, gap in self.placed)


def stack(items: Sequence[Any], width: float, height: float, canvas=None) -> _Stacked:
    """``items`` one under the other in a column ``width`` wide, as many as fit in ``height`` (the one
    that straddles the foot split when it can); a heading never ends the column."""
    laid = _Stacked()
    used, previous = 0.0, None
    items = list(items)
    while items:
        item = items[0]
        gap = 0.0 if previous is None else max(previous.getSpaceAfter(), item.getSpaceBefore())
        room = height - used - gap
        if room <= 0:
            break
        _, item_height = item.wrapOn(canvas, width, room) if canvas is not None else item.wrap(width, room)
        if item_height <= room + _FUZZ:
            laid.placed.append((item, item_height, gap))
            used += gap + item_height
            previous = items.pop(0)
            continue
        parts = item.split(width, room) if canvas is None else item.splitOn(canvas, width, room)
        if len(parts) > 1:
            _, part_height = parts[0].wrapOn(canvas, width, room) if canvas is not None else parts[0].wrap(width, room)
            laid.placed.append((parts[0], part_height, gap))
            items[0:1] = parts[1:]
        break
    while laid.placed and items and getattr(laid.placed[-1][0], "keepWithNext", False):
        items.insert(0, laid.placed.pop()[0])  # a box's title goes over with its first line
    laid.rest = items
    return laid


class RailBlock(Flowable):
    """Content for the rail, at this point of the story (see the module's description). It takes no
    height in the frame; ``RailLayout`` sets what follows beside it."""

    _ZEROSIZE = True

    def __init__(self, grid: PageGrid, items: Sequence[Any]):
        super().__init__()
        self.grid, self.items = grid, list(items)
        self.width = self.height = 0
        self._stacked: _Stacked | None = None

    def _room(self, doc, available: float) -> float:
        """The height left for this block: below any rail block still reaching down the page."""
        bottom = doc.rail_bottom()
        frame = doc.frame
        if bottom is None or bottom >= frame._y:
            return available
        return max(0.0, bottom - RAIL_SPACE - frame._y1p)

    def wrap(self, available_width, available_height):
        doc = getattr(getattr(self, "canv", None), "_doctemplate", None)
        room = self._room(doc, available_height) if isinstance(doc, RailLayout) else available_height
        self._stacked = stack(self.items, self.grid.rail_width, room, getattr(self, "canv", None))
        if not self._stacked.placed:  # not one line of it fits here: it starts on the next page
            return available_width, available_height + 1
        return 0, 0

    def split(self, available_width, available_height):
        return []  # a page further down gives it more room: the frame moves it on

    def draw(self):
        pass

    def top_at(self, canvas, y: float) -> float:
        """Where in the rail the block starts, drawn at ``y`` of the frame: below any rail block still
        reaching down the page."""
        doc = getattr(canvas, "_doctemplate", None)
        bottom = doc.rail_bottom() if isinstance(doc, RailLayout) else None
        return y if bottom is None or bottom >= y else bottom - RAIL_SPACE

    def drawOn(self, canvas, x, y, _sW=0):
        doc = getattr(canvas, "_doctemplate", None)
        if self._stacked is None:
            self.wrap(0, y)
        top = self.top_at(canvas, y)
        end = draw_stacked(canvas, self._stacked, x + self.grid.rail_offset, top)
        if isinstance(doc, RailLayout):
            doc.rail_drawn(end, self._stacked.rest)


def draw_stacked(canvas, stacked: _Stacked, x: float, top: float) -> float:
    """Draw ``stacked`` from ``top`` down at ``x``; where it ends."""
    y = top
    for item, height, gap in stacked.placed:
        y -= gap + height
        item.drawOn(canvas, x, y)
    return y


class RailLayout:
    """The document template's side of the rail (a mixin for a ``BaseDocTemplate`` with ``grid``):
    while rail content reaches down the page, each flowable that follows is set in the text column,
    or below the rail when it cannot be narrowed; rail content left over goes on at the top of the
    next page's rail."""

    grid: PageGrid

    def rail_reset(self) -> None:
        self._rail_page, self._rail_end, self._rail_pending = -1, None, []

    def rail_bottom(self) -> float | None:
        """How far down this page rail content reaches (None: the rail is clear)."""
        if getattr(self, "_rail_page", -1) != self.page or self._rail_end is None:
            return None
        return self._rail_end

    def rail_drawn(self, end: float, pending: list[Any]) -> None:
        self._rail_page, self._rail_end = self.page, end
        self._rail_pending = list(pending) + self._rail_pending

    def handle_documentBegin(self):
        self.rail_reset()
        super().handle_documentBegin()

    def handle_frameBegin(self, *args, **kwargs):
        super().handle_frameBegin(*args, **kwargs)
        if getattr(self, "_rail_pending", None):
            pending, self._rail_pending = self._rail_pending, []
            frame = self.frame
            stacked = stack(pending, self.grid.rail_width, frame._y - frame._y1p, self.canv)
            if not stacked.placed:
                from reportlab.platypus.doctemplate import LayoutError

                raise LayoutError("rail content taller than a page's rail")
            end = draw_stacked(self.canv, stacked, frame._x + self.grid.rail_offset, frame._y)
            self.rail_drawn(end, stacked.rest)

    def handle_flowable(self, flowables):
        bottom = self.rail_bottom()
        if bottom is None or not flowables:
            super().handle_flowable(flowables)
            self._rail_page_for_rest(flowables)
            return
        self.handle_keepWithNext(flowables)  # what the frame would keep together, measured together
        flowable = flowables[0]
        frame = self.frame
        if flowable is None or _is_rail(flowable) or not isinstance(flowable, Flowable) or _is_action(flowable):
            super().handle_flowable(flowables)
            return
        if frame._y - RAIL_SPACE <= bottom + _FUZZ:  # the rail is clear from here down
            self._rail_end = None
            super().handle_flowable(flowables)
            return
        grid = self.grid
        if widest(flowable, grid.text_width, self.canv) > grid.text_width + _FUZZ:  # a chart, a data table: below the rail
            frame._y, frame._atTop = bottom - RAIL_SPACE + (flowable.getSpaceBefore() or 0), 0
            frame._y = min(frame._y, bottom)
            self._rail_end = None
            super().handle_flowable(flowables)
            return
        frame._rightExtraIndent = grid.frame_width - grid.text_width
        try:
            super().handle_flowable(flowables)
        finally:
            frame._rightExtraIndent = 0
            if self.frame is not None:
                self.frame._rightExtraIndent = 0
        self._rail_page_for_rest(flowables)

    def _rail_page_for_rest(self, flowables) -> None:
        """Rail content left over at the end of the story gets a page of its own."""
        if not flowables and getattr(self, "_rail_pending", None):
            from reportlab.platypus import PageBreak

            flowables.append(PageBreak())


def widest(flowable, width: float, canvas) -> float:
    """How wide ``flowable`` is drawn when given ``width``: the widest of its parts, for the containers
    that answer with the width they were given (KeepTogether, an exhibit with its notes)."""
    from reportlab.platypus import Paragraph

    if isinstance(flowable, Paragraph):
        return min(width, flowable.minWidth()) if flowable.style.wordWrap == "CJK" else width  # it breaks its lines to fit
    inner = flowable.__dict__.get("inner")
    if inner is not None:
        return widest(inner, width, canvas)
    if isinstance(flowable, AtWidth):
        return widest(flowable._at(width), width, canvas)
    parts = flowable._items() if callable(getattr(flowable, "_items", None)) else getattr(flowable, "_content", None)
    if isinstance(parts, (list, tuple)):
        return max((widest(part, width, canvas) for part in parts), default=0.0)
    drawn, _ = flowable.wrapOn(canvas, width, 1e6)
    return drawn


def _is_rail(flowable) -> bool:
    return isinstance(getattr(flowable, "inner", flowable), RailBlock)


def _is_action(flowable) -> bool:
    from reportlab.platypus.doctemplate import ActionFlowable
    from reportlab.platypus.flowables import PageBreak

    return isinstance(flowable, (ActionFlowable, PageBreak))


class AtWidth(Flowable):
    """A flowable made for the width it is given (``make``: width -> flowable): a box set beside the
    rail is as wide as the text column, elsewhere as wide as the frame."""

    def __init__(self, make):
        super().__init__()
        self._make, self._made, self._inner = make, {}, None

    def _at(self, width: float):
        key = round(width, 2)
        if key not in self._made:
            self._made[key] = self._make(width)
        self._inner = self._made[key]
        return self._inner

    def wrap(self, available_width, available_height):
        inner = self._at(available_width)
        canvas = getattr(self, "canv", None)
        self.width, self.height = inner.wrapOn(canvas, available_width, available_height) if canvas is not None else inner.wrap(available_width, available_height)
        return self.width, self.height

    def split(self, available_width, available_height):
        return self._at(available_width).split(available_width, available_height)

    def getSpaceBefore(self):
        return (self._inner or self._at(10_000)).getSpaceBefore()

    def getSpaceAfter(self):
        return (self._inner or self._at(10_000)).getSpaceAfter()

    def drawOn(self, canvas, x, y, _sW=0):
        return self._inner.drawOn(canvas, x, y, _sW)


def rail_box(ctx, title: str | None, content: Sequence[Any]) -> list[Any]:
    """A box for the rail: a rule in the brand's colour, its title, its content (read in the Sect of
    its section: each rail block is anchored as a section)."""
    from reportlab.lib import colors
    from reportlab.platypus.flowables import HRFlowable

    rule = HRFlowable(width="100%", thickness=1.5, color=colors.HexColor(ctx.theme.primary), spaceBefore=0,
                      spaceAfter=ctx.theme.base_size * 0.45)
    rule.keepWithNext = 1
    items: list[Any] = [rule]
    if title:
        items.append(ctx.paragraph(title, "rail_title"))
    items.extend(content)
    return items


def rail_rule(ctx) -> Any:
    """A hairline between the entries of a rail box."""
    from reportlab.lib import colors
    from reportlab.platypus.flowables import HRFlowable

    size = ctx.theme.base_size
    return HRFlowable(width="100%", thickness=0.4, color=colors.HexColor(ctx.theme.rule), spaceBefore=size * 0.35,
                      spaceAfter=size * 0.35)

