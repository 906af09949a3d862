"""Two boxes side by side, each as long as its own content, their tops aligned."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable


class SideBySide(Flowable):
    """Two flowables (tables: boxes with a title row) side by side, ``gap`` apart, tops aligned; each
    is as tall as its own content, not padded to the other's. A pair taller than the space left splits
    both at the same height (each box repeats its title row where it continues); a side already
    finished leaves its half of the continuation empty."""

    def __init__(self, left: Any | None, right: Any | None, gap: float):
        super().__init__()
        self.left, self.right, self.gap = left, right, gap
        self.hAlign = "LEFT"

    def _sides(self):
        return [(side, offset) for side, offset in ((self.left, 0), (self.right, 1)) if side is not None]

    def wrap(self, available_width, available_height):
        self.width = available_width
        self._column = (available_width - self.gap) / 2
        self._heights = {}
        for side, _ in self._sides():
            self._heights[id(side)] = side.wrap(self._column, available_height)[1]
        self.height = max(self._heights.values(), default=0)
        return self.width, self.height

    def draw(self):
        for side, offset in self._sides():
            x = offset * (self._column + self.gap)
            side.drawOn(self.canv, x, self.height - self._heights[id(side)])

    def split(self, available_width, available_height):
        self.wrap(available_width, available_height)
        if self.height <= available_height:
            return [self]
        firsts, rests = [], []
        for side in (self.left, self.right):
            if side is None or self._heights[id(side)] <= available_height:
                firsts.append(side)
                rests.append(None)
                continue
            parts = side.split(self._column, available_height)
            if len(parts) < 2:  # not even its title and one item fit here: the pair moves on whole
                return []
            firsts.append(parts[0])
            rests.append(parts[1] if len(parts) == 2 else None)
        return [SideBySide(firsts[0], firsts[1], self.gap), SideBySide(rests[0], rests[1], self.gap)]
