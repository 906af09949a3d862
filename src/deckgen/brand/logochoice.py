"""The brief's logo from the brand's: the size and variant a printed masthead wants, its file
checked (inside the project, a regular file, SVG sandboxed, images decoded within limits)."""

from __future__ import annotations

import re
from pathlib import Path

from ..yamlsrc import Loc
from .files import AssetError, present, read_regular_file
from .findings import Findings
from .logos import MAX_LOGO_BYTES, check_logo, is_pale
from .models import Brand


class BrandLogo:
    def __init__(self, brand: Brand, findings: Findings, base: Path, root: Path | None):
        self.brand, self.findings, self.base, self.root = brand, findings, base, root

    def choose(self) -> tuple[Path | None, str | None]:
        logo = self.brand.logo
        if logo is None:
            return None, None
        for size in ("medium", "large", "small"):
            variant = getattr(logo, size)
            if variant is None:
                continue
            part = "light" if variant.light is not None else "dark"
            image = variant.light or variant.dark
            loc = ("logo", size, part, "path")
            if image is None:
                continue
            if image.path in logo.images:
                loc = ("logo", "images", image.path, "path")
                named = logo.images[image.path]
                image = type(image)(path=named.path, alt=image.alt or named.alt)
            return self.logo_file(image.path, loc), image.alt
        if logo.images:
            name, image = next(iter(logo.images.items()))
            return self.logo_file(image.path, ("logo", "images", name, "path")), image.alt
        return None, None

    def logo_file(self, text: str, loc: Loc) -> Path | None:
        if re.match(r"^[a-z][a-z0-9+.-]*:", text, re.IGNORECASE) and not re.match(r"^[a-z]:[\\/]", text, re.IGNORECASE):
            self.findings.warn(loc, f"logo '{text}' is a URL; deckgen downloads nothing, so the brief has no logo",
                      "add the logo file to the project")
            return None
        path = (self.base / text).resolve()
        if self.root is not None and not path.is_relative_to(self.root.resolve()):
            self.findings.error(loc, f"logo file points outside the project ({self.root}): {Path(text).name}",
                       "copy the logo into the project")
            return None
        if not present(path):
            self.findings.warn(loc, f"logo file not found: {text}; the brief is built without a logo", "add the file or fix the path")
            return None
        try:
            data = read_regular_file(path, MAX_LOGO_BYTES, "logo")
            kind = check_logo(data, path.name)
        except AssetError as exc:
            self.findings.error(loc, str(exc))
            return None
        if is_pale(data, kind):
            self.findings.warn(loc, f"logo {path.name} is white or nearly so (made for dark backgrounds) and will not "
                                    "show on the white page", "point the logo's light: variant at a dark-on-light version")
        return path
