"""``deckgen init``: a new, working project from the starter that ships inside the package.

The starter (``deckgen/templates/starter/``) has a spec, figures with a breakdown, a CSV table,
sources, and a brand.yml with its fonts (and their licences) and logo. Its figures are made up and
labelled illustrative. ``create_project`` adds the JSON Schemas of the spec, data and brand files and
wires them up for editors (a ``yaml-language-server`` line in each file, and ``.vscode/settings.json``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from .errors import BuildError, UsageError, display_path

STARTER = ("templates", "starter")
SPEC = Path("specs/brief.yaml")
SCHEMAS = {"spec": "schemas/spec.schema.json", "data": "schemas/data.schema.json", "brand": "schemas/brand.schema.json"}
EDITOR_SETTINGS = Path(".vscode/settings.json")
# Which files each schema describes, for editors configured by .vscode/settings.json.
SCHEMA_GLOBS = {"spec": ["specs/*.yaml", "specs/*.yml"], "data": ["data/*.yaml", "data/**/*.yaml"], "brand": ["brand/brand.yml"]}


@dataclass(frozen=True)
class CreatedProject:
    root: Path
    spec: Path
    files: tuple[Path, ...]


def starter_files() -> dict[Path, bytes]:
    """Every file of the starter project, by its path relative to the project folder."""
    top = resources.files("deckgen")
    for part in STARTER:
        top = top.joinpath(part)
    found: dict[Path, bytes] = {}

    def walk(folder: Traversable, relative: Path) -> None:
        for entry in folder.iterdir():
            if entry.name == "__pycache__" or entry.name.endswith((".pyc", ".pyo")):
                continue
            if entry.is_dir():
                walk(entry, relative / entry.name)
            else:
                found[relative / entry.name] = entry.read_bytes()

    walk(top, Path())
    if SPEC not in found:
        raise BuildError(f"the starter project is missing from this installation of deckgen ({SPEC} not found)")
    return found


def generated_files() -> dict[Path, bytes]:
    """The JSON Schemas (from this deckgen's models) and the VS Code settings that point at them."""
    from .schema import schema_text

    files = {Path(path): (schema_text(kind) + "\n").encode() for kind, path in SCHEMAS.items()}
    settings = {"yaml.schemas": {f"./{SCHEMAS[kind]}": globs for kind, globs in SCHEMA_GLOBS.items()}}
    files[EDITOR_SETTINGS] = (json.dumps(settings, indent=2) + "\n").encode()
    return files


def create_project(target: Path | str) -> CreatedProject:
    """Write the starter project into ``target`` (created if needed). Never overwrites a file:
    if any file it would write exists already, nothing is written and UsageError names them."""
    root = Path(target)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{display_path(root)} exists and is not a folder")
    files = {**starter_files(), **generated_files()}
    clashes = sorted(display_path(root / relative) for relative in files if (root / relative).exists() or (root / relative).is_symlink())
    if clashes:
        shown = ", ".join(clashes[:5]) + (f" and {len(clashes) - 5} more" if len(clashes) > 5 else "")
        raise UsageError(f"refusing to overwrite existing files: {shown}; choose a new or empty folder")
    written = []
    try:
        for relative, data in sorted(files.items()):
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "xb") as handle:  # exclusive: never replaces a file that appeared meanwhile
                handle.write(data)
            written.append(path)
    except FileExistsError as exc:
        raise UsageError(f"refusing to overwrite {display_path(exc.filename)}") from None
    except OSError as exc:
        raise BuildError(f"could not write {display_path(exc.filename or root)}: {exc.strerror or exc}") from exc
    return CreatedProject(root=root, spec=root / SPEC, files=tuple(written))
