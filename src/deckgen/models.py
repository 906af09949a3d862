"""The base of every model read from a user's file: unknown keys are errors, values are frozen."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from .inputs import usable_path


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


FilePath = Annotated[Path, AfterValidator(usable_path)]  # a path the operating system can open
