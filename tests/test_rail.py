"""The page grid: a text column and a rail beside it. Page 1 carries the analyst box and the key data
in the rail; ``place: rail`` sets a key-figure strip, a quote or an analyst box there; nothing in the
rail overlaps the text beside it; a section that cannot go there is refused at validate."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
import yaml

from conftest import copy_project
from deckgen.build import build

LAYOUTS = [(spec, size) for spec in ("investor", "grid-storage") for size in ("A4", "Letter")]
# what page 1's rail shows in each example: an analyst's e-mail address, the key-data box's title and a
# value; and the analyst box's title with its first name (the masthead's byline reads "Analysts: ..."):
# "Contact" in a marketing communication (grid-storage), "Analysts" in research
PAGE_ONE = {
    "investor": ("sam.placeholder@example.com", "The alliance in numbers", "$52B", "Analysts Alex Example"),
    "grid-storage": ("robin.example@example.com", "Key data", "Largest single project", "Contact Robin Example"),
}


# grid-storage keeps its key figures a strip across the page (place: main: in the rail they would leave
# the column blank beside them above its first chart); set in the rail, they make page 1's key data
RAIL_OVERRIDES = {"investor": [], "grid-storage": ["sections.2.place=rail"]}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[tuple[str, str], Path]:
    root = copy_project(tmp_path_factory.mktemp("rail"))
    return {(spec, size): build(root / "specs" / f"{spec}.yaml", overrides=[f"page_size={size}", *RAIL_OVERRIDES[spec]],
                                output=root / "dist" / f"{spec}-{size}.pdf", allow_stale=True).output
            for spec, size in LAYOUTS}


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_grid_storage_has_its_analyst_box_in_the_rail_and_its_strip_across_the_page(tmp_path, size):
    root = copy_project(tmp_path)
    result = build(root / "specs" / "grid-storage.yaml", overrides=[f"page_size={size}"], allow_stale=True)
    page = pdfium.PdfDocument(str(result.output))[0]
    chars = _chars(page)
    left, bottom, top = _rail_block(chars, "Contact Robin Example", "robin.example@example.com")
    assert left > page.get_width() * 0.62
    _assert_beside(chars, left, bottom, top)
    strip = [min(box[1] for box in _find(chars, label)) for label in ("Projects in the register", "Largest single project")]
    assert strip[1] > strip[0] + 60 and max(box[4] for box in _find(chars, "Installed capacity, June 2026")) < bottom, "a strip below the rail"


def _chars(page) -> list[tuple[str, float, float, float, float]]:
    """Each printed character of ``page`` with its box (left, bottom, right, top)."""
    text = page.get_textpage()
    found = []
    for index in range(text.count_chars()):
        char = text.get_text_range(index, 1)
        if char.strip():
            found.append((char, *text.get_charbox(index)))
    return found


def _find(chars, needle: str) -> list[tuple[str, float, float, float, float]]:
    """The characters that spell ``needle`` (its first occurrence, spaces ignored)."""
    wanted = needle.replace(" ", "")
    spelled = "".join(char for char, *_ in chars)
    at = spelled.find(wanted)
    assert at >= 0, f"{needle!r} is not on the page"
    return chars[at:at + len(wanted)]


def _rail_block(chars, first: str, last: str):
    """The rail's left edge and vertical extent: from the box that holds ``first`` to the line holding ``last``."""
    first_chars, last_chars = _find(chars, first), _find(chars, last)
    left = min(box[1] for box in first_chars)
    top = max(box[4] for box in first_chars)
    bottom = min(box[2] for box in last_chars)
    return left, bottom, top


def _assert_beside(chars, left: float, bottom: float, top: float):
    """Every character in the band [bottom, top] is either in the rail (from ``left``) or in the text
    column well clear of it; some text is set beside the rail."""
    band = [box for box in chars if box[2] < top and box[4] > bottom]
    rail = [box for box in band if box[1] >= left - 3]  # an italic letter's box starts a little to the left
    column = [box for box in band if box[1] < left - 3]
    assert rail and column, "rail content with text beside it"
    reach = max(box[3] for box in column)
    assert reach < left - 8, f"text of the column reaches {reach:.1f} pt, into the rail at {left:.1f} pt"
    assert all(box[3] <= left + 200 for box in rail)


