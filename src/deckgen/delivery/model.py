"""The spec's ``delivery:`` section, validated like the rest of the spec (errors at FILE:LINE:COL)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..models import FilePath, made_by_default
from .addresses import check_display_name, check_header_text, parse_address, parse_mailbox

DEFAULT_SUBJECT = "{{ title }} ({{ date }})"
DEFAULT_BODY = "Dear {{ name }},\n\nHere is the {{ date }} edition of {{ title }}."
DEFAULT_MAX_ATTACHMENT_MB = 10.0

VariantValue = str | bool | int | float | dt.date


class _Strict(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, str_strip_whitespace=True)


class RecipientEntry(_Strict):
    """One recipient: an address, a name for the greeting, and optional ``--set`` values for a variant."""

    email: str
    name: str | None = None
    variant: dict[str, VariantValue] = Field(default_factory=dict)

    @field_validator("email")
    @classmethod
    def _address(cls, value: str) -> str:
        return parse_address(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return check_display_name(value) if value is not None else None

    @field_validator("variant")
    @classmethod
    def _variant_names(cls, value: dict[str, VariantValue]) -> dict[str, VariantValue]:
        for name in value:
            if not name.strip() or "=" in name:
                raise ValueError(f"'{name}' is not a spec value name (like date or figures.usdjpy)")
        return value


class RetryPolicy(_Strict):
    """Temporary failures are retried ``attempts`` times in all, waiting base_delay, 2x, 4x ... seconds."""

    attempts: int = Field(default=4, ge=1, le=10)
    base_delay: float = Field(default=2.0, ge=0, le=300)
    max_delay: float = Field(default=60.0, ge=0, le=3600)


class DeliverySpec(_Strict):
    subject: str = Field(default=DEFAULT_SUBJECT, min_length=1)
    body: str = Field(default=DEFAULT_BODY, min_length=1)
    from_name: str | None = None  # display name for DECKGEN_MAIL_FROM's address
    reply_to: str | None = None
    recipients: list[RecipientEntry] = Field(default_factory=list)
    recipients_file: FilePath | None = None  # CSV or YAML, relative to the spec, inside the project
    base_url: str | None = None  # where the PDFs are published; enables a link when over the size limit
    max_attachment_mb: float = Field(default=DEFAULT_MAX_ATTACHMENT_MB, gt=0, le=1000)
    ledger: FilePath | None = None  # relative to the spec, inside the project; default <output folder>/.deckgen/delivery.sqlite
    retry: RetryPolicy = made_by_default(RetryPolicy)

    @field_validator("subject")
    @classmethod
    def _single_line(cls, value: str) -> str:
        return check_header_text(value)

    @field_validator("from_name")
    @classmethod
    def _display_name(cls, value: str | None) -> str | None:
        return check_display_name(value) if value is not None else None

    @field_validator("reply_to")
    @classmethod
    def _reply_to(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parse_mailbox(value)
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"'{value}' is not an http(s) URL of a folder (like https://example.com/briefs/)")
        check_header_text(value)
        return value if value.endswith("/") else value + "/"
