"""The chart cache: a chart's drawing operations, stored under its content's hash.

A chart is drawn again only when something that decides its look changes: its data, the style
(fonts, sizes, colours), its width, or the versions of deckgen and matplotlib. Entries live in
``<output folder>/.deckgen/charts/`` as JSON (never pickle: nothing read back can run code), are
checked as they are read, and are written atomically. A build with and without the cache writes
the same bytes: a cache hit replays exactly the operations a fresh drawing records.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from .chart_backend import OPS_VERSION

MAX_ENTRIES = 2_000
MAX_ENTRY_BYTES = 20_000_000
MAX_IN_MEMORY = 256
_IN_MEMORY: dict[str, tuple[float, list]] = {}  # a warm process (preview --watch) skips even the file


@lru_cache(maxsize=1)
def _versions() -> str:
    """What a chart's look depends on besides its data: matplotlib's version and deckgen's drawing
    code itself (hashed, so an edited kind or axis rule never replays a stale drawing)."""
    from ..editions import versions  # the installed versions, read once per process for the manifest too

    matplotlib_version = versions()["matplotlib"]
    package = Path(__file__).resolve().parent.parent
    code = hashlib.sha256()
    for path in sorted([*package.glob("charts/**/*.py"), *package.glob("render/chart_*.py"),
                        package / "render" / "charts.py", package / "formatting.py", package / "units.py"]):
        code.update(path.name.encode() + path.read_bytes())
    return f"matplotlib {matplotlib_version}; ops {OPS_VERSION}; code {code.hexdigest()[:16]}"


def key(data: Any, style: Any, colours: list[str], width: float) -> str:
    """The content hash of everything that decides how a chart looks."""
    text = repr((_versions(), data, style, tuple(colours), round(width, 3)))
    return hashlib.sha256(text.encode()).hexdigest()


def remembered(digest: str) -> tuple[float, list] | None:
    return _IN_MEMORY.get(digest)


def remember(digest: str, height: float, ops: list) -> None:
    if len(_IN_MEMORY) >= MAX_IN_MEMORY:
        _IN_MEMORY.pop(next(iter(_IN_MEMORY)))
    _IN_MEMORY[digest] = (height, ops)


def load(folder: Path, digest: str) -> tuple[float, list] | None:
    from ..writing import read_entry

    path = folder / f"{digest}.json"
    entry = read_entry(path, digest, MAX_ENTRY_BYTES)
    if entry is None or not (isinstance(entry.get("ops"), list) and isinstance(entry.get("height"), (int, float))):
        return None
    try:
        os.utime(path)  # recently used: kept when the cache is trimmed
    except OSError:
        pass
    return float(entry["height"]), entry["ops"]


def store(folder: Path, digest: str, height: float, ops: list) -> None:
    """Keep a chart's operations; a cache that cannot be written only costs time, never a build."""
    from ..writing import trim_oldest, write_atomic

    try:
        write_atomic(folder / f"{digest}.json", json.dumps({"key": digest, "height": height, "ops": ops},
                                                           separators=(",", ":"), ensure_ascii=False).encode(),
                     durable=False)
        trim_oldest(folder, "*.json", MAX_ENTRIES)
    except OSError:
        pass
