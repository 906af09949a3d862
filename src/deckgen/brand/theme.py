"""brand.yml -> Theme: every value resolved (colours to #RRGGBB, fonts to embeddable TrueType files,
the logo to a checked file), every problem located at its key in brand.yml.

This is the one place ``validate`` and ``build`` both run (via build.check), so whatever rendering
could fail on (fonts parsed, images decoded, SVG sandboxed, sizes in range) is decided here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import Problem, SpecError
from ..spec import validation_problems
from ..yamlsrc import Document, Loc, load_yaml
from . import colours as css
from .files import AssetError, read_regular_file
from .fontfiles import MAX_FONT_BYTES, FontInfo, describe, embeddable
from .fontlookup import (BUNDLED_FAMILY, Face, bundled_faces, choose, find_family, generic_family, installed_alias,
                         is_generic)
from .logos import MAX_LOGO_BYTES, check_logo
from .models import THEME_COLOURS, Brand, FontSource, LightDark

NO_COLOUR = {"inherit", "initial", "unset", "currentcolor", "transparent", "none"}
PAPER = "#FFFFFF"  # a brief is printed on white: brand backgrounds and dark mode are not used
DEFAULT_BASE_SIZE = 9.5  # points; what 1rem (16px in a browser) becomes in a printed brief
MIN_SIZE, MAX_SIZE = 6.0, 16.0
MIN_LINE_HEIGHT, MAX_LINE_HEIGHT = 1.0, 2.5
DEFAULTS = {
    "foreground": "#1A1A1A", "background": "#FFFFFF", "primary": "#0B2545", "secondary": "#5C677D",
    "positive": "#2E7D32", "negative": "#C62828", "muted": "#EEF2F6", "rule": "#C9D1DB",
}


@dataclass(frozen=True)
class FontFamily:
    """Four embeddable TrueType files (converted or instanced where needed) and what they came from."""

    name: str
    regular: Path
    bold: Path
    italic: Path
    bold_italic: Path
    sources: tuple[Path, ...] = ()

    @property
    def files(self) -> tuple[Path, ...]:
        return (self.regular, self.bold, self.italic, self.bold_italic)


@dataclass(frozen=True)
class Theme:
    """Everything that makes a brief look like its brand, resolved to concrete values."""

    name: str
    link: str | None
    logo: Path | None
    primary: str
    secondary: str
    foreground: str
    background: str
    muted: str  # light fill for boxes and zebra stripes
    rule: str
    positive: str
    negative: str
    chart_palette: tuple[str, ...]
    body: FontFamily
    headings: FontFamily
    symbols: FontFamily | None
    base_size: float
    line_height: float
    heading_color: str
    footer: str
    author: str | None
    path: Path
    link_color: str = "#0B2545"
    on_primary: str = "#FFFFFF"  # text on a primary-coloured ground (table headers)
    logo_alt: str | None = None
    warnings: tuple[Problem, ...] = field(default=(), compare=False)

    @property
    def files(self) -> tuple[Path, ...]:
        """The files the theme was made from (brand.yml, font sources, logo): inputs of the build."""
        fonts = {p for family in (self.body, self.headings, self.symbols) if family for p in family.sources}
        return (self.path, *sorted(fonts), *((self.logo,) if self.logo else ()))


def load_theme(path: Path, root: Path | None = None) -> Theme:
    """Stage: read brand.yml and resolve colours, fonts and logo (paths relative to it).

    Font and logo files must be inside ``root`` (the project) when it is given. Raises SpecError
    listing every problem (warnings included); returns a Theme carrying its warnings otherwise.
    """
    document = load_yaml(path)
    try:
        brand = Brand.model_validate(document.data)
    except ValidationError as exc:
        raise SpecError(document.problems + validation_problems(exc, document, model=Brand)) from None
    resolver = _Resolver(brand, document, path.parent, root)
    theme = resolver.theme(path)
    problems = list(dict.fromkeys(document.problems + resolver.problems))  # a value used twice is reported once
    if any(p.is_error for p in problems):
        raise SpecError(problems)
    return theme if not problems else _with_warnings(theme, problems)


def _with_warnings(theme: Theme, warnings: list[Problem]) -> Theme:
    from dataclasses import replace

    return replace(theme, warnings=tuple(sorted(warnings)))


class _Resolver:
    def __init__(self, brand: Brand, document: Document, base: Path, root: Path | None):
        self.brand, self.document, self.base, self.root = brand, document, base, root
        self.problems: list[Problem] = []
        self.warned_fonts: set[str] = set()
        self.described: dict[Path, FontInfo] = {}
        self.unusable: set[Path] = set()  # font files already reported

    # -- problems ---------------------------------------------------------------------------------
    def error(self, loc: Loc, message: str, hint: str | None = None, key: bool = False) -> None:
        self.problems.append(Problem.at(self.document.mark(loc, key), message, hint, code="brand"))

    def warn(self, loc: Loc, message: str, hint: str | None = None, key: bool = False) -> None:
        self.problems.append(Problem.at(self.document.mark(loc, key), message, hint, severity="warning", code="brand"))

    # -- colours ----------------------------------------------------------------------------------
    def colour(self, text: str, loc: Loc, seen: frozenset = frozenset(), theme_first: bool = False) -> str | None:
        """A colour value -> #RRGGBB: palette name, theme colour name, CSS name or literal."""
        palette, color = self.brand.color.palette, self.brand.color
        if text.strip().lower() in NO_COLOUR:
            return None  # "inherit", "transparent": nothing to resolve, the default applies
        lookups = [("palette", text in palette), ("theme", text in THEME_COLOURS and getattr(color, text) is not None)]
        if theme_first:
            lookups.reverse()
        for kind, present in lookups:
            if present and (kind, text) not in seen:
                if kind == "palette":
                    return self.colour(palette[text], ("color", "palette", text), seen | {(kind, text)})
                return self.theme_colour(text, seen | {(kind, text)})
        try:
            literal = css.parse_literal(text, self.background_for_alpha)
        except css.ColourError as exc:
            self.error(loc, f"colour {exc}")
            return None
        if literal is None:
            known = sorted(set(palette) | {c for c in THEME_COLOURS if getattr(color, c) is not None})
            import difflib

            close = difflib.get_close_matches(text, known, n=1)
            cycle = any(name == text for _, name in seen)
            if cycle:
                message = "refers to itself in a loop"
            elif text in THEME_COLOURS:
                message = f"refers to color.{text}, which this brand does not set"
            else:
                message = "is not a palette or theme colour, a CSS colour name, #RRGGBB, rgb() or hsl()"
            self.error(loc, f"colour '{text}' {message}", f"did you mean '{close[0]}'?" if close and not cycle else None)
        return literal

    background_for_alpha = PAPER

    def theme_colour(self, name: str, seen: frozenset = frozenset()) -> str | None:
        value: LightDark | None = getattr(self.brand.color, name)
        if value is None:
            return None
        chosen, part = (value.light, "light") if value.light is not None else (value.dark, "dark")
        if chosen is None:
            return None
        return self.colour(chosen, ("color", name, part), seen | {("theme", name)})

    def style_colour(self, value: LightDark | None, loc: Loc) -> str | None:
        if value is None:
            return None
        chosen, part = (value.light, "light") if value.light is not None else (value.dark, "dark")
        return self.colour(chosen, loc + (part,), theme_first=True) if chosen is not None else None

    def check_all_colours(self) -> None:
        """Every colour in the file resolves, even ones deckgen does not draw with (a typo is a typo)."""
        for name in self.brand.color.palette:
            self.colour(name, ("color", "palette", name))
        for name in THEME_COLOURS:
            value = getattr(self.brand.color, name)
            if value is not None and value.dark is not None:
                self.colour(value.dark, ("color", name, "dark"))
        typography = self.brand.typography
        for key in ("headings", "monospace", "monospace_inline", "monospace_block", "link"):
            style = getattr(typography, key)
            for attribute in ("color", "background_color"):
                value = getattr(style, attribute, None) if style else None
                if value is not None and value.dark is not None:
                    self.colour(value.dark, ("typography", _yaml_key(key), _yaml_key(attribute), "dark"), theme_first=True)
                if value is not None and key not in ("headings", "link"):
                    self.style_colour(value, ("typography", _yaml_key(key), _yaml_key(attribute)))

    # -- the theme --------------------------------------------------------------------------------
    def theme(self, path: Path) -> Theme:
        brand, extras = self.brand, self.brand.defaults.deckgen
        self.check_all_colours()
        theme_colour = lambda name, default: self.theme_colour(name) or default  # noqa: E731
        background = theme_colour("background", DEFAULTS["background"])  # kept for reference: pages are white
        primary = theme_colour("primary", DEFAULTS["primary"])
        typography = brand.typography
        headings, link = typography.headings, typography.link
        dark = self.theme_colour("dark")
        fallback_text = dark if dark and css.contrast(dark, PAPER) >= css.WCAG_AA else DEFAULTS["foreground"]
        foreground = self.readable(theme_colour("foreground", DEFAULTS["foreground"]), ("color", "foreground"),
                                   "body text (color.foreground)", fallback_text)
        secondary = self.readable(theme_colour("secondary", DEFAULTS["secondary"]), ("color", "secondary"),
                                  "secondary text (color.secondary: subtitles, labels, sources)",
                                  css.mix(foreground, PAPER, 0.75))
        heading_loc = ("typography", "headings", "color") if headings and headings.color else ("color", "primary")
        heading_color = self.readable(
            self.style_colour(headings.color if headings else None, ("typography", "headings", "color")) or primary,
            heading_loc, "headings", foreground)
        link_loc = (("typography", "link", "color") if link and link.color
                    else ("color", "link") if brand.color.link else ("color", "primary"))
        link_color = self.readable(
            self.style_colour(link.color if link else None, ("typography", "link", "color"))
            or self.theme_colour("link") or primary, link_loc, "links", heading_color)

        def deckgen_colour(value: str | None, key: str, default: str) -> str:
            if value is None or (value in THEME_COLOURS and value not in self.brand.color.palette
                                 and getattr(self.brand.color, value) is None):
                return default  # e.g. positive: success, and the brand has no success colour
            return self.colour(value, ("defaults", "deckgen", key), theme_first=True) or default

        positive = deckgen_colour(extras.positive, "positive", DEFAULTS["positive"])
        negative = deckgen_colour(extras.negative, "negative", DEFAULTS["negative"])
        muted = deckgen_colour(extras.muted, "muted", "") or self._muted(foreground, primary)
        rule = self.theme_colour("tertiary") or css.mix(secondary, PAPER, 0.35)
        if css.contrast(rule, PAPER) > 1.8:  # rules and gridlines are hairlines: lighten a strong colour
            rule = css.mix(rule, PAPER, 0.45)
        palette = tuple(
            c for i, name in enumerate(extras.chart_palette)
            if (c := self.colour(name, ("defaults", "deckgen", "chart-palette", i), theme_first=True))
        ) or self._chart_palette()
        on_primary = max(("#FFFFFF", foreground), key=lambda c: css.contrast(c, primary))

        base = typography.base
        base_size = self._size(base.size if base else None, ("typography", "base", "size"))
        line_height = self._line_height(base.line_height if base else None, ("typography", "base", "line-height"), 1.4)
        if headings is not None:
            self._line_height(headings.line_height, ("typography", "headings", "line-height"), 1.2)
        for key in ("monospace", "monospace_inline", "monospace_block"):
            style = getattr(typography, key)
            if style is not None:
                self._size(style.size, ("typography", _yaml_key(key), "size"))
                if getattr(style, "line_height", None) is not None:
                    self._line_height(style.line_height, ("typography", _yaml_key(key), "line-height"), 1.4)

        body_weight = base.weight if base and base.weight else 400
        body = self.family(base.family if base else None, ("typography", "base"), body_weight, max(700, body_weight + 200))
        heading_weight = headings.weight if headings and headings.weight else 700
        heading_family = (headings.family if headings and headings.family else None) or (base.family if base else None)
        heading_loc = ("typography", "headings") if headings and headings.family else ("typography", "base")
        heads = self.family(heading_family, heading_loc, 400, heading_weight, role="headings")
        symbols = (self.family(extras.symbol_font, ("defaults", "deckgen", "symbol-font"), 400, 700)
                   if extras.symbol_font else self._bundled())
        for key in ("monospace", "monospace_inline", "monospace_block"):
            style = getattr(typography, key)
            if style is not None and style.family:
                self.check_declared_files(style.family)
        logo, alt = self.logo()
        name = brand.meta.name
        meta_name = name if isinstance(name, str) else (name.full or name.short or "") if name else ""
        meta_link = brand.meta.link if isinstance(brand.meta.link, str) else (brand.meta.link or {}).get("home")
        return Theme(
            name=meta_name, link=meta_link, logo=logo, primary=primary, secondary=secondary, foreground=foreground,
            background=background, muted=muted, rule=rule, positive=positive, negative=negative,
            chart_palette=palette, body=body, headings=heads, symbols=symbols, base_size=base_size,
            line_height=line_height, heading_color=heading_color,
            footer=extras.footer or "For professional investors only. Not investment advice.",
            author=extras.author, path=path.resolve(), link_color=link_color, on_primary=on_primary, logo_alt=alt,
        )

    def _muted(self, foreground: str, primary: str) -> str:
        light = self.theme_colour("light")
        if light and css.contrast(foreground, light) >= css.WCAG_AA and light != PAPER:
            return light
        return css.mix(primary, PAPER, 0.08)

    def _chart_palette(self) -> tuple[str, ...]:
        """The brand's accent colours in the standard's order, then its palette, skipping colours
        too close to the page to see; deckgen's defaults if fewer than two remain."""
        chosen: list[str] = []
        names = ("primary", "secondary", "tertiary", "info", "success", "warning", "danger", "dark")
        candidates = [self.theme_colour(n) for n in names]
        candidates += [self.colour(n, ("color", "palette", n)) for n in self.brand.color.palette]
        for colour in candidates:
            if colour and colour not in chosen and css.contrast(colour, PAPER) >= 1.6:
                chosen.append(colour)
        if len(chosen) < 2:
            chosen += [c for c in (DEFAULTS["primary"], "#1F5F8B", "#2A9D8F", "#C9A227") if c not in chosen]
        return tuple(chosen[:6])

    def readable(self, text: str, loc: Loc, what: str, fallback: str) -> str:
        """``text`` if it can be read on the white page; below WCAG AA (4.5:1) a warning, and below
        3:1 (unreadable: a colour meant for a dark background) ``fallback`` in its place."""
        ratio = css.contrast(text, PAPER)
        if ratio >= css.WCAG_AA:
            return text
        if ratio >= 3.0:
            self.warn(loc, f"{what} in {text} on the white page has a contrast of {ratio:.2f}:1, below WCAG AA (4.5:1)",
                      "pick a darker colour, or readers will struggle")
            return text
        self.warn(loc, f"{what} in {text} would be unreadable on the white page (contrast {ratio:.2f}:1, WCAG AA "
                       f"needs 4.5:1); using {fallback} instead", "pick a darker colour for print")
        return fallback

    def _size(self, value: Any, loc: Loc) -> float:
        """A font size in points: pt as written; px, rem and em as a browser would (16px = 1rem),
        scaled so that 1rem is deckgen's base size."""
        if value is None:
            return DEFAULT_BASE_SIZE
        match = re.fullmatch(r"\s*([-+]?[0-9]*\.?[0-9]+)\s*(pt|px|rem|em|%)?\s*", str(value))
        if not match:
            self.error(loc, f"font size '{value}' is not a size", "write e.g. 10pt, 16px, 1rem or 0.9em")
            return DEFAULT_BASE_SIZE
        number, unit = float(match.group(1)), match.group(2) or "pt"  # a bare number is in points
        if number <= 0:
            self.error(loc, f"font size {value} must be greater than 0", "write e.g. 10pt or 1rem")
            return DEFAULT_BASE_SIZE
        points = {"pt": number, "px": number / 16 * DEFAULT_BASE_SIZE, "rem": number * DEFAULT_BASE_SIZE,
                  "em": number * DEFAULT_BASE_SIZE, "%": number / 100 * DEFAULT_BASE_SIZE}[unit]
        if not MIN_SIZE <= points <= MAX_SIZE:
            self.error(loc, f"font size {value} ({points:.1f}pt in the brief) is outside {MIN_SIZE:g}-{MAX_SIZE:g}pt",
                       "a brief's body text is 8-12pt")
            return DEFAULT_BASE_SIZE
        return round(points, 2)

    def _line_height(self, value: Any, loc: Loc, default: float) -> float:
        if value is None:
            return default
        match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(%)?\s*", str(value))
        number = float(match.group(1)) / (100 if match.group(2) else 1) if match else None
        if number is None or not MIN_LINE_HEIGHT <= number <= MAX_LINE_HEIGHT:
            self.error(loc, f"line-height {value} is outside {MIN_LINE_HEIGHT:g}-{MAX_LINE_HEIGHT:g}",
                       "write a multiple of the font size, e.g. 1.4")
            return default
        return number

    # -- fonts ------------------------------------------------------------------------------------
    def font_folders(self) -> tuple[Path, ...]:
        folders = [self.base / "fonts"]
        if self.root is not None:
            folders += [self.root / "fonts", self.root / "assets" / "fonts"]
        return tuple(dict.fromkeys(f.resolve() for f in folders))

    def declared(self, family: str) -> tuple[int, FontSource] | None:
        for index, source in enumerate(self.brand.typography.fonts):
            if source.family.strip().lower() == family.strip().lower():
                return index, source
        return None

    def check_declared_files(self, family: str) -> None:
        found = self.declared(family)
        if found and found[1].source == "file":
            self.file_faces(*found)

    def file_faces(self, index: int, source: FontSource) -> list[Face]:
        faces = []
        for number, entry in enumerate(source.files):
            loc = ("typography", "fonts", index, "files", number)
            if re.match(r"^[a-z][a-z0-9+.-]*://", entry.path, re.IGNORECASE):
                self.warn(loc, f"font file {entry.path} is a URL; deckgen downloads nothing", "add the file to the project")
                continue
            path = (self.base / entry.path).resolve()
            if self.root is not None and not path.is_relative_to(self.root.resolve()):
                self.error(loc, f"font file points outside the project ({self.root}): {Path(entry.path).name}",
                           "copy the font into the project")
                continue
            if path in self.unusable:
                continue
            if not _present(path):
                self.unusable.add(path)
                self.warn(loc, f"font file not found: {entry.path}; '{source.family}' falls back to another font",
                          "add the file or fix the path")
                continue
            try:
                if path not in self.described:
                    self.described[path] = describe(read_regular_file(path, MAX_FONT_BYTES, "font"), path.name)
                info = self.described[path]
            except AssetError as exc:
                self.unusable.add(path)
                self.error(loc, str(exc))
                continue
            low, high = (min(entry.weight), max(entry.weight)) if entry.weight else (info.weight, info.weight)
            weight_range = info.weight_range or ((low, high) if low != high else None)
            weight = info.weight if info.weight_range else low
            faces.append(Face(path, FontInfo(source.family, weight, weight_range, entry.style != "normal", info.kind)))
        return faces

    def family(self, family: str | None, loc: Loc, regular: int, bold: int, role: str = "body") -> FontFamily:
        """The family named by ``family`` (a CSS list: the first that can be had wins) at two weights."""
        wanted = [part.strip().strip("'\"") for part in (family or "").split(",") if part.strip()]
        shown_loc = loc + ("family",)
        faces: list[Face] = []
        used = None
        for name in wanted:
            faces = self.faces_for(name, shown_loc)
            if faces:
                used = faces[0].info.family if is_generic(name) else name
                break
        if not wanted:
            faces, used = list(bundled_faces()), BUNDLED_FAMILY
        elif not faces:
            alias = installed_alias(wanted[0])  # fontconfig's substitute, e.g. Liberation Sans for Arial
            faces = find_family(alias, ()) if alias else []
            if not faces:
                faces, alias = list(bundled_faces()), BUNDLED_FAMILY
            used = alias
            self.substituted(wanted[0], used, shown_loc)
        elif used != wanted[0]:
            self.substituted(wanted[0], used, shown_loc)
        if not faces:
            self.error(shown_loc, "no font could be found, not even deckgen's bundled default")
            return FontFamily(used or "", Path(), Path(), Path(), Path())
        return self.instances(used, faces, regular, bold, shown_loc, role)

    def faces_for(self, name: str, loc: Loc) -> list[Face]:
        declared = self.declared(name)
        if declared and declared[1].source == "file":
            return self.file_faces(*declared)
        if is_generic(name):
            installed = generic_family(name)
            faces = find_family(installed, ()) if installed else []
            return [Face(f.path, FontInfo(installed, *_rest(f.info))) for f in faces]
        return find_family(name, self.font_folders())

    def substituted(self, wanted: str, used: str, loc: Loc) -> None:
        if wanted in self.warned_fonts:
            return
        self.warned_fonts.add(wanted)
        declared = self.declared(wanted)
        source = declared[1].source if declared else "system"
        why = {"google": "is a Google font, which cannot be downloaded at build time",
               "bunny": "is a Bunny font, which cannot be downloaded at build time",
               "file": "has no usable files"}.get(source, "is not installed")
        self.warn(loc, f"font '{wanted}' {why} and is not in the project's fonts/ folder or on this system; "
                       f"using '{used}' instead",
                  "put its .ttf/.otf/.woff2 files in fonts/ beside brand.yml, or install it")

    def instances(self, name: str, faces: list[Face], regular: int, bold: int, loc: Loc, role: str) -> FontFamily:
        paths = []
        for weight, italic in ((regular, False), (bold, False), (regular, True), (bold, True)):
            face, at = choose(faces, weight, italic)
            label = f"{name}-{at}{'Italic' if italic else ''}"
            try:
                paths.append(embeddable(face.path, at, label))
            except AssetError as exc:
                self.error(loc, str(exc))
                paths.append(face.path)
        chosen_bold, at = choose(faces, bold, False)
        if bold >= 600 and at < 600 and name not in self.warned_fonts and not self.unusable:
            self.warned_fonts.add(name)
            self.warn(loc, f"font '{name}' has no bold face (only weight {at}); {role} will not look bold",
                      "add its bold file or a variable font")
        return FontFamily(name, *paths, sources=tuple(sorted({f.path for f in faces})))

    def _bundled(self) -> FontFamily:
        return self.instances(BUNDLED_FAMILY, list(bundled_faces()), 400, 700, (), "symbols")

    # -- logo -------------------------------------------------------------------------------------
    def logo(self) -> tuple[Path | None, str | None]:
        logo = self.brand.logo
        if logo is None:
            return None, None
        for size in ("medium", "large", "small"):
            variant = getattr(logo, size)
            if variant is None:
                continue
            part = "light" if variant.light is not None else "dark"
            image = variant.light or variant.dark
            loc = ("logo", size, part, "path")
            if image is None:
                continue
            if image.path in logo.images:
                loc = ("logo", "images", image.path, "path")
                named = logo.images[image.path]
                image = type(image)(path=named.path, alt=image.alt or named.alt)
            return self.logo_file(image.path, loc), image.alt
        if logo.images:
            name, image = next(iter(logo.images.items()))
            return self.logo_file(image.path, ("logo", "images", name, "path")), image.alt
        return None, None

    def logo_file(self, text: str, loc: Loc) -> Path | None:
        if re.match(r"^[a-z][a-z0-9+.-]*:", text, re.IGNORECASE) and not re.match(r"^[a-z]:[\\/]", text, re.IGNORECASE):
            self.warn(loc, f"logo '{text}' is a URL; deckgen downloads nothing, so the brief has no logo",
                      "add the logo file to the project")
            return None
        path = (self.base / text).resolve()
        if self.root is not None and not path.is_relative_to(self.root.resolve()):
            self.error(loc, f"logo file points outside the project ({self.root}): {Path(text).name}",
                       "copy the logo into the project")
            return None
        if not _present(path):
            self.warn(loc, f"logo file not found: {text}; the brief is built without a logo", "add the file or fix the path")
            return None
        try:
            check_logo(read_regular_file(path, MAX_LOGO_BYTES, "logo"), path.name)
        except AssetError as exc:
            self.error(loc, str(exc))
            return None
        return path


def _present(path: Path) -> bool:
    """Whether anything (even a broken link or a FIFO) is at ``path``; an unusable name (too long)
    counts as present, so that reading it reports why."""
    try:
        return path.exists() or path.is_symlink()
    except (OSError, ValueError):
        return True


def _rest(info: FontInfo) -> tuple:
    return info.weight, info.weight_range, info.italic, info.kind


def _yaml_key(attribute: str) -> str:
    return attribute.replace("_", "-")
