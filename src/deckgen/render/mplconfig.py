"""A writable matplotlib config and cache folder, chosen before matplotlib is imported.

Under cron or systemd, HOME is often read-only (or missing). matplotlib then falls back to a fresh
temporary folder on every run, warns on stderr ("Matplotlib created a temporary cache directory")
and rebuilds its font cache each time. deckgen points ``MPLCONFIGDIR`` at a folder it can write
instead, and keeps it between runs so the font cache is built once.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def _writable(folder: Path) -> bool:
    """True if ``folder`` is (or could be made) a writable folder: the test matplotlib itself applies.
    Trying is the only reliable test (root passes ``os.access`` on folders it still cannot write)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def _matplotlib_defaults() -> tuple[Path, Path]:
    """Where matplotlib would put its config and its cache (XDG rules, as matplotlib applies them)."""
    home = Path(os.path.expanduser("~"))
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / "matplotlib"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "matplotlib"
    return config, cache


def _own_private_folder(folder: Path) -> bool:
    """Create ``folder`` (mode 0700) if needed; True if it is a real folder that this user owns and can write."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return False
    owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_ISDIR(info.st_mode) and owned and os.access(folder, os.W_OK | os.X_OK)


def ensure_matplotlib_config_dir() -> Path | None:
    """Set ``MPLCONFIGDIR`` when matplotlib's own choice is not writable; return the folder set, if any.

    Leaves an explicit ``MPLCONFIGDIR`` alone. When only the cache folder is writable, config and cache
    both go there. Otherwise the fallback is ``<temp>/deckgen-matplotlib-<uid>``,
    private to the user and reused by later runs (so the font cache survives); if that cannot be made
    safely (someone else owns it), a fresh private temporary folder.
    """
    if os.environ.get("MPLCONFIGDIR"):
        return None
    config, cache = _matplotlib_defaults()
    if _writable(config) and _writable(cache):
        return None
    if _writable(cache):  # e.g. HOME read-only but XDG_CACHE_HOME set to a writable folder (systemd CacheDirectory=)
        os.environ["MPLCONFIGDIR"] = str(cache)
        return cache
    uid = os.getuid() if hasattr(os, "getuid") else os.getpid()
    folder = Path(tempfile.gettempdir()) / f"deckgen-matplotlib-{uid}"
    if not _own_private_folder(folder):
        folder = Path(tempfile.mkdtemp(prefix="deckgen-matplotlib-"))
    os.environ["MPLCONFIGDIR"] = str(folder)
    return folder
