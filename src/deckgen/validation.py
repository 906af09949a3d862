"""pydantic's validation errors as located problems: the file, line and column of the key, what is
wrong and, where it helps, a did-you-mean hint. Used for the spec, its data files and the brand file;
it knows no model of its own (the caller passes the model, and the spec its section types)."""

from __future__ import annotations

import difflib
from typing import Any, Mapping, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .errors import Mark, Problem
from .yamlsrc import Document, Loc

COMMAND_LINE = "<command line>"  # the file of a problem in what --set gave


def validation_problems(
    error: ValidationError, document: Document, prefix: Loc = (), *, model: type[BaseModel],
    tagged: Mapping[str, type[BaseModel]] | None = None,
) -> list[Problem]:
    """pydantic errors -> one located Problem each, with a did-you-mean hint where it helps.

    ``model`` validated the document; ``tagged``: the section models by their ``type`` tag (the spec's
    union of sections), for the keys a section allows and the section types known."""
    tagged = tagged or {}
    section_types = tuple(tagged)
    problems = []
    for item in error.errors(include_url=False):
        loc = prefix + tuple(item["loc"])
        kind = item["type"]
        shown = ".".join(str(p) for p in _display_loc(loc, document))
        hint = (item.get("ctx") or {}).get("hint")  # a validator's own hint (PydanticCustomError)
        if kind == "extra_forbidden":
            mark = document.mark(loc, key=True)
            allowed = _allowed_keys(model, loc[:-1], tagged)
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            message = f"unknown key '{loc[-1]}'"
            hint = f"did you mean '{close[0]}'?" if close else (f"allowed: {', '.join(allowed)}" if allowed else None)
            if not close and " " in str(loc[-1]).strip():  # {label: Capacity, June 2026}: the comma split the value
                hint = "a comma inside { } starts a new key: put the previous value in quotes"
        elif kind == "missing":
            mark = document.mark(loc[:-1])
            message = f"missing required key '{loc[-1]}'" + (f" in {'.'.join(map(str, _display_loc(loc[:-1], document)))}" if loc[:-1] else "")
        elif kind == "union_tag_invalid":
            mark = document.mark(loc + ("type",))
            tag = item["ctx"].get("tag")
            close = difflib.get_close_matches(str(tag), section_types, n=1)
            message = f"unknown section type '{tag}'"
            hint = f"did you mean '{close[0]}'?" if close else f"known types: {', '.join(section_types)}"
        elif kind == "union_tag_not_found":
            mark = document.mark(loc)
            message = f"section needs a 'type' (one of: {', '.join(section_types)})"
        elif document.nearest(loc) in document.overridden:
            mark = Mark(COMMAND_LINE, 0, 0)
            message = f"{document.overridden[document.nearest(loc)]}: {_clean(item['msg'])}"
        else:
            mark = document.mark(loc)
            message = f"{shown}: {_clean(item['msg'])}" if shown else _clean(item["msg"])
        problems.append(Problem.at(mark, message, hint))
    return problems


def _display_loc(loc: Loc, document: Document) -> Loc:
    return document.nearest(loc) if document.nearest(loc) else tuple(p for p in loc if not str(p).startswith("function-"))


def _clean(message: str) -> str:
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _allowed_keys(model: type[BaseModel], loc: Loc, tagged: Mapping[str, type[BaseModel]]) -> list[str]:
    found = _model_at(model, loc, tagged)
    return sorted(field.alias or name for name, field in found.model_fields.items()) if found else []


def _model_at(model: type[BaseModel], loc: Loc, tagged: Mapping[str, type[BaseModel]]) -> type[BaseModel] | None:
    """The pydantic model class that validates the mapping at ``loc`` (for did-you-mean hints)."""
    current: Any = model
    parts = list(loc)
    while parts:
        part = parts.pop(0)
        if isinstance(part, int) or (isinstance(current, type) and part == current.__name__):
            continue  # a list index, or the tag of a union member (data.<name>.Dataset...)
        if part in tagged and current is not None and not (isinstance(current, type) and part in getattr(current, "model_fields", {})):
            current = tagged[part]  # the tag pydantic puts in union locations
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or part not in current.model_fields:
            return None
        annotation = current.model_fields[part].annotation
        if _is_mapping(annotation) and parts:
            parts.pop(0)  # the next part is a key of the mapping (a figure's name), not a field
        current = _innermost_model(annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _is_mapping(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is dict:
        return True
    return any(_is_mapping(arg) for arg in get_args(annotation)) if origin is not None else False


def _innermost_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _innermost_model(arg)
        if found is not None:
            return found
    return None
