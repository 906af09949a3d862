"""Email delivery: send the brief to every recipient exactly once per edition.

``send(spec)`` builds the PDF if needed (as ``deckgen build`` would), then mails it, one message per
recipient, recording each outcome in an SQLite ledger so that a re-run only mails those who have not
received this edition. SMTP settings come from the environment only (see ``settings``).
``check_delivery(checked)`` runs every check ``send`` runs before building or sending.

The spec model imports ``.model`` on every ``validate`` and ``build``, which imports this package:
so the names below are loaded on first use (PEP 562), and importing ``deckgen.delivery.model`` or
``.checks`` loads neither smtplib, ssl, sqlite3 nor the email message machinery. Nothing here
imports ``deckgen.build`` at import time (it imports the spec, which imports ``.model``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "parse_address": "addresses", "parse_mailbox": "addresses",
    "DeliveryPlan": "checks", "check_delivery": "checks", "inspect_delivery": "checks",
    "Ledger": "ledger", "LedgerRow": "ledger",
    "Edition": "message", "compose": "message",
    "DeliverySpec": "model", "RecipientEntry": "model", "RetryPolicy": "model",
    "Recipient": "recipients",
    "DeliveryReport": "service", "Outcome": "service", "send": "service",
    "SettingsError": "settings", "SmtpSettings": "settings", "load_settings": "settings",
    "Mailer": "smtp", "ServerUnavailable": "smtp", "SmtpResult": "smtp",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # for type checkers and IDEs; never executed
    from .addresses import parse_address, parse_mailbox
    from .checks import DeliveryPlan, check_delivery, inspect_delivery
    from .ledger import Ledger, LedgerRow
    from .message import Edition, compose
    from .model import DeliverySpec, RecipientEntry, RetryPolicy
    from .recipients import Recipient
    from .service import DeliveryReport, Outcome, send
    from .settings import SettingsError, SmtpSettings, load_settings
    from .smtp import Mailer, ServerUnavailable, SmtpResult
