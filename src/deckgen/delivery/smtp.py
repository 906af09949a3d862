"""Talking to the mail server: one connection reused, one message per recipient, retries with backoff.

A reply in the 4xx range, a dropped connection or a timeout is temporary: retried after base_delay,
then twice that, and so on. A 5xx reply is permanent for that recipient. A problem that would hit
every recipient (TLS certificate not trusted, STARTTLS not offered, login refused, server unreachable
after every retry) stops the run instead of being repeated for each one.

A connection lost (or a reply that never came) after the message's final dot is *ambiguous*: the
server may have stored the message. What happens then is the caller's choice (``on_ambiguous``):
"retry" (the default, as mail servers do after a lost reply: RFC 5321 practice) sends it again (at
least once; an accepted copy is then a *possible duplicate*) and reports "unknown" only if no later
attempt was accepted; "hold" gives up at once with the status "unknown" (at most once).
"""

from __future__ import annotations

import base64
import smtplib
import ssl
import time
from dataclasses import dataclass
from typing import Callable, Literal

from ..errors import DeliveryError
from .model import RetryPolicy
from .settings import SmtpSettings

Result = Literal["sent", "failed-temporary", "failed-permanent", "unknown"]
OnAmbiguous = Literal["hold", "retry"]


@dataclass(frozen=True)
class SmtpResult:
    status: Result
    response: str  # the server's final reply (or what went wrong), one line
    attempts: int
    possible_duplicate: bool = False  # sent after an attempt the server may have stored too


class ServerUnavailable(DeliveryError):
    """Nothing can be sent through this server right now (or with these settings)."""

    def __init__(self, message: str, attempts: int = 1):
        super().__init__(message)
        self.attempts = attempts


class _Temporary(Exception):
    pass


class _Permanent(Exception):
    pass


class _Ambiguous(Exception):
    """The message's final dot was sent, then the connection was lost or the reply never came."""


