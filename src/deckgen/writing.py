"""Writing a file whole or not at all (the PDF, its manifest, cached charts, converted fonts), and
the user's cache folder for what deckgen derives from installed files."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write to a temporary file beside ``path`` and rename it into place: readers never see half a file,
    and a crash leaves either the old file or the new one (the file and folder are synced, unless
    ``durable`` is false: a cache entry lost in a crash is only made again)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    if durable:
        _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); where folders cannot be opened, do nothing."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def read_entry(path: Path, key: str, max_bytes: int) -> dict | None:
    """A cache entry deckgen wrote with ``write_atomic``: the JSON object in ``path`` whose "key" is
    ``key``; None when there is none, or it is too large, damaged or another key's (made again)."""
    try:
        if not path.is_file() or path.stat().st_size > max_bytes:
            return None
        entry = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) and entry.get("key") == key else None


def trim_oldest(folder: Path, pattern: str, keep: int) -> None:
    """Delete the least recently modified files matching ``pattern`` in ``folder`` beyond the newest ``keep``."""
    entries = sorted(folder.glob(pattern), key=lambda path: path.stat().st_mtime)
    for stale in entries[: max(0, len(entries) - keep)]:
        stale.unlink(missing_ok=True)


def user_cache(kind: str) -> Path:
    """Where deckgen keeps ``kind`` (fonts, hyphenation): $DECKGEN_CACHE/deckgen/kind, else
    $XDG_CACHE_HOME/deckgen/kind, else ~/.cache/deckgen/kind; a private folder under the temporary
    directory if that is not writable."""
    base = os.environ.get("DECKGEN_CACHE") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    preferred = Path(base) / "deckgen" / kind
    try:
        preferred.mkdir(parents=True, exist_ok=True)
        if os.access(preferred, os.W_OK | os.X_OK):
            return preferred
    except OSError:
        pass
    user = os.getuid() if hasattr(os, "getuid") else "user"
    fallback = Path(tempfile.gettempdir()) / f"deckgen-{kind}-{user}"
    try:
        fallback.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError:
        return Path(tempfile.mkdtemp(prefix=f"deckgen-{kind}-"))
    if not _private_folder(fallback):
        # another local user made (or replaced) it, and could plant chart or font entries in it: not ours to trust
        return Path(tempfile.mkdtemp(prefix=f"deckgen-{kind}-"))
    return fallback


def _private_folder(path: Path) -> bool:
    """Whether ``path`` is a real folder (not a link) of this user's that no one else may write to."""
    import stat

    try:
        found = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(found.st_mode) or found.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return False
    return not hasattr(os, "getuid") or found.st_uid == os.getuid()
