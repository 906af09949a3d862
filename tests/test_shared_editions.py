"""Personalised editions share what they can with the edition before them (the layout starts from the
page references it settled), and each is still the same bytes as the same edition built alone."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from deckgen.build import api
from deckgen.render import pdf as render_pdf

SPEC = "specs/investor.yaml"
SUBTITLES = {
    "ann@example.com": "Prepared for Ann",
    "bob@example.com": "Prepared for Bob",
    # long enough to take a second line on the cover: the pages after it may move, so the guess
    # taken from the edition before may be wrong and must not leak into this one
    "cy@example.com": "Prepared for the fixed-income and multi-asset strategy desks of the London, Tokyo and New York offices, "
                      "with the week's positioning",
}


def _deckgen(project: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "deckgen", *args], cwd=project, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done


def _attached(eml: Path) -> bytes:
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.SMTP)
    [pdf] = [part.get_content() for part in message.iter_attachments()]
    return pdf


def test_each_personalised_edition_is_the_same_bytes_as_the_edition_built_alone(project):
    listed = project / "desk.csv"
    listed.write_text("email,name,subtitle\n" + "".join(f'{a},{a[:3].title()},"{s}"\n' for a, s in SUBTITLES.items()), "utf-8")
    _deckgen(project, "-q", "send", SPEC, "--recipients", "desk.csv", "--dry-run")  # one process, editions in a row
    # the variants share the brief's chart cache: a chart is drawn once, whoever it is for
    assert list((project / "dist" / ".deckgen" / "charts").iterdir())
    assert not (project / "dist" / ".deckgen" / "variants" / ".deckgen" / "charts").exists()

    for address, subtitle in SUBTITLES.items():
        alone = project / "dist" / f"alone-{address[:3]}.pdf"
        _deckgen(project, "-q", "build", SPEC, "--set", f"subtitle={subtitle}", "-o", str(alone))  # a fresh process
        shared = _attached(project / "dist" / "outbox" / f"{address}.eml")
        assert shared == alone.read_bytes(), f"{address}: the edition sent differs from the edition built alone"


def test_an_edition_after_the_first_is_laid_out_once_and_a_wrong_guess_is_laid_out_afresh(project):
    render_pdf._settled_pages.clear()
    base = api.check(project / SPEC)
    first = api.render_in_memory(base, cache_charts=False)[1]
    assert first.passes == 2  # "See page N" on the cover: the first pass finds N, the second prints it

    def edition(subtitle: str):
        checked = base.check(project / SPEC, overrides=(f"subtitle={subtitle}",), output=project / "dist" / "v.pdf")
        return api.render_in_memory(checked, cache_charts=False)

    pdf, result = edition(SUBTITLES["bob@example.com"])
    assert result.passes == 1  # started from the pages the first edition settled, and they held

    # a guess that cannot hold (every target on page 99) is thrown away and the edition laid out afresh
    key = next(iter(render_pdf._settled_pages))
    render_pdf._settled_pages[key] = {target: 99 for target in render_pdf._settled_pages[key]}
    guessed_wrong, result = edition(SUBTITLES["bob@example.com"])
    assert guessed_wrong == pdf and result.passes == 2


def test_a_rebuild_starts_from_the_pages_the_last_build_settled_and_a_bad_guess_on_disk_is_laid_out_afresh(project):
    """A rebuild of the same inputs in a new process (the guess kept in the process forgotten) reads
    where the page references landed from beside the chart cache: one pass, the same bytes. A guess
    that is wrong, damaged or for other inputs is only a wasted pass."""
    from deckgen.render import settled

    checked = api.check(project / SPEC)
    first, result = api.render_in_memory(checked)
    assert result.passes == 2
    [kept] = (project / "dist" / ".deckgen" / "pages").iterdir()

    render_pdf._settled_pages.clear()  # a new process
    again, result = api.render_in_memory(checked)
    assert (again, result.passes) == (first, 1)

    entry = json.loads(kept.read_text("utf-8"))
    wrong = {**entry, "landed": {target: 99 for target in entry["landed"]}}  # parses, but cannot hold
    for bad in (json.dumps(wrong), "not json", json.dumps({**entry, "key": "another spec"}),
                json.dumps({**entry, "landed": {target: str(page) for target, page in entry["landed"].items()}}),
                json.dumps({**entry, "landed": {target: True for target in entry["landed"]}})):
        kept.write_text(bad, "utf-8")
        render_pdf._settled_pages.clear()
        pdf, result = api.render_in_memory(checked)
        assert (pdf, result.passes) == (first, 2), bad
    charts = project / "dist" / ".deckgen" / "charts"
    assert settled.stored(charts, checked.input_hash) is not None, "the pages the last layout settled are kept again"

    # kept by the inputs: a brief made of other inputs (here a new subtitle) starts from no guess
    other = checked.check(project / SPEC, overrides=("subtitle=Another edition",))
    render_pdf._settled_pages.clear()
    assert settled.stored(charts, other.input_hash) is None
    assert api.render_in_memory(other)[1].passes == 2


@pytest.fixture(autouse=True)
def _no_guess_from_other_tests():
    render_pdf._settled_pages.clear()
    yield
    render_pdf._settled_pages.clear()


def test_a_shared_line_breaking_broken_again_at_another_width_is_the_paragraphs_own(monkeypatch):
    """Two paragraphs of one text share their first line breaking; one broken again at another width
    breaks as it would have alone, and the other (and the shared lines) are untouched."""
    from reportlab.lib.styles import ParagraphStyle

    from deckgen.proof.record import line_texts
    from deckgen.render import paragraph
    from deckgen.render.context import Hyphenator

    text = ("The administration's semiconductor commitments and the accompanying infrastructure programmes "
            "reorganise procurement, extraordinarily complicated counterparty arrangements and their documentation.")

    def laid_out(widths) -> list[list[str]]:
        hyphenator = Hyphenator("en_US")
        style = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=12, hyphenationLang=hyphenator,
                               embeddedHyphenation=1, uriWasteReduce=0.3)
        first, second = paragraph.Paragraph(text, style), paragraph.Paragraph(text, style)
        first.wrap(widths[0], 1000)
        lines = []
        for width in widths:
            second.wrap(width, 1000)
            lines.append(line_texts(second))
        first.wrap(widths[0], 1000)
        return [line_texts(first), *lines]

    shared = laid_out([150, 95, 150])
    monkeypatch.setattr(paragraph, "PARSED_KEPT", 0)  # nothing kept: each paragraph breaks its own lines
    paragraph._PARSED.clear()
    paragraph._BROKEN.clear()
    alone = laid_out([150, 95, 150])
    assert shared == alone
    assert shared[1] != shared[2], "the second width breaks differently"


def test_a_clone_of_a_style_at_another_size_shares_nothing_with_it():
    """A style's clone copies its attributes: the clone at another size must break its text as that size
    needs (a header one size down broke "Currenc|y" when it took its parent's lines)."""
    from reportlab.lib.styles import ParagraphStyle

    from deckgen.proof.record import line_texts
    from deckgen.render.paragraph import Paragraph

    larger = ParagraphStyle("header", fontName="Helvetica-Bold", fontSize=12, leading=14)
    Paragraph("Currency", larger).wrap(45, 100)  # "Currency" at 12 pt is about 53 pt wide: broken
    smaller = larger.clone("header_sized", fontSize=9, leading=11)
    header = Paragraph("Currency", smaller)
    header.wrap(45, 100)  # about 40 pt at 9 pt: one line
    assert line_texts(header) == ["Currency"]
