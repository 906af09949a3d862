"""Point labels placed so that none overlaps another label, a marker, a leader line or the axes.

Greedy placement in page space (points, where the chart is laid out): each label tries positions
around its own marker, nearest first (right, above-right, left, above…), then the same directions
farther out with a thin leader line back to the marker; it takes the first position whose box is
inside the plotting area and clear of every marker, every label placed before it and every leader
line. Crowded points choose first. A label with no free position at all is left out, and named in
the chart's notes (the build warns about it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GAP = 2.0  # points between a marker's edge and its label
LEADER_DISTANCES = (9.0, 16.0, 26.0, 40.0)  # points from the marker, for labels that need a leader line
INSET = 1.0  # labels keep this far inside the axes' edges
_DIRECTIONS = (  # (dx, dy) unit-ish directions, in order of preference
    (1, 0), (1, 1), (1, -1), (-1, 0), (-1, 1), (-1, -1), (0, 1), (0, -1),
)


@dataclass(frozen=True)
class Box:
    left: float
    bottom: float
    right: float
    top: float

    def overlaps(self, other: "Box") -> bool:
        return self.left < other.right and other.left < self.right and self.bottom < other.top and other.bottom < self.top

    def inside(self, other: "Box") -> bool:
        return other.left <= self.left and self.right <= other.right and other.bottom <= self.bottom and self.top <= other.top

    def crosses(self, start: tuple[float, float], end: tuple[float, float]) -> bool:
        """Whether the segment from ``start`` to ``end`` passes through this box (Liang–Barsky clipping)."""
        (x0, y0), (x1, y1) = start, end
        dx, dy = x1 - x0, y1 - y0
        low, high = 0.0, 1.0
        for p, q in ((-dx, x0 - self.left), (dx, self.right - x0), (-dy, y0 - self.bottom), (dy, self.top - y0)):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                low = max(low, t)
            else:
                high = min(high, t)
            if low > high:
                return False
        return True


@dataclass(frozen=True)
class Placed:
    index: int  # of the point
    anchor: tuple[float, float]  # the text's baseline start, in page space
    box: Box
    leader: tuple[tuple[float, float], tuple[float, float]] | None  # from the marker's edge to the label


class _Grid:
    """Boxes and segments bucketed by area, so each test looks only at its neighbours."""

    CELL = 40.0

    def __init__(self):
        self.cells: dict[tuple[int, int], list] = {}

    def _keys(self, box: Box):
        for i in range(math.floor(box.left / self.CELL), math.floor(box.right / self.CELL) + 1):
            for j in range(math.floor(box.bottom / self.CELL), math.floor(box.top / self.CELL) + 1):
                yield i, j

    def add(self, box: Box, item) -> None:
        for key in self._keys(box):
            self.cells.setdefault(key, []).append(item)

    def near(self, box: Box) -> list:
        seen, found = set(), []
        for key in self._keys(box):
            for item in self.cells.get(key, ()):
                if id(item) not in seen:
                    seen.add(id(item))
                    found.append(item)
        return found


def place_labels(points: list[tuple[float, float] | None], sizes: list[tuple[float, float, float]], marker_radius: float,
                 area: Box) -> tuple[list[Placed], list[int]]:
    """Where each label goes: ``points`` are the markers in page space (None: no label), ``sizes`` each
    label's (width, ascent, descent). Returns the placed labels and the indexes of those left out."""
    markers = _Grid()
    for point in points:
        if point is not None:
            x, y = point
            pad = marker_radius + 0.5
            box = Box(x - pad, y - pad, x + pad, y + pad)
            markers.add(box, box)
    taken = _Grid()  # placed label boxes and leader lines
    inner = Box(area.left + INSET, area.bottom + INSET, area.right - INSET, area.top - INSET)
    order = sorted((i for i, p in enumerate(points) if p is not None), key=lambda i: (-_crowding(points, i), i))
    placed, left_out = [], []
    for index in order:
        point = points[index]
        width, ascent, descent = sizes[index]
        choice = None
        for distance, leader in [(marker_radius + GAP, False)] + [(d, True) for d in LEADER_DISTANCES]:
            for dx, dy in _DIRECTIONS:
                box, anchor = _box_at(point, dx, dy, distance, width, ascent, descent)  # type: ignore[arg-type]
                if not box.inside(inner):
                    continue
                segment = _leader(point, box, marker_radius) if leader else None  # type: ignore[arg-type]
                if _free(box, segment, markers, taken, point):  # type: ignore[arg-type]
                    choice = Placed(index, anchor, box, segment)
                    break
            if choice is not None:
                break
        if choice is None:
            left_out.append(index)
            continue
        placed.append(choice)
        taken.add(choice.box, ("box", choice.box))
        if choice.leader is not None:
            (x0, y0), (x1, y1) = choice.leader
            taken.add(Box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), ("line", choice.leader))
    placed.sort(key=lambda p: p.index)
    return placed, sorted(left_out)


def _crowding(points, index: int, radius: float = 30.0) -> int:
    x, y = points[index]
    return sum(1 for other in points if other is not None and abs(other[0] - x) < radius and abs(other[1] - y) < radius)


def _box_at(point: tuple[float, float], dx: int, dy: int, distance: float, width: float, ascent: float,
            descent: float) -> tuple[Box, tuple[float, float]]:
    """The label's box ``distance`` from the point in direction (dx, dy), and its baseline start."""
    x, y = point
    height = ascent + descent
    diagonal = distance * (0.75 if dx and dy else 1.0)
    if dx > 0:
        left = x + diagonal
    elif dx < 0:
        left = x - diagonal - width
    else:
        left = x - width / 2
    if dy > 0:
        bottom = y + diagonal
    elif dy < 0:
        bottom = y - diagonal - height
    else:
        bottom = y - height / 2
    return Box(left, bottom, left + width, bottom + height), (left, bottom + descent)


def _leader(point: tuple[float, float], box: Box, marker_radius: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """A line from the marker's edge to the nearest point of the label's box."""
    x, y = point
    end = (min(max(x, box.left), box.right), min(max(y, box.bottom), box.top))
    length = math.hypot(end[0] - x, end[1] - y) or 1.0
    start = (x + (end[0] - x) / length * (marker_radius + 0.8), y + (end[1] - y) / length * (marker_radius + 0.8))
    return start, end


def _free(box: Box, segment, markers: _Grid, taken: _Grid, own: tuple[float, float]) -> bool:
    probe = box
    if segment is not None:
        (x0, y0), (x1, y1) = segment
        probe = Box(min(box.left, x0, x1), min(box.bottom, y0, y1), max(box.right, x0, x1), max(box.top, y0, y1))
    for marker in markers.near(probe):
        if marker.overlaps(box):
            return False
        if segment is not None and not _contains(marker, own) and marker.crosses(*segment):
            return False
    for kind, item in taken.near(probe):
        if kind == "box":
            if item.overlaps(box) or (segment is not None and item.crosses(*segment)):
                return False
        elif _segments_cross(item, segment) or box.crosses(*item):
            return False
    return True


def _contains(box: Box, point: tuple[float, float]) -> bool:
    return box.left <= point[0] <= box.right and box.bottom <= point[1] <= box.top


def _segments_cross(one, two) -> bool:
    if two is None:
        return False

    def side(a, b, c) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    (p1, p2), (p3, p4) = one, two
    return side(p1, p2, p3) * side(p1, p2, p4) < 0 and side(p3, p4, p1) * side(p3, p4, p2) < 0
