"""The report spec: YAML -> validated, immutable pydantic models, errors located at FILE:LINE:COL."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, ValidationInfo, WithJsonSchema,
                      field_validator, model_validator)
from pydantic_core import PydanticCustomError

from .dates import DATE_KEYWORDS, TodayError, resolve_keyword, today

from .delivery.model import DeliverySpec
from .errors import Mark, Problem, SpecError, control_character, describe_character
from .figures import check_names, check_source_id
from .models import FilePath, Strict, made_by_default
from .tables import ColumnKind, ColumnSpec
from .formatting import check_locale
from .inputs import resolved
from .sections import AnySection, SECTION_MODELS, SECTION_TYPES
from .sources import WORKBOOK_SUFFIXES
from .validation import COMMAND_LINE, validation_problems as located_problems
from .yamlsrc import Document, Loc, load_yaml, parse_yaml

_QUERY_KEYS = ("database", "url_env", "query", "params")  # what a database dataset has that a file has not
_ISO_DATE = re.compile(r"^\d{4}-")  # a date as written (or meant to be): pydantic says what is wrong with it


ParamValue = str | int | float | bool | dt.date | None


class Dataset(Strict):
    """Data the spec draws on: a file (CSV, workbook, YAML) or a database query. Tables may declare
    column types and provenance; every table source becomes the same typed table (see ``sources``)."""

    path: FilePath | None = None  # a CSV, a workbook (.xlsx, .xlsm, .ods) or a YAML data file
    sheet: str | None = Field(default=None, min_length=1, max_length=100)  # a workbook's sheet by name; default the first
    range: str | None = Field(default=None, min_length=2, max_length=30)  # a workbook's cells (A1:G530); default the used range
    database: FilePath | None = None  # an SQLite file, relative to the spec, opened read-only
    url_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")  # an environment variable holding a SQLAlchemy URL
    query: str | None = Field(default=None, min_length=1, max_length=20_000)  # one SELECT or WITH statement
    params: dict[str, ParamValue] = Field(default_factory=dict)  # bound to the query's :names, never formatted into it
    columns: dict[str, ColumnKind | ColumnSpec] = Field(default_factory=dict)
    source: str | None = None
    as_of: dt.date | Literal["latest"] | None = None  # latest: the latest date in the table's date column

    @field_validator("source")
    @classmethod
    def _citable(cls, value: str | None) -> str | None:
        return check_source_id(value) if value is not None else None

    @model_validator(mode="after")
    def _one_origin(self) -> "Dataset":
        origins = [key for key in ("path", "database", "url_env") if getattr(self, key) is not None]
        if len(origins) != 1:
            raise ValueError("give exactly one of path (a file), database (an SQLite file) or url_env (a database URL's "
                             "environment variable)" + (f", not {' and '.join(origins)}" if origins else ""))
        if self.path is not None:
            if self.query is not None or self.params:
                raise ValueError("query and params are for a database (database: or url_env:), not a file")
            if (self.sheet is not None or self.range is not None) and self.path.suffix.lower() not in WORKBOOK_SUFFIXES:
                raise ValueError(f"sheet and range are for a workbook ({', '.join(WORKBOOK_SUFFIXES)}), not a "
                                 f"'{self.path.suffix}' file")
        else:
            if self.query is None:
                raise ValueError("a database dataset needs a query: (one SELECT or WITH statement)")
            if self.sheet is not None or self.range is not None:
                raise ValueError("sheet and range are for a workbook, not a database")
        return self


def _dataset_or_path(value: Any) -> str:
    return "Dataset" if isinstance(value, (dict, Dataset)) else "path"


# A mapping is a Dataset, anything else a path: so a mistake in a Dataset is reported as that, and
# not also as "Input is not a valid path". The tag appears in error locations (see _model_at).
DataEntry = Annotated[
    Union[Annotated[FilePath, Tag("path")], Annotated[Dataset, Tag("Dataset")]], Discriminator(_dataset_or_path)
]


class Checks(Strict):
    share_tolerance: float = Field(default=0.0, ge=0, le=50)  # percentage points around 100%
    max_age_days: int | None = Field(default=None, ge=1)
    strict: bool = False  # warnings are errors
    # research (instruments named, a recommendation's words) must carry a disclosures section;
    # "not-research" says the brief is not research, so it need not
    disclosures: Literal["required-for-research", "not-research"] = "required-for-research"
    # every edition is proofread after layout; "warn" reports what the proof finds as warnings
    proof: Literal["error", "warn"] = "error"


# BCP 47's common shapes (RFC 5646 2.1): language, optional script, region and variants; the PDF's /Lang.
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z]{4})?(-(?:[A-Za-z]{2}|[0-9]{3}))?(-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*")


class Spec(Strict):
    title: str = Field(min_length=1)
    subtitle: str | None = None
    date: Annotated[dt.date, WithJsonSchema({"anyOf": [{"type": "string", "format": "date"}, {"enum": list(DATE_KEYWORDS)}],
                                             "description": "the report date, or a word resolved when the spec is loaded"})]
    author: str | None = None
    subject: str | None = None
    keywords: list[str] = Field(default_factory=list)
    language: str = "en-US"
    locale: str = "en_US"
    page_size: Literal["A4", "Letter"] = "A4"
    # pdfa-3b: the PDF also carries its manifest and the data behind every figure (see deckgen.evidence)
    archive: Literal["pdfa-2b", "pdfa-3b"] = "pdfa-2b"
    brand: FilePath
    data: dict[str, DataEntry] = Field(min_length=1)
    checks: Checks = made_by_default(Checks)
    toc: bool = False
    rail: bool = True  # page 1's rail: the analyst box and the first key figures beside the text (false: none)
    # MiFID II: investment research, or a marketing communication (with the Article 36(2) wording); shown on
    # the cover and in the disclosures; research without one is refused (see resolve._check_disclosures)
    classification: Literal["investment-research", "marketing-communication"] | None = None
    sections: list[AnySection] = Field(min_length=1)
    output: FilePath | None = None
    delivery: DeliverySpec | None = None

    @field_validator("data", mode="before")
    @classmethod
    def _dataset_names(cls, value):
        """A dataset's name is a name (it names a file of a snapshot, and tables in sections): never a path."""
        if isinstance(value, dict):
            check_names(value, "dataset")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not LANGUAGE_TAG.fullmatch(value):
            raise ValueError(f"'{value}' is not a language tag; write one like 'en-US', 'en-GB', 'de' or 'pt-BR' "
                             "(BCP 47: a language, then an optional script and region)")
        return value

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        return check_locale(value)

    @field_validator("date", mode="before")
    @classmethod
    def _date_keyword(cls, value: Any, info: ValidationInfo) -> Any:
        """``today``, ``last-business-day``, ``last-month-end`` or ``last-quarter-end``: the date it is today
        (today: ``load_spec``'s ``today``, else $DECKGEN_TODAY, else the clock)."""
        if not isinstance(value, str) or _ISO_DATE.match(value.strip()):
            return value
        word = value.strip()
        if word not in DATE_KEYWORDS:
            close = difflib.get_close_matches(word.lower(), DATE_KEYWORDS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"give a date (YYYY-MM-DD) or one of {', '.join(DATE_KEYWORDS)}"
            raise PydanticCustomError("date_keyword", "'{word}' is not a date or a date keyword", {"word": word, "hint": hint})
        try:
            now = today((info.context or {}).get("today"))
        except TodayError as exc:
            raise PydanticCustomError("today", "{word}: {problem}", {"word": word, "problem": str(exc),
                                                                    "hint": "set it to a date such as 2026-12-07, or unset it"}) from None
        return resolve_keyword(word, now)

    def dataset(self, name: str) -> Dataset:
        entry = self.data[name]
        return entry if isinstance(entry, Dataset) else Dataset(path=entry)


class LoadedSpec(BaseModel):
    """The spec model with the document it came from (for locating later problems)."""

    model_config = ConfigDict(defer_build=True, arbitrary_types_allowed=True, frozen=True)

    spec: Spec
    document: Document
    path: Path
    date_rule: str | None = None  # the keyword date: was resolved from (last-month-end...), if any

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def resolve_path(self, relative: Path) -> Path:
        return resolved(self.base_dir / relative)

    def mark(self, loc: Loc, key: bool = False) -> Mark:
        return self.document.mark(loc, key)


def load_spec(path: Path, overrides: list[str] | tuple[str, ...] = (), *, today: dt.date | None = None,
              snapshots: dict[str, str] | None = None) -> LoadedSpec:
    """Stage 1: read the spec file, apply ``--set`` overrides, validate it into a Spec.

    ``today`` is the day a keyword date (``date: last-month-end``) is resolved against; None: $DECKGEN_TODAY,
    else the local clock. ``snapshots``: database datasets to read from a CSV file instead (name -> path
    relative to the spec), their columns, source and as_of kept: the proof re-reads a query's rows from
    the snapshot a pdfa-3b edition carries."""
    path = Path(path)
    document = load_yaml(path)
    data = document.data
    problems = document.problems + apply_overrides(data, document, [o for o in overrides if not o.startswith("figures.")])
    datasets = data.get("data") if isinstance(data.get("data"), dict) else {}
    for name, snapshot in (snapshots or {}).items():
        if isinstance(datasets.get(name), dict):
            datasets[name] = {**{k: v for k, v in datasets[name].items() if k not in _QUERY_KEYS}, "path": snapshot}
    try:
        spec = Spec.model_validate(data, context={"document": document, "today": today})
    except ValidationError as exc:
        raise SpecError(problems + validation_problems(exc, document)) from None
    if problems:
        raise SpecError(problems)
    written = data.get("date")
    rule = written.strip() if isinstance(written, str) and written.strip() in DATE_KEYWORDS else None
    return LoadedSpec(spec=spec, document=document, path=resolved(path), date_rule=rule)


def apply_overrides(data: dict, document: Document, overrides: list[str], under: Loc = ()) -> list[Problem]:
    """Set dotted keys (``date=2026-03-01``, ``sections.0.title=...``) as if written in the file.

    ``data`` is the part of the document at ``under`` (e.g. ``("figures",)`` of a figures file).
    """
    shown_prefix = "".join(f"{part}." for part in under)
    problems = []
    for override in overrides:
        name, sep, raw = override.partition("=")
        shown = f"--set {shown_prefix}{shown_override(override)}"
        where = Mark(COMMAND_LINE, 0, 0)
        if not sep or not name.strip():
            problems.append(Problem.at(where, f"{shown}: expected NAME=VALUE"))
            continue
        if bad := control_character(override):
            message = f"{shown}: contains {describe_character(bad)}, a control character or line break; remove it"
            problems.append(Problem.at(where, message))
            continue
        value = override_value(raw)
        keys: list[str | int] = [int(k) if k.isdigit() else k for k in name.strip().split(".")]
        target: Any = data
        for position, key in enumerate(keys[:-1]):
            if isinstance(target, list) and isinstance(key, str):
                index = _index_of_id(target, key)
                if index is None:
                    break
                keys[position] = key = index
            target = target.get(key) if isinstance(target, dict) else (
                target[key] if isinstance(target, list) and isinstance(key, int) and key < len(target) else None
            )
            if not isinstance(target, (dict, list)):
                break
        if isinstance(target, dict) or (isinstance(target, list) and isinstance(keys[-1], int) and keys[-1] < len(target)):
            if not under and len(keys) == 4 and keys[0] == "data" and keys[2] == "params" and isinstance(target, dict):
                value = param_value(raw, target.get(keys[-1]))
            target[keys[-1]] = value
            document.marks[under + tuple(keys)] = Mark(COMMAND_LINE, 0, 0)
            document.overridden[under + tuple(keys)] = shown
        else:
            problems.append(Problem.at(where, f"{shown}: '{name}' does not name a value in the spec", _ids_hint(data, keys)))
    return problems


def _index_of_id(items: list, wanted: str) -> int | None:
    """The position of the item with ``id: wanted`` (a section named by its id: ``sections.holdings.title``)."""
    return next((index for index, item in enumerate(items) if isinstance(item, dict) and item.get("id") == wanted), None)


def _ids_hint(data: dict, keys: list) -> str | None:
    """For ``sections.<name>...`` naming no section: the ids there are."""
    if len(keys) < 2 or keys[0] != "sections" or not isinstance(keys[1], str) or not isinstance(data.get("sections"), list):
        return None
    ids = [item["id"] for item in data["sections"] if isinstance(item, dict) and isinstance(item.get("id"), str)]
    close = difflib.get_close_matches(keys[1], ids, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"no section has id '{keys[1]}'; " + (f"the ids are: {', '.join(ids)}" if ids else "give the section an id: to name it")


def param_value(raw: str, declared: Any) -> Any:
    """A query param's ``--set`` (or recipient's) value, of the type the spec gives the param: a text
    param stays the text typed (client 00123 is not client 123), a number, date or boolean is read as one."""
    text = raw.strip()
    if declared is None or isinstance(declared, str):
        return override_value(raw) if text[:1] in ("'", '"') else text
    return override_value(raw)


SHOWN_VALUE_LIMIT = 60  # characters of a --set value that a message repeats


def shown_override(override: str) -> str:
    """``NAME=VALUE`` for a message, the value cut to its first SHOWN_VALUE_LIMIT characters."""
    name, sep, value = override.partition("=")
    if len(value) > SHOWN_VALUE_LIMIT:
        value = value[: SHOWN_VALUE_LIMIT - 1] + "\u2026"
    return name + sep + value


def override_value(raw: str) -> Any:
    """A ``--set`` value: numbers, booleans, dates and [lists] as YAML reads them, quoted strings
    unquoted, and any other text exactly as typed (so ``US #1: the alliance`` is not a comment)."""
    text = raw.strip()
    if not text:
        return ""
    try:
        value = parse_yaml(text, Path(COMMAND_LINE), expect_mapping=False).data
    except SpecError:
        return text
    if text[0] in "\"'":
        return value
    if isinstance(value, (str, dict)) or (value is None and text not in ("null", "~")):
        return text
    return value


def validation_problems(
    error: ValidationError, document: Document, prefix: Loc = (), model: type[BaseModel] | None = None
) -> list[Problem]:
    """pydantic errors -> one located Problem each (see ``validation.validation_problems``); ``model``
    defaults to the spec's."""
    return located_problems(error, document, prefix, model=model or Spec, tagged=dict(zip(SECTION_TYPES, SECTION_MODELS)))


