"""PNG pictures of a brief's pages, for people reviewing a change and for tests."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from ..build import check, render
from ..writing import write_atomic
from ..errors import UsageError
from ..inputs import project_root


def rasterize(pdf: Path, out_dir: Path, pages: list[int] | None = None, scale: float = 1.5) -> list[Path]:
    """Write page-N.png (1-based) for the chosen pages of ``pdf`` into ``out_dir``."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        count = len(document)
        chosen = pages or list(range(1, count + 1))
        for number in chosen:
            if not 1 <= number <= count:
                raise UsageError(f"page {number} does not exist: the brief has {count} page(s)")
        written = []
        for number in chosen:
            target = out_dir / f"page-{number}.png"
            write_atomic(target, page_png(document, number, scale, optimize=True))
            written.append(target)
        return written
    finally:
        document.close()


def page_png(document, number: int, scale: float = 1.5, *, optimize: bool = False) -> bytes:
    """PNG bytes of page ``number`` (1-based) of an open pypdfium2 document."""
    image = document[number - 1].render(scale=scale).to_pil()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=optimize)
    return buffer.getvalue()


def preview(spec_path: Path | str, out_dir: Path | str | None = None, pages: list[int] | None = None,
            scale: float = 1.5, **options) -> list[Path]:
    """Build the brief into a scratch folder (dist/ is left alone) and write PNGs of its pages."""
    spec_path = Path(spec_path)
    with tempfile.TemporaryDirectory(prefix="deckgen-preview-") as scratch:
        checked = check(spec_path, output=Path(scratch) / f"{spec_path.stem}.pdf", **options)
        result = render(checked)
        target = Path(out_dir) if out_dir else project_root(checked.report.loaded.path) / "dist" / "preview" / spec_path.stem
        return rasterize(result.output, target, pages, scale)
