"""The brief's colours from the brand's: every colour value resolved (aliases, theme references,
CSS), text colours judged on the white page, fills and the chart palette derived."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..yamlsrc import Loc
from . import colours as css
from .findings import Findings
from .models import THEME_COLOURS, Brand, LightDark

NO_COLOUR = {"inherit", "initial", "unset", "currentcolor", "transparent", "none"}
PAPER = "#FFFFFF"  # a brief is printed on white: brand backgrounds and dark mode are not used
DEFAULTS = {
    "foreground": "#1A1A1A", "background": "#FFFFFF", "primary": "#0B2545", "secondary": "#5C677D",
    "positive": "#2E7D32", "negative": "#C62828", "muted": "#EEF2F6", "rule": "#C9D1DB",
}


@dataclass(frozen=True)
class BriefColours:
    primary: str
    secondary: str
    foreground: str
    background: str
    muted: str
    rule: str
    positive: str
    negative: str
    chart_palette: tuple[str, ...]
    heading_color: str
    link_color: str
    on_primary: str
    positive_text: str  # positive and negative as text in a table (change cells): legible on the page and the stripe
    negative_text: str
    named: tuple[tuple[str, str], ...] = ()  # every colour the brand names (palette, then theme colours) -> #RRGGBB


def text_colour(colour: str, grounds: tuple[str, ...], minimum: float = css.WCAG_AA) -> str:
    """``colour`` as text on every one of ``grounds``: itself if it has ``minimum`` contrast (WCAG AA,
    4.5:1) on each, else darkened in the same hue until it has (a brand's light green ``success``
    made a green that can be read on the page and on a table's stripe)."""
    darkest = min(grounds, key=css.luminance)
    return css.legible_on(colour, darkest, minimum)


class BrandColours:
    def __init__(self, brand: Brand, findings: Findings):
        self.brand, self.findings = brand, findings

    def brief(self) -> BriefColours:
        """Every colour the brief uses, resolved; unusable colours reported."""
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
        muted = deckgen_colour(extras.muted, "muted", "") or self.muted(foreground, primary)
        rule = self.theme_colour("tertiary") or css.mix(secondary, PAPER, 0.35)
        if css.contrast(rule, PAPER) > 1.8:  # rules and gridlines are hairlines: lighten a strong colour
            rule = css.mix(rule, PAPER, 0.45)
        palette = tuple(
            c for i, name in enumerate(extras.chart_palette)
            if (c := self.colour(name, ("defaults", "deckgen", "chart-palette", i), theme_first=True))
        ) or self.chart_palette()
        on_primary = max(("#FFFFFF", foreground), key=lambda c: css.contrast(c, primary))
        table_grounds = (PAPER, muted)  # a table's rows: the page, and every other row its stripe

        return BriefColours(primary, secondary, foreground, background, muted, rule, positive, negative, palette,
                            heading_color, link_color, on_primary, text_colour(positive, table_grounds),
                            text_colour(negative, table_grounds), self.named())

    def named(self) -> tuple[tuple[str, str], ...]:
        """Each colour the brand names, resolved: its palette's names, then the theme colours it sets
        (a chart's ``colors:`` may use them)."""
        found: dict[str, str] = {}
        for name in self.brand.color.palette:
            if (colour := self.colour(name, ("color", "palette", name))) is not None:
                found[name] = colour
        for name in THEME_COLOURS:
            if name not in found and (colour := self.theme_colour(name)) is not None:
                found[name] = colour
        return tuple(found.items())

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
            self.findings.error(loc, f"colour {exc}")
            return None
        if literal is None:
            known = sorted(set(palette) | {c for c in THEME_COLOURS if getattr(color, c) is not None})
            close = difflib.get_close_matches(text, known, n=1)
            cycle = any(name == text for _, name in seen)
            if cycle:
                message = "refers to itself in a loop"
            elif text in THEME_COLOURS:
                message = f"refers to color.{text}, which this brand does not set"
            else:
                message = "is not a palette or theme colour, a CSS colour name, #RRGGBB, rgb() or hsl()"
            self.findings.error(loc, f"colour '{text}' {message}", f"did you mean '{close[0]}'?" if close and not cycle else None)
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

    def muted(self, foreground: str, primary: str) -> str:
        light = self.theme_colour("light")
        if light and css.contrast(foreground, light) >= css.WCAG_AA and light != PAPER:
            return light
        return css.mix(primary, PAPER, 0.08)

    def chart_palette(self) -> tuple[str, ...]:
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
            self.findings.warn(loc, f"{what} in {text} on the white page has a contrast of {ratio:.2f}:1, below WCAG AA (4.5:1)",
                      "pick a darker colour, or readers will struggle")
            return text
        self.findings.warn(loc, f"{what} in {text} would be unreadable on the white page (contrast {ratio:.2f}:1, WCAG AA "
                       f"needs 4.5:1); using {fallback} instead", "pick a darker colour for print")
        return fallback


def _yaml_key(attribute: str) -> str:
    return attribute.replace("_", "-")
