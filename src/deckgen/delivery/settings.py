"""SMTP settings, read from the environment only (never from the spec, never written anywhere)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Mapping

from ..errors import Problem, SpecError
from .addresses import parse_mailbox

Security = Literal["none", "starttls", "ssl"]
SECURITY_CHOICES: tuple[Security, ...] = ("none", "starttls", "ssl")
DEFAULT_PORTS: dict[str, int] = {"none": 25, "starttls": 587, "ssl": 465}
DRY_RUN_FROM = "deckgen@example.invalid"
DEFAULT_TIMEOUT = 30.0

HOST = "DECKGEN_SMTP_HOST"
PORT = "DECKGEN_SMTP_PORT"
USER = "DECKGEN_SMTP_USER"
PASSWORD = "DECKGEN_SMTP_PASSWORD"
SECURITY = "DECKGEN_SMTP_SECURITY"
CA_FILE = "DECKGEN_SMTP_CA_FILE"
TIMEOUT = "DECKGEN_SMTP_TIMEOUT"
MAIL_FROM = "DECKGEN_MAIL_FROM"


class SettingsError(SpecError):
    """The environment does not describe a usable mail server; every problem is listed."""

    def lines(self) -> list[str]:
        return [p.render() for p in self.problems] + [f"{len(self.problems)} setting problem(s); nothing was sent"]


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None
    port: int
    security: Security
    mail_from: str  # the bare address; the display name comes from the spec
    mail_from_name: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None
    timeout: float = DEFAULT_TIMEOUT

    def describe(self) -> str:
        """A safe one-line description for messages (no password, ever)."""
        login = f" as {self.user}" if self.user else ""
        return f"{self.host}:{self.port} ({self.security}){login}"


def load_settings(environ: Mapping[str, str] | None = None, *, require_server: bool = True) -> SmtpSettings:
    """Read DECKGEN_SMTP_* and DECKGEN_MAIL_FROM; raise SettingsError naming each bad or missing one.

    A dry run passes ``require_server=False``: it needs no server, and From defaults to a placeholder.
    """
    env = os.environ if environ is None else environ
    problems: list[Problem] = []

    def problem(name: str, message: str) -> None:
        problems.append(Problem(f"${name}", 0, 0, message))

    def value(name: str) -> str | None:
        text = env.get(name)
        return text.strip() if text is not None and text.strip() else None

    security_text = (value(SECURITY) or "starttls").lower()
    security: Security = "starttls"
    if security_text in SECURITY_CHOICES:
        security = security_text  # type: ignore[assignment]
    else:
        problem(SECURITY, f"must be one of {', '.join(SECURITY_CHOICES)}, not '{security_text}'")

    host = value(HOST)
    if host is None and require_server:
        problem(HOST, "is not set: the name of the mail server to send through (or use --dry-run)")

    port = DEFAULT_PORTS[security]
    port_text = value(PORT)
    if port_text is not None:
        if port_text.isdigit() and 1 <= int(port_text) <= 65535:
            port = int(port_text)
        else:
            problem(PORT, f"must be a port number from 1 to 65535, not '{port_text}'")

    mail_from, mail_from_name = DRY_RUN_FROM, None
    from_text = value(MAIL_FROM)
    if from_text is None:
        if require_server:
            problem(MAIL_FROM, "is not set: the sender address, like briefs@example.com")
    else:
        try:
            mail_from_name, mail_from = parse_mailbox(from_text)
        except ValueError as exc:
            problem(MAIL_FROM, str(exc))

    user = value(USER)
    password = env.get(PASSWORD) or None  # a password may legitimately start or end with spaces
    if user and not password:
        problem(PASSWORD, f"is not set but ${USER} is")
    if password and not user:
        problem(USER, f"is not set but ${PASSWORD} is")
    for name, text in ((USER, user), (PASSWORD, password)):
        if text is not None and not _utf8(text):  # bytes the locale could not decode: never shown
            problem(name, "is not valid text in the environment's encoding (set it as UTF-8)")
    if user and password and security == "none" and host and not _is_loopback(host):
        problem(SECURITY, f"is 'none': refusing to send the password to {host} unencrypted (use starttls or ssl)")

    ca_file = None
    ca_text = value(CA_FILE)
    if ca_text is not None:
        ca_file = Path(ca_text).expanduser()
        if not ca_file.is_file():
            problem(CA_FILE, f"file not found: {ca_text}")

    timeout = DEFAULT_TIMEOUT
    timeout_text = value(TIMEOUT)
    if timeout_text is not None:
        try:
            timeout = float(timeout_text)
            if not 0 < timeout <= 600:
                raise ValueError
        except ValueError:
            problem(TIMEOUT, f"must be a number of seconds between 0 and 600, not '{timeout_text}'")

    if problems:
        raise SettingsError(problems)
    return SmtpSettings(
        host=host, port=port, security=security, mail_from=mail_from, mail_from_name=mail_from_name,
        user=user, password=password, ca_file=ca_file, timeout=timeout,
    )


def _utf8(text: str) -> bool:
    """Whether ``text`` can be sent as UTF-8 (os.environ holds undecodable bytes as lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
