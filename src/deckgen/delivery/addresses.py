"""Email addresses and header text: strict validation, so no input can inject a mail header."""

from __future__ import annotations

import re
import unicodedata

from ..errors import describe_character, format_character

# Everything str.splitlines() treats as a line break: any of them could end a header line in some mail
# software, so none may reach a header.
LINE_BREAKS = frozenset("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_DOMAIN_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
SHOWN_LIMIT = 60  # characters of a rejected value that an error message repeats


def quoted(text: str, limit: int = SHOWN_LIMIT) -> str:
    """``text`` for an error message: quoted, control characters escaped, cut to ``limit`` characters.

    A rejected value may come from a file that is not a recipients list at all: repeat only the
    offending value, and never much of it.
    """
    return repr(text if len(text) <= limit else text[: limit - 1] + "\u2026")


def header_text_problem(text: str) -> str | None:
    """Why ``text`` may not go into a mail header, or None if it is safe."""
    if any(char in LINE_BREAKS for char in text):
        return "contains a line break, which could inject mail headers"
    if any(unicodedata.category(char) == "Cc" and char != "\t" for char in text):
        return "contains a control character"
    return None


def check_header_text(text: str) -> str:
    """``text`` unchanged, or ValueError with the reason it cannot be a header value."""
    problem = header_text_problem(text)
    if problem:
        raise ValueError(problem)
    return text


def check_display_name(text: str) -> str:
    """A person's or sender's name for a header: ``check_header_text``, and no invisible format characters.

    A bidi override (U+202E) or a zero-width character makes a name read differently from what it is
    ("Bank" written backwards to look like another sender), so names may not contain any (Unicode Cf).
    """
    check_header_text(text)
    if bad := format_character(text):
        raise ValueError(f"contains the invisible formatting character {describe_character(bad)}, "
                         "which can disguise a name; remove it")
    return text


def parse_address(text: str) -> str:
    """A bare address (``name@example.com``) checked strictly; ValueError says what is wrong."""
    problem = header_text_problem(text)
    if problem:
        raise ValueError(f"address {problem}")
    text = text.strip()
    if not text:
        raise ValueError("address is empty")
    if not text.isascii():
        raise ValueError(f"{quoted(text)} is not a plain ASCII address (internationalised addresses are not supported)")
    from email.errors import HeaderParseError, MessageDefect  # here, not at import: the spec model imports this module
    from email.headerregistry import Address

    try:
        parsed = Address(addr_spec=text)
    except (HeaderParseError, MessageDefect, ValueError, IndexError):
        raise ValueError(f"{quoted(text)} is not a valid email address") from None
    if parsed.addr_spec != text or not parsed.username or not parsed.domain:
        raise ValueError(f"{quoted(text)} is not a valid email address")
    if len(text) > 254 or len(text.rpartition("@")[0]) > 64:  # RFC 5321's limits on a path and a local part
        raise ValueError(f"{quoted(text)} is too long for an email address (at most 64 characters before the @, 254 in all)")
    labels = parsed.domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels) or len(parsed.domain) > 253:
        raise ValueError(f"{quoted(text)} does not have a valid domain (expected something like name@example.com)")
    return text


def parse_mailbox(text: str) -> tuple[str | None, str]:
    """``Name <addr>`` or a bare ``addr`` -> (name or None, address); ValueError if malformed."""
    problem = header_text_problem(text)
    if problem:
        raise ValueError(f"address {problem}")
    text = text.strip()
    match = re.fullmatch(r"(?P<name>[^<>]*?)\s*<(?P<addr>[^<>]*)>", text)
    if not match:
        return None, parse_address(text)
    name = match.group("name").strip().strip('"').strip() or None
    if name is not None:
        try:
            check_display_name(name)
        except ValueError as exc:
            raise ValueError(f"name {exc}") from None
    return name, parse_address(match.group("addr"))


def recipient_key(address: str) -> str:
    """The identity of a mailbox for the ledger and de-duplication (case-insensitive, as mail systems are)."""
    return address.strip().lower()
