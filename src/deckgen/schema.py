"""JSON Schemas of the files deckgen reads, generated from the pydantic models that validate them.

Never written by hand: a new section type or key shows up here as soon as its model exists. Editors
(VS Code, Neovim, JetBrains, via yaml-language-server) use them for completion and checking.
"""

from __future__ import annotations

import json
from typing import Any, Literal, Union

from pydantic import TypeAdapter

SchemaKind = Literal["spec", "data", "brand"]
KINDS: tuple[str, ...] = ("spec", "data", "brand")
DIALECT = "https://json-schema.org/draft/2020-12/schema"

_TITLES = {
    "spec": "deckgen report spec",
    "data": "deckgen data file (figures and breakdowns, or sources)",
    "brand": "brand.yml, as deckgen reads it",
}


def _model(kind: str) -> Any:
    if kind == "spec":
        from .spec import Spec

        return Spec
    if kind == "data":
        from .figures import FiguresFile, SourcesFile

        return Union[FiguresFile, SourcesFile]
    if kind == "brand":
        from .brand.models import Brand

        return Brand
    raise ValueError(f"unknown schema '{kind}': choose one of {', '.join(KINDS)}")


def json_schema(kind: SchemaKind | str = "spec") -> dict:
    """The JSON Schema (draft 2020-12) for a spec, a data file or a brand file."""
    generated = TypeAdapter(_model(kind)).json_schema(mode="validation")
    generated.pop("title", None)
    if kind == "brand":
        generated = _accept_shorthands(generated)
    return {"$schema": DIALECT, "title": _TITLES[kind], **generated}


_SHORTHAND = {"type": ["string", "number", "boolean", "array", "null"]}


def _accept_shorthands(node: Any) -> Any:
    """brand.yml lets most values be written short (a logo as a path, a weight as 400 or a list, a
    colour as a name), which the models expand before validating. In the schema, every value may
    therefore also be a plain value or a list; mappings are still checked key by key, so a
    misspelt key is still an error."""
    if isinstance(node, dict):
        result = {key: _accept_shorthands(value) for key, value in node.items()}
        for key in ("properties",):
            if isinstance(result.get(key), dict):
                result[key] = {name: {"anyOf": [value, _SHORTHAND]} for name, value in result[key].items()}
        if isinstance(result.get("additionalProperties"), dict):
            result["additionalProperties"] = {"anyOf": [result["additionalProperties"], _SHORTHAND]}
        return result
    if isinstance(node, list):
        return [_accept_shorthands(item) for item in node]
    return node


def schema_text(kind: SchemaKind | str = "spec") -> str:
    """``json_schema`` as stable, indented JSON text (what ``deckgen schema`` prints)."""
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False, sort_keys=False)
