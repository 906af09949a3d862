"""brand.yml as the open standard (posit-dev/brand-yml) defines it, as strict pydantic models.

Unknown keys are errors (so ``colour:`` or ``color.primay`` gets a did-you-mean), except where the
standard leaves a mapping open: ``meta`` and ``meta.link`` take extra keys, and ``defaults`` holds
other tools' settings (``bootstrap``, ``shiny``, ``quarto`` ...), which deckgen ignores quietly.
Shorthands are normalised before validation, so every value has one shape afterwards:

- a colour is ``{light, dark}`` (a plain string is the light one);
- a text style is a mapping (a plain string is its ``family``);
- a logo size is ``{light, dark}`` of ``{path, alt}`` (a plain string is the light one's path);
- a font file is ``{path, weight, style}`` (a plain string is its path).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from ..models import made_by_default

WEIGHT_NAMES = {
    "thin": 100, "extra-light": 200, "ultra-light": 200, "light": 300, "normal": 400, "regular": 400,
    "medium": 500, "semi-bold": 600, "demi-bold": 600, "bold": 700, "extra-bold": 800, "ultra-bold": 800,
    "black": 900,
}
FONT_SOURCES = ("file", "google", "bunny", "system")


class Strict(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, populate_by_name=True)


class Open(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="allow", frozen=True, populate_by_name=True)


def font_weight(value: Any) -> int:
    """100..900 in steps of 100, or a CSS weight name (``bold``, ``semi-bold``)."""
    if isinstance(value, bool):
        raise ValueError(f"font weight {value!r} is not a weight; use 100-900 or a name like 'bold'")
    if isinstance(value, str):
        name = value.strip().lower()
        if name in WEIGHT_NAMES:
            return WEIGHT_NAMES[name]
        if not name.isdigit():
            raise ValueError(f"unknown font weight '{value}'; use 100-900 or one of: {', '.join(WEIGHT_NAMES)}")
        value = int(name)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not 100 <= value <= 900 or value % 100:
        raise ValueError(f"font weight {value!r} is not one of 100, 200, ... 900")
    return value


def weight_list(value: Any) -> tuple[int, ...]:
    """A font source's ``weight``: one weight, a list of them, or a range ``300..700`` (both ends kept)."""
    if isinstance(value, str) and ".." in value:
        low, high = (font_weight(part) for part in value.split("..", 1))
        if low > high:
            raise ValueError(f"font weight range '{value}' runs backwards")
        return (low, high)
    if isinstance(value, (list, tuple)):
        if not value:
            raise ValueError("font weight list is empty")
        return tuple(font_weight(v) for v in value)
    return (font_weight(value),)


def plain_text(value: Any) -> Any:
    """Names and paths are one line of text: control characters (NUL, line breaks) are refused."""
    if isinstance(value, str) and any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("contains a control character (such as NUL or a line break); remove it")
    return value


def _colour_shorthand(value: Any) -> Any:
    if value is None or isinstance(value, dict):
        return value
    if isinstance(value, str):
        return {"light": value}
    raise ValueError(f"expected a colour (a name, #RRGGBB, rgb(...) or light:/dark:), found {value!r:.40}")


class LightDark(Strict):
    """A colour given for light and dark mode; a PDF is light, so deckgen uses ``light``."""

    light: str | None = None
    dark: str | None = None

    @field_validator("light", "dark", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, str):
            raise ValueError(f"expected a colour as text, found {value!r:.40}")
        return value


THEME_COLOURS = (
    "foreground", "background", "primary", "secondary", "tertiary", "success", "info", "warning", "danger",
    "light", "dark", "link",
)


