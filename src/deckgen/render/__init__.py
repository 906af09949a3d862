"""Rendering: Theme + Report -> reportlab flowables and matplotlib charts -> PDF. Imported lazily."""
