"""deckgen's own bytecode is kept in the user's cache when Python may not write it beside the modules
(PYTHONDONTWRITEBYTECODE=1, a read-only install), and never written into the install."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

# Counts the deckgen modules Python compiles from source while importing the command line.
PROBE = """
import builtins, sys
compiled = []
real_compile = builtins.compile
def counting_compile(source, filename, *args, **kwargs):
    if isinstance(filename, str) and "deckgen" in filename:
        compiled.append(filename)
    return real_compile(source, filename, *args, **kwargs)
builtins.compile = counting_compile
sys.path.insert(0, sys.argv[1])
import deckgen.cli, deckgen.spec
print(len(compiled))
print(deckgen.cli.__spec__.loader.__class__.__name__)
"""


def _run(source_root: Path, cache: Path, **extra_env) -> tuple[int, str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "XDG_CACHE_HOME": str(cache), **extra_env}
    env.pop("PYTHONPYCACHEPREFIX", None)
    done = subprocess.run([sys.executable, "-c", PROBE, str(source_root)], env=env, capture_output=True, text=True, check=True)
    count, loader = done.stdout.split()
    return int(count), loader


def _copy_of_the_package(tmp_path: Path) -> Path:
    root = tmp_path / "install"
    shutil.copytree(REPO / "src" / "deckgen", root / "deckgen", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_bytecode_is_kept_in_the_user_cache_when_python_may_not_write_it(tmp_path):
    root, cache = _copy_of_the_package(tmp_path), tmp_path / "cache"

    first, loader = _run(root, cache)
    assert loader == "CachedSourceLoader"
    assert first > 10  # the command line and the spec models, compiled once
    stored = list((cache / "deckgen" / "bytecode").rglob("*.pyc"))
    assert len(stored) == first - 2  # all but the package's __init__ and the cache's own module, which come first

    second, _ = _run(root, cache)
    assert second == 2  # only deckgen/__init__.py and deckgen/bytecode.py, which come before the cache
    assert not list(root.rglob("__pycache__")), "nothing is written into the install"


def test_an_edited_module_is_compiled_again(tmp_path):
    root, cache = _copy_of_the_package(tmp_path), tmp_path / "cache"
    _run(root, cache)
    errors = root / "deckgen" / "errors.py"
    errors.write_text(errors.read_text("utf-8") + "\nEDITED = True\n", "utf-8")
    os.utime(errors, (1_900_000_000, 1_900_000_000))

    again, _ = _run(root, cache)
    assert again == 3  # __init__.py, bytecode.py and the edited errors.py
    probe = "import sys; sys.path.insert(0, sys.argv[1]); import deckgen.errors; print(deckgen.errors.EDITED)"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "XDG_CACHE_HOME": str(cache)}
    shown = subprocess.run([sys.executable, "-c", probe, str(root)], env=env, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "True"


def test_a_damaged_or_unwritable_cache_is_only_slower(tmp_path):
    root, cache = _copy_of_the_package(tmp_path), tmp_path / "cache"
    _run(root, cache)
    for stored in (cache / "deckgen" / "bytecode").rglob("*.pyc"):
        stored.write_bytes(stored.read_bytes()[:20])  # a right header, then garbage
    damaged, _ = _run(root, cache)
    assert damaged > 10

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    count, loader = _run(root, blocked)
    assert loader == "CachedSourceLoader" and count > 10


def test_a_writable_install_with_bytecode_allowed_is_left_to_python(tmp_path):
    root, cache = _copy_of_the_package(tmp_path), tmp_path / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    probe = "import sys; sys.path.insert(0, sys.argv[1]); import deckgen.cli; print(deckgen.cli.__spec__.loader.__class__.__name__)"
    done = subprocess.run([sys.executable, "-c", probe, str(root)], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "SourceFileLoader"
    assert list(root.rglob("__pycache__/*.pyc"))
    assert not (cache / "deckgen" / "bytecode").exists()
