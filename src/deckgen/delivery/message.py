"""One email per recipient: subject and body from the spec's templates, plain text + HTML, the PDF attached."""

from __future__ import annotations

import datetime as dt
import email.policy
import html
import re
import unicodedata
import uuid
from dataclasses import dataclass
from functools import cached_property
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING

from ..dates import format_report_date
from ..text import TEMPLATE
from .addresses import header_text_problem, parse_mailbox

if TYPE_CHECKING:
    from ..resolve import Report
    from .recipients import Recipient
    from .settings import SmtpSettings

# The placeholders (and their checks, done before anything is built) are in .checks.
_LINK_PLACEHOLDER = re.compile(r"\{\{\s*link\s*(?:\|[^}]*)?\}\}")
SUBJECT_LIMIT = 250  # characters; longer subjects are truncated by many clients and are a sign of a broken template


class _FoldedOnce:
    """A header that folds itself once per policy: the same header object goes into every message."""

    def fold(self, *, policy):
        try:  # by the policy's settings: the generator clones the policy for every part it writes
            settings = (type(policy), *policy.__dict__.items())
            hash(settings)
        except TypeError:
            return super().fold(policy=policy)  # type: ignore[misc]
        folded = self.__dict__.setdefault("_folded", {})
        if settings not in folded:
            folded[settings] = super().fold(policy=policy)  # type: ignore[misc]
        return folded[settings]


class _SharedHeaders(HeaderRegistry):
    """The email package's header factory, with each header class made once and each header made
    once per name and value. Stock, it makes a new class every time it is asked for one (twice per
    header) and parses every value again: most of composing a message, when a thousand messages
    share their From, Content-Type and Content-Disposition headers. Header objects are immutable, so
    messages can share them; the bytes written are the stock factory's (tests/test_delivery.py)."""

    MAX_KEPT = 4096

    def __init__(self):
        super().__init__()
        self._classes: dict[str, type] = {}
        self._made: dict[tuple, object] = {}

    def __getitem__(self, name):
        key = name.lower()
        made = self._classes.get(key)
        if made is None:
            cls = self.registry.get(key, self.default_class)
            made = self._classes[key] = type("_" + cls.__name__, (_FoldedOnce, cls, self.base_class), {})
        return made

    def __call__(self, name, value):
        if not isinstance(value, (str, Address)):
            return self[name](name, value)
        key = (name, type(value), str(value) if isinstance(value, str) else repr(value))
        header = self._made.get(key)
        if header is None:
            if len(self._made) >= self.MAX_KEPT:
                self._made.clear()
            header = self._made[key] = self[name](name, value)
        return header


POLICY = email.policy.SMTP.clone(header_factory=_SharedHeaders())  # email.policy.SMTP, headers shared


@dataclass(frozen=True)
class Edition:
    """One PDF as it will be sent: its bytes, identity (sha256) and the report it was built from."""

    report: "Report"
    path: Path
    pdf: bytes
    sha256: str
    variant: tuple[str, ...] = ()
    brand: str = ""  # the brand's name (brand.yml meta.name) the edition is built with
    issuer: str = ""  # the firm that issues it: the disclosures' issuer name, else the brand's name

    @property
    def size_mb(self) -> float:
        return len(self.pdf) / 1_000_000

    @property
    def filename(self) -> str:
        """The attachment's name: ``us-japan-strategic-alignment-2026-02-16.pdf`` (+ a variant tag)."""
        spec = self.report.spec
        stem = f"{slug(self.plain(spec.title)) or 'brief'}-{spec.date.isoformat()}"
        if self.variant:
            stem += f"-{self.sha256[:8]}"
        return f"{stem}.pdf"

    def plain(self, text: str) -> str:
        return self.report.plain(text)

    @cached_property
    def attachment_part(self) -> MIMEPart:
        """The PDF's attachment part, made once however many recipients it goes to. Its body is a
        placeholder that ``attachment_wire`` replaces in each message's bytes: the email package
        writes a 200 KB body out line by line, which would cost more than the rest of a message."""
        return self.attachment_part_for(POLICY)

    def attachment_part_for(self, policy: email.policy.EmailPolicy) -> MIMEPart:
        part = MIMEPart(policy=policy)
        part.set_content(b"", maintype="application", subtype="pdf", disposition="attachment", filename=self.filename)
        part.set_payload(_PLACEHOLDER)
        return part

    @cached_property
    def attachment_wire(self) -> bytes:
        """The PDF as the attachment's body: base64 in lines as the email package writes them, CRLF."""
        part = EmailMessage(policy=email.policy.SMTP)
        part.set_content(self.pdf, maintype="application", subtype="pdf")
        return part.get_payload().replace("\n", "\r\n").encode("ascii")