def _colour_text(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError(f"expected a colour as text (a name, #RRGGBB or rgb(...)), found {value!r:.40}")
    return value


ColourText = Annotated[str, BeforeValidator(_colour_text)]


class Color(Strict):
    palette: dict[str, ColourText] = Field(default_factory=dict)
    foreground: LightDark | None = None
    background: LightDark | None = None
    primary: LightDark | None = None
    secondary: LightDark | None = None
    tertiary: LightDark | None = None
    success: LightDark | None = None
    info: LightDark | None = None
    warning: LightDark | None = None
    danger: LightDark | None = None
    light: LightDark | None = None
    dark: LightDark | None = None
    link: LightDark | None = None

    _shorthand = field_validator(*THEME_COLOURS, mode="before")(classmethod(lambda cls, v: _colour_shorthand(v)))

    @field_validator("palette", mode="before")
    @classmethod
    def _palette(cls, value: Any) -> Any:
        if value is None:
            return {}
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items()}
        return value


class MetaName(Strict):
    full: str | None = None
    short: str | None = None

    _plain = field_validator("full", "short", mode="after")(classmethod(lambda cls, v: plain_text(v)))


class Meta(Open):
    name: str | MetaName | None = None
    link: str | dict[str, str] | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        value = str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
        return plain_text(value)


class LogoImage(Strict):
    path: str
    alt: str | None = None

    _plain = field_validator("path", mode="after")(classmethod(lambda cls, v: plain_text(v)))


def _logo_image(value: Any) -> Any:
    return {"path": value} if isinstance(value, str) else value


class LogoSize(Strict):
    light: LogoImage | None = None
    dark: LogoImage | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str) or (isinstance(value, dict) and "path" in value):
            value = {"light": value}
        if isinstance(value, dict):
            return {k: _logo_image(v) for k, v in value.items()}
        return value


class Logo(Strict):
    images: dict[str, LogoImage] = Field(default_factory=dict)
    small: LogoSize | None = None
    medium: LogoSize | None = None
    large: LogoSize | None = None

    @field_validator("images", mode="before")
    @classmethod
    def _images(cls, value: Any) -> Any:
        if value is None:
            return {}
        if isinstance(value, dict):
            return {str(k): _logo_image(v) for k, v in value.items()}
        return value


class FontFile(Strict):
    path: str

    _plain = field_validator("path", mode="after")(classmethod(lambda cls, v: plain_text(v)))
    weight: tuple[int, ...] = ()  # one weight, (low, high) for a variable font's range, () for the file's own
    style: Literal["normal", "italic", "oblique"] = "normal"

    # "auto" (or no weight): the weight the font file itself declares
    _weight = field_validator("weight", mode="before")(classmethod(lambda cls, v: () if v in (None, "auto") else weight_list(v)))


