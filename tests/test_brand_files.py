"""brand.yml files people already have build the brief unchanged, and every bad brand is refused by
`validate` at its key in brand.yml (so a brand that validates also builds).

Real brand files (with their logos and fonts) are read from ../shared/brands; those tests skip only
when that folder is absent.
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from conftest import REPO, copy_project
from deckgen.brand import colours
from deckgen.brand.theme import load_theme
from deckgen.build import build
from deckgen.preview import rasterize
from pdfread import fonts_of, text_of

SHARED = REPO.parent / "shared" / "brands"
BRAND_NAMES = ("_brand.yml", "brand.yml", "_brand.yaml")
REAL_BRANDS = sorted(p.name for p in SHARED.iterdir() if p.is_dir()) if SHARED.is_dir() else []
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/brands is absent")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def with_real_brand(root: Path, name: str) -> str:
    """Copy a real brand folder into the project; the ``brand`` value that points the spec at it."""
    shutil.copytree(SHARED / name, root / "brands" / name)
    brand = next(p for p in sorted((root / "brands" / name).rglob("*")) if p.name in BRAND_NAMES)
    return f"../{brand.relative_to(root).as_posix()}"


def pixels_near(image, colour: str, box=None, tolerance: int = 6) -> int:
    target = colours.to_rgb(colour)
    region = image.crop(box) if box else image
    return sum(count for count, pixel in region.getcolors(maxcolors=1 << 20)
               if all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], target)))


def cover(pdf: Path, folder: Path):
    from PIL import Image

    return Image.open(rasterize(pdf, folder, [1], scale=1.0)[0]).convert("RGB")


@pytest.fixture(scope="module")
def shared_project(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("brands"))


# -- every real brand builds, and the brief takes it ------------------------------------------------

@needs_shared
@pytest.mark.parametrize("name", REAL_BRANDS)
def test_real_brand_builds_the_brief_and_the_pages_take_it(shared_project, name):
    root = shared_project
    brand = with_real_brand(root, name)
    overrides = [f"brand={brand}", f"output=out/{name}.pdf"]
    if not load_theme((root / "specs" / brand).resolve(), root).name:
        # a brand with no meta.name names no firm to issue the research: the spec (here, --set) must
        import yaml

        sections = yaml.safe_load((root / "specs" / "investor.yaml").read_text("utf-8"))["sections"]
        index = next(i for i, section in enumerate(sections) if section["type"] == "disclosures")
        overrides.append(f"sections.{index}.issuer.name=Example Issuer Ltd (illustrative)")
    result = build(root / "specs" / "investor.yaml", overrides=overrides)
    assert result.pages >= 4
    fonts = fonts_of(result.output)
    assert fonts and all(font.embedded for font in fonts), fonts
    assert "\u2713" in text_of(result.output), "the ✓ glyph of the takeaways is drawn (fallback font)"
    theme = load_theme((root / "specs" / brand).resolve(), root)
    image = cover(result.output, root / "png" / name)
    if colours.contrast(theme.heading_color, "#FFFFFF") > 1.5:
        assert pixels_near(image, theme.heading_color, tolerance=10) > 60, f"headings in {theme.heading_color} on the cover"
    warnings = [w.render() for w in result.warnings]
    assert all(":" in w.split(" ")[0] for w in warnings), warnings  # every warning located FILE:LINE:COL


@needs_shared
def test_google_and_bunny_fonts_fall_back_with_a_located_warning(cli, project):
    brand = with_real_brand(project, "05-ASNDataAnalytics-ai_nephrology_primer")
    result = cli("validate", "specs/investor.yaml", "--set", f"brand={brand}", cwd=project)
    assert result.code == 0, result.stderr
    assert ("brands/05-ASNDataAnalytics-ai_nephrology_primer/_brand.yml:48:13: warning: font 'Open Sans' is a "
            "Google font, which cannot be downloaded at build time and is not in the project's fonts/ folder or on "
            "this system; using 'DejaVu Sans' instead") in result.stderr
    strict = cli("validate", "specs/investor.yaml", "--set", f"brand={brand}", "--strict", cwd=project)
    assert strict.code == 1


def test_a_google_font_found_in_the_project_is_used_without_a_warning(cli, project):
    brand = project / "assets" / "brand.yml"
    text = brand.read_text()
    start, end = text.index("    - family: Lato\n"), text.index("    - family: Noto Serif\n")
    brand.write_text(text[:start] + "    - family: Lato\n      source: google\n" + text[end:])
    result = cli("build", "specs/investor.yaml", cwd=project)
    assert result.code == 0, result.stderr
    assert "warning" not in result.stderr
    names = {f.name.split("+")[1] for f in fonts_of(project / "dist" / "investor.pdf")}
    assert {"Lato-Regular", "Lato-Bold"} <= names


@needs_shared
def test_variable_woff2_headings_at_600_look_bold(shared_project, tmp_path):
    """Fraunces (a variable WOFF2) is instanced at the headings' weight: 600 is heavier than 400."""
    root = shared_project
    brand = with_real_brand(root, "09-brainworkup-gribouille") if not (root / "brands" / "09-brainworkup-gribouille").exists() \
        else "../brands/09-brainworkup-gribouille/docs/_brand.yml"
    inked = {}
    for weight in (400, 600):
        brand_file = (root / "specs" / brand).resolve()
        text = brand_file.read_text()
        brand_file.write_text(text.replace("headings:\n    family: Fraunces\n    weight: 600", f"headings:\n    family: Fraunces\n    weight: {weight}")
                              .replace("headings:\n    family: Fraunces\n    weight: 400", f"headings:\n    family: Fraunces\n    weight: {weight}"))
        result = build(root / "specs" / "investor.yaml", overrides=[f"brand={brand}", f"output=out/fraunces-{weight}.pdf"])
        names = {f.name.split("+")[1] for f in fonts_of(result.output)}
        assert f"Fraunces-{weight}" in names and "Inter-400" in names, names
        inked[weight] = pixels_near(cover(result.output, tmp_path / str(weight)), "#E94C3D")
    assert inked[600] > inked[400] * 1.15, inked


