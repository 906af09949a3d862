"""The base of every model read from a user's file: unknown keys are errors, values are frozen."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .inputs import usable_path


# Every model defers building its validator to first use: a command builds only those it validates
# with (a build never needs the delivery models; --help and validate none of the renderer's).
class Strict(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, str_strip_whitespace=True)


def made_by_default(model: type[BaseModel]) -> Any:
    """A field whose default is `model()`, made when needed: an instance as the default would build the
    model's validator when the module is imported. The JSON Schema still shows the default."""
    def show_default(schema: dict[str, Any]) -> None:
        schema["default"] = model().model_dump(mode="json", by_alias=True)

    return Field(default_factory=model, json_schema_extra=show_default)


FilePath = Annotated[Path, AfterValidator(usable_path)]  # a path the operating system can open
