"""Point labels placed so that none overlaps another label, a marker, a leader line or the axes.

Greedy placement in page space (points, where the chart is laid out): each label tries positions
around its own marker, nearest first (right, above-right, left, above…), then the same directions
farther out with a thin leader line back to the marker; it takes the first position whose box is
inside the plotting area and clear of every marker, every label placed before it and every leader
line. Crowded points choose first (and labels an attempt left out, in the next). A label with no
free position at all is left out, and named in the chart's notes (the build warns about it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GAP = 2.0  # points between a marker's edge and its label
LEADER_DISTANCES = (10.0, 18.0, 28.0, 40.0, 56.0)  # points from the marker, for labels that need a leader line
LEADER_ANGLES = tuple(range(0, 360, 30))  # degrees, counter-clockwise from the right
INSET = 1.0  # labels keep this far inside the axes' edges
ATTEMPTS = 16  # placements tried, each letting the labels the last one left out choose first
MANY_LABELS = 80  # beyond this many labels, fewer attempts (each costs more)
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
    label's (width, ascent, descent). Returns the placed labels and the indexes of those left out.

    The crowdest points choose first. A label that finds no room may take the place of one label in
    its way if that one can move elsewhere; if some label still has none, placement starts again with
    the labels left out choosing first, then in shuffled orders (seeded: the same chart always gets
    the same placement), and the attempt that leaves out fewest is kept."""
    import random

    layout = _Layout(points, sizes, marker_radius, area)
    order = sorted((i for i, p in enumerate(points) if p is not None), key=lambda i: (-_crowding(points, i), i))
    shuffle = random.Random(len(order)).shuffle
    best: tuple[list[Placed], list[int]] | None = None
    for attempt in range(ATTEMPTS if len(order) <= MANY_LABELS else 2):
        placed, left_out = layout.attempt(order)
        if best is None or len(left_out) < len(best[1]):
            best = placed, left_out
        if not left_out:
            break
        rest = [i for i in order if i not in left_out]
        if attempt % 2:
            shuffle(rest)
        order = left_out + rest
    return best  # type: ignore[return-value]


class _Layout:
    """The places each label may take (inside the plotting area, clear of every marker), and the labels
    placed so far, with what each new place would collide with."""

    def __init__(self, points, sizes, marker_radius: float, area: Box):
        self.points, self.sizes, self.radius = points, sizes, marker_radius
        markers = _Grid()
        for point in points:
            if point is not None:
                pad = marker_radius + 0.5
                box = Box(point[0] - pad, point[1] - pad, point[0] + pad, point[1] + pad)
                markers.add(box, box)
        self.markers = markers
        self.inner = Box(area.left + INSET, area.bottom + INSET, area.right - INSET, area.top - INSET)
        self._options: dict[int, list[Placed]] = {}

    def options(self, index: int) -> list[Placed]:
        """The places label ``index`` may take whatever the other labels do, nearest first."""
        if index not in self._options:
            point, (width, ascent, descent) = self.points[index], self.sizes[index]
            found = []
            for box, anchor, leader in _candidates(point, self.radius, width, ascent, descent):
                if not box.inside(self.inner):
                    continue
                segment = _leader(point, box, self.radius) if leader else None
                if _clear_of_markers(box, segment, self.markers, point):
                    found.append(Placed(index, anchor, box, segment))
            self._options[index] = found
        return self._options[index]

    def attempt(self, order: list[int]) -> tuple[list[Placed], list[int]]:
        self.placed: dict[int, Placed] = {}
        self._index()
        left_out = []
        for index in order:
            choice = next((option for option in self.options(index) if not self.clashes(option)), None)
            if choice is None:
                left_out.append(index)
            else:
                self.put(choice)
        left_out = [index for index in left_out if not self.make_room(index)]
        return sorted(self.placed.values(), key=lambda p: p.index), sorted(left_out)

    def make_room(self, index: int) -> bool:
        """Place label ``index`` where only one label is in its way, moving that one to a free place."""
        for option in self.options(index):
            blocking = self.clashes(option)
            if len(blocking) != 1:
                continue
            (other,) = blocking
            moved = self.placed.pop(other)
            self._index()
            self.put(option)
            elsewhere = next((place for place in self.options(other) if place != moved and not self.clashes(place)), None)
            if elsewhere is not None:
                self.put(elsewhere)
                return True
            del self.placed[index]
            self.placed[other] = moved
            self._index()
        return False

    def put(self, place: Placed) -> None:
        self.placed[place.index] = place
        self._add(place)

    def clashes(self, place: Placed) -> set[int]:
        """The placed labels whose box or leader line the place's box or leader would touch."""
        found = set()
        for kind, index, item in self.taken.near(_extent(place)):
            if kind == "box":
                if item.overlaps(place.box) or (place.leader is not None and item.crosses(*place.leader)):
                    found.add(index)
            elif place.box.crosses(*item) or (place.leader is not None and _segments_cross(item, place.leader)):
                found.add(index)
        return found

    def _index(self) -> None:
        self.taken = _Grid()
        for place in self.placed.values():
            self._add(place)

    def _add(self, place: Placed) -> None:
        self.taken.add(place.box, ("box", place.index, place.box))
        if place.leader is not None:
            (x0, y0), (x1, y1) = place.leader
            self.taken.add(Box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), ("line", place.index, place.leader))


def _extent(place: Placed) -> Box:
    box = place.box
    if place.leader is None:
        return box
    (x0, y0), (x1, y1) = place.leader
    return Box(min(box.left, x0, x1), min(box.bottom, y0, y1), max(box.right, x0, x1), max(box.top, y0, y1))


def _clear_of_markers(box: Box, segment, markers: _Grid, own: tuple[float, float]) -> bool:
    probe = _extent(Placed(-1, (0.0, 0.0), box, segment))
    for marker in markers.near(probe):
        if marker.overlaps(box):
            return False
        if segment is not None and not _contains(marker, own) and marker.crosses(*segment):
            return False
    return True


def _crowding(points, index: int, radius: float = 30.0) -> int:
    x, y = points[index]
    return sum(1 for other in points if other is not None and abs(other[0] - x) < radius and abs(other[1] - y) < radius)


def _candidates(point: tuple[float, float], marker_radius: float, width: float, ascent: float, descent: float):
    """(box, baseline start, needs a leader) of each place a label may go, nearest first: beside the
    marker in eight directions, then farther out all around, joined to it by a leader line."""
    for dx, dy in _DIRECTIONS:
        yield (*_box_at(point, dx, dy, marker_radius + GAP, width, ascent, descent), False)
    height = ascent + descent
    for distance in LEADER_DISTANCES:
        for angle in LEADER_ANGLES:
            cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
            centre_x = point[0] + cos * (distance + width / 2 * abs(cos))
            centre_y = point[1] + sin * (distance + height / 2 * abs(sin))
            left, bottom = centre_x - width / 2, centre_y - height / 2
            yield Box(left, bottom, left + width, bottom + height), (left, bottom + descent), True


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


def _contains(box: Box, point: tuple[float, float]) -> bool:
    return box.left <= point[0] <= box.right and box.bottom <= point[1] <= box.top


def _segments_cross(one, two) -> bool:
    if two is None:
        return False

    def side(a, b, c) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    (p1, p2), (p3, p4) = one, two
    return side(p1, p2, p3) * side(p1, p2, p4) < 0 and side(p3, p4, p1) * side(p3, p4, p2) < 0
