"""deckgen: a YAML report spec and its data in, a branded PDF brief out."""

from . import bytecode as _bytecode

_bytecode.install(__path__[0])


def __getattr__(name: str) -> str:
    # __version__ is the installed distribution's version (pyproject.toml's, one per CHANGELOG.md
    # release), looked up on first use: importlib.metadata would cost `deckgen --help` 20-30 ms.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("deckgen")
        except PackageNotFoundError:  # imported from a source tree that was never installed
            found = "0+unknown"
        globals()["__version__"] = found
        return found
    raise AttributeError(f"module 'deckgen' has no attribute {name!r}")