@dataclass(frozen=True)
class Composed:
    data: bytes  # exactly what goes over the wire and into a .eml file
    body: str  # the plain-text body, as the recipient reads it
    message_id: str
    subject: str
    linked: bool  # True when the PDF was too large and the message carries a link instead


def slug(text: str) -> str:
    dashed = "".join("-" if unicodedata.category(char) == "Pd" else char for char in text)  # US–Japan -> us-japan
    ascii_text = unicodedata.normalize("NFKD", dashed).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].rstrip("-")


def fill(template: str, edition: Edition, recipient: "Recipient", fallback_name: str, url: str | None) -> str:
    """The template with every placeholder replaced by its (plain-text) value."""
    spec = edition.report.spec
    values = {
        "title": edition.plain(spec.title),
        "subtitle": edition.plain(spec.subtitle or ""),
        "name": recipient.name or fallback_name,
        "email": recipient.address,
        "filename": edition.filename,
        "link": url or "",
        "brand": edition.brand,
        "issuer": edition.issuer or edition.brand,
    }

    def substitute(match: re.Match) -> str:
        name, style = match.group("name"), match.group("style")
        if name == "date":  # in an email, long by default (the PDF's text: medium)
            return format_report_date(spec.date, spec.locale, style or "long")
        if name in values:
            return values[name]
        return edition.report.format(name, style)

    return TEMPLATE.sub(substitute, template)