@pytest.mark.parametrize("spec, size", LAYOUTS)
def test_page_one_has_the_analyst_box_and_key_data_in_the_rail(built, spec, size):
    document = pdfium.PdfDocument(str(built[(spec, size)]))
    page = document[0]
    chars = _chars(page)
    address, key_data, value, box = PAGE_ONE[spec]
    left, bottom, top = _rail_block(chars, box, address)
    width = page.get_width()
    assert left > width * 0.62, f"the analyst box starts at {left:.1f} pt of {width:.1f}: not in a rail"
    for needle in (address, key_data, value):
        assert min(box[1] for box in _find(chars, needle)) >= left - 0.5, f"{needle!r} is not in the rail"
    # the key data sits under the analyst box, in the same rail
    assert max(box[4] for box in _find(chars, key_data)) < bottom
    key_bottom = min(box[2] for box in _find(chars, value))
    _assert_beside(chars, left, key_bottom, top)
    right_margin = width - max(box[3] for box in chars if box[1] >= left - 0.5 and bottom - 1 < box[4] < top + 1)
    assert right_margin > 17 * 72 / 25.4, "the rail keeps the page's right margin"


@pytest.mark.parametrize("spec, size", LAYOUTS)
def test_the_rails_issuer_line_is_the_status_line_of_the_disclosures_or_disclaimer(built, spec, size):
    from pdfread import page_texts, squash

    pages = [squash(text) for text in page_texts(built[(spec, size)])]
    issued = pages[0][pages[0].index("Issued by"):]
    status = next(page[page.index("Issued by"):] for page in pages[1:] if "Issued by" in page)
    line = status[:status.index("authorisation).") + len("authorisation).")]
    assert line.startswith("Issued by ") and " LLP, 1 Example Street, London. Authorised and regulated by " in line
    assert issued.startswith(line), f"page 1's rail says {issued[:len(line)]!r}; the brief's status line {line!r}"


def test_the_analyst_box_keeps_a_title_the_spec_gives(tmp_path):
    root = copy_project(tmp_path)
    spec = root / "specs" / "grid-storage.yaml"
    spec.write_text(spec.read_text("utf-8").replace("  - type: analysts         # listed last",
                                                    "  - type: analysts\n    title: Your analyst  #"), "utf-8")
    chars = _chars(pdfium.PdfDocument(str(build(spec, allow_stale=True).output))[0])
    assert _find(chars, "Your analyst Robin Example")
    assert "Contact" not in "".join(char for char, *_ in chars)


def test_rail_false_keeps_page_one_as_before(tmp_path):
    root = copy_project(tmp_path)
    result = build(root / "specs" / "investor.yaml", overrides=["rail=false"], allow_stale=True)
    chars = _chars(pdfium.PdfDocument(str(result.output))[0])
    spelled = "".join(char for char, *_ in chars)
    assert "sam.placeholder@example.com" not in spelled
    left = min(box[1] for box in _find(chars, "JSIF joint chip investment"))
    assert min(box[1] for box in _find(chars, "TSE Prime buybacks in 2025")) > left + 200, "the key figures side by side, in a strip"


def _with_sections(root: Path, extra: dict[int, dict], changes: dict[int, dict] | None = None) -> Path:
    """The investor spec with ``extra`` sections inserted before the given positions and ``changes`` made."""
    path = root / "specs" / "investor.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    for index, change in (changes or {}).items():
        spec["sections"][index].update(change)
    for index in sorted(extra, reverse=True):
        spec["sections"].insert(index, extra[index])
    target = root / "specs" / "placed.yaml"
    target.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


QUOTE = {"type": "quote", "place": "rail", "text": "Capital efficiency is now a board-level question in Tokyo.",
         "author": "A. Example", "role": "Illustrative strategist"}
