"""Email delivery: send the brief to every recipient exactly once per edition.

``send(spec)`` builds the PDF if needed (as ``deckgen build`` would), then mails it, one message per
recipient, recording each outcome in an SQLite ledger so that a re-run only mails those who have not
received this edition. SMTP settings come from the environment only (see ``settings``).

This package must not import ``deckgen.build`` at import time: the spec model imports ``.model``.
"""

from .addresses import parse_address, parse_mailbox
from .ledger import Ledger, LedgerRow
from .message import Edition, compose
from .model import DeliverySpec, RecipientEntry, RetryPolicy
from .recipients import Recipient
from .service import DeliveryReport, Outcome, send
from .settings import SettingsError, SmtpSettings, load_settings
from .smtp import Mailer, ServerUnavailable, SmtpResult

__all__ = [
    "DeliveryReport", "DeliverySpec", "Edition", "Ledger", "LedgerRow", "Mailer", "Outcome", "Recipient",
    "RecipientEntry", "RetryPolicy", "ServerUnavailable", "SettingsError", "SmtpResult", "SmtpSettings",
    "compose", "load_settings", "parse_address", "parse_mailbox", "send",
]
