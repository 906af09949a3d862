"""Navigation lands right: every bookmark and table-of-contents line on its heading's page and place,
in both brands, on A4 and Letter, with and without a table of contents."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest

from deckgen.build import build
from pdfread import page_texts, squash, text_in

LAYOUTS = [
    ("investor", "A4", False, None),
    ("investor", "Letter", True, None),
    ("investor", "A4", True, "../assets/brands/harbor/brand.yml"),
    ("investor", "Letter", False, "../assets/brands/harbor/brand.yml"),
    ("grid-storage", "Letter", True, None),
]


def _outline(path: Path) -> list[tuple[str, int, float]]:
    reader = pypdf.PdfReader(str(path))
    return [(item.title, reader.get_destination_page_number(item), float(item.top)) for item in reader.outline]


@pytest.mark.parametrize("spec, size, toc, brand", LAYOUTS)
def test_every_bookmark_and_toc_line_lands_on_its_heading(project: Path, spec: str, size: str, toc: bool, brand: str | None):
    overrides = [f"page_size={size}", f"toc={'true' if toc else 'false'}"] + ([f"brand={brand}"] if brand else [])
    result = build(project / "specs" / f"{spec}.yaml", overrides=overrides, allow_stale=True)
    outline = _outline(result.output)
    assert outline, "the brief has an outline"
    width = float(pypdf.PdfReader(str(result.output)).pages[0].mediabox.width)
    for title, page, top in outline:
        just_below = squash(text_in(result.output, page, (0, top - 45, width, top + 2)))
        assert squash(title)[:25] in just_below, f"bookmark {title!r} is not at its heading (page {page + 1})"
    if toc:
        contents = squash(page_texts(result.output)[0] + page_texts(result.output)[1])
        contents = contents[contents.index("Contents"):]  # page 1's rail, read before it, holds headings too
        for title, page, _ in outline:
            entry = re.search(re.escape(squash(title)[:30]) + r".*?(\d+)", contents)
            assert entry and int(entry.group(1)) == page + 1, f"the contents list {title!r} on the wrong page"