class Mailer:
    def __init__(
        self, settings: SmtpSettings, retry: RetryPolicy, *,
        sleep: Callable[[float], None] = time.sleep, log: Callable[[str], None] = lambda line: None,
        on_ambiguous: OnAmbiguous = "retry",
    ):
        self.settings = settings
        self.retry = retry
        self.on_ambiguous = on_ambiguous
        self.sleep = sleep
        self.log = log
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (smtplib.SMTPException, OSError):
            self._smtp.close()
        self._smtp = None

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return min(self.retry.base_delay * 2 ** (attempt - 1), self.retry.max_delay)

    def send(self, sender: str, recipient: str, data: bytes) -> SmtpResult:
        """Deliver ``data`` to one recipient; retry temporary failures; never raise for that recipient alone.

        Once an attempt was ambiguous (the server may have stored the message), the result is "unknown"
        unless a later attempt is accepted; with ``on_ambiguous="hold"`` there is no later attempt.
        """
        last = ""
        ambiguous: str | None = None  # what happened to the last attempt that may have been delivered
        for attempt in range(1, self.retry.attempts + 1):
            try:
                self._ensure_connected()
            except _Temporary as exc:
                last = str(exc)
                if attempt == self.retry.attempts:
                    if ambiguous:
                        return SmtpResult("unknown", f"{ambiguous}; then {last}", attempt)
                    raise ServerUnavailable(
                        f"cannot reach the mail server {self.settings.describe()}: {last} "
                        f"(tried {attempt} time(s))", attempts=attempt,
                    ) from None
            except ServerUnavailable:
                if ambiguous:
                    return SmtpResult("unknown", ambiguous, attempt)
                raise
            else:
                try:
                    response = self._transaction(sender, recipient, data)
                    return SmtpResult("sent", response, attempt, possible_duplicate=ambiguous is not None)
                except _Permanent as exc:
                    if ambiguous:
                        return SmtpResult("unknown", f"{ambiguous}; then {exc}", attempt)
                    return SmtpResult("failed-permanent", str(exc), attempt)
                except _Ambiguous as exc:
                    last = ambiguous = str(exc)
                    if self.on_ambiguous == "hold":
                        return SmtpResult("unknown", ambiguous, attempt)
                except _Temporary as exc:
                    last = str(exc)
            if attempt < self.retry.attempts:
                wait = self.delay(attempt)
                self.log(f"{recipient}: {last}; retrying in {wait:g}s (attempt {attempt + 1} of {self.retry.attempts})")
                self.sleep(wait)
        if ambiguous:
            return SmtpResult("unknown", ambiguous if last == ambiguous else f"{ambiguous}; then {last}", self.retry.attempts)
        return SmtpResult("failed-temporary", last, self.retry.attempts)

    def _ensure_connected(self) -> None:
        if self._smtp is not None:
            return
        settings = self.settings
        try:
            if settings.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    settings.host, settings.port, timeout=settings.timeout, context=self._tls_context()
                )
            else:
                smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
            self._smtp = smtp
            smtp.ehlo()
            if settings.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise ServerUnavailable(
                        f"the mail server {settings.describe()} does not offer STARTTLS; refusing to send unencrypted "
                        "(set DECKGEN_SMTP_SECURITY=none only for a trusted local relay)"
                    )
                smtp.starttls(context=self._tls_context())
                smtp.ehlo()
            if settings.user:
                if not smtp.has_extn("auth"):
                    raise ServerUnavailable(f"the mail server {settings.describe()} does not offer AUTH (login)")
                _login(smtp, settings.user, settings.password or "", settings.describe())
        except ServerUnavailable:
            self._drop()
            raise
        except smtplib.SMTPAuthenticationError as exc:
            self._drop()
            if 400 <= exc.smtp_code < 500:
                raise _Temporary(f"login: {_reply(exc.smtp_code, exc.smtp_error)}") from None
            raise ServerUnavailable(
                f"the mail server {settings.describe()} refused the login: {_reply(exc.smtp_code, exc.smtp_error)}"
            ) from None
        except ssl.SSLCertVerificationError as exc:
            self._drop()
            raise ServerUnavailable(
                f"the mail server's TLS certificate is not trusted ({exc.verify_message}); "
                "if it is signed by a private CA, point DECKGEN_SMTP_CA_FILE at that CA's certificate"
            ) from None
        except ssl.SSLError as exc:
            self._drop()
            raise ServerUnavailable(f"TLS with the mail server {settings.describe()} failed: {exc.reason or exc}") from None
        except smtplib.SMTPResponseException as exc:  # e.g. 421 at greeting or a refused EHLO
            self._drop()
            if 400 <= exc.smtp_code < 500:
                raise _Temporary(_reply(exc.smtp_code, exc.smtp_error)) from None
            raise ServerUnavailable(f"the mail server {settings.describe()} refused the session: {_reply(exc.smtp_code, exc.smtp_error)}") from None
        except (smtplib.SMTPException, OSError) as exc:  # refused, reset, timed out, disconnected
            self._drop()
            raise _Temporary(_describe(exc)) from None

    def _tls_context(self) -> ssl.SSLContext:
        cafile = str(self.settings.ca_file) if self.settings.ca_file else None
        return ssl.create_default_context(cafile=cafile)

    def _transaction(self, sender: str, recipient: str, data: bytes) -> str:
        smtp = self._smtp
        assert smtp is not None
        try:
            options = [f"SIZE={len(data)}"] if smtp.has_extn("size") else []
            code, reply = smtp.mail(sender, options)
            if code != 250:
                self._reset()
                if 500 <= code < 600:  # the sender is refused: no recipient can be sent to
                    raise ServerUnavailable(f"the mail server refused the sender {sender}: {_reply(code, reply)}")
                _raise_for(code, reply)
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                self._reset()
                _raise_for(code, reply)
            code, reply = _data(smtp, data)
            if code != 250:
                self._reset()
                _raise_for(code, reply)
            return _reply(code, reply)
        except _Ambiguous:
            self._drop()
            raise
        except smtplib.SMTPDataError as exc:
            self._reset()
            _raise_for(exc.smtp_code, exc.smtp_error)
        except smtplib.SMTPServerDisconnected as exc:
            self._drop()
            raise _Temporary(f"connection lost: {exc}" if str(exc) else "connection lost") from None
        except smtplib.SMTPResponseException as exc:
            self._drop()
            _raise_for(exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise _Temporary(_describe(exc)) from None
        raise AssertionError("unreachable")

    def _reset(self) -> None:
        try:
            self._smtp.rset()  # type: ignore[union-attr]
        except (smtplib.SMTPException, OSError):
            self._drop()


def _data(smtp: smtplib.SMTP, data: bytes) -> tuple[int, bytes]:
    """``smtp.data(data)``, except that losing the connection or the reply once the final dot has gone
    raises ``_Ambiguous``: from then on, the server may have stored the message."""
    code, reply = smtp.docmd("data")
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    body = data.replace(b"\n.", b"\n..")  # dot-stuffing (RFC 5321, 4.5.2): a line that starts with a dot
    if body.startswith(b"."):
        body = b"." + body
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    smtp.send(body + b".\r\n")
    try:
        return smtp.getreply()
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        raise _Ambiguous(
            f"the connection was lost after the message was sent, before the server confirmed it "
            f"({_describe(exc)}): it may have been delivered"
        ) from None


def _login(smtp: smtplib.SMTP, user: str, password: str, server: str) -> None:
    """Log in; a user or password with non-ASCII characters is sent as UTF-8 with AUTH PLAIN or LOGIN.

    smtplib's ``login`` encodes credentials as ASCII (UnicodeEncodeError otherwise). RFC 4616 defines
    PLAIN's user and password as UTF-8, and servers read LOGIN's the same way; CRAM-MD5 has no
    defined encoding, so it is not used for such a password.
    """
    if user.isascii() and password.isascii():
        smtp.login(user, password)
        return
    offered = smtp.esmtp_features.get("auth", "").upper().split()

    def encoded(text: str) -> str:
        return base64.b64encode(text.encode("utf-8")).decode("ascii")

    if "PLAIN" in offered:
        code, reply = smtp.docmd("AUTH", "PLAIN " + encoded(f"\0{user}\0{password}"))
    elif "LOGIN" in offered:
        code, reply = smtp.docmd("AUTH", "LOGIN " + encoded(user))
        if code == 334:
            code, reply = smtp.docmd(encoded(password))
    else:
        raise ServerUnavailable(
            f"the mail server {server} offers AUTH {' '.join(offered) or '(no mechanism)'}, but a user name or "
            "password with non-ASCII characters can only be sent with AUTH PLAIN or LOGIN"
        )
    if code not in (235, 503):  # 503: already logged in
        raise smtplib.SMTPAuthenticationError(code, reply)


def _raise_for(code: int, reply: bytes | str) -> None:
    text = _reply(code, reply)
    if 500 <= code < 600:
        raise _Permanent(text)
    raise _Temporary(text)  # 4xx, and anything unexpected, may well work next time


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(f"{code} {text}".split())


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())