def test_colours_as_the_standard_writes_them():
    assert colours.parse_literal("rgb(243, 203, 19)") == "#F3CB13"
    assert colours.parse_literal("hsl(0, 100%, 50%)") == "#FF0000"
    assert colours.parse_literal("rebeccapurple") == "#663399"
    assert colours.parse_literal("#fff") == "#FFFFFF"
    assert colours.parse_literal("rgba(0, 0, 0, 0.5)") == "#808080"
    assert colours.parse_literal("navy-ish") is None
    with pytest.raises(colours.ColourError):
        colours.parse_literal("#12345")
    assert round(colours.contrast("#000000", "#FFFFFF"), 1) == 21.0


def test_palette_aliases_theme_references_light_dark_and_links(tmp_path):
    (tmp_path / "brand.yml").write_text(
        "color:\n  palette:\n    ink: '#101820'\n    brand-red: '#A4161A'\n    accent: brand-red\n"
        "  foreground: {light: ink, dark: '#EEEEEE'}\n  primary: accent\n  secondary: dimgray\n  danger: primary\n"
        "typography:\n  headings: {color: danger}\n  link: {color: secondary}\n"
    )
    theme = load_theme(tmp_path / "brand.yml", tmp_path)
    assert (theme.foreground, theme.primary, theme.heading_color, theme.link_color) == ("#101820", "#A4161A", "#A4161A", "#696969")
    assert theme.negative == "#A4161A" and theme.chart_palette[0] == "#A4161A"
    assert not theme.warnings


def test_a_brand_with_neither_fonts_nor_colours_builds_with_defaults(cli, project):
    (project / "assets" / "brand.yml").write_text("meta:\n  name: Plain\n")
    result = cli("build", "specs/investor.yaml", cwd=project)
    assert result.code == 0, result.stderr
    assert "\u2713" in text_of(project / "dist" / "investor.pdf")


# -- every bad brand is refused by validate, at its key, and build refuses it the same way -----------

def refused(cli, project, expected: str) -> None:
    for command in ("validate", "build"):
        result = cli(command, "specs/investor.yaml", cwd=project)
        assert result.code == 1, (command, result.stderr)
        assert expected in result.stderr, (command, result.stderr)
        assert "unexpected error" not in result.stderr


BRAND = "assets/brand.yml"


