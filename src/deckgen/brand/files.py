"""Opening brand assets (fonts, logos) safely: regular files only, sizes bounded, never blocking."""

from __future__ import annotations

import os
import stat
from pathlib import Path


class AssetError(ValueError):
    """Why a font or logo file cannot be used; the message names the file and says how to fix it."""


def read_regular_file(path: Path, limit: int, what: str) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes; OSError-safe.

    Opened non-blocking and checked again after opening, so a FIFO or device swapped in never hangs.
    """
    name = printable(path.name)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise AssetError(f"{what} file not found: {name}") from None
    except OSError as exc:
        raise AssetError(f"cannot read {what} file {name}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise AssetError(f"{what} {name} is not a regular file (a folder, FIFO or device); point at a file")
    if info.st_size > limit:
        raise AssetError(f"{what} file {name} is {info.st_size:,} bytes, more than the limit of {limit:,}")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise AssetError(f"cannot read {what} file {name}: {exc.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise AssetError(f"{what} {name} is not a regular file; point at a file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise AssetError(f"cannot read {what} file {name}: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise AssetError(f"{what} file {name} is larger than the limit of {limit:,} bytes")
    return data


def printable(text: str, limit: int = 80) -> str:
    """A library's error text made safe to print: control characters escaped, length bounded."""
    text = text[:limit]
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def present(path: Path) -> bool:
    """Whether anything (even a broken link or a FIFO) is at ``path``; an unusable name (too long)
    counts as present, so that reading it reports why."""
    try:
        return path.exists() or path.is_symlink()
    except (OSError, ValueError):
        return True
