"""Hyphenation patterns for reportlab: pyphen's dictionaries, parsed once per machine.

pyphen reads a language's dictionary (some 11,000 patterns for en_US) every time a process starts,
which took longer than laying out the investor brief's text. The patterns it makes are kept as JSON
in the user's cache folder, named by the pyphen version and the dictionary file's digest, and a
later build loads them in a fifth of the time. A pattern file that is missing, unreadable or not
what pyphen itself would make is made again; a dictionary whose patterns JSON cannot hold
(nonstandard hyphenation, as in Hungarian) is parsed every time, as pyphen does.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

MAX_PATTERN_BYTES = 20_000_000  # the largest of pyphen's dictionaries makes about 6 MB


def pyphen_for(language: str):
    """A ``pyphen.Pyphen`` for ``language`` (one pyphen has a dictionary for), its patterns from the
    cache where they are."""
    import pyphen

    path = pyphen.LANGUAGES[language]  # pyphen's own key for the dictionary
    if path not in pyphen.hdcache:
        cached = _cache_file(path, pyphen)
        patterns = _load(cached, pyphen) if cached is not None else None
        if patterns is None:
            patterns = pyphen.HyphDict(path)
            if cached is not None:
                _store(cached, patterns)
        pyphen.hdcache[path] = patterns
    return pyphen.Pyphen(lang=language)


def _cache_file(dictionary, pyphen) -> Path | None:
    from ..writing import user_cache

    try:
        digest = hashlib.sha256(dictionary.read_bytes()).hexdigest()[:16]
        version = getattr(pyphen, "VERSION", None) or getattr(pyphen, "__version__", "unknown")
        return user_cache("hyphenation") / f"{Path(dictionary.name).stem}-pyphen{version}-{digest}.json"
    except OSError:
        return None


def _load(cached: Path, pyphen):
    """The patterns kept in ``cached`` as a HyphDict, or None if they are not there or not sound."""
    try:
        if cached.stat().st_size > MAX_PATTERN_BYTES:
            return None
        kept = json.loads(cached.read_bytes())
        patterns = {key: (start, tuple(values)) for key, (start, values) in kept["patterns"].items()}
        if not all(type(key) is str and type(start) is int and all(type(v) is int for v in values)
                   for key, (start, values) in patterns.items()) or kept["maxlen"] != max(map(len, patterns)):
            return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    loaded = pyphen.HyphDict.__new__(pyphen.HyphDict)
    loaded.__dict__.update(patterns=patterns, cache={}, maxlen=kept["maxlen"])
    return loaded


def _store(cached: Path, parsed) -> None:
    """Keep ``parsed`` patterns if JSON holds all of them: the attributes of this pyphen's HyphDict
    are what is expected, and every value a plain number (no nonstandard hyphenation)."""
    from ..writing import write_atomic

    if set(vars(parsed)) != {"patterns", "cache", "maxlen"}:
        return
    if not all(type(v) is int for _, values in parsed.patterns.values() for v in values):
        return
    data = {"maxlen": parsed.maxlen, "patterns": {key: [start, list(values)] for key, (start, values) in parsed.patterns.items()}}
    try:
        write_atomic(cached, json.dumps(data, separators=(",", ":")).encode(), durable=False)
    except OSError:
        pass  # parsed again next time
