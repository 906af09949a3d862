"""One brand file styles everything: switching it restyles text, tables, charts and logo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import copy_project
from deckgen.build import build
from deckgen.preview import rasterize
from pdfread import fonts_of, page_texts

DEFAULT = {"primary": (0x0B, 0x25, 0x45), "logo": (0xC9, 0xA2, 0x27), "danger": (0xB2, 0x3A, 0x48)}
HARBOR = {"primary": (0x7A, 0x1F, 0x3D), "logo": (0xB8, 0x73, 0x3D), "danger": (0xD1, 0x49, 0x5B)}


def pixels_near(image, colour: tuple[int, int, int], box=None, tolerance: int = 3) -> int:
    region = image.crop(box) if box else image
    return sum(
        count for count, pixel in region.getcolors(maxcolors=1 << 20)
        if all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour))
    )


@pytest.fixture(scope="module")
def briefs(tmp_path_factory) -> dict[str, dict]:
    """The example built with each brand; page images of the cover and of the chart page."""
    built = {}
    for name, brand in (("default", "../assets/brand.yml"), ("harbor", "../assets/brands/harbor/brand.yml")):
        root = copy_project(tmp_path_factory.mktemp(name))
        result = build(root / "specs" / "investor.yaml", overrides=[f"brand={brand}"])
        pages = page_texts(result.output)
        # the page of the first sector breakdown's range bars, drawn in the brand's first chart colour
        chart_page = next(n for n, text in enumerate(pages, 1) if "Share of total (%)" in text)
        from PIL import Image

        images = {}
        for number in (1, chart_page):
            path = rasterize(result.output, root / "png", [number], scale=1.0)[0]
            images[number] = Image.open(path).convert("RGB")
        built[name] = {"pdf": result.output, "cover": images[1], "chart": images[chart_page]}
    return built


def test_fonts_follow_the_brand(briefs):
    default = {f.name.split("+")[1] for f in fonts_of(briefs["default"]["pdf"])}
    harbor = {f.name.split("+")[1] for f in fonts_of(briefs["harbor"]["pdf"])}
    assert {"Lato-Regular", "NotoSerif-Bold"} <= default
    assert {"DejaVuSans", "DejaVuSerif-Bold"} <= harbor
    assert not default & {"DejaVuSerif-Bold"} and not harbor & {"Lato-Regular", "NotoSerif-Bold"}


def test_text_and_table_colours_follow_the_brand(briefs):
    for name, colours, other in (("default", DEFAULT, HARBOR), ("harbor", HARBOR, DEFAULT)):
        cover = briefs[name]["cover"]
        assert pixels_near(cover, colours["primary"]) > 500, f"{name}: primary colour missing on the cover"
        assert pixels_near(cover, other["primary"]) == 0, f"{name}: the other brand's colour on the cover"


def test_logo_follows_the_brand(briefs):
    logo_box = (0, 0, 140, 160)  # top-left corner of the cover, where the masthead puts the logo
    assert pixels_near(briefs["default"]["cover"], DEFAULT["logo"], logo_box) > 50
    assert pixels_near(briefs["default"]["cover"], HARBOR["logo"], logo_box) == 0
    assert pixels_near(briefs["harbor"]["cover"], HARBOR["logo"], logo_box) > 20
    assert pixels_near(briefs["harbor"]["cover"], DEFAULT["logo"], logo_box) == 0


def test_chart_colours_follow_the_brand(briefs):
    for name, colours, other in (("default", DEFAULT, HARBOR), ("harbor", HARBOR, DEFAULT)):
        chart = briefs[name]["chart"]
        assert pixels_near(chart, colours["primary"]) > 2000, f"{name}: chart bars not in the brand's first chart colour"
        assert pixels_near(chart, other["primary"]) == 0


def test_a_font_face_is_read_only_when_the_brief_uses_it(project):
    """deckgen registers each brand face without reading it (reportlab would parse the whole file);
    the font object must carry exactly what reportlab's own TTFont carries, and measure the same."""
    from reportlab.pdfbase.ttfonts import TTFont

    from deckgen.render.fonts import _OnDemandTTFont

    path = str(next((project / "assets").rglob("*.ttf")))
    theirs, ours = TTFont("theirs", path), _OnDemandTTFont("ours", path)
    assert sorted(vars(ours)) == sorted(vars(theirs))
    assert set(vars(ours.face)) == {"_pending_file", "_digest", "name"}  # not read yet but for its name
    assert ours.face.name == theirs.face.name
    assert ours.stringWidth("Pacific premium 12.5%", 9) == theirs.stringWidth("Pacific premium 12.5%", 9)
    assert sorted(vars(ours.face)) == sorted(vars(theirs.face))  # read in full on first use


