"""The brief's font families from the brand's typography: declared files checked and made
embeddable, other sources looked up, substitutes chosen (and said so), weights instanced."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..yamlsrc import Loc
from .files import AssetError, read_regular_file, present
from .findings import Findings
from .fontfiles import MAX_FONT_BYTES, FontInfo, describe, embeddable
from .fontlookup import (BUNDLED_FAMILY, Face, bundled_faces, choose, find_family, generic_family, installed_alias,
                         is_generic)
from .models import Brand, FontSource


@dataclass(frozen=True)
class FontFamily:
    """Four embeddable TrueType files (converted or instanced where needed) and what they came from."""

    name: str
    regular: Path
    bold: Path
    italic: Path
    bold_italic: Path
    sources: tuple[Path, ...] = ()

    @property
    def files(self) -> tuple[Path, ...]:
        return (self.regular, self.bold, self.italic, self.bold_italic)


class BrandFonts:
    def __init__(self, brand: Brand, findings: Findings, base: Path, root: Path | None):
        self.brand, self.findings, self.base, self.root = brand, findings, base, root
        self.warned_fonts: set[str] = set()
        self.described: dict[Path, FontInfo] = {}
        self.unusable: set[Path] = set()  # font files already reported

    def font_folders(self) -> tuple[Path, ...]:
        folders = [self.base / "fonts"]
        if self.root is not None:
            folders += [self.root / "fonts", self.root / "assets" / "fonts"]
        return tuple(dict.fromkeys(f.resolve() for f in folders))

    def declared(self, family: str) -> tuple[int, FontSource] | None:
        for index, source in enumerate(self.brand.typography.fonts):
            if source.family.strip().lower() == family.strip().lower():
                return index, source
        return None

    def check_declared_files(self, family: str) -> None:
        found = self.declared(family)
        if found and found[1].source == "file":
            self.file_faces(*found)

    def file_faces(self, index: int, source: FontSource) -> list[Face]:
        faces = []
        for number, entry in enumerate(source.files):
            loc = ("typography", "fonts", index, "files", number)
            if re.match(r"^[a-z][a-z0-9+.-]*://", entry.path, re.IGNORECASE):
                self.findings.warn(loc, f"font file {entry.path} is a URL; deckgen downloads nothing", "add the file to the project")
                continue
            path = (self.base / entry.path).resolve()
            if self.root is not None and not path.is_relative_to(self.root.resolve()):
                self.findings.error(loc, f"font file points outside the project ({self.root}): {Path(entry.path).name}",
                           "copy the font into the project")
                continue
            if path in self.unusable:
                continue
            if not present(path):
                self.unusable.add(path)
                self.findings.warn(loc, f"font file not found: {entry.path}; '{source.family}' falls back to another font",
                          "add the file or fix the path")
                continue
            try:
                if path not in self.described:
                    self.described[path] = describe(read_regular_file(path, MAX_FONT_BYTES, "font"), path.name)
                info = self.described[path]
            except AssetError as exc:
                self.unusable.add(path)
                self.findings.error(loc, str(exc))
                continue
            low, high = (min(entry.weight), max(entry.weight)) if entry.weight else (info.weight, info.weight)
            weight_range = info.weight_range or ((low, high) if low != high else None)
            weight = info.weight if info.weight_range else low
            faces.append(Face(path, FontInfo(source.family, weight, weight_range, entry.style != "normal", info.kind)))
        return faces

    def family(self, family: str | None, loc: Loc, regular: int, bold: int, role: str = "body") -> FontFamily:
        """The family named by ``family`` (a CSS list: the first that can be had wins) at two weights."""
        wanted = [part.strip().strip("'\"") for part in (family or "").split(",") if part.strip()]
        shown_loc = loc + ("family",)
        faces: list[Face] = []
        used = None
        for name in wanted:
            faces = self.faces_for(name, shown_loc)
            if faces:
                used = faces[0].info.family if is_generic(name) else name
                break
        if not wanted:
            faces, used = list(bundled_faces()), BUNDLED_FAMILY
        elif not faces:
            alias = installed_alias(wanted[0])  # fontconfig's substitute, e.g. Liberation Sans for Arial
            faces = find_family(alias, ()) if alias else []
            if not faces:
                faces, alias = list(bundled_faces()), BUNDLED_FAMILY
            used = alias
            self.substituted(wanted[0], used, shown_loc)
        elif used != wanted[0]:
            self.substituted(wanted[0], used, shown_loc)
        if not faces:
            self.findings.error(shown_loc, "no font could be found, not even deckgen's bundled default")
            return FontFamily(used or "", Path(), Path(), Path(), Path())
        return self.instances(used, faces, regular, bold, shown_loc, role)

    def faces_for(self, name: str, loc: Loc) -> list[Face]:
        declared = self.declared(name)
        if declared and declared[1].source == "file":
            return self.file_faces(*declared)
        if is_generic(name):
            installed = generic_family(name)
            faces = find_family(installed, ()) if installed else []
            return [Face(f.path, FontInfo(installed, *_rest(f.info))) for f in faces]
        return find_family(name, self.font_folders())

    def substituted(self, wanted: str, used: str, loc: Loc) -> None:
        if wanted in self.warned_fonts:
            return
        self.warned_fonts.add(wanted)
        declared = self.declared(wanted)
        source = declared[1].source if declared else "system"
        why = {"google": "is a Google font, which cannot be downloaded at build time",
               "bunny": "is a Bunny font, which cannot be downloaded at build time",
               "file": "has no usable files"}.get(source, "is not installed")
        self.findings.warn(loc, f"font '{wanted}' {why} and is not in the project's fonts/ folder or on this system; "
                       f"using '{used}' instead",
                  "put its .ttf/.otf/.woff2 files in fonts/ beside brand.yml, or install it")

    def instances(self, name: str, faces: list[Face], regular: int, bold: int, loc: Loc, role: str) -> FontFamily:
        paths = []
        for weight, italic in ((regular, False), (bold, False), (regular, True), (bold, True)):
            face, at = choose(faces, weight, italic)
            label = f"{name}-{at}{'Italic' if italic else ''}"
            try:
                paths.append(embeddable(face.path, at, label))
            except AssetError as exc:
                self.findings.error(loc, str(exc))
                paths.append(face.path)
        chosen_bold, at = choose(faces, bold, False)
        if role != "symbols" and bold >= 600 and at < 600 and name not in self.warned_fonts and not self.unusable:
            self.warned_fonts.add(name)
            self.findings.warn(loc, f"font '{name}' has no bold face (only weight {at}); {role} will not look bold",
                      "add its bold file or a variable font")
        return FontFamily(name, *paths, sources=tuple(sorted({f.path for f in faces})))

    def bundled(self) -> FontFamily:
        return self.instances(BUNDLED_FAMILY, list(bundled_faces()), 400, 700, (), "symbols")


def _rest(info: FontInfo) -> tuple:
    return info.weight, info.weight_range, info.italic, info.kind
