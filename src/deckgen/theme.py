"""brand.yml (the open standard Quarto and Shiny use) -> one Theme for reportlab and matplotlib.

deckgen reads the parts of brand.yml it can use (meta, logo, color, typography with font files)
and its own settings under ``defaults: deckgen:``. Nothing here imports reportlab or matplotlib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import Problem, SpecError
from .spec import validation_problems
from .yamlsrc import load_yaml

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_NAMED = {"white": "#FFFFFF", "black": "#000000"}


class _Open(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class FontFile(_Open):
    path: Path
    weight: int | str = 400
    style: Literal["normal", "italic"] = "normal"


class FontSource(_Open):
    family: str
    source: str = "file"
    files: list[FontFile] = Field(default_factory=list)


class TextStyle(_Open):
    family: str | None = None
    size: str | float | None = None
    line_height: float | None = Field(default=None, alias="line-height")
    weight: int | str | None = None
    color: str | None = None


class Typography(_Open):
    fonts: list[FontSource] = Field(default_factory=list)
    base: TextStyle | str = TextStyle()
    headings: TextStyle | str = TextStyle()
    link: TextStyle | None = None


class DeckgenDefaults(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    symbol_font: str | None = Field(default=None, alias="symbol-font")
    chart_palette: list[str] = Field(default_factory=list, alias="chart-palette")
    positive: str = "success"
    negative: str = "danger"
    muted: str | None = None
    footer: str | None = None  # the short disclaimer in every page's footer
    author: str | None = None


class Defaults(_Open):
    deckgen: DeckgenDefaults = DeckgenDefaults()


class Color(_Open):
    palette: dict[str, str] = Field(default_factory=dict)
    foreground: str = "black"
    background: str = "white"
    primary: str | None = None
    secondary: str | None = None
    tertiary: str | None = None
    success: str | None = None
    danger: str | None = None
    warning: str | None = None
    light: str | None = None
    dark: str | None = None


class Logo(_Open):
    images: dict[str, Any] = Field(default_factory=dict)
    small: Any = None
    medium: Any = None
    large: Any = None


class Meta(_Open):
    name: str | dict | None = None
    link: str | dict | None = None


class Brand(_Open):
    meta: Meta = Meta()
    logo: Logo | str | None = None
    color: Color = Color()
    typography: Typography = Typography()
    defaults: Defaults = Defaults()


@dataclass(frozen=True)
class FontFamily:
    name: str
    regular: Path
    bold: Path
    italic: Path
    bold_italic: Path

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

    @property
    def files(self) -> tuple[Path, ...]:
        fonts = {p for family in (self.body, self.headings, self.symbols) if family for p in family.files}
        return (self.path, *sorted(fonts), *((self.logo,) if self.logo else ()))


def load_theme(path: Path, root: Path | None = None) -> Theme:
    """Stage: read brand.yml and resolve colours, fonts and logo (paths relative to it).

    Font and logo files must be inside ``root`` (the project) when it is given, and be files
    deckgen can use: TrueType fonts, SVG, PNG or JPEG logos.
    """
    document = load_yaml(path)
    try:
        brand = Brand.model_validate(document.data)
    except ValidationError as exc:
        raise SpecError(document.problems + validation_problems(exc, document, model=Brand)) from None
    problems: list[Problem] = list(document.problems)
    base = path.parent

    def color(value: str | None, loc: tuple, fallback: str) -> str:
        if value is None:
            return fallback
        resolved = brand.color.palette.get(value, value)
        resolved = _NAMED.get(resolved, resolved)
        if not _HEX.match(resolved):
            problems.append(Problem.at(document.mark(loc), f"colour '{value}' is neither a palette name nor #RRGGBB"))
            return fallback
        return resolved.upper()

    c = brand.color
    foreground = color(c.foreground, ("color", "foreground"), "#1A1A1A")
    primary = color(c.primary, ("color", "primary"), "#0B2545")
    secondary = color(c.secondary, ("color", "secondary"), "#5C677D")
    extras = brand.defaults.deckgen
    semantic = {"success": c.success, "danger": c.danger, "primary": c.primary, "secondary": c.secondary}
    positive = color(semantic.get(extras.positive, extras.positive), ("defaults", "deckgen", "positive"), "#2E7D32")
    negative = color(semantic.get(extras.negative, extras.negative), ("defaults", "deckgen", "negative"), "#C62828")
    palette = tuple(
        color(name, ("defaults", "deckgen", "chart-palette", i), primary) for i, name in enumerate(extras.chart_palette)
    ) or (primary, secondary, positive, negative)

    families = {}
    for index, source in enumerate(brand.typography.fonts):
        if source.source != "file":
            problems.append(Problem.at(document.mark(("typography", "fonts", index, "source")), f"font '{source.family}': only source: file is supported (fonts must be embedded)"))
            continue
        families[source.family] = _family(source, base, document, ("typography", "fonts", index), problems, root)

    def family_of(style: TextStyle | str, loc: tuple) -> FontFamily | None:
        name = style if isinstance(style, str) else style.family
        if name is None:
            problems.append(Problem.at(document.mark(loc), "no font family given"))
            return None
        if name not in families:
            problems.append(Problem.at(document.mark(loc), f"font family '{name}' has no files under typography.fonts"))
            return None
        return families[name]

    typography = brand.typography
    body = family_of(typography.base, ("typography", "base"))
    headings = family_of(typography.headings, ("typography", "headings"))
    symbols = family_of(extras.symbol_font, ("defaults", "deckgen", "symbol-font")) if extras.symbol_font else None
    logo = _logo_path(brand, base)
    if logo is not None:
        problem = _asset_problem(logo, root, LOGO_KINDS, "logo")
        if problem:
            problems.append(Problem.at(document.mark(("logo",)), problem))
    if problems:
        raise SpecError(problems)
    base_style = typography.base if isinstance(typography.base, TextStyle) else TextStyle()
    heading_style = typography.headings if isinstance(typography.headings, TextStyle) else TextStyle()
    meta_name = brand.meta.name if isinstance(brand.meta.name, str) else (brand.meta.name or {}).get("full", "")
    meta_link = brand.meta.link if isinstance(brand.meta.link, str) else (brand.meta.link or {}).get("home")
    return Theme(
        name=meta_name or "",
        link=meta_link,
        logo=logo,
        primary=primary,
        secondary=secondary,
        foreground=foreground,
        background=color(c.background, ("color", "background"), "#FFFFFF"),
        muted=color(extras.muted or c.light, ("color", "light"), "#EEF2F6"),
        rule=color(c.tertiary, ("color", "tertiary"), "#C9D1DB"),
        positive=positive,
        negative=negative,
        chart_palette=palette,
        body=body,  # type: ignore[arg-type]
        headings=headings,  # type: ignore[arg-type]
        symbols=symbols,
        base_size=_points(base_style.size, 9.5),
        line_height=base_style.line_height or 1.4,
        heading_color=color(heading_style.color, ("typography", "headings", "color"), primary),
        footer=extras.footer or "For professional investors only. Not investment advice.",
        author=extras.author,
        path=path.resolve(),
    )


def _points(size: str | float | None, default: float) -> float:
    if size is None:
        return default
    if isinstance(size, (int, float)):
        return float(size)
    match = re.match(r"^\s*([0-9.]+)\s*(pt|px|rem|em)?\s*$", size)
    if not match:
        return default
    number, unit = float(match.group(1)), match.group(2) or "pt"
    return {"pt": number, "px": number * 0.75, "rem": number * default, "em": number * default}[unit]


FONT_KINDS = {b"\x00\x01\x00\x00": "TrueType", b"true": "TrueType"}
LOGO_KINDS = {b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG", b"<": "SVG", b"\xef\xbb\xbf<": "SVG"}


def _asset_problem(path: Path, root: Path | None, kinds: dict[bytes, str], what: str) -> str | None:
    """Why a font or logo file cannot be used (None if it can), judged from where it is and its first bytes."""
    if root is not None and not path.resolve().is_relative_to(root.resolve()):
        return f"{what} file points outside the project ({root}): {path.name}"
    try:
        head = path.read_bytes()[:2048]
    except FileNotFoundError:
        return f"{what} file not found: {path.name}"
    except OSError as exc:
        return f"cannot read {what} file {path.name}: {exc.strerror}"
    kind = next((name for magic, name in kinds.items() if head.startswith(magic)), None)
    if kind is None or (kind == "SVG" and b"<svg" not in head):
        wanted = " or ".join(sorted(set(kinds.values())))
        return f"{what} file {path.name} is not {wanted}" + (" (OpenType/CFF fonts cannot be embedded; use a .ttf)" if head.startswith(b"OTTO") else "")
    return None


def _family(source: FontSource, base: Path, document, loc: tuple, problems: list[Problem], root: Path | None) -> FontFamily | None:
    found: dict[tuple[bool, bool], Path] = {}
    for index, file in enumerate(source.files):
        path = (base / file.path).resolve()
        problem = _asset_problem(path, root, FONT_KINDS, "font")
        if problem:
            problems.append(Problem.at(document.mark(loc + ("files", index, "path")), problem))
            continue
        weight = file.weight if isinstance(file.weight, int) else {"bold": 700, "semi-bold": 600}.get(str(file.weight), 400)
        found[(weight >= 600, file.style == "italic")] = path
    if (False, False) not in found:
        problems.append(Problem.at(document.mark(loc), f"font '{source.family}' needs a regular (400, normal) file"))
        return None
    regular = found[(False, False)]
    bold = found.get((True, False), regular)
    italic = found.get((False, True), regular)
    return FontFamily(source.family, regular, bold, italic, found.get((True, True), bold))


def _logo_path(brand: Brand, base: Path) -> Path | None:
    logo = brand.logo
    if logo is None:
        return None
    if isinstance(logo, str):
        return (base / logo).resolve()
    choice = logo.medium or logo.small or logo.large
    if isinstance(choice, dict):
        choice = choice.get("light") or choice.get("path")
    if choice is None and logo.images:
        choice = next(iter(logo.images.values()))
    image = logo.images.get(choice, choice) if isinstance(choice, str) else choice
    if isinstance(image, dict):
        image = image.get("path")
    return (base / str(image)).resolve() if image else None
