"""brand.yml -> Theme: every value resolved (colours to #RRGGBB, fonts to embeddable TrueType files,
the logo to a checked file), every problem located at its key in brand.yml.

This is the one place ``validate`` and ``build`` both run (via build.check), so whatever rendering
could fail on (fonts parsed, images decoded, SVG sandboxed, sizes in range) is decided here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import Problem, SpecError
from ..inputs import resolved
from ..validation import validation_problems
from ..yamlsrc import Loc, load_yaml
from .findings import Findings
from .fontchoice import BrandFonts, FontFamily
from .logochoice import BrandLogo
from .models import Brand
from .palette import BrandColours

DEFAULT_BASE_SIZE = 9.5  # points; what 1rem (16px in a browser) becomes in a printed brief
MIN_SIZE, MAX_SIZE = 6.0, 16.0
MIN_LINE_HEIGHT, MAX_LINE_HEIGHT = 1.0, 2.5
DEFAULT_FOOTER = "For professional investors only. Not investment advice."

__all__ = ["FontFamily", "Theme", "load_theme"]


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
    positive_text: str  # ``positive`` as text in a table (change cells): 4.5:1 on the page and on the stripe
    negative_text: str
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
    named_colours: tuple[tuple[str, str], ...] = ()  # the brand's colour names (palette, theme) -> #RRGGBB
    warnings: tuple[Problem, ...] = field(default=(), compare=False)
    stamps: tuple[tuple[Path, tuple[int, int] | None], ...] = field(default=(), compare=False, repr=False)

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
    key = (str(resolved(path)), str(root), os.getcwd(), document.text)
    if (theme := _LOADED.get(key)) is not None and _unchanged(theme):
        return theme  # a run loads one brand more than once (validate, then each delivery variant)
    theme = _load(document, path, root)
    if len(_LOADED) >= 16:
        _LOADED.pop(next(iter(_LOADED)))
    _LOADED[key] = theme
    return theme


_LOADED: dict[tuple, "Theme"] = {}


def _unchanged(theme: "Theme") -> bool:
    """The files a theme was made from, and the folders its fonts were chosen in, are as they were."""
    return all(_stamp(p) == stamp for p, stamp in theme.stamps)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns


def _load(document, path: Path, root: Path | None) -> "Theme":
    try:
        brand = Brand.model_validate(document.data)
    except ValidationError as exc:
        raise SpecError(document.problems + validation_problems(exc, document, model=Brand)) from None
    findings = Findings(document)
    theme = _theme(brand, findings, path, root)
    problems = list(dict.fromkeys(document.problems + findings.problems))  # a value used twice is reported once
    if any(p.is_error for p in problems):
        raise SpecError(problems)
    watched = {*theme.files, *(p.parent for p in theme.files)}
    stamps = tuple((p, _stamp(p)) for p in sorted(watched))
    return replace(theme, warnings=tuple(sorted(problems)), stamps=stamps)


def _theme(brand: Brand, findings: Findings, path: Path, root: Path | None) -> Theme:
    colours = BrandColours(brand, findings).brief()
    typography, extras = brand.typography, brand.defaults.deckgen
    base, headings = typography.base, typography.headings
    sizes = _Sizes(findings)
    base_size = sizes.font_size(base.size if base else None, ("typography", "base", "size"))
    line_height = sizes.line_height(base.line_height if base else None, ("typography", "base", "line-height"), 1.4)
    if headings is not None:
        sizes.line_height(headings.line_height, ("typography", "headings", "line-height"), 1.2)
    for key in ("monospace", "monospace_inline", "monospace_block"):
        style = getattr(typography, key)
        if style is not None:
            sizes.font_size(style.size, ("typography", key.replace("_", "-"), "size"))
            if getattr(style, "line_height", None) is not None:
                sizes.line_height(style.line_height, ("typography", key.replace("_", "-"), "line-height"), 1.4)

    fonts = BrandFonts(brand, findings, path.parent, root)
    body_weight = base.weight if base and base.weight else 400
    body = fonts.family(base.family if base else None, ("typography", "base"), body_weight, max(700, body_weight + 200))
    heading_weight = headings.weight if headings and headings.weight else 700
    heading_family = (headings.family if headings and headings.family else None) or (base.family if base else None)
    heading_loc = ("typography", "headings") if headings and headings.family else ("typography", "base")
    heads = fonts.family(heading_family, heading_loc, 400, heading_weight, role="headings")
    symbols = (fonts.family(extras.symbol_font, ("defaults", "deckgen", "symbol-font"), 400, 700, role="symbols")
               if extras.symbol_font else fonts.bundled())
    for key in ("monospace", "monospace_inline", "monospace_block"):
        style = getattr(typography, key)
        if style is not None and style.family:
            fonts.check_declared_files(style.family)

    logo, alt = BrandLogo(brand, findings, path.parent, root).choose()
    name = brand.meta.name
    meta_name = name if isinstance(name, str) else (name.full or name.short or "") if name else ""
    meta_link = brand.meta.link if isinstance(brand.meta.link, str) else (brand.meta.link or {}).get("home")
    return Theme(
        name=meta_name, link=meta_link, logo=logo, primary=colours.primary, secondary=colours.secondary,
        foreground=colours.foreground, background=colours.background, muted=colours.muted, rule=colours.rule,
        positive=colours.positive, negative=colours.negative, positive_text=colours.positive_text,
        negative_text=colours.negative_text, chart_palette=colours.chart_palette, body=body,
        headings=heads, symbols=symbols, base_size=base_size, line_height=line_height,
        heading_color=colours.heading_color, footer=extras.footer or DEFAULT_FOOTER, author=extras.author,
        path=path.resolve(), link_color=colours.link_color, on_primary=colours.on_primary, logo_alt=alt,
        named_colours=colours.named,
    )


class _Sizes:
    """Font sizes and line heights, in range or reported."""

    def __init__(self, findings: Findings):
        self.findings = findings

    def font_size(self, value: Any, loc: Loc) -> float:
        """A font size in points: pt as written; px, rem and em as a browser would (16px = 1rem),
        scaled so that 1rem is deckgen's base size."""
        if value is None:
            return DEFAULT_BASE_SIZE
        match = re.fullmatch(r"\s*([-+]?[0-9]*\.?[0-9]+)\s*(pt|px|rem|em|%)?\s*", str(value))
        if not match:
            self.findings.error(loc, f"font size '{value}' is not a size", "write e.g. 10pt, 16px, 1rem or 0.9em")
            return DEFAULT_BASE_SIZE
        number, unit = float(match.group(1)), match.group(2) or "pt"  # a bare number is in points
        if number <= 0:
            self.findings.error(loc, f"font size {value} must be greater than 0", "write e.g. 10pt or 1rem")
            return DEFAULT_BASE_SIZE
        points = {"pt": number, "px": number / 16 * DEFAULT_BASE_SIZE, "rem": number * DEFAULT_BASE_SIZE,
                  "em": number * DEFAULT_BASE_SIZE, "%": number / 100 * DEFAULT_BASE_SIZE}[unit]
        if not MIN_SIZE <= points <= MAX_SIZE:
            self.findings.error(loc, f"font size {value} ({points:.1f}pt in the brief) is outside {MIN_SIZE:g}-{MAX_SIZE:g}pt",
                       "a brief's body text is 8-12pt")
            return DEFAULT_BASE_SIZE
        return round(points, 2)

    def line_height(self, value: Any, loc: Loc, default: float) -> float:
        if value is None:
            return default
        match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(%)?\s*", str(value))
        number = float(match.group(1)) / (100 if match.group(2) else 1) if match else None
        if number is None or not MIN_LINE_HEIGHT <= number <= MAX_LINE_HEIGHT:
            self.findings.error(loc, f"line-height {value} is outside {MIN_LINE_HEIGHT:g}-{MAX_LINE_HEIGHT:g}",
                       "write a multiple of the font size, e.g. 1.4")
            return default
        return number