class FontSource(Strict):
    """One entry of ``typography.fonts``: a family and where its files come from."""

    family: str = Field(min_length=1)
    source: Literal["file", "google", "bunny", "system"] = "google"
    files: tuple[FontFile, ...] = ()
    weight: tuple[int, ...] = (400, 700)
    style: tuple[Literal["normal", "italic", "oblique"], ...] = ("normal", "italic")
    display: Literal["auto", "block", "swap", "fallback", "optional"] | None = None

    _plain = field_validator("family", mode="after")(classmethod(lambda cls, v: plain_text(v)))

    _weight = field_validator("weight", mode="before")(classmethod(lambda cls, v: weight_list(v) if v is not None else (400, 700)))

    @field_validator("style", mode="before")
    @classmethod
    def _style(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @field_validator("files", mode="before")
    @classmethod
    def _files(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"path": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _files_only_for_file(self) -> "FontSource":
        if self.source == "file" and not self.files:
            raise ValueError(f"font '{self.family}' has source: file but no files:; list its font files")
        if self.source != "file" and self.files:
            raise ValueError(f"font '{self.family}': files: belong to source: file (this one is source: {self.source})")
        return self


def _family_shorthand(value: Any) -> Any:
    return {"family": value} if isinstance(value, str) else value


class _Style(Strict):
    """Shared parsing for the text styles; each subclass declares the keys the standard allows it."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return _family_shorthand(value)

    @field_validator("family", mode="after", check_fields=False)
    @classmethod
    def _plain_family(cls, value: Any) -> Any:
        return plain_text(value)

    @field_validator("color", "background_color", mode="before", check_fields=False)
    @classmethod
    def _colours(cls, value: Any) -> Any:
        return _colour_shorthand(value)

    @field_validator("weight", mode="before", check_fields=False)
    @classmethod
    def _weight(cls, value: Any) -> Any:
        if isinstance(value, list):  # [600] written as a one-element list
            if len(value) != 1:
                raise ValueError("a text style has one font weight")
            value = value[0]
        return font_weight(value) if value is not None else None

    @field_validator("style", mode="before", check_fields=False)
    @classmethod
    def _style(cls, value: Any) -> Any:
        return value[0] if isinstance(value, list) and len(value) == 1 else value

    @field_validator("size", "line_height", mode="before", check_fields=False)
    @classmethod
    def _number_or_text(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (str, int, float, type(None))):
            raise ValueError(f"expected a number or a size like 10pt, found {value!r:.40}")
        return value


Size = str | int | float | None


class BaseStyle(_Style):
    family: str | None = None
    size: Size = None
    weight: int | None = None
    line_height: Size = Field(default=None, alias="line-height")


class HeadingsStyle(_Style):
    family: str | None = None
    weight: int | None = None
    style: Literal["normal", "italic", "oblique"] | None = None
    color: LightDark | None = None
    line_height: Size = Field(default=None, alias="line-height")


class MonospaceStyle(_Style):
    family: str | None = None
    size: Size = None
    weight: int | None = None
    color: LightDark | None = None
    background_color: LightDark | None = Field(default=None, alias="background-color")


class MonospaceBlockStyle(MonospaceStyle):
    line_height: Size = Field(default=None, alias="line-height")


class LinkStyle(_Style):
    weight: int | None = None
    color: LightDark | None = None
    background_color: LightDark | None = Field(default=None, alias="background-color")
    decoration: str | None = None


class Typography(Strict):
    fonts: tuple[FontSource, ...] = ()
    base: BaseStyle | None = None
    headings: HeadingsStyle | None = None
    monospace: MonospaceStyle | None = None
    monospace_inline: MonospaceStyle | None = Field(default=None, alias="monospace-inline")
    monospace_block: MonospaceBlockStyle | None = Field(default=None, alias="monospace-block")
    link: LinkStyle | None = None


class DeckgenDefaults(Strict):
    """deckgen's own settings, which brand.yml has no place for (under ``defaults: deckgen:``)."""

    symbol_font: str | None = Field(default=None, alias="symbol-font")
    chart_palette: tuple[str, ...] = Field(default=(), alias="chart-palette")
    positive: str = "success"
    negative: str = "danger"
    muted: str | None = None
    footer: str | None = None  # the short disclaimer in every page's footer
    author: str | None = None

    _plain = field_validator("symbol_font", "footer", "author", mode="after")(classmethod(lambda cls, v: plain_text(v)))


class Defaults(Open):
    deckgen: DeckgenDefaults = made_by_default(DeckgenDefaults)

    @field_validator("deckgen", mode="before")
    @classmethod
    def _empty(cls, value: Any) -> Any:
        return {} if value is None else value


class Brand(Strict):
    meta: Meta = made_by_default(Meta)
    logo: Logo | None = None
    color: Color = made_by_default(Color)
    typography: Typography = made_by_default(Typography)
    defaults: Defaults = made_by_default(Defaults)

    @field_validator("logo", mode="before")
    @classmethod
    def _logo_shorthand(cls, value: Any) -> Any:
        return {"medium": value} if isinstance(value, str) else value

    @field_validator("meta", "color", "typography", "defaults", mode="before")
    @classmethod
    def _empty(cls, value: Any) -> Any:
        return {} if value is None else value
