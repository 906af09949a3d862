"""Where a brief's page references ("See page N") landed when it was laid out, kept beside the chart
cache (``.deckgen/pages/``) by the hash of everything the brief was made of (``Checked.input_hash``),
so that a rebuild of exactly those inputs is laid out once instead of twice (once to find N, once to
print it).

Keyed by the inputs, not by the spec's name: from other inputs, a guess could hold although a layout
from no guess would settle elsewhere (a longer "See page 10" pushing its target onto page 10), and
the PDF would not be the bytes of a fresh build. The layout still checks what it is given: a
damaged or foreign entry is thrown away and the brief laid out afresh.
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


def stored(chart_cache: Path | None, inputs: str | None) -> dict[str, int] | None:
    """The pages kept for ``inputs`` beside ``chart_cache``; None when there are none or they are unusable."""
    if chart_cache is None or inputs is None:
        return None
    from ..writing import read_entry

    entry = read_entry(_path(chart_cache, inputs), inputs, MAX_ENTRY_BYTES)
    if entry is None:
        return None
    landed = entry.get("landed")
    if not isinstance(landed, dict) or not all(
            isinstance(target, str) and type(page) is int and 1 <= page <= MAX_PAGE for target, page in landed.items()):
        return None
    return landed


def store(chart_cache: Path | None, inputs: str | None, landed: dict[str, int]) -> None:
    """Keep where the targets landed; a folder that cannot be written only costs a layout pass."""
    from ..writing import trim_oldest, write_atomic

    if chart_cache is None or inputs is None:
        return
    folder = folder_for(chart_cache)
    try:
        write_atomic(_path(chart_cache, inputs), json.dumps({"key": inputs, "landed": landed}, ensure_ascii=False,
                                                            sort_keys=True).encode(), durable=False)
        trim_oldest(folder, "*.json", MAX_ENTRIES)
    except OSError:
        pass


def _path(chart_cache: Path, inputs: str) -> Path:
    return folder_for(chart_cache) / f"{hashlib.sha256(inputs.encode()).hexdigest()}.json"