def test_misspelt_keys_are_errors_with_did_you_mean(cli, project):
    edit(project / BRAND, "color:\n", "colour:\n  primary: navy\ncolor:\n")
    edit(project / BRAND, "  primary: navy\n  secondary", "  primay: navy\n  secondary")
    edit(project / BRAND, "    line-height: 1.42", "    line-hieght: 1.42")
    result = cli("validate", "specs/investor.yaml", cwd=project)
    assert result.code == 1
    assert "assets/brand.yml:12:1: unknown key 'colour'; did you mean 'color'?" in result.stderr
    assert "assets/brand.yml:28:3: unknown key 'primay'; did you mean 'primary'?" in result.stderr
    assert "assets/brand.yml:59:5: unknown key 'line-hieght'; did you mean 'line-height'?" in result.stderr


def test_other_tools_defaults_are_ignored_but_deckgens_are_checked(cli, project):
    edit(project / BRAND, "defaults:\n  deckgen:\n", "defaults:\n  bootstrap:\n    defaults: {navbar-bg: '#fff'}\n  deckgen:\n")
    assert cli("validate", "specs/investor.yaml", cwd=project).code == 0
    edit(project / BRAND, "    footer:", "    foter:")
    refused(cli, project, "unknown key 'foter'; did you mean 'footer'?")


def test_unknown_colour_names_are_located(cli, project):
    edit(project / BRAND, "  primary: navy", "  primary: navvy")
    refused(cli, project, "assets/brand.yml:26:12: colour 'navvy' is not a palette or theme colour, a CSS colour "
                          "name, #RRGGBB, rgb() or hsl(); did you mean 'navy'?")


@pytest.mark.parametrize("size, message", [
    ("0pt", "font size 0pt must be greater than 0"),
    ("-3pt", "font size -3pt must be greater than 0"),
    ("300px", "font size 300px (178.1pt in the brief) is outside 6-16pt"),
])
def test_font_sizes_out_of_range(cli, project, size, message):
    edit(project / BRAND, "    size: 10pt", f"    size: {size}")
    refused(cli, project, f"assets/brand.yml:56:11: {message}")


def test_absurd_line_height(cli, project):
    edit(project / BRAND, "    line-height: 1.42", "    line-height: 4000")
    refused(cli, project, "assets/brand.yml:57:18: line-height 4000 is outside 1-2.5")


def test_font_path_that_is_a_fifo_is_refused_without_hanging(cli, project):
    os.mkfifo(project / "assets" / "fonts" / "Pipe.ttf")
    edit(project / BRAND, "fonts/Lato-Bold.ttf", "fonts/Pipe.ttf")
    refused(cli, project, "assets/brand.yml:39:11: font Pipe.ttf is not a regular file (a folder, FIFO or device)")


def test_font_path_that_is_a_folder_is_refused(cli, project):
    (project / "assets" / "fonts" / "Folder.ttf").mkdir()
    edit(project / BRAND, "fonts/Lato-Bold.ttf", "fonts/Folder.ttf")
    refused(cli, project, "assets/brand.yml:39:11: font Folder.ttf is not a regular file")


