"""Reading input files: inside the project, hashed for the manifest and incremental builds."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

ROOT_MARKERS = (".git", "pyproject.toml", "deckgen.toml")


@dataclass(frozen=True)
class InputFile:
    role: str  # spec | brand | figures | sources | table | database | font | logo
    path: Path
    sha256: str  # a database's: of the rows its query read (and the query and params)
    origin: dict | None = field(default=None, compare=False, hash=False)  # a database's: as the manifest records it


MAX_NAME_BYTES = 255  # a file or folder name (NAME_MAX on Linux and macOS)
MAX_PATH_BYTES = 4000  # a whole path (under PATH_MAX)


def usable_path(path: Path) -> Path:
    """``path`` unchanged if the operating system can open it; else ValueError (for a spec's paths)."""
    if any(len(os.fsencode(part)) > MAX_NAME_BYTES for part in path.parts):
        raise ValueError(f"a file or folder name in this path is longer than {MAX_NAME_BYTES} bytes")
    if len(os.fsencode(str(path))) > MAX_PATH_BYTES:
        raise ValueError(f"the path is longer than {MAX_PATH_BYTES} bytes")
    return path



def sha256_file(path: Path) -> str:
    """The file's sha256. Kept in the process while the file's identity (device, inode, size,
    modification and change times) stays the same, as git's index keeps a file's hash: every variant
    of a brief hashes the same fonts and data. A file changed less than two seconds before it was
    read is hashed every time, since a change within a file system's timestamp granularity would
    leave its times as they were."""
    with open(path, "rb") as file:  # opened first: a network file system revalidates what stat reports
        before = os.fstat(file.fileno())
        key = os.fspath(path)
        identity = (before.st_dev, before.st_ino, before.st_size, before.st_mtime_ns, before.st_ctime_ns)
        kept = _DIGESTS.get(key)
        if kept is not None and kept[0] == identity:
            return kept[1]
        data = file.read()
        after = os.fstat(file.fileno())
    digest = hashlib.sha256(data).hexdigest()
    settled = time.time_ns() - max(before.st_mtime_ns, before.st_ctime_ns) > SETTLED_NS
    if settled and stat.S_ISREG(before.st_mode) and len(data) == before.st_size:
        if (after.st_dev, after.st_ino, after.st_size, after.st_mtime_ns, after.st_ctime_ns) == identity:
            if len(_DIGESTS) >= MAX_DIGESTS_KEPT:
                _DIGESTS.clear()
            _DIGESTS[key] = (identity, digest)
    return digest


SETTLED_NS = 2_000_000_000
MAX_DIGESTS_KEPT = 4096
_DIGESTS: dict[str, tuple[tuple[int, ...], str]] = {}


_RESOLVED: ContextVar[dict[Path, Path] | None] = ContextVar("deckgen_resolved_paths", default=None)


@contextmanager
def paths_resolved_once():
    """Within the block, ``resolved`` follows each path's symbolic links once: a check asks for the
    same few paths dozens of times (is it inside the project, what is it relative to it, is it an
    input), and each ``Path.resolve`` reads every folder on the way. The memo ends with the block,
    so each check (each variant of a burst) follows the links as they are when it runs."""
    token = _RESOLVED.set({})
    try:
        yield
    finally:
        _RESOLVED.reset(token)


def resolved(path: Path) -> Path:
    """``path.resolve()``; inside ``paths_resolved_once``, once per path."""
    memo = _RESOLVED.get()
    if memo is None:
        return path.resolve()
    found = memo.get(path)
    if found is None:
        found = memo[path] = path.resolve()
    return found


def project_root(spec_path: Path) -> Path:
    """The nearest folder above the spec with a project marker; else the folder above the spec's."""
    spec_dir = resolved(spec_path).parent
    for folder in (spec_dir, *spec_dir.parents):
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return spec_dir.parent


def inside(path: Path, root: Path) -> bool:
    return resolved(path).is_relative_to(resolved(root))


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
