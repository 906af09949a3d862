"""How a chart looks and how tall it is drawn, known before it is drawn: what the chart layout, the
chart process and the drawing with matplotlib share (none of them imports the others for it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportlab.pdfbase.pdfmetrics import stringWidth

from .fonts import FontNames

if TYPE_CHECKING:
    from ..charts.data import ChartData

MIN_CHARTS_TO_SPLIT = 4  # fewer missing charts are drawn by one process, more by two


@dataclass(frozen=True)
class ChartStyle:
    fonts: FontNames  # the brand's body font, as registered with reportlab
    size: float
    foreground: str
    secondary: str
    rule: str
    palette: tuple[str, ...]
    primary: str
    positive: str = "#2E7D32"  # color_by: sign and waterfalls: rises and falls (the brand's, see ``chart_style``)
    negative: str = "#C62828"

    def rc(self) -> dict:
        return {
            "font.family": ["DejaVu Sans"],  # only a stand-in: text is measured and set in self.fonts
            "font.size": self.size,
            "text.color": self.foreground,
            "axes.labelcolor": self.foreground,
            "axes.edgecolor": self.rule,
            "axes.linewidth": 0.6,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "xtick.color": self.foreground,
            "ytick.color": self.foreground,
            "xtick.labelsize": self.size - 0.5,
            "ytick.labelsize": self.size - 0.5,
            "xtick.major.size": 3,
            "xtick.major.width": 0.6,
            "grid.color": self.rule,
            "grid.linewidth": 0.4,
            "text.parse_math": False,  # "$5bn vs $6bn" is text, not mathtext
            "figure.dpi": 72,
            "lines.solid_capstyle": "round",
        }

    def width(self, text: str, size: float | None = None) -> float:
        return stringWidth(text, self.fonts.regular, size or self.size)


def chart_height(data: ChartData) -> float:
    """The height (points) a chart is drawn at: the one its options give, else one by its kind (a row
    per category for horizontal kinds). Known before the chart is drawn: layout need not wait for it."""
    from ..charts.kinds import KINDS

    if given := data.options.get("height"):
        return given
    if KINDS[data.kind].horizontal:
        rows = len(data.x) * max(1, len(data.series) if data.kind != "range" else 1)
        return min(40 + 19 * rows + (18 if len(data.series) > 1 or data.kind == "range" else 0), 600)
    return 170.0 if data.options.get("width") == "half" else 200.0
