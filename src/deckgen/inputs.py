"""Reading input files: inside the project, hashed for the manifest and incremental builds."""

from __future__ import annotations

import hashlib
import os
import stat
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


def file_kind(path: Path) -> str | None:
    """None if nothing is at ``path``, else "file", "folder" or what else it is ("a device", "a named pipe"...)."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        return "unreadable"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"