def test_registering_a_brand_family_reads_none_of_its_faces(project):
    """Checked in a fresh interpreter: this process has read these faces for other tests."""
    import subprocess
    import sys

    script = """
import sys
from pathlib import Path
from reportlab.pdfbase import pdfmetrics
from deckgen.brand.fontchoice import FontFamily
from deckgen.render.fonts import register_family

styles = ("Regular", "Bold", "Italic", "BoldItalic")
names = register_family(FontFamily("Lato", *(Path(sys.argv[1], f"Lato-{style}.ttf") for style in styles)))
faces = [pdfmetrics.getFont(name).face for name in vars(names).values()]
print(sum("_pending_file" in vars(face) for face in faces))
bold = pdfmetrics.getFont(names.bold)
print(bold.stringWidth("Pacific", 10) > 0, bold.face.name.decode())
print(sum("_pending_file" in vars(face) for face in faces))
"""
    run = subprocess.run([sys.executable, "-c", script, str(project / "assets" / "fonts")],
                         capture_output=True, text=True, check=True)
    assert run.stdout.splitlines() == ["4", "True Lato-Bold", "3"]


def test_two_font_files_with_one_postscript_name_share_a_font_in_the_pdf(project, tmp_path):
    """Two different files both named DejaVuSans (a brand's copy and deckgen's symbol font, say)
    must not write the same subset names into one PDF."""
    from reportlab.pdfgen.canvas import Canvas

    from deckgen.render.fonts import _register_file

    original = (project / "assets" / "fonts" / "DejaVuSans.ttf").read_bytes()
    first, second = tmp_path / "first.ttf", tmp_path / "second.ttf"
    first.write_bytes(original)
    second.write_bytes(original + bytes(4))  # other bytes, same font
    canvas = Canvas(str(tmp_path / "both.pdf"))
    for path in (first, second):
        canvas.setFont(_register_file(path), 12)
        canvas.drawString(72, 720, "Pacific premium")
    canvas.save()
    names = re.findall(rb"/BaseFont /([A-Z]{6}\+DejaVuSans)", (tmp_path / "both.pdf").read_bytes())
    assert len(names) == 1, names  # one font object, its subset tagged once


def test_a_face_asked_for_by_several_builds_at_once_is_read_once_for_all(project):
    import threading

    from reportlab.pdfbase.ttfonts import TTFont

    from deckgen.render.fonts import _OnDemandTTFont

    path = str(next((project / "assets").rglob("*.ttf")))
    expected = TTFont("reference", path).stringWidth("Pacific premium", 10)
    for attempt in range(10):
        font, widths, errors = _OnDemandTTFont(f"threads-{attempt}", path), [], []

        def measure():
            try:
                widths.append(font.stringWidth("Pacific premium", 10))
            except Exception as exc:  # an AttributeError from a face half read
                errors.append(repr(exc))

        threads = [threading.Thread(target=measure) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors and widths == [expected] * 4


def test_a_face_that_cannot_be_read_says_why_when_first_measured(project, tmp_path):
    """Read on first use, a broken face raises what reading it raises (here reportlab's KeyError for
    the missing table), not the "no attribute charWidths" reportlab's C accelerator made of it."""
    from fontTools.ttLib import TTFont as FontFile

    from deckgen.render.fonts import _OnDemandTTFont

    broken = FontFile(str(project / "assets" / "fonts" / "Lato-Regular.ttf"))
    del broken["cmap"]
    broken.save(str(tmp_path / "no-cmap.ttf"))
    font = _OnDemandTTFont("no-cmap", str(tmp_path / "no-cmap.ttf"))
    with pytest.raises(KeyError, match="cmap"):
        font.stringWidth("Pacific", 10)


# -- faces kept between builds (render/facecache.py) --------------------------------------------------

REPO_FONTS = sorted((Path(__file__).resolve().parent.parent / "assets" / "fonts").glob("*.ttf"))


def _same(ours, theirs, where: str = "face") -> None:
    """Equal values of the same types, in the same order (dicts too), names with the same text."""
    assert type(ours) is type(theirs), where
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs), where
        for key in theirs:
            _same(ours[key], theirs[key], f"{where}.{key}")
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs), where
        for index, (a, b) in enumerate(zip(ours, theirs)):
            _same(a, b, f"{where}[{index}]")
    elif callable(theirs):
        assert ours(1234) == theirs(1234) and ours(1) == theirs(1), where
    else:
        assert ours == theirs, where
        assert getattr(ours, "ustr", None) == getattr(theirs, "ustr", None), where


@pytest.mark.parametrize("path", REPO_FONTS, ids=lambda path: path.name)
def test_a_face_loaded_from_the_cache_is_the_face_reportlab_reads(path, tmp_path, monkeypatch):
    import hashlib

    from reportlab.pdfbase.ttfonts import TTFontFace

    from deckgen.render import facecache

    monkeypatch.setenv("DECKGEN_CACHE", str(tmp_path))
    digest = hashlib.sha1(path.read_bytes()).hexdigest()
    read = dict(vars(TTFontFace(str(path))))
    assert facecache.load(str(path), digest) is None
    facecache.store(digest, read)
    loaded = facecache.load(str(path), digest)
    assert loaded is not None, "reportlab's faces carry attributes facecache does not know"
    assert set(loaded) == set(read)
    for key in read:
        _same(loaded[key], read[key], key)
    assert facecache.cached_name(digest).ustr == read["name"].ustr


