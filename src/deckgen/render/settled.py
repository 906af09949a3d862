"""Where a brief's page references ("See page N") landed when it was last laid out, kept beside the
chart cache (``.deckgen/pages/``), so that the next build starts from them: laid out once instead of
twice (once to find N, once to print it) when its pages have not moved.

What is kept is only a guess. The layout checks it, and a guess that does not hold (a page moved,
a damaged or foreign file) is thrown away and the brief laid out afresh, so the PDF is the same bytes
with or without it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

MAX_ENTRY_BYTES = 64_000
MAX_ENTRIES = 256
MAX_PAGE = 1_000_000


def folder_for(chart_cache: Path) -> Path:
    return chart_cache.parent / "pages"


def stored(chart_cache: Path | None, key: tuple) -> dict[str, int] | None:
    """The pages kept for ``key`` beside ``chart_cache``; None when there are none or they are unusable."""
    if chart_cache is None:
        return None
    from ..writing import read_entry

    entry = read_entry(_path(chart_cache, key), _text(key), MAX_ENTRY_BYTES)
    if entry is None:
        return None
    landed = entry.get("landed")
    if not isinstance(landed, dict) or not all(
            isinstance(target, str) and type(page) is int and 1 <= page <= MAX_PAGE for target, page in landed.items()):
        return None
    return landed


def store(chart_cache: Path | None, key: tuple, landed: dict[str, int]) -> None:
    """Keep where the targets landed; a folder that cannot be written only costs a layout pass."""
    from ..writing import trim_oldest, write_atomic

    if chart_cache is None:
        return
    folder = folder_for(chart_cache)
    try:
        write_atomic(_path(chart_cache, key), json.dumps({"key": _text(key), "landed": landed}, ensure_ascii=False,
                                                         sort_keys=True).encode(), durable=False)
        trim_oldest(folder, "*.json", MAX_ENTRIES)
    except OSError:
        pass


def _text(key: tuple) -> str:
    return json.dumps([str(part) for part in key], ensure_ascii=False)


def _path(chart_cache: Path, key: tuple) -> Path:
    return folder_for(chart_cache) / f"{hashlib.sha256(_text(key).encode()).hexdigest()}.json"
