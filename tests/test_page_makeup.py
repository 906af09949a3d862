"""Page make-up a research house would accept: no band of white over 50 mm at the foot of any page
but the last, running text at 60–90 characters a line, and no break inside a name or a figure."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from deckgen.build import build
from pdfread import page_texts, tagged_tables

MM = 72 / 25.4
HARBOR = "../assets/brands/harbor/brand.yml"
LAYOUTS = [  # both shipped brands, A4 and Letter, contents on and off; the second example in both sizes
    *(("investor", size, toc, brand) for brand in (None, HARBOR) for size in ("A4", "Letter") for toc in (False, True)),
    ("grid-storage", "A4", False, None),
    ("grid-storage", "Letter", False, None),
]
FRAME_BOTTOM = 22 * MM  # the body frame's bottom margin; the footer sits below it


def _lowest_content(page) -> float:
    """The lowest point of the page's content above the footer (text and vector graphics)."""
    lowest = None
    for obj in page.get_objects(max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        if bottom > FRAME_BOTTOM - 2:
            lowest = bottom if lowest is None else min(lowest, bottom)
    return lowest if lowest is not None else page.get_height()


@pytest.mark.parametrize("spec, size, toc, brand", LAYOUTS)
def test_no_page_but_the_last_ends_in_a_band_over_50_mm(project: Path, spec: str, size: str, toc: bool, brand: str | None):
    overrides = [f"page_size={size}", f"toc={'true' if toc else 'false'}"] + ([f"brand={brand}"] if brand else [])
    result = build(project / "specs" / f"{spec}.yaml", overrides=overrides, allow_stale=True)
    document = pdfium.PdfDocument(str(result.output))
    # pages a table kept whole moved to (any table the brief sets: an exhibit's, the disclosures'), 0-based
    kept_whole = {min(table.pages) for table in tagged_tables(result.output) if table.rows <= 12}
    for index in range(len(document) - 1):
        band = (_lowest_content(document[index]) - FRAME_BOTTOM) / MM
        if index + 1 in kept_whole:
            continue  # a table of 12 rows or fewer does not split: the band is where it did not fit
        assert band <= 50, f"page {index + 1} of {len(document)} ends in a {band:.0f} mm band"
    for number, page in enumerate(page_texts(result.output), 1):  # ranges and amounts never break
        assert not re.search(r"\d\s*\r?\n\s*–\s*\d|\d–\s*\r?\n\s*\d|\d{4}\s*–\s*\r?\n", page), f"page {number}"
        assert not re.search(r"S&P\s*\r?\n\s*500|\$\d+\s*\r?\n\s*(billion|B)\b", page), f"page {number}"
    if spec == "investor":
        # a compound broken at its hyphen in one layout attempt keeps the hyphen when laid out again
        source = (project / "specs" / f"{spec}.yaml").read_text("utf-8")
        joined = " ".join(" ".join(page_texts(result.output)).split())
        for left, right in set(re.findall(r"\b([A-Za-z]{2,})-([a-z]{2,})\b", source)):
            assert f" {left}{right} " not in f" {joined} ", f"'{left}-{right}' lost its hyphen"
        # a heading and its intro open a page only with the first rows under them
        pages = [" ".join(page.split()) for page in page_texts(result.output)]
        for heading, first in (("Investment implications: the Pacific premium", "Equities"),
                               ("Prices Instrument Price Currency Priced at", "VanEck Semiconductor ETF 250.00 USD")):
            page = [text for text in pages if heading in text][-1]  # not the contents page
            assert first in page, f"'{heading}' is not followed on its page by '{first}'"


def test_running_text_is_set_at_60_to_90_characters(example_pdf: Path):
    import yaml

    spec = yaml.safe_load((Path(__file__).resolve().parent.parent / "specs" / "investor.yaml").read_text())
    prose = " ".join(" ".join(s["body"].split()) for s in spec["sections"] if s["type"] == "narrative")
    # pdfium joins a line that ends in a hyphenation point to the next, marking the join with U+FFFE
    lines = [part.strip() for page in page_texts(example_pdf) for line in page.splitlines() for part in line.split("\ufffe")]
    narrative = [line for line in lines if len(line) > 30 and line in prose]
    assert len(narrative) >= 20, "the narrative lines were found"
    full = sorted(len(line) for line in narrative)[len(narrative) // 4:]  # the last line of a paragraph is short
    assert 60 <= min(full) and max(full) <= 90, full


def test_names_figures_and_ranges_never_break(example_pdf: Path):
    for page in page_texts(example_pdf):
        assert not re.search(r"S&P\s*\r?\n\s*500", page)
        assert not re.search(r"\$\d+\s*\r?\n\s*(billion|B)\b", page)
        assert not re.search(r"\d\s*\r?\n\s*–\s*\d|\d–\s*\r?\n\s*\d", page)


def test_no_word_fragment_ends_a_paragraph_and_cells_and_boxes_keep_words_whole():
    from deckgen.render.context import Hyphenator

    hyphenator = Hyphenator("en_US")
    assert list(hyphenator("contractors")), "a long word may break where pyphen allows"
    hyphenator.keep_whole("with US defence contractors [4].")  # a paragraph's text, its citation after the word
    assert list(hyphenator("contractors")) == [] and list(hyphenator("contractors.")) == []
    assert list(hyphenator("manufacturing")), "only the paragraph's last word is kept whole"


def test_table_cells_and_boxes_are_not_hyphenated(example_pdf: Path):
    from deckgen.build import check
    from deckgen.render.context import build_styles
    from deckgen.render.fonts import register_theme

    checked = check(Path(__file__).resolve().parent.parent / "specs" / "investor.yaml")
    styles = build_styles(checked.theme, register_theme(checked.theme), 480, "en-US")
    assert styles["prose"].hyphenationLang, "running text is hyphenated"
    for name in ("cell", "cell_right", "takeaway", "bullet", "kpi_label"):
        assert not styles[name].hyphenationLang, name
    assert styles["prose"].allowWidows == 0 and styles["prose"].allowOrphans == 0


HYPHENATION_PROBE = """
import json, sys
import pyphen
from deckgen.render.hyphenation import pyphen_for

parsed = []
original = pyphen.HyphDict.__init__
def counting(self, path):
    parsed.append(path)
    original(self, path)
pyphen.HyphDict.__init__ = counting
words = sys.argv[1].split()
hyphenator = pyphen_for("en_US")
ours = [list(hyphenator.iterate(word)) for word in words]
pyphen.hdcache.clear()
theirs = [list(pyphen.Pyphen(lang="en_US").iterate(word)) for word in words]
print(json.dumps({"parsed_by_us": len(parsed) - 1, "same": ours == theirs}))
"""


def test_hyphenation_patterns_are_parsed_once_per_machine_and_a_bad_pattern_file_is_made_again(tmp_path, monkeypatch):
    """The second process loads the patterns the first one kept; a kept file that is damaged or
    not pyphen's is ignored and written again; every process hyphenates exactly as pyphen does."""
    import json
    import subprocess
    import sys

    monkeypatch.setenv("DECKGEN_CACHE", str(tmp_path))
    words = "hyphenation manufacturing semiconductor international representatives extraordinarily"

    def run() -> dict:
        done = subprocess.run([sys.executable, "-c", HYPHENATION_PROBE, words], capture_output=True, text=True, check=True)
        return json.loads(done.stdout)

    assert run() == {"parsed_by_us": 1, "same": True}
    kept = list((tmp_path / "deckgen" / "hyphenation").glob("hyph_en_US-*.json"))
    assert len(kept) == 1
    assert run() == {"parsed_by_us": 0, "same": True}
    good = kept[0].read_text()
    for damaged in (good[: len(good) // 2], good.replace("[", '["', 1), json.dumps({"maxlen": 3, "patterns": {"ab": [0, [1]]}}),
                    json.dumps({"maxlen": 2, "patterns": {"ab": ["0", [1]]}})):
        kept[0].write_text(damaged)
        assert run() == {"parsed_by_us": 1, "same": True}
        assert kept[0].read_text() == good


def test_lines_kept_between_wraps_give_the_pdf_reportlabs_own_rebreaking_gives(project: Path, monkeypatch):
    """A paragraph asked for its size again at the same width keeps its lines (render/paragraph.py);
    the PDF is byte for byte the one reportlab's own wrap, breaking the lines every time, writes."""
    from reportlab.platypus import Paragraph as ReportlabParagraph

    from deckgen.build import build_bytes
    from deckgen.render.paragraph import Paragraph

    spec = project / "specs" / "grid-storage.yaml"  # a long table: its header and notes, wrapped on every page
    kept = build_bytes(spec, allow_stale=True)
    monkeypatch.setattr(Paragraph, "wrap", ReportlabParagraph.wrap)
    assert build_bytes(spec, allow_stale=True) == kept


def test_a_paragraph_is_broken_again_for_another_width_text_or_style():
    """Ours and reportlab's, put through the same changes, measure the same after each."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph as ReportlabParagraph

    from deckgen.render.paragraph import Paragraph

    style = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=12, firstLineIndent=0)
    indented = ParagraphStyle("indented", parent=style, firstLineIndent=150, leading=15)
    ours, theirs = Paragraph("word " * 60, style), ReportlabParagraph("word " * 60, style)
    sizes = []

    def both(change=lambda paragraph: None, width=400):
        for paragraph in (ours, theirs):
            change(paragraph)
        size = ours.wrap(width, 1000)
        assert size == theirs.wrap(width, 1000) and len(ours.blPara.lines) == len(theirs.blPara.lines)
        sizes.append(size)

    both()
    lines = ours.blPara
    both()
    assert ours.blPara is lines  # kept: same width, text and style
    both(width=200)
    both(lambda paragraph: setattr(paragraph, "style", indented), width=200)
    both(lambda paragraph: paragraph._setup("word " * 5, indented, None, None, str.strip), width=200)
    both(width=0)  # no room: reportlab says so, and so does ours, twice
    both(width=0)
    assert len(set(sizes[2:5])) == 3, sizes  # each change measured differently


_LONG_WORDS = ("the international manufacturing commitments strengthened considerable infrastructure investment "
               "relationships across semiconductor critical-mineral cross-border supply networks, particularly "
               "photolithography equipment and "
               "specialised electrochemical production capabilities, notwithstanding complicated geopolitical "
               "circumstances and extraordinary administrative requirements end.")


@pytest.mark.parametrize("width", [110, 130, 150, 180, 200, 220, 230, 260])
def test_a_paragraph_is_hyphenated_at_most_once(width: float):
    """A top house's rule for ragged-right text: at most one hyphen a paragraph (so never two line
    ends in a row); reportlab alone hyphenates this text two to six times at these widths."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph as ReportlabParagraph

    from deckgen.proof.record import line_texts
    from deckgen.render.context import Hyphenator
    from deckgen.render.paragraph import Paragraph

    style = ParagraphStyle("prose", fontName="Helvetica", fontSize=10, leading=12, hyphenationLang=Hyphenator("en_US"),
                           embeddedHyphenation=1, uriWasteReduce=0.3)

    def hyphenated(paragraph) -> list[str]:
        paragraph.wrap(width, 10_000)
        lines = line_texts(paragraph)
        return [line for line in lines[:-1] if line.rstrip().endswith("-")]

    assert len(hyphenated(ReportlabParagraph(_LONG_WORDS, style))) >= 2, "the text needs the rule at this width"
    ours = Paragraph(_LONG_WORDS, style)
    kept = hyphenated(ours)
    lines = line_texts(ours)
    inserted = [line for line in kept if line.split()[-1].rstrip("-") + line.split()[-1][-1:] not in _LONG_WORDS]
    assert len(inserted) <= 1, kept
    joined = " ".join(lines)
    assert re.sub(r"[\s-]", "", joined) == re.sub(r"[\s-]", "", _LONG_WORDS), "every word is printed"
    for compound in ("critical-mineral", "cross-border"):  # broken at its own hyphen or not at all, never losing it
        assert compound in joined or compound.replace("-", "- ") in joined, joined
    rule_text = [(line.rstrip().endswith("-"), line in inserted) for line in lines[:-1]]
    for (ends_in_hyphen, was_inserted), (next_ends, next_inserted) in zip(rule_text, rule_text[1:]):
        assert not (ends_in_hyphen and next_ends and (was_inserted or next_inserted)), lines


_PARAGRAPHS = (
    "Administrative considerations notwithstanding, the international manufacturing commitments strengthened "
    "considerable infrastructure investment relationships across semiconductor supply networks, particularly "
    "photolithography equipment and specialised electrochemical production capabilities, notwithstanding "
    "complicated geopolitical circumstances and extraordinary administrative requirements everywhere.",
    "Correspondingly, institutional shareholders characterised the restructuring announcements as "
    "transformational, emphasising decarbonisation expenditures, telecommunications modernisation, "
    "pharmaceutical internationalisation and counterbalancing macroeconomic vulnerabilities together.",
)


def test_running_text_in_a_built_brief_has_at_most_one_hyphen_a_paragraph(project: Path):
    """pdfium joins a line that ends in an inserted hyphen to the next, marking the join with U+FFFE:
    the brief's narrative, two paragraphs of long words, shows at most one mark per paragraph and never
    two on one joined line (two hyphenated line ends in a row)."""
    from deckgen.build import build

    body = "\n\n".join(_PARAGRAPHS)
    (project / "data" / "words.yaml").write_text("sources:\n  - {id: words, author: Us, title: Long words}\n")
    spec = project / "specs" / "words.yaml"
    spec.write_text("title: Long words\ndate: 2026-02-16\nbrand: ../assets/brand.yml\ndata:\n"
                    "  sources: ../data/words.yaml\n"
                    f"sections:\n  - type: narrative\n    title: Words\n    body: |\n      {body.replace(chr(10), chr(10) + '      ')}"
                    " [@words]\n  - type: sources\n", encoding="utf-8")
    text = "\n".join(page_texts(build(spec).output))
    joined = [line for line in text.splitlines() if "\ufffe" in line]
    assert all(line.count("\ufffe") == 1 for line in joined), joined
    assert 1 <= len(joined) <= len(_PARAGRAPHS), joined