def test_a_damaged_or_foreign_face_entry_is_ignored(tmp_path, monkeypatch):
    import hashlib
    import json
    import struct

    from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

    from deckgen.render import facecache
    from deckgen.render.fonts import _OnDemandTTFont

    monkeypatch.setenv("DECKGEN_CACHE", str(tmp_path))
    lato, other = (str(next(p for p in REPO_FONTS if p.name == name)) for name in ("Lato-Regular.ttf", "Lato-Bold.ttf"))
    digest = hashlib.sha1(Path(lato).read_bytes()).hexdigest()
    facecache.store(digest, dict(vars(TTFontFace(lato))))
    entry = facecache.entry_path(digest)
    good = entry.read_bytes()
    assert facecache.load(other, digest) is None, "an entry for other bytes than the file's"
    (head_length,) = struct.unpack_from("<Q", good)
    def with_header(change) -> bytes:
        edited = json.loads(good[8:8 + head_length])
        change(edited)
        head = json.dumps(edited).encode()
        return struct.pack("<Q", len(head)) + head + good[8 + head_length:]

    damaged = {
        "truncated": good[: len(good) // 2],
        "empty": b"",
        "garbage": b"\xff" * 64,
        "a huge header length": struct.pack("<Q", 1 << 62) + good[8:],
        "a text where a number goes": with_header(lambda h: h["scalars"].update(unitsPerEm="2048")),
        "a glyph count the tables do not have": with_header(lambda h: h["scalars"].update(numGlyphs=h["scalars"]["numGlyphs"] + 1)),
        "a table beyond the end of the file": with_header(lambda h: h["tables"][-1].update(offset=10**9)),
        "no units to the em": with_header(lambda h: h["scalars"].update(unitsPerEm=0)),
        "a bounding box of another shape": with_header(lambda h: h.update(bbox={"a": 1})),
        "a name reportlab refuses": with_header(lambda h: h["names"].update(name=[b"Lato/ (".hex(), "Lato/ ("])),
    }
    expected = TTFont("reference", lato).stringWidth("Pacific premium 12.5%", 9)
    for what, data in damaged.items():
        entry.write_bytes(data)
        assert facecache.load(lato, digest) is None, what
        assert facecache.cached_name(digest) in (None, b"Lato-Regular"), what
        font = _OnDemandTTFont(f"damaged-{len(data)}", lato, digest)
        assert font.stringWidth("Pacific premium 12.5%", 9) == expected, what


def test_builds_with_faces_read_and_with_faces_from_the_cache_write_the_same_bytes(project, tmp_path):
    """The second build reads no face's tables (reportlab's extractInfo with char info is never
    called) and writes the PDF the first one wrote."""
    import os
    import subprocess
    import sys

    script = ("import sys\n"
              "from reportlab.pdfbase.ttfonts import TTFontFile\n"
              "read = []\n"
              "original = TTFontFile.extractInfo\n"
              "TTFontFile.extractInfo = lambda self, charInfo=1: (read.append(charInfo), original(self, charInfo))[1]\n"
              "from deckgen.build import build\n"
              "build(sys.argv[1], output=sys.argv[2])\n"
              "print(sum(1 for c in read if c))\n")
    env = {**os.environ, "DECKGEN_CACHE": str(tmp_path / "cache")}
    spec = str(project / "specs" / "investor.yaml")
    runs = [subprocess.run([sys.executable, "-c", script, spec, str(tmp_path / f"{n}.pdf")], env=env,
                           capture_output=True, text=True, check=True) for n in (1, 2)]
    assert int(runs[0].stdout.split()[-1]) >= 4 and int(runs[1].stdout.split()[-1]) == 0
    assert (tmp_path / "1.pdf").read_bytes() == (tmp_path / "2.pdf").read_bytes()


def test_a_font_changed_after_registration_is_not_kept_under_its_old_digest(tmp_path, monkeypatch):
    """The digest is taken as the face is registered and the face read at first use: a file replaced
    in between is measured as it now is, and never kept under the old file's name."""
    import hashlib

    from reportlab.pdfbase.ttfonts import TTFont

    from deckgen.render import facecache
    from deckgen.render.fonts import _OnDemandTTFont

    monkeypatch.setenv("DECKGEN_CACHE", str(tmp_path / "cache"))
    dejavu, lato = (next(p for p in REPO_FONTS if p.name == name) for name in ("DejaVuSans.ttf", "Lato-Regular.ttf"))
    font_file = tmp_path / "brand.ttf"
    font_file.write_bytes(dejavu.read_bytes())
    digest = hashlib.sha1(dejavu.read_bytes()).hexdigest()
    font = _OnDemandTTFont("swapped", str(font_file), digest)
    font_file.write_bytes(lato.read_bytes())  # replaced before the face is first used
    assert font.stringWidth("Pacific", 10) == TTFont("lato", str(lato)).stringWidth("Pacific", 10)
    assert not facecache.entry_path(digest).exists()
    font_file.write_bytes(dejavu.read_bytes())
    again = _OnDemandTTFont("again", str(font_file), digest)
    assert again.stringWidth("Pacific", 10) == TTFont("dejavu", str(dejavu)).stringWidth("Pacific", 10)
