"""brand.yml (the open standard Quarto and Shiny use) -> one Theme for reportlab and matplotlib.

models: the file as the standard defines it (strict, shorthands normalised); theme: load_theme,
which resolves it all, with findings (located problems) from
  palette (colours.py: CSS colours, contrast) - the brief's colours,
  fontchoice (fontfiles.py: one file made embeddable; fontlookup.py: families found) - its fonts,
  logochoice (logos.py: SVG sandbox, image limits; files.py: safe reads) - its logo.
Nothing here imports reportlab or matplotlib.
"""

from .theme import FontFamily, Theme, load_theme

__all__ = ["FontFamily", "Theme", "load_theme"]
