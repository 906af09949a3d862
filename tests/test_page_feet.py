"""No page of an example is left more than about a quarter empty at its foot, in A4 and in Letter: the
lowest text of every page but the last is measured (pypdfium2's character boxes) against the frame."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest

MM = 72 / 25.4
RUNNING = 20 * MM  # the running header and the footer lie within this of the page's top and bottom edges
MOST_EMPTY = 0.25  # of the frame's height


def _body_extents(pdf: Path) -> tuple[list[float], list[float], float]:
    """Per page, the lowest and highest body text (points from the bottom), and the page height."""
    document = pdfium.PdfDocument(str(pdf))
    lows, highs, height = [], [], 0.0
    for page in document:
        _, height = page.get_size()
        textpage = page.get_textpage()
        boxes = [textpage.get_charbox(index) for index in range(textpage.count_chars())]
        body = [box for box in boxes if box[1] > RUNNING and box[3] < height - RUNNING and box[3] > box[1]]
        lows.append(min(box[1] for box in body))
        highs.append(max(box[3] for box in body))
    return lows, highs, height


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
@pytest.mark.parametrize("example", ["investor", "grid-storage"])
def test_no_page_foot_is_left_more_than_a_quarter_empty(project: Path, cli, example: str, page_size: str):
    result = cli("build", f"specs/{example}.yaml", "--set", f"page_size={page_size}", cwd=project)
    assert result.code == 0, result.stderr
    lows, highs, _ = _body_extents(project / "dist" / f"{example}.pdf")
    frame_bottom, frame_top = min(lows), max(highs)  # the fullest pages reach the frame's foot and head
    frame = frame_top - frame_bottom
    for number, low in enumerate(lows[:-1], 1):  # the last page ends where the brief ends
        empty = (low - frame_bottom) / frame
        assert empty <= MOST_EMPTY, f"{example} {page_size}: page {number} is {empty:.0%} empty at its foot"