@pytest.mark.parametrize("make, message", [
    (lambda good: good[: len(good) * 2 // 5], "is corrupt or truncated"),
    (lambda good: good[:12] + bytes(range(256)) * 40, "is corrupt or truncated"),
    (lambda good: b"GIF89a" + good[6:2000], "is not a font (TrueType, OpenType, WOFF or WOFF2)"),
])
def test_broken_font_files_are_refused(cli, project, make, message):
    good = (project / "assets" / "fonts" / "Lato-Bold.ttf").read_bytes()
    (project / "assets" / "fonts" / "Broken.ttf").write_bytes(make(good))
    edit(project / BRAND, "fonts/Lato-Bold.ttf", "fonts/Broken.ttf")
    refused(cli, project, f"assets/brand.yml:39:11: font file Broken.ttf {message}")


def test_font_files_have_a_size_limit(cli, project):
    with open(project / "assets" / "fonts" / "Huge.ttf", "wb") as handle:  # sparse: nothing is written
        handle.write(b"\x00\x01\x00\x00")
        handle.truncate(31_000_000)
    edit(project / BRAND, "fonts/Lato-Bold.ttf", "fonts/Huge.ttf")
    refused(cli, project, "font file Huge.ttf is 31,000,000 bytes, more than the limit of 30,000,000")


def test_woff_is_converted_and_embedded(cli, project):
    from fontTools.ttLib import TTFont

    font = TTFont(project / "assets" / "fonts" / "Lato-Bold.ttf")
    font.flavor = "woff"
    font.save(project / "assets" / "fonts" / "Lato-Bold.woff")
    edit(project / BRAND, "fonts/Lato-Bold.ttf", "fonts/Lato-Bold.woff")
    result = cli("build", "specs/investor.yaml", cwd=project)
    assert result.code == 0, result.stderr
    names = {f.name.split("+")[1] for f in fonts_of(project / "dist" / "investor.pdf")}
    assert "Lato-700" in names, names


def test_opentype_cff_is_converted_to_truetype(tmp_path):
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen
    from fontTools.ttLib import TTFont

    from deckgen.brand.fontfiles import embeddable

    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder([".notdef", "A"])
    builder.setupCharacterMap({ord("A"): "A"})
    charstrings = {}
    for name in (".notdef", "A"):
        pen = T2CharStringPen(600, None)
        pen.moveTo((50, 0)), pen.curveTo((100, 700), (500, 700), (550, 0)), pen.closePath()
        charstrings[name] = pen.getCharString()
    builder.setupCFF("Test-Regular", {"FullName": "Test"}, charstrings, {})
    builder.setupHorizontalMetrics({name: (600, 50) for name in charstrings})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Test", "styleName": "Regular"})
    builder.setupOS2(usWeightClass=400)
    builder.setupPost()
    builder.save(tmp_path / "Test.otf")
    path = embeddable(tmp_path / "Test.otf", 400, "Test-400")
    converted = TTFont(path)
    assert "glyf" in converted and "CFF " not in converted
    assert converted["glyf"]["A"].numberOfContours == 1
    from reportlab.pdfbase.ttfonts import TTFont as ReportlabFont

    assert ReportlabFont("converted-test", str(path)).face.charToGlyph[ord("A")]


def png(width: int, height: int, rows: bytes | None = None) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = rows if rows is not None else b"".join(b"\x00" + b"\x80\x20\x20" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def use_logo(project: Path, name: str, data: bytes) -> None:
    (project / "assets" / name).write_bytes(data)
    edit(project / BRAND, "    mark: logo.svg", f"    mark: {name}")


def jpeg(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0xC9, 0x30, 0x30)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize("name, make", [("logo.png", lambda: png(120, 40)), ("logo.jpg", lambda: jpeg(120, 40))])
def test_png_and_jpeg_logos_build(cli, project, tmp_path, name, make):
    use_logo(project, name, make())
    result = cli("build", "specs/investor.yaml", cwd=project)
    assert result.code == 0, result.stderr
    expected = "#802020" if name.endswith("png") else "#C93030"
    assert pixels_near(cover(project / "dist" / "investor.pdf", tmp_path), expected, (0, 0, 140, 160), tolerance=12) > 200


def test_logo_that_is_a_fifo_is_refused_without_hanging(cli, project):
    os.mkfifo(project / "assets" / "pipe.svg")
    edit(project / BRAND, "    mark: logo.svg", "    mark: pipe.svg")
    refused(cli, project, "assets/brand.yml:9:11: logo pipe.svg is not a regular file (a folder, FIFO or device)")


@pytest.mark.parametrize("data, message", [
    (png(120, 40)[:60], "logo image logo.png is corrupt or truncated"),
    (png(20000, 20000, rows=b""), "logo image logo.png is 20000x20000 pixels, more than the limit of 25 megapixels"),
])
def test_broken_png_logos_are_refused(cli, project, data, message):
    use_logo(project, "logo.png", data)
    refused(cli, project, f"assets/brand.yml:9:11: {message}")


SVG_TRICKS = {
    "relative image": ('<image href="../../elsewhere/secret.png" width="10" height="10"/>', "refers to '../../elsewhere/secret.png'"),
    "absolute use": ('<use xlink:href="/etc/passwd#x"/>', "refers to '/etc/passwd#x'"),
    "http image": ('<image href="http://example.com/a.png" width="1" height="1"/>', "refers to 'http://example.com/a.png'"),
    "file url": ('<image href="file:///etc/hosts" width="1" height="1"/>', "refers to 'file:///etc/hosts'"),
    "css url": ('<rect style="fill: url(../x.svg#p)" width="1" height="1"/>', "refers to '../x.svg#p'"),
    "css import": ('<style>@import "http://example.com/x.css";</style>', "has a CSS @import"),
}


@pytest.mark.parametrize("trick", sorted(SVG_TRICKS))
def test_svg_logos_reach_nothing_outside_themselves(cli, project, trick):
    element, message = SVG_TRICKS[trick]
    (project.parent / "elsewhere").mkdir(exist_ok=True)
    use_logo(project, "tricky.svg", (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 40">\n'
        f'<rect width="100" height="40" fill="#123456"/>\n{element}\n</svg>\n').encode())
    refused(cli, project, f"assets/brand.yml:9:11: SVG logo tricky.svg, line 3: ")
    refused(cli, project, message)


def test_svg_entity_expansion_is_refused(cli, project):
    use_logo(project, "bomb.svg", b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>\n'
                                  b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text>&b;</text></svg>')
    refused(cli, project, "assets/brand.yml:9:11: SVG logo bomb.svg, line 2: declares entities")


def test_svg_that_is_not_xml_is_refused(cli, project):
    use_logo(project, "broken.svg", b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect></svg>')
    refused(cli, project, "assets/brand.yml:9:11: SVG logo broken.svg is not well-formed XML (line 1, column 69: mismatched tag)")


def test_svg_with_internal_references_and_inline_images_is_fine(cli, project):
    import base64

    inline = base64.b64encode(png(4, 4)).decode()
    use_logo(project, "fine.svg", (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 40">'
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#C9A227"/></linearGradient>'
        '<rect id="r" width="60" height="40"/></defs><use xlink:href="#r" fill="url(#g)"/>'
        f'<image href="data:image/png;base64,{inline}" x="70" width="20" height="20"/></svg>').encode())
    result = cli("build", "specs/investor.yaml", cwd=project)
    assert result.code == 0, result.stderr


def test_low_contrast_text_is_a_located_warning(cli, project):
    edit(project / BRAND, "  foreground: ink", "  foreground: '#BBBBBB'")
    result = cli("validate", "specs/investor.yaml", cwd=project)
    assert result.code == 0
    assert ("assets/brand.yml:24:15: warning: body text (color.foreground) in #BBBBBB would be unreadable on the "
            "white page (contrast 1.92:1, WCAG AA needs 4.5:1); using #1A1A1A instead") in result.stderr
    edit(project / BRAND, "  foreground: '#BBBBBB'", "  foreground: '#777777'")
    result = cli("validate", "specs/investor.yaml", cwd=project)
    assert ("assets/brand.yml:24:15: warning: body text (color.foreground) in #777777 on the white page has a "
            "contrast of 4.48:1, below WCAG AA (4.5:1)") in result.stderr


@needs_shared
def test_png_logo_with_alt_text(shared_project):
    root = shared_project
    brand = with_real_brand(root, "35-SGSSSonline-nvivo-guidance") if not (root / "brands" / "35-SGSSSonline-nvivo-guidance").exists() \
        else "../brands/35-SGSSSonline-nvivo-guidance/_extensions/SGSSSonline/sgsss/brand.yml"
    result = build(root / "specs" / "investor.yaml", overrides=[f"brand={brand}", "output=out/alt.pdf"])
    assert "Logo: SGSSS Thistle logo" not in text_of(result.output)  # no invisible text: the Figure's /Alt
    import pikepdf
    import pypdf

    with pikepdf.open(result.output) as pdf:
        stack, alts = [pdf.Root.StructTreeRoot.K], []
        while stack:
            elem = stack.pop()
            if elem.get("/S") == "/Figure":
                alts.append(str(elem.Alt))
            kids = elem.get("/K")
            stack.extend(kid for kid in (kids if isinstance(kids, pikepdf.Array) else [kids])
                         if isinstance(kid, pikepdf.Dictionary) and "/S" in kid)
    assert "Logo: SGSSS Thistle logo" in alts

    page = pypdf.PdfReader(result.output).pages[0]
    images = [name for name, item in page["/Resources"]["/XObject"].items() if item.get_object()["/Subtype"] == "/Image"]
    assert images, "the PNG logo is on the cover"


def test_system_fonts_are_found_through_fontconfig(cli, project):
    from deckgen.brand.fontlookup import find_family

    if not shutil.which("fc-list") or not find_family("Liberation Serif", ()):
        pytest.skip("fontconfig or Liberation Serif is not installed here")
    edit(project / BRAND, "  headings:\n    family: Noto Serif", "  headings:\n    family: Liberation Serif")
    edit(project / BRAND, "  fonts:\n", "  fonts:\n    - {family: Liberation Serif, source: system}\n")
    result = cli("build", "specs/investor.yaml", cwd=project)
    assert result.code == 0 and "warning" not in result.stderr, result.stderr
    names = {f.name.split("+")[1] for f in fonts_of(project / "dist" / "investor.pdf")}
    assert "LiberationSerif-Bold" in names, names


def test_file_weight_auto_and_css_keywords(tmp_path):
    fonts = REPO / "assets" / "fonts"
    shutil.copy(fonts / "Lato-Regular.ttf", tmp_path)
    shutil.copy(fonts / "Lato-Bold.ttf", tmp_path)
    (tmp_path / "brand.yml").write_text(
        "color: {primary: '#224466'}\n"
        "typography:\n  fonts:\n    - family: Lato\n      source: file\n"
        "      files: [Lato-Regular.ttf, {path: Lato-Bold.ttf, weight: auto}]\n"
        "  base: {family: Lato, size: 10}\n  link: {background-color: transparent}\n")
    theme = load_theme(tmp_path / "brand.yml", tmp_path)
    assert theme.body.bold.name == "Lato-Bold.ttf" and theme.base_size == 10
    assert not theme.warnings


ODD_VALUES = [None, "", 0, -1, 1e308, [], {}, "x" * 3000, "\x00bad", "#", "#GGG", "rgb(", "hsl(1,2)", "10", "-5px",
              "0rem", "999em", True, [1, 2], {"light": None}, {"dark": "red"}, "900..100", 350, "auto",
              "../../etc/passwd", "/dev/zero", "http://x/y.png", "primary", "a, b, sans-serif", "inherit"]


def test_mutated_brands_validate_cleanly_and_whatever_validates_builds(tmp_path):
    """Seeded mutations of the shipped brands: load_theme only ever raises SpecError (located
    problems), and every mutation it accepts builds the brief."""
    import copy
    import random

    import yaml

    from deckgen.errors import SpecError

    root = copy_project(tmp_path / "project")
    rng = random.Random(20261122)
    sources = [root / "assets" / "brand.yml", root / "assets" / "brands" / "harbor" / "brand.yml"]
    accepted = []
    for number in range(120):
        source = rng.choice(sources)
        data = yaml.safe_load(source.read_text())
        for _ in range(rng.randint(1, 3)):
            parent, key = _random_slot(data, rng)
            parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
        target = source.parent / f"mutated-{number}.yml"
        target.write_text(yaml.safe_dump(data, allow_unicode=True))
        try:
            load_theme(target, root)
            accepted.append(target)
        except SpecError as error:
            assert all(p.line > 0 and p.file.endswith(target.name) for p in error.problems), error.problems
    assert 5 <= len(accepted) < 120
    for target in accepted[:6]:
        build(root / "specs" / "investor.yaml", overrides=[f"brand=../{target.relative_to(root).as_posix()}", "output=out/m.pdf"])


def _random_slot(data, rng):
    slots = []

    def walk(node):
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            slots.append((node, key))
            walk(child)

    walk(data)
    return rng.choice(slots)


def test_a_white_logo_is_a_warning(cli, project):
    use_logo(project, "white.svg", b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 40">'
                                   b'<rect width="100" height="40" style="fill:#FFFFFF"/><circle r="9" fill="white"/></svg>')
    result = cli("validate", "specs/investor.yaml", cwd=project)
    assert result.code == 0, result.stderr
    assert ("assets/brand.yml:9:11: warning: logo white.svg is white or nearly so (made for dark backgrounds) and "
            "will not show on the white page") in result.stderr
