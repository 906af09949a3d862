"""Draw the documentation's pictures from the examples on its pages; never edit them by hand.

    python3 -m uv run python docs/make_pictures.py              # every picture
    python3 -m uv run python docs/make_pictures.py charts/      # those whose path contains charts/

- ``docs/page-1.png`` (the README's picture too): page 1 of ``specs/investor.yaml``.
- Every other picture is an image ``![...](../img/<group>/<name>.png)`` on a page of docs/, drawn from
  the YAML example just above it: that example is made into a spec the way ``tests/docs_examples.py``
  makes every documented example (``tests/test_docs.py`` validates them all), built in a scratch copy
  of the example project, and the part of page 1 it takes is cut out, from the top of the text to the
  section that follows the example.

The PDFs are byte-identical from one run to the next, so the pictures are too.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
sys.path.insert(0, str(REPO / "tests"))

import docs_examples  # noqa: E402  (tests/, where the examples are made into specs)

IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+\.png)\)")
PAGE_ONE = DOCS / "page-1.png"
SCALE = 1.5  # pixels per point: sharp on a high-density screen, small as a 256-colour PNG
PADDING = 12  # pixels of white kept around what is cut out


@dataclass(frozen=True)
class Picture:
    image: Path
    example: docs_examples.Example

    @property
    def name(self) -> str:
        return self.image.relative_to(DOCS / "img").with_suffix("").as_posix().replace("/", "-")


def pictures() -> list[Picture]:
    """Every picture under docs/img/ that a page shows, with the example above it on that page."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        text = page.read_text("utf-8")
        page_examples = docs_examples.examples([page])
        for match in IMAGE.finditer(text):
            image = (page.parent / match.group(1)).resolve()
            if DOCS / "img" not in image.parents:
                continue
            line = text.count("\n", 0, match.start()) + 1
            above = [example for example in page_examples if example.line < line]
            if not above:
                raise SystemExit(f"{page.relative_to(REPO)}:{line}: a picture with no YAML example above it")
            found.append(Picture(image, above[-1]))
    return found


def main(only: str = "") -> None:
    from conftest import copy_project

    with tempfile.TemporaryDirectory() as scratch:
        project = copy_project(Path(scratch))
        docs_examples.documented_files(project)
        os.chdir(project)  # messages name files as the project has them
        if only in str(PAGE_ONE.relative_to(DOCS)):
            _save(_page_image(_build(project / "specs" / "investor.yaml"), 0, scale=1.0), PAGE_ONE)
        for picture in pictures():
            if only not in picture.image.relative_to(DOCS).as_posix():
                continue
            made = docs_examples.make_spec(picture.example, project, picture.name, end_marker=True)
            _save(_cut_out(_build(made.spec)), picture.image)


def _build(spec: Path) -> Path:
    from deckgen.build import build

    return build(spec).output


def _page_image(pdf: Path, index: int, scale: float):
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return document[index].render(scale=scale).to_pil().convert("RGB")
    finally:
        document.close()


def _cut_out(pdf: Path):
    """Page 1 from the top of the text down to where the END_OF_EXAMPLE section starts (or, when the
    example runs past page 1, to the page's last line above the footer), the text's width across."""
    import pypdfium2 as pdfium
    from PIL import ImageChops, ImageOps

    document = pdfium.PdfDocument(str(pdf))
    try:
        page = document[0]
        height = page.get_height()
        text = page.get_textpage()
        end = _top_of(text, docs_examples.END_OF_EXAMPLE)
        footer = _top_of(text, "Page 1 of")
        image = page.render(scale=SCALE).to_pil().convert("RGB")
    finally:
        document.close()
    ink = ImageOps.invert(image.convert("L")).point(lambda value: 255 if value > 3 else 0)
    left, _, right, _ = ink.getbbox()  # the footer's rule spans the text's width
    stop = end if end is not None else footer + 14  # the footer's rule sits just above its text
    bottom_limit = int((height - stop) * SCALE)
    box = ink.crop((0, 0, image.width, bottom_limit)).getbbox()
    if box is None:
        raise SystemExit(f"{pdf}: nothing drawn above the end of the example")
    top, bottom = box[1], box[3]
    return image.crop((max(left - PADDING, 0), max(top - PADDING, 0), min(right + PADDING, image.width),
                       min(bottom + PADDING, image.height)))


def _top_of(textpage, needle: str) -> float | None:
    """The top of the first occurrence of ``needle`` on the page, in points from the bottom."""
    searcher = textpage.search(needle)
    try:
        found = searcher.get_next()
    finally:
        searcher.close()
    if not found:
        return None
    index, count = found
    return max(textpage.get_charbox(i)[3] for i in range(index, index + count))


def _save(image, path: Path) -> None:
    """A 256-colour PNG (text and flat chart colours lose nothing a reader can see)."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)
    print(f"{path.relative_to(REPO)}: {image.width}×{image.height}, {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
