"""The brand's Theme (kept as a module so ``from deckgen.theme import Theme`` goes on working).

The work is done in the ``deckgen.brand`` package: see its docstring.
"""

from .brand import FontFamily, Theme, load_theme

__all__ = ["FontFamily", "Theme", "load_theme"]
