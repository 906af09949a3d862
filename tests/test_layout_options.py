"""Options a reader notices: page size, table of contents, and previews of pages."""

from __future__ import annotations

from pathlib import Path

import pypdf
from PIL import Image

from deckgen.build import build
from pdfread import links_of, outline_titles, squash, text_of


def test_letter_paper_and_a_table_of_contents(project: Path):
    result = build(project / "specs" / "investor.yaml", overrides=["page_size=Letter", "toc=true"])
    page = pypdf.PdfReader(str(result.output)).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (612.0, 792.0)
    text = squash(text_of(result.output))
    contents = text[text.index("Contents"):]
    for title in outline_titles(result.output):
        assert title in contents
    toc_links = [link for link in links_of(result.output) if link.page == 0 and link.target_page is not None]
    assert len(toc_links) >= len(outline_titles(result.output))


def test_preview_writes_the_pages_asked_for(cli, project: Path):
    result = cli("preview", "specs/investor.yaml", "--page", "2", "-o", "shots", "--scale", "1", cwd=project)
    assert result.code == 0, result.stderr
    assert result.stdout.split() == ["shots/page-2.png"]
    with Image.open(project / "shots" / "page-2.png") as image:
        assert image.size in {(595, 842), (596, 842)}  # A4 (595.28 × 841.89 pt) at one pixel per point
    assert not (project / "dist").exists(), "preview must not touch dist/"


def test_preview_of_a_page_that_does_not_exist(cli, project: Path):
    result = cli("preview", "specs/investor.yaml", "--page", "99", cwd=project)
    assert result.code == 2
    assert result.stderr.strip().startswith("error: page 99 does not exist: the brief has")