LATE_ANALYSTS = {"type": "analysts", "place": "rail", "title": "Japan equity team",
                 "analysts": [{"name": "Sam Placeholder", "title": "Japan Equity Analyst", "email": "sam.placeholder@example.com"}]}


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_place_rail_sets_each_rail_type_beside_the_text(tmp_path, size):
    """A pull quote and an analyst box before later narratives, and the key-figure strip where it stands:
    each in the rail, beside the text that follows it, clear of it."""
    root = copy_project(tmp_path)
    spec = _with_sections(root, {5: QUOTE, 8: LATE_ANALYSTS}, changes={2: {"place": "rail"}})
    result = build(spec, overrides=[f"page_size={size}"], allow_stale=True)
    document = pdfium.PdfDocument(str(result.output))
    pages = [_chars(document[index]) for index in range(len(document))]

    def page_with(needle: str) -> list:
        return next(chars for chars in pages if needle.replace(" ", "") in "".join(char for char, *_ in chars))

    chars = page_with("Capital efficiency is now")
    left, bottom, top = _rail_block(chars, "\u201cCapital efficiency is now", "Illustrative strategist")
    _assert_beside(chars, left, bottom, top)
    chars = page_with("Japan equity team")
    left, bottom, top = _rail_block(chars, "Japan equity team", "sam.placeholder@example.com")
    _assert_beside(chars, left, bottom, top)
    chars = page_with("The alliance in numbers")
    left, bottom, top = _rail_block(chars, "The alliance in numbers", "Yen per US dollar")
    _assert_beside(chars, left, bottom, top)
    assert min(box[1] for box in _find(chars, "TSE Prime buybacks in 2025")) >= left - 0.5, "the strip stacked in the rail"


def test_a_section_that_cannot_go_in_the_rail_is_refused_at_validate(project, cli):
    spec = _with_sections(project, {}, changes={4: {"place": "rail"}})
    line, column = next((number, text.index("rail") + 1) for number, text in enumerate(spec.read_text().splitlines(), 1)
                        if "place: rail" in text)
    run = cli("validate", spec)
    assert run.code == 1
    assert (f"{spec}:{line}:{column}: a narrative section cannot go in the rail; the rail takes analysts, kpi_strip, quote "
            "sections") in run.stderr
    assert "remove place: rail (it is set in the main column)" in run.stderr


def test_a_quote_too_long_for_the_rail_is_refused_at_validate(project, cli):
    long_quote = {**QUOTE, "text": "Capital efficiency matters. " * 14}
    spec = _with_sections(project, {5: long_quote})
    run = cli("validate", spec)
    assert run.code == 1
    assert f"a quote in the rail holds at most 320 characters; this one has {len(long_quote['text'].strip())}" in run.stderr
    assert "shorten it, or set it in the main column (place: main)" in run.stderr


def test_an_analyst_box_with_nobody_in_it_is_refused_at_validate(project, cli):
    spec = project / "specs" / "grid-storage.yaml"
    text = spec.read_text(encoding="utf-8")
    start = text.index("  - type: analysts")
    spec.write_text(text[:start] + "  - type: analysts\n", encoding="utf-8")
    run = cli("validate", spec)
    assert run.code == 1
    line = text[:start].count("\n") + 1
    assert f"{spec}:{line}:11: the analyst box names no analyst" in run.stderr


@pytest.mark.parametrize("spec, size", LAYOUTS)
def test_the_rail_is_tagged_and_every_layout_passes_page_validation(built, spec, size):
    import pikepdf

    page = pytest.importorskip("page")
    path = built[(spec, size)]
    for profile in ("2b", "ua1"):
        result = page.validate_pdf(str(path), profile=profile)
        assert result.rules.failed == 0, (profile, [str(item) for item in getattr(result, "failures", [])][:5])
    with pikepdf.open(path) as pdf:
        headings = []

        def walk(element):
            kids = element.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    if str(kid.S) == "/H2" and len(headings) < 6:
                        headings.append(kid)
                    walk(kid)

        walk(pdf.Root.StructTreeRoot)
        assert headings, "the rail boxes' titles are headings"
    from pdfread import page_texts

    first = page_texts(path)[0]
    assert PAGE_ONE[spec][0] in first
