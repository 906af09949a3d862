"""Finding a font family by name: in the project's font folders, then on the system (fontconfig),
then a bundled default (DejaVu, shipped inside matplotlib's package data, found without importing it).

google and bunny fonts cannot be downloaded at build time, so they are looked up like system fonts.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .fontfiles import FontInfo, peek

FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")
MAX_FILES_PER_FOLDER = 2000
GENERIC_FAMILIES = {
    "sans-serif": "sans-serif", "serif": "serif", "monospace": "monospace", "system-ui": "sans-serif",
    "ui-sans-serif": "sans-serif", "ui-serif": "serif", "ui-monospace": "monospace", "-apple-system": "sans-serif",
    "blinkmacsystemfont": "sans-serif", "cursive": "sans-serif", "fantasy": "sans-serif",
}
BUNDLED_FAMILY = "DejaVu Sans"


@dataclass(frozen=True)
class Face:
    path: Path
    info: FontInfo

    def covers(self, weight: int) -> bool:
        low, high = self.info.weight_range or (self.info.weight, self.info.weight)
        return low <= weight <= high


def font_files(folder: Path) -> tuple[Path, ...]:
    """Font files in ``folder`` and its subfolders (bounded), in a stable order."""
    if not folder.is_dir():
        return ()
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            if name.lower().endswith(FONT_SUFFIXES):
                found.append(Path(dirpath) / name)
                if len(found) >= MAX_FILES_PER_FOLDER:
                    return tuple(found)
    return tuple(found)


def faces_of(paths: tuple[Path, ...]) -> list[Face]:
    faces = []
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            continue
        described = peek(str(path), info.st_size, info.st_mtime)
        if described is not None:
            faces.append(Face(path, described))
    return faces


@lru_cache(maxsize=1)
def _system_fonts() -> tuple[tuple[Path, tuple[str, ...]], ...]:
    """(file, family names) of every font fontconfig knows; empty where fontconfig is missing."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return ()
    try:
        done = subprocess.run([fc_list, "--format", "%{file}\t%{family}\n"], capture_output=True, text=True,
                              timeout=20, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return ()
    fonts = {}
    for line in done.stdout.splitlines():
        file, _, families = line.partition("\t")
        if file.lower().endswith(FONT_SUFFIXES):
            fonts.setdefault(Path(file), tuple(f.strip().lower() for f in families.split(",")))
    return tuple(sorted(fonts.items()))


def _matches(info: FontInfo, family: str) -> bool:
    return info.family.strip().lower() == family.strip().lower()


def find_family(family: str, folders: tuple[Path, ...]) -> list[Face]:
    """Every face of ``family`` in ``folders`` (first folder with any wins), else on the system."""
    for folder in folders:
        faces = [face for face in faces_of(font_files(folder)) if _matches(face.info, family)]
        if faces:
            return faces
    wanted = family.strip().lower()
    system = tuple(path for path, names in _system_fonts() if wanted in names)
    faces = faces_of(system)
    return [face for face in faces if _matches(face.info, family)] or faces


def generic_family(name: str) -> str | None:
    """The installed family fontconfig picks for a generic CSS name (``sans-serif``), if any."""
    generic = GENERIC_FAMILIES.get(name.strip().lower())
    return installed_alias(generic) if generic else None


@lru_cache(maxsize=256)
def installed_alias(name: str) -> str | None:
    """The installed family fontconfig substitutes for ``name`` (Liberation Sans for Arial), if any."""
    fc_match = shutil.which("fc-match")
    if not fc_match or not name.strip() or name.startswith("-"):
        return None
    try:
        done = subprocess.run([fc_match, "--format", "%{family[0]}", name.replace(":", " ")], capture_output=True,
                              text=True, timeout=20, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def is_generic(name: str) -> bool:
    return name.strip().lower() in GENERIC_FAMILIES


@lru_cache(maxsize=1)
def bundled_faces() -> tuple[Face, ...]:
    """DejaVu Sans from matplotlib's package data: always there, with ✓ ✗ and most scripts' glyphs."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return ()
    folder = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    names = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf")
    return tuple(faces_of(tuple(folder / name for name in names)))


def choose(faces: list[Face] | tuple[Face, ...], weight: int, italic: bool) -> tuple[Face, int]:
    """The face to use for ``weight``/``italic`` and the weight to instance it at (CSS-like matching:
    same style if there is one; a variable face covering the weight; else the nearest weight)."""
    styled = [f for f in faces if f.info.italic == italic] or list(faces)
    covering = [f for f in styled if f.covers(weight)]
    if covering:
        return covering[0], weight
    nearest = min(styled, key=lambda f: (min(abs(w - weight) for w in (f.info.weight_range or (f.info.weight,))), -f.info.weight))
    low, high = nearest.info.weight_range or (nearest.info.weight, nearest.info.weight)
    return nearest, min(max(weight, low), high)
