"""Rendering: Theme + Report -> reportlab flowables and matplotlib charts -> PDF. Imported lazily."""

from .mplconfig import ensure_matplotlib_config_dir

ensure_matplotlib_config_dir()  # before any module of this package imports matplotlib
