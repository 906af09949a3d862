"""Reading input files: inside the project, hashed for the manifest and incremental builds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

ROOT_MARKERS = (".git", "pyproject.toml", "deckgen.toml")


@dataclass(frozen=True)
class InputFile:
    role: str  # spec | brand | figures | sources | table | font | logo
    path: Path
    sha256: str


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def project_root(spec_path: Path) -> Path:
    """The nearest folder above the spec with a project marker; else the folder above the spec's."""
    spec_dir = spec_path.resolve().parent
    for folder in (spec_dir, *spec_dir.parents):
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return spec_dir.parent


def inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())