def compose(
    edition: Edition,
    recipient: "Recipient",
    settings: "SmtpSettings",
    *,
    subject_template: str,
    body_template: str,
    from_name: str | None,
    reply_to: str | None,
    url: str | None,
    attach: bool = True,
    accent: str = "#1F3A5F",
    now: dt.datetime | None = None,
    message_id: str | None = None,
    policy: email.policy.EmailPolicy = POLICY,
) -> Composed:
    """Build the message for one recipient.

    ``url`` is where this PDF is published (spec's base_url + file name), if anywhere; without
    ``attach`` the message carries that link instead of the PDF. ``message_id``: a new one unless
    given. ``policy``: ``POLICY`` writes the same bytes as ``email.policy.SMTP``, faster.
    """
    if not attach and not url:
        raise ValueError("a message without the PDF attached needs the URL where it is published")
    spec = edition.report.spec
    fallback = "reader"
    subject = " ".join(fill(subject_template, edition, recipient, fallback, url).split())
    if header_text_problem(subject):  # the inputs were checked; this guards against a future placeholder
        raise ValueError(f"subject {header_text_problem(subject)}")
    if len(subject) > SUBJECT_LIMIT:
        subject = subject[: SUBJECT_LIMIT - 1].rstrip() + "\u2026"
    body = fill(body_template, edition, recipient, fallback, url).strip()
    if not attach and not _LINK_PLACEHOLDER.search(body_template):
        body += (
            f"\n\nThe brief ({edition.size_mb:.1f} MB) is too large to send as an attachment. Read it here:\n{url}"
        )

    sender_domain = settings.mail_from.rpartition("@")[2]
    message_id = message_id or make_msgid(idstring="deckgen", domain=sender_domain)
    message = EmailMessage(policy=policy)
    message["Subject"] = subject
    # the sender is the firm whose brand the brief carries, unless the spec names it (checked to name the same firm)
    sender = from_name or edition.brand or settings.mail_from_name or ""
    message["From"] = Address(display_name=sender, addr_spec=settings.mail_from)
    message["To"] = Address(display_name=recipient.name or "", addr_spec=recipient.address)
    if reply_to:
        reply_name, reply_address = parse_mailbox(reply_to)
        message["Reply-To"] = Address(display_name=reply_name or "", addr_spec=reply_address)
    message["Date"] = format_datetime((now or dt.datetime.now(dt.timezone.utc)).astimezone())
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: vacation responders should stay quiet
    message["X-PDF-SHA256"] = edition.sha256  # the edition: lets a reader or a script match the ledger (fits one line)
    message.set_content(body + "\n", subtype="plain", charset="utf-8")
    # The containers are made with boundaries of our own (random, checked against the text): the email
    # package would make each by compiling a pattern for it and scanning the message with it.
    alternative, mixed = _boundaries(body)
    message.make_alternative(boundary=alternative)
    html_part = MIMEPart(policy=policy)
    html_part.set_content(_html(body, spec.language, accent, edition.plain(spec.title)), subtype="html", charset="utf-8")
    message.attach(html_part)
    if attach:
        message.make_mixed(boundary=mixed)
        message.attach(edition.attachment_part if policy is POLICY else edition.attachment_part_for(policy))
    data = message.as_bytes(policy=policy)
    if attach:
        assert data.count(_PLACEHOLDER_BYTES) == 1
        data = data.replace(_PLACEHOLDER_BYTES, edition.attachment_wire)
    return Composed(data, body + "\n", message_id, subject, linked=not attach)


def _boundaries(text: str) -> tuple[str, str]:
    """The two MIME boundaries of a message with ``text``: the process's own pair (so that messages
    share their Content-Type headers), new ones only for a text that holds one of them."""
    if not any(boundary in text for boundary in _BOUNDARIES):
        return _BOUNDARIES
    return _boundary(text), _boundary(text)


def _boundary(text: str) -> str:
    while True:
        boundary = f"=_deckgen_{uuid.uuid4().hex}"  # "=_" never occurs in base64 or quoted-printable lines
        if boundary not in text:
            return boundary


_BOUNDARIES = (_boundary(""), _boundary(""))


# base64 characters only, so the message around it is written as it would be around the PDF's body
_PLACEHOLDER = f"DECKGENATTACHMENT{uuid.uuid4().hex}"
_PLACEHOLDER_BYTES = _PLACEHOLDER.encode("ascii")


_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")


def _html(body: str, language: str, accent: str, title: str) -> str:
    """The plain body as simple, escaped HTML: paragraphs at blank lines, line breaks kept, URLs linked."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
    rendered = "\n".join(f"<p>{_link_urls(p)}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(language)}">\n<head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n"
        f'<body style="font-family: Helvetica, Arial, sans-serif; font-size: 15px; line-height: 1.5; color: #222;">\n'
        f'<div style="border-top: 4px solid {html.escape(accent)}; padding-top: 12px; max-width: 640px;">\n'
        f"{rendered}\n</div>\n</body>\n</html>\n"
    )


def _link_urls(paragraph: str) -> str:
    pieces, position = [], 0
    for match in _URL.finditer(paragraph):
        pieces.append(html.escape(paragraph[position : match.start()], quote=False))
        url = html.escape(match.group(0), quote=True)
        pieces.append(f'<a href="{url}" style="color: inherit;">{url}</a>')
        position = match.end()
    pieces.append(html.escape(paragraph[position:], quote=False))
    return "".join(pieces).replace("\n", "<br>\n")
