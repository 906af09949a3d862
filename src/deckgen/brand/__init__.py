"""brand.yml (the open standard Quarto and Shiny use) -> one Theme for reportlab and matplotlib.

models: the file as the standard defines it; colours: CSS colours, aliases, contrast; fontfiles:
one font file checked and made embeddable TrueType; fontlookup: families found in font folders and
on the system; logos: the logo chosen and checked (SVG sandboxed, images decoded within limits);
theme: all of it resolved into a Theme. Nothing here imports reportlab or matplotlib.
"""

from .theme import FontFamily, Theme, load_theme

__all__ = ["FontFamily", "Theme", "load_theme"]
