"""deckgen send, against a real SMTP server (aiosmtpd on 127.0.0.1): exactly one copy per recipient per edition."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import hashlib
import json
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from conftest import REPO, copy_project, written_day
from deckgen import delivery
from deckgen.errors import ExitCode, display_path

SPEC = Path("specs") / "investor.yaml"
PASSWORD = "s3cret-Pa55word-never-shown"
BASE_RECIPIENTS = ("portfolio.team@example.com", "akiko.tanaka@example.com")
VARIANT_RECIPIENT = "james.whitfield@example.com"
ALL_RECIPIENTS = (*BASE_RECIPIENTS, VARIANT_RECIPIENT)


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_project(tmp_path_factory) -> Path:
    """The example project with its delivery section, PDFs (base + variant) built once for the module."""
    root = copy_project(tmp_path_factory.mktemp("built"))
    spec = root / SPEC
    text = spec.read_text("utf-8")
    assert "  max_attachment_mb: 10\n" in text
    # no waiting between retries in tests; otherwise the spec as shipped
    spec.write_text(text.replace("  max_attachment_mb: 10\n", "  max_attachment_mb: 10\n  retry: {attempts: 3, base_delay: 0}\n"), "utf-8")
    delivery.send(spec, dry_run=True, outbox=root / "warm-up", environ={})
    shutil.rmtree(root / "warm-up")
    return root


@pytest.fixture
def project(built_project: Path, tmp_path: Path, monkeypatch) -> Path:
    """A fresh copy of the built project (no ledger yet), as the working directory."""
    root = tmp_path / "project"
    shutil.copytree(built_project, root)
    monkeypatch.chdir(root)
    return root


@dataclass
class Received:
    rcpt_tos: list[str]
    mail_from: str
    data: bytes
    authenticated: bool

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)  # type: ignore[return-value]


@dataclass
class Handler:
    """Records what it accepts; refuses recipients or drops the connection on demand."""

    received: list[Received] = field(default_factory=list)
    refuse_once: dict[str, str] = field(default_factory=dict)  # address -> reply, given on the first RCPT only
    refuse_always: dict[str, str] = field(default_factory=dict)
    drop_first_rcpt: bool = False  # before the message is sent: clearly not delivered
    stall_first_rcpt: float = 0.0
    store_then_drop_data: int = 0  # this many times: store the message, then drop the connection before replying
    store_then_stall_data: float = 0.0  # once: store the message, then reply only after this many seconds
    rcpt_attempts: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[bytes, bool]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_attempts[address] = self.rcpt_attempts.get(address, 0) + 1
        if self.drop_first_rcpt:
            self.drop_first_rcpt = False
            server.transport.close()
            return "421 4.3.0 dropping the connection"
        if self.stall_first_rcpt:
            stall, self.stall_first_rcpt = self.stall_first_rcpt, 0.0
            await asyncio.sleep(stall)
            return "451 4.3.0 too slow"
        if address in self.refuse_always:
            return self.refuse_always[address]
        if address in self.refuse_once:
            return self.refuse_once.pop(address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(Received(list(envelope.rcpt_tos), envelope.mail_from, envelope.content, session.authenticated))
        if self.store_then_drop_data:
            self.store_then_drop_data -= 1
            server.transport.close()
            return "421 4.3.0 dropping the connection"
        if self.store_then_stall_data:
            stall, self.store_then_stall_data = self.store_then_stall_data, 0.0
            await asyncio.sleep(stall)
        return f"250 2.0.0 Ok: queued as Q{len(self.received)}"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    handler: Handler
    port: int
    controller: Controller


@pytest.fixture
def smtp_server():
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield Server(handler, controller.port, controller)
    controller.stop()


@pytest.fixture
def tls_ca(tmp_path: Path):
    import trustme
    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1", "localhost")
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(server_context)
    ca_file = tmp_path / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return server_context, ca_file


@pytest.fixture
def tls_server(tls_ca):
    """STARTTLS required, AUTH required (only over TLS), one valid login."""
    server_context, ca_file = tls_ca
    handler = Handler()

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"deckgen" and auth_data.password == PASSWORD.encode()
        handler.logins.append((auth_data.login, ok))
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        handler, hostname="127.0.0.1", port=_free_port(), tls_context=server_context, require_starttls=True,
        authenticator=authenticate, auth_required=True, auth_require_tls=True,
    )
    controller.start()
    yield Server(handler, controller.port, controller), ca_file
    controller.stop()


def _clean_env(monkeypatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("DECKGEN_"):
            monkeypatch.delenv(name)


@pytest.fixture
def plain_env(monkeypatch, smtp_server: Server) -> Server:
    _clean_env(monkeypatch)
    monkeypatch.setenv("DECKGEN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DECKGEN_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("DECKGEN_SMTP_SECURITY", "none")
    monkeypatch.setenv("DECKGEN_MAIL_FROM", "Briefs <briefs@example.com>")
    return smtp_server


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _attachments(message) -> list[tuple[str, str, bytes]]:
    return [(part.get_content_type(), part.get_filename(), part.get_content()) for part in message.iter_attachments()]


def _ledger(root: Path) -> list[dict]:
    path = root / "dist" / ".deckgen" / "delivery.sqlite"
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM deliveries ORDER BY recipient")]


def _variant_pdf(root: Path) -> Path:
    [pdf] = (root / "dist" / ".deckgen" / "variants").glob("investor-*.pdf")
    return pdf


# --- delivery over SMTP ---------------------------------------------------------------------------


def test_each_recipient_receives_the_exact_pdf_over_plain_smtp(project, plain_env, cli):
    result = cli("send", SPEC)

    assert result.code == 0, result.stderr
    assert result.stdout.strip().endswith("sent 3, skipped 0, failed 0")
    base_sha = _sha((project / "dist" / "investor.pdf").read_bytes())
    variant_sha = _sha(_variant_pdf(project).read_bytes())
    assert base_sha != variant_sha
    handler = plain_env.handler
    assert len(handler.received) == 3
    for received in handler.received:
        assert len(received.rcpt_tos) == 1, "one message per recipient: nobody sees anyone else's address"
        [address] = received.rcpt_tos
        message = received.message
        assert message["To"].addresses[0].addr_spec == address
        assert message["Cc"] is None and message["Bcc"] is None
        assert received.mail_from == "briefs@example.com"
        [(kind, filename, pdf)] = _attachments(message)
        assert kind == "application/pdf"
        assert filename.startswith("us-japan-strategic-alignment-2026-02-16") and filename.endswith(".pdf")
        assert _sha(pdf) == (variant_sha if address == VARIANT_RECIPIENT else base_sha)
        assert message["X-PDF-SHA256"] == _sha(pdf)
        assert message["Subject"] == "US–Japan Strategic Alignment: investor brief, " + \
            written_day(REPO / SPEC, dt.date(2026, 2, 16), "long")
        assert message["Message-ID"].endswith("@example.com>") and message["Date"] is not None
        plain_part = message.get_body(("plain",)).get_content()
        html_part = message.get_body(("html",)).get_content()
        name = message["To"].addresses[0].display_name
        assert f"Dear {name}," in plain_part and f"Dear {name}," in html_part
        assert "$52B" in plain_part  # a figure placeholder, formatted as in the brief
    assert sorted(r.rcpt_tos[0] for r in handler.received) == sorted(ALL_RECIPIENTS)
    rows = _ledger(project)
    assert [(r["recipient"], r["status"], r["copies"]) for r in rows] == [(a, "sent", 1) for a in sorted(ALL_RECIPIENTS)]
    assert {r["edition"] for r in rows} == {base_sha, variant_sha}
    assert all(r["message_id"] and r["smtp_response"].startswith("250") for r in rows)


def test_a_second_run_sends_nothing_and_resend_overrides(project, plain_env, cli):
    assert cli("send", SPEC).code == 0
    second = cli("send", SPEC)

    assert second.code == 0
    assert len(plain_env.handler.received) == 3
    assert "sent 0, skipped 3, failed 0" in second.stdout
    assert second.stdout.count("already received edition") == 3

    third = cli("send", SPEC, "--resend", "--to", "akiko.tanaka@example.com")
    assert third.code == 0 and "sent 1, skipped 0, failed 0" in third.stdout
    assert len(plain_env.handler.to("akiko.tanaka@example.com")) == 2
    copies = {r["recipient"]: r["copies"] for r in _ledger(project)}
    assert copies == {"akiko.tanaka@example.com": 2, "james.whitfield@example.com": 1, "portfolio.team@example.com": 1}


def test_starttls_with_auth_delivers_the_exact_pdf_and_never_shows_the_password(project, tls_server, monkeypatch, cli):
    server, ca_file = tls_server
    _clean_env(monkeypatch)
    for name, value in {
        "DECKGEN_SMTP_HOST": "127.0.0.1", "DECKGEN_SMTP_PORT": str(server.port), "DECKGEN_SMTP_SECURITY": "starttls",
        "DECKGEN_SMTP_USER": "deckgen", "DECKGEN_SMTP_PASSWORD": PASSWORD, "DECKGEN_SMTP_CA_FILE": str(ca_file),
        "DECKGEN_MAIL_FROM": "briefs@example.com",
    }.items():
        monkeypatch.setenv(name, value)

    result = cli("send", SPEC, "--debug")
    dry = cli("send", SPEC, "--dry-run", "--resend", "--outbox", "outbox")

    assert result.code == 0, result.stderr
    assert len(server.handler.received) == 3
    assert server.handler.logins == [(b"deckgen", True)], "one connection, one login, for all three messages"
    base_sha = _sha((project / "dist" / "investor.pdf").read_bytes())
    for received in server.handler.received:
        assert received.authenticated
        [(_, _, pdf)] = _attachments(received.message)
        if received.rcpt_tos != [VARIANT_RECIPIENT]:
            assert _sha(pdf) == base_sha
    secret = PASSWORD.encode()
    written = [p for p in project.rglob("*") if p.is_file() and p.suffix in (".sqlite", ".eml", ".json", ".lock")]
    assert any(p.suffix == ".eml" for p in written) and any(p.suffix == ".sqlite" for p in written)
    for output in (result.stdout, result.stderr, dry.stdout, dry.stderr):
        assert PASSWORD not in output
    for path in written:
        assert secret not in path.read_bytes(), path
    assert all(secret not in r.data for r in server.handler.received)


def test_a_wrong_password_fails_clearly_without_showing_it(project, tls_server, monkeypatch, cli):
    server, ca_file = tls_server
    _clean_env(monkeypatch)
    wrong = "not-the-" + PASSWORD
    for name, value in {
        "DECKGEN_SMTP_HOST": "127.0.0.1", "DECKGEN_SMTP_PORT": str(server.port), "DECKGEN_SMTP_SECURITY": "starttls",
        "DECKGEN_SMTP_USER": "deckgen", "DECKGEN_SMTP_PASSWORD": wrong, "DECKGEN_SMTP_CA_FILE": str(ca_file),
        "DECKGEN_MAIL_FROM": "briefs@example.com",
    }.items():
        monkeypatch.setenv(name, value)

    result = cli("send", SPEC, "--debug")

    assert result.code == ExitCode.DELIVERY_FAILED
    assert "refused the login: 535" in result.stderr
    assert "failed 3" in result.stderr
    assert wrong not in result.stdout + result.stderr
    assert server.handler.received == []
    # smtplib tries each mechanism the server offers (PLAIN, LOGIN) once; deckgen itself does not retry a 535
    assert server.handler.logins == [(b"deckgen", False)] * 2
    assert wrong.encode() not in (project / "dist" / ".deckgen" / "delivery.sqlite").read_bytes()


def test_an_untrusted_certificate_is_refused_not_ignored(project, tls_server, monkeypatch, cli):
    server, _ = tls_server
    _clean_env(monkeypatch)
    monkeypatch.setenv("DECKGEN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DECKGEN_SMTP_PORT", str(server.port))
    monkeypatch.setenv("DECKGEN_MAIL_FROM", "briefs@example.com")  # security defaults to starttls; no CA file

    result = cli("send", SPEC, "--to", "ann@example.com")

    assert result.code == ExitCode.DELIVERY_FAILED
    assert "TLS certificate is not trusted" in result.stderr and "DECKGEN_SMTP_CA_FILE" in result.stderr
    assert server.handler.received == []


def test_a_recipient_refused_once_with_4xx_receives_exactly_one_copy(project, plain_env, cli):
    plain_env.handler.refuse_once["akiko.tanaka@example.com"] = "450 4.2.1 Mailbox busy, try again later"

    result = cli("send", SPEC)

    assert result.code == 0, result.stderr
    assert "sent 3, skipped 0, failed 0" in result.stdout
    assert plain_env.handler.rcpt_attempts["akiko.tanaka@example.com"] == 2
    assert len(plain_env.handler.to("akiko.tanaka@example.com")) == 1
    assert "450 4.2.1 Mailbox busy" in result.stderr and "retrying" in result.stderr
    attempts = {r["recipient"]: r["attempts"] for r in _ledger(project)}
    assert attempts["akiko.tanaka@example.com"] == 2 and attempts["portfolio.team@example.com"] == 1


def test_a_dropped_connection_and_a_timeout_before_the_message_is_sent_are_retried(project, plain_env, monkeypatch, cli):
    plain_env.handler.drop_first_rcpt = True
    result = cli("send", SPEC, "--to", "ann@example.com")
    assert result.code == 0, result.stderr
    assert len(plain_env.handler.to("ann@example.com")) == 1
    assert "connection lost" in result.stderr

    monkeypatch.setenv("DECKGEN_SMTP_TIMEOUT", "0.5")
    plain_env.handler.stall_first_rcpt = 1.5
    result = cli("send", SPEC, "--to", "bob@example.com")
    assert result.code == 0, result.stderr
    assert len(plain_env.handler.to("bob@example.com")) == 1
    assert "timed out" in result.stderr


UNKNOWN_SUMMARY = ("unknown 1 (may have been delivered; a run with --on-ambiguous retry, the default, sends it again, one "
                   "with --on-ambiguous hold does not)")


def test_by_default_a_connection_lost_mid_data_is_retried_and_the_possible_duplicate_recorded(project, plain_env, cli):
    plain_env.handler.store_then_drop_data = 1  # the server stores the message, then drops the connection before replying

    result = cli("send", SPEC, "--to", "ann@example.com", "--log-format", "json")

    assert result.code == 0, result.stderr
    assert len(plain_env.handler.to("ann@example.com")) == 2  # at least once: the first copy had arrived too
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["recipient"], r["status"], r["possible_duplicate"]) for r in records if "recipient" in r] == [
        ("ann@example.com", "sent", True)]
    assert records[-1] == {"sent": 1, "skipped": 0, "failed": 0, "unknown": 0, "possible_duplicates": 1, "ok": True}
    [row] = _ledger(project)
    assert (row["status"], row["copies"], row["possible_duplicates"]) == ("sent", 1, 1)


def test_a_possible_duplicate_is_said_in_the_summary(project, plain_env, cli):
    plain_env.handler.store_then_drop_data = 1

    result = cli("send", SPEC, "--to", "ann@example.com")

    assert result.code == 0, result.stderr
    assert "[possibly twice: an earlier copy may have been stored when the connection was lost]" in result.stdout
    assert ("sent 1 (1 possibly twice: a connection was lost after an earlier copy was sent, so the server may have "
            "stored it too), skipped 0, failed 0") in result.stdout


def test_a_connection_lost_after_the_message_was_sent_is_unknown_held_and_never_resent_unless_told(project, plain_env, cli):
    plain_env.handler.store_then_drop_data = 1

    first = cli("send", SPEC, "--to", "ann@example.com", "--on-ambiguous", "hold")

    assert first.code == ExitCode.DELIVERY_FAILED
    assert "UNKNOWN  ann@example.com: the connection was lost after the message was sent, before the server confirmed " \
           "it (Connection unexpectedly closed): it may have been delivered" in first.stderr
    assert first.stderr.splitlines()[-1] == f"sent 0, skipped 0, failed 0, {UNKNOWN_SUMMARY}"
    assert "retrying" not in first.stderr  # hold: at most once
    assert len(plain_env.handler.to("ann@example.com")) == 1  # the server did store it
    [row] = _ledger(project)
    assert (row["recipient"], row["status"], row["copies"], row["attempts"]) == ("ann@example.com", "unknown", 0, 1)
    assert row["message_id"] == plain_env.handler.received[0].message["Message-ID"]

    again = cli("send", SPEC, "--to", "ann@example.com", "--on-ambiguous", "hold")
    assert again.code == ExitCode.DELIVERY_FAILED
    assert "UNKNOWN  ann@example.com: may already have edition" in again.stderr and "held, not sent again" in again.stderr
    assert again.stderr.splitlines()[-1] == f"sent 0, skipped 0, failed 0, {UNKNOWN_SUMMARY}"
    assert len(plain_env.handler.to("ann@example.com")) == 1

    dry = cli("send", SPEC, "--to", "ann@example.com", "--dry-run", "--on-ambiguous", "hold")
    assert "UNKNOWN  ann@example.com: may already have edition" in dry.stderr and not (project / "dist" / "outbox").exists()

    told = cli("send", SPEC, "--to", "ann@example.com")  # retry, the default
    assert told.code == 0, told.stderr
    assert "sent 1 (1 possibly twice" in told.stdout
    assert len(plain_env.handler.to("ann@example.com")) == 2  # at least once: the first copy had arrived
    [row] = _ledger(project)
    assert (row["status"], row["copies"], row["attempts"], row["possible_duplicates"]) == ("sent", 1, 2, 1)


def test_with_retry_an_unconfirmed_message_is_sent_again_in_the_same_run(project, plain_env, monkeypatch, cli):
    monkeypatch.setenv("DECKGEN_SMTP_TIMEOUT", "0.5")
    plain_env.handler.store_then_stall_data = 1.5

    result = cli("send", SPEC, "--to", "ann@example.com", "--on-ambiguous", "retry")

    assert result.code == 0, result.stderr
    assert "timed out" in result.stderr and "retrying" in result.stderr
    assert len(plain_env.handler.to("ann@example.com")) == 2
    [row] = _ledger(project)
    assert (row["status"], row["copies"]) == ("sent", 1)


def test_a_reply_that_times_out_after_the_message_is_unknown(project, plain_env, monkeypatch, cli):
    monkeypatch.setenv("DECKGEN_SMTP_TIMEOUT", "0.5")
    plain_env.handler.store_then_stall_data = 1.5

    result = cli("send", SPEC, "--to", "ann@example.com", "--on-ambiguous", "hold")

    assert result.code == ExitCode.DELIVERY_FAILED
    assert "UNKNOWN  ann@example.com: the connection was lost after the message was sent, before the server confirmed " \
           "it (Connection unexpectedly closed: timed out): it may have been delivered" in result.stderr
    assert len(plain_env.handler.to("ann@example.com")) == 1


def test_when_every_retry_is_unconfirmed_the_recipient_stays_unknown(project, plain_env, cli):
    plain_env.handler.store_then_drop_data = 3  # the spec allows 3 attempts

    result = cli("send", SPEC, "--to", "ann@example.com", "--on-ambiguous", "retry")

    assert result.code == ExitCode.DELIVERY_FAILED
    assert result.stderr.splitlines()[-1] == f"sent 0, skipped 0, failed 0, {UNKNOWN_SUMMARY}"
    assert len(plain_env.handler.to("ann@example.com")) == 3
    assert [row["status"] for row in _ledger(project)] == ["unknown"]


def test_a_run_killed_while_sending_leaves_the_recipient_unknown(project, plain_env, cli):
    from deckgen.delivery.ledger import Ledger

    edition = _sha((project / "dist" / "investor.pdf").read_bytes())
    with Ledger(project / "dist" / ".deckgen" / "delivery.sqlite") as ledger:  # what a run killed mid-send leaves
        ledger.mark_sending(edition=edition, recipient="ann@example.com", name=None, spec="specs/investor.yaml", variant="")

    held = cli("send", SPEC, "--to", "ann@example.com", "--on-ambiguous", "hold")
    assert held.code == ExitCode.DELIVERY_FAILED
    assert "UNKNOWN  ann@example.com: may already have edition" in held.stderr
    assert "(a run stopped while sending it," in held.stderr
    assert plain_env.handler.received == []

    assert cli("send", SPEC, "--to", "ann@example.com").code == 0  # retry, the default
    assert [(row["status"], row["possible_duplicates"]) for row in _ledger(project)] == [("sent", 1)]


def test_a_ledger_from_the_previous_schema_is_upgraded_in_place(tmp_path):
    from deckgen.delivery.ledger import Ledger

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE deliveries (edition TEXT NOT NULL, recipient TEXT NOT NULL, name TEXT, spec TEXT NOT NULL,
                variant TEXT NOT NULL DEFAULT '', status TEXT NOT NULL CHECK (status IN ('sent', 'failed-temporary',
                'failed-permanent')), message_id TEXT, smtp_response TEXT, attempts INTEGER NOT NULL DEFAULT 0,
                copies INTEGER NOT NULL DEFAULT 0, first_sent_at TEXT, updated_at TEXT NOT NULL);
            CREATE UNIQUE INDEX deliveries_edition_recipient ON deliveries (edition, recipient);
            INSERT INTO deliveries VALUES ('e', 'ann@example.com', 'Ann', 's', '', 'sent', '<1@x>', '250 ok', 1, 1, 't', 't');
            PRAGMA user_version = 1;
        """)
    with Ledger(path) as ledger:
        assert ledger.row("e", "ann@example.com").status == "sent"
        common = dict(edition="e", recipient="bob@example.com", name=None, spec="s", variant="")
        ledger.record(**common, status="unknown", message_id="<2@x>", smtp_response="lost", attempts=1)
        ledger.record(**common, status="failed-temporary", message_id=None, smtp_response="450", attempts=1)
        assert ledger.row("e", "bob@example.com").status == "unknown"  # a later failure: the first copy may have arrived
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 3
        assert db.execute("SELECT possible_duplicates FROM deliveries WHERE recipient = 'ann@example.com'").fetchone() == (0,)


def test_a_5xx_for_one_recipient_exits_4_while_the_others_receive_theirs(project, plain_env, cli):
    plain_env.handler.refuse_always["akiko.tanaka@example.com"] = "550 5.1.1 No such user here"

    result = cli("send", SPEC)

    assert result.code == ExitCode.DELIVERY_FAILED
    assert "sent 2, skipped 0, failed 1" in result.stderr
    assert "akiko.tanaka@example.com: 550 5.1.1 No such user here (permanent)" in result.stderr
    assert plain_env.handler.rcpt_attempts["akiko.tanaka@example.com"] == 1, "a 5xx is not retried"
    assert sorted(r.rcpt_tos[0] for r in plain_env.handler.received) == sorted(ALL_RECIPIENTS[0::2])
    statuses = {r["recipient"]: r["status"] for r in _ledger(project)}
    assert statuses["akiko.tanaka@example.com"] == "failed-permanent"

    # the address is fixed: a re-run sends only to the one who has not received this edition
    del plain_env.handler.refuse_always["akiko.tanaka@example.com"]
    rerun = cli("send", SPEC)
    assert rerun.code == 0 and "sent 1, skipped 2, failed 0" in rerun.stdout
    assert all(len(plain_env.handler.to(a)) == 1 for a in ALL_RECIPIENTS)


def test_an_unreachable_server_fails_every_recipient_without_hanging(project, monkeypatch, cli):
    _clean_env(monkeypatch)
    monkeypatch.setenv("DECKGEN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DECKGEN_SMTP_PORT", str(_free_port()))  # nothing listens there
    monkeypatch.setenv("DECKGEN_SMTP_SECURITY", "none")
    monkeypatch.setenv("DECKGEN_MAIL_FROM", "briefs@example.com")

    result = cli("send", SPEC)

    assert result.code == ExitCode.DELIVERY_FAILED
    assert "cannot reach the mail server 127.0.0.1" in result.stderr and "tried 3 time(s)" in result.stderr
    assert "sent 0, skipped 0, failed 3" in result.stderr
    assert result.stderr.count("not attempted") == 2


def test_an_overlapping_send_is_refused(project, plain_env, cli):
    from deckgen.delivery.ledger import SendLock

    with SendLock(project / "dist" / ".deckgen" / "delivery.sqlite"):
        result = cli("send", SPEC)
    assert result.code == ExitCode.LOCKED
    assert "another deckgen send is using the ledger" in result.stderr
    assert plain_env.handler.received == []


# --- dry runs, recipients files, variants, size ---------------------------------------------------


def test_a_dry_run_writes_eml_files_that_parse_back_and_sends_nothing(project, monkeypatch, cli):
    _clean_env(monkeypatch)  # a dry run needs no SMTP settings at all

    result = cli("send", SPEC, "--dry-run", "--outbox", "out")

    assert result.code == 0, result.stderr
    assert "dry run: 3 message(s) written to out" in result.stdout
    files = sorted((project / "out").glob("*.eml"))
    assert [f.name for f in files] == sorted(f"{a}.eml" for a in ALL_RECIPIENTS)
    base_sha = _sha((project / "dist" / "investor.pdf").read_bytes())
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        [(kind, _, pdf)] = _attachments(message)
        assert kind == "application/pdf" and pdf.startswith(b"%PDF-")
        if path.name != f"{VARIANT_RECIPIENT}.eml":
            assert _sha(pdf) == base_sha
        assert message.get_body(("html",)) is not None and message.get_body(("plain",)) is not None
        assert message["From"].addresses[0].display_name == "Meridian Pacific Research"
        assert message["Reply-To"].addresses[0].addr_spec == "research@example.com"
        assert path.read_bytes().count(b"\r\n") > 10, "SMTP line endings, as it would be sent"
    assert not (project / "dist" / ".deckgen" / "delivery.sqlite").exists(), "a dry run records nothing"


def test_recipients_files_in_csv_and_yaml_replace_the_spec_list(project, plain_env, cli):
    (project / "list.csv").write_text("email,name\n# a comment row\nann@example.com,Ann Lee\n\nbob@example.com,\n")
    (project / "more.yaml").write_text("recipients:\n  - {email: carol@example.com, name: Carol}\n  - dan@example.com\n")

    result = cli("send", SPEC, "--recipients", "list.csv", "--recipients", "more.yaml", "--to", "Ann Lee <ANN@example.com>")

    assert result.code == 0, result.stderr
    got = sorted(r.rcpt_tos[0] for r in plain_env.handler.received)
    assert got == ["ann@example.com", "bob@example.com", "carol@example.com", "dan@example.com"]
    greetings = {r.rcpt_tos[0]: r.message.get_body(("plain",)).get_content().splitlines()[0] for r in plain_env.handler.received}
    assert greetings["ann@example.com"] == "Dear Ann Lee,"
    assert greetings["bob@example.com"] == "Dear reader,"


def test_a_recipient_with_parameters_gets_the_variant_built_with_them(project, plain_env, cli):
    # a cell is taken as typed: "#" does not start a comment, so the subtitle is not cut to "Desk"
    (project / "desk.csv").write_text("email,name,figures.usdjpy,subtitle\nann@example.com,Ann,150,Desk #2 edition\nbob@example.com,Bob,,\n")

    result = cli("send", SPEC, "--recipients", "desk.csv")

    assert result.code == 0, result.stderr
    [ann] = plain_env.handler.to("ann@example.com")
    [bob] = plain_env.handler.to("bob@example.com")
    [(_, _, ann_pdf)] = _attachments(ann.message)
    [(_, _, bob_pdf)] = _attachments(bob.message)
    assert _sha(bob_pdf) == _sha((project / "dist" / "investor.pdf").read_bytes())
    variants = {_sha(p.read_bytes()): p for p in (project / "dist" / ".deckgen" / "variants").glob("*.pdf")}
    assert _sha(ann_pdf) in variants, "the variant is on disk, byte for byte what was sent"
    from pypdf import PdfReader
    import io

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(ann_pdf)).pages)
    assert "Desk #2 edition" in text and "150" in text
    assert "Desk #2 edition" not in " ".join(page.extract_text() for page in PdfReader(io.BytesIO(bob_pdf)).pages)
    editions = {r["recipient"]: r["edition"] for r in _ledger(project)}
    assert editions["ann@example.com"] == _sha(ann_pdf) and editions["bob@example.com"] == _sha(bob_pdf)


def test_bad_recipient_parameters_are_located_in_the_recipients_file(project, plain_env, cli):
    (project / "desk.csv").write_text("email,name,region\nann@example.com,Ann,EU\n")

    result = cli("send", SPEC, "--recipients", "desk.csv")

    assert result.code == ExitCode.INVALID
    assert result.stderr.startswith("desk.csv:2:1: variant of ann@example.com: unknown key 'region'; allowed: archive, author, brand")
    assert "Traceback" not in result.stderr
    assert plain_env.handler.received == []


def test_over_the_size_limit_a_link_is_sent_when_the_spec_has_a_base_url(project, plain_env, cli):
    result = cli("send", SPEC, "--max-size", "0.01", "--to", "ann@example.com")

    assert result.code == 0, result.stderr
    assert "over the 0.01 MB attachment limit" in result.stderr
    [received] = plain_env.handler.received
    message = received.message
    assert _attachments(message) == []
    link = "https://research.example.com/briefs/us-japan-strategic-alignment-2026-02-16.pdf"
    assert link in message.get_body(("plain",)).get_content()
    assert f'href="{link}"' in message.get_body(("html",)).get_content()


def test_over_the_size_limit_without_a_base_url_nothing_is_sent(project, plain_env, cli):
    spec = project / SPEC
    spec.write_text(spec.read_text("utf-8").replace("  base_url: https://research.example.com/briefs/\n", ""), "utf-8")

    result = cli("send", SPEC, "--max-size", "0.01")

    assert result.code == ExitCode.DELIVERY_FAILED
    assert "over the 0.01 MB attachment limit" in result.stderr and "nothing was sent" in result.stderr
    assert plain_env.handler.received == []


def test_a_changed_brief_is_a_new_edition_that_everyone_receives(project, plain_env, cli):
    assert cli("send", SPEC, "--to", "ann@example.com").code == 0
    old = _sha((project / "dist" / "investor.pdf").read_bytes())
    figures = project / "data" / "us-japan" / "figures.yaml"
    text = figures.read_text("utf-8")
    assert "value: 52" in text
    figures.write_text(text.replace("value: 52", "value: 53", 1), "utf-8")

    result = cli("send", SPEC, "--to", "ann@example.com")

    assert result.code == 0, result.stderr
    assert "built dist/investor.pdf" in result.stderr
    new = _sha((project / "dist" / "investor.pdf").read_bytes())
    assert new != old
    assert [_sha(_attachments(r.message)[0][2]) for r in plain_env.handler.received] == [old, new]


# --- refusing bad input ---------------------------------------------------------------------------


def test_header_injection_is_refused_wherever_it_comes_from(project, plain_env, cli):
    (project / "evil.csv").write_text('email,name\nann@example.com,Ann\nbob@example.com,"Bob\r\nBcc: all@example.net"\n')
    from_file = cli("send", SPEC, "--recipients", "evil.csv")
    assert from_file.code == ExitCode.INVALID
    assert from_file.stderr.splitlines()[0] == "evil.csv:3:17: name: contains a line break, which could inject mail headers"

    from_option = cli("send", SPEC, "--to", "ann@example.com\nBcc: all@example.net")
    assert from_option.code == ExitCode.INVALID
    assert "<command line> --to: 'ann@example.com\\nBcc: all@example.net': address contains a line break" in from_option.stderr

    spec = project / SPEC
    text = spec.read_text("utf-8")
    spec.write_text(text.replace('subject: "{{ title }}: investor brief, {{ date }}"', 'subject: "Brief\\r\\nBcc: all@example.net"'), "utf-8")
    line = next(n for n, l in enumerate(spec.read_text("utf-8").splitlines(), 1) if l.strip().startswith("subject: \"Brief"))
    from_spec = cli("send", SPEC)
    assert from_spec.code == ExitCode.INVALID
    assert f"specs/investor.yaml:{line}:12: delivery.subject: contains a line break" in from_spec.stderr
    assert "Traceback" not in from_file.stderr + from_option.stderr + from_spec.stderr
    assert plain_env.handler.received == []


def test_control_characters_in_recipients_files_are_located_and_escaped(project, plain_env, cli):
    (project / "ctl.csv").write_bytes(b"email,name,subtitle\nann@example.com,Ann,Desk\x00 two\nbob@example.com,Bob,\"Two\nlines\"\n")
    result = cli("send", SPEC, "--recipients", "ctl.csv")
    assert result.code == ExitCode.INVALID
    assert result.stderr.splitlines()[:2] == [
        "ctl.csv:2:21: subtitle: contains U+0000, a control character or line break; remove it",
        "ctl.csv:3:21: subtitle: contains U+000A, a control character or line break; remove it",
    ]
    (project / "ctl.yaml").write_bytes(b"- {email: ann@example.com, name: \"Ann\\x07\"}\n- bob@example.com\x1b\n")
    result = cli("send", SPEC, "--recipients", "ctl.yaml")
    assert result.code == ExitCode.INVALID
    assert result.stderr.splitlines()[0] == "ctl.yaml:2:18: control character U+001B is not allowed in YAML; remove it"
    assert "Traceback" not in result.stderr and plain_env.handler.received == []


def test_bidi_and_other_format_characters_in_names_are_refused(project, plain_env, cli, monkeypatch):
    rlo = "\u202e"
    (project / "bidi.csv").write_text(f"email,name\nann@example.com,Ann{rlo}moc.knab\n", "utf-8")
    from_file = cli("send", SPEC, "--recipients", "bidi.csv")
    assert from_file.code == ExitCode.INVALID
    assert from_file.stderr.splitlines()[0] == (
        "bidi.csv:2:17: name: contains the invisible formatting character U+202E RIGHT-TO-LEFT OVERRIDE, "
        "which can disguise a name; remove it"
    )
    from_option = cli("send", SPEC, "--to", f"Ann\u200b Lee <ann@example.com>")
    assert from_option.code == ExitCode.INVALID
    assert from_option.stderr.splitlines()[0] == (
        "<command line> --to: 'Ann\\u200b Lee <ann@example.com>': name contains the invisible formatting character "
        "U+200B ZERO WIDTH SPACE, which can disguise a name; remove it"
    )
    monkeypatch.setenv("DECKGEN_MAIL_FROM", f"Your Bank{rlo} <briefs@example.com>")
    from_setting = cli("send", SPEC, "--to", "ann@example.com")
    assert from_setting.code == ExitCode.INVALID
    assert from_setting.stderr.splitlines()[0] == (
        "$DECKGEN_MAIL_FROM: name contains the invisible formatting character U+202E RIGHT-TO-LEFT OVERRIDE, "
        "which can disguise a name; remove it"
    )
    monkeypatch.setenv("DECKGEN_MAIL_FROM", "briefs@example.com")
    spec = project / SPEC
    text = spec.read_text("utf-8")
    comment = "  # from_name: the sender's display name; default the brand's name (brand.yml meta.name)\n"
    assert comment in text
    spec.write_text(text.replace(comment, f"  from_name: Meridian{rlo} Research\n"), "utf-8")
    line = next(n for n, l in enumerate(spec.read_text("utf-8").splitlines(), 1) if l.startswith("  from_name:"))
    from_spec = cli("send", SPEC)
    assert from_spec.code == ExitCode.INVALID
    assert from_spec.stderr.splitlines()[0] == (
        f"specs/investor.yaml:{line}:14: delivery.from_name: contains the invisible formatting character "
        "U+202E RIGHT-TO-LEFT OVERRIDE, which can disguise a name; remove it"
    )
    assert plain_env.handler.received == []


def test_unknown_template_placeholders_are_located_in_the_spec(project, plain_env, cli):
    spec = project / SPEC
    text = spec.read_text("utf-8").replace("This week: {{ jsif_commitment }}", "This week: {{ jsif_comitment }}")
    spec.write_text(text, "utf-8")
    line = next(n for n, l in enumerate(text.splitlines(), 1) if "jsif_comitment" in l)
    col = text.splitlines()[line - 1].index("{{ jsif_comitment }}") + 1

    result = cli("send", SPEC)

    assert result.code == ExitCode.INVALID
    assert result.stderr.startswith(f"specs/investor.yaml:{line}:{col}: {{{{ jsif_comitment }}}}: unknown placeholder 'jsif_comitment'")
    assert plain_env.handler.received == []


def test_missing_or_bad_settings_are_listed_one_per_line(project, monkeypatch, cli):
    _clean_env(monkeypatch)
    monkeypatch.setenv("DECKGEN_SMTP_PORT", "smtp")
    monkeypatch.setenv("DECKGEN_SMTP_SECURITY", "tls")
    monkeypatch.setenv("DECKGEN_SMTP_PASSWORD", PASSWORD)

    result = cli("send", SPEC)

    assert result.code == ExitCode.INVALID
    assert result.stderr.splitlines() == [
        "$DECKGEN_MAIL_FROM: is not set: the sender address, like briefs@example.com",
        "$DECKGEN_SMTP_HOST: is not set: the name of the mail server to send through (or use --dry-run)",
        "$DECKGEN_SMTP_PORT: must be a port number from 1 to 65535, not 'smtp'",
        "$DECKGEN_SMTP_SECURITY: must be one of none, starttls, ssl, not 'tls'",
        "$DECKGEN_SMTP_USER: is not set but $DECKGEN_SMTP_PASSWORD is",
        "5 setting problem(s); nothing was sent",
    ]
    assert PASSWORD not in result.stderr + result.stdout


def test_no_recipients_is_an_error_not_a_silent_success(project, plain_env, cli):
    (project / "empty.csv").write_text("email,name\n")
    result = cli("send", SPEC, "--recipients", "empty.csv")
    assert result.code == ExitCode.INVALID
    assert "no recipients" in result.stderr


# --- the parts on their own -----------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "ann@example.com", "ann.lee+briefs@mail.example.co.uk", '"ann lee"@example.com',
])
def test_valid_addresses(text):
    assert delivery.parse_address(text) == text


@pytest.mark.parametrize("text, reason", [
    ("ann@example.com\r\nBcc: x@example.com", "line break"),
    ("ann@example.com\u2028", "line break"),
    ("ann@@example.com", "not a valid email address"),
    ("ann@example", "valid domain"),
    ("ann@-example.com", "valid domain"),
    ("ann@example.com, bob@example.com", "not a valid email address"),
    ("Ann <ann@example.com>", "not a valid email address"),
    ("añn@example.com", "ASCII"),
    ("a" * 65 + "@example.com", "too long"),
    ("ann@" + "example." * 31 + "com", "too long"),
    ("", "empty"),
])
def test_invalid_addresses(text, reason):
    with pytest.raises(ValueError, match=reason):
        delivery.parse_address(text)


def test_mailboxes_with_display_names():
    assert delivery.parse_mailbox("Ann Lee <ann@example.com>") == ("Ann Lee", "ann@example.com")
    assert delivery.parse_mailbox('"Lee, Ann" <ann@example.com>') == ("Lee, Ann", "ann@example.com")
    assert delivery.parse_mailbox("ann@example.com") == (None, "ann@example.com")


def test_settings_defaults_and_the_password_stays_out_of_repr():
    settings = delivery.load_settings({
        "DECKGEN_SMTP_HOST": "mail.example.com", "DECKGEN_SMTP_USER": "u", "DECKGEN_SMTP_PASSWORD": PASSWORD,
        "DECKGEN_MAIL_FROM": "Research <research@example.com>",
    })
    assert (settings.security, settings.port) == ("starttls", 587)
    assert (settings.mail_from_name, settings.mail_from) == ("Research", "research@example.com")
    assert PASSWORD not in repr(settings) and PASSWORD not in settings.describe()
    assert delivery.load_settings({"DECKGEN_SMTP_HOST": "h.example.com", "DECKGEN_SMTP_SECURITY": "ssl",
                                   "DECKGEN_MAIL_FROM": "a@example.com"}).port == 465


def test_a_password_is_never_sent_unencrypted_to_a_remote_server():
    with pytest.raises(delivery.SettingsError) as caught:
        delivery.load_settings({
            "DECKGEN_SMTP_HOST": "mail.example.com", "DECKGEN_SMTP_SECURITY": "none", "DECKGEN_SMTP_USER": "u",
            "DECKGEN_SMTP_PASSWORD": PASSWORD, "DECKGEN_MAIL_FROM": "a@example.com",
        })
    assert "refusing to send the password to mail.example.com unencrypted" in caught.value.lines()[0]


def test_the_ledger_never_downgrades_a_sent_row(tmp_path):
    path = tmp_path / "ledger.sqlite"
    common = dict(edition="e" * 64, recipient="ann@example.com", name="Ann", spec="specs/x.yaml", variant="")
    with delivery.Ledger(path) as ledger:
        ledger.record(**common, status="failed-temporary", message_id=None, smtp_response="450 busy", attempts=3)
        ledger.record(**common, status="sent", message_id="<1@x>", smtp_response="250 ok", attempts=1)
        ledger.record(**common, status="failed-permanent", message_id=None, smtp_response="550 gone", attempts=1)
        [row] = ledger.rows()
    assert (row.status, row.message_id, row.smtp_response, row.attempts, row.copies) == ("sent", "<1@x>", "550 gone", 5, 1)
    assert row.first_sent_at is not None
    with delivery.Ledger(tmp_path / "absent.sqlite", read_only=True) as ledger:
        assert ledger.row("e" * 64, "ann@example.com") is None
    assert not (tmp_path / "absent.sqlite").exists()
    with pytest.raises(sqlite3.IntegrityError):
        with sqlite3.connect(path) as db:
            db.execute("INSERT INTO deliveries (edition, recipient, spec, status, updated_at) VALUES (?, ?, 's', 'sent', 'now')",
                       ("e" * 64, "ann@example.com"))


def test_backoff_doubles_up_to_the_cap():
    mailer = delivery.Mailer(
        delivery.load_settings({}, require_server=False), delivery.RetryPolicy(attempts=6, base_delay=1.5, max_delay=10)
    )
    assert [mailer.delay(n) for n in range(1, 6)] == [1.5, 3.0, 6.0, 10, 10]


# Modules only sending needs: loading any of them on `deckgen validate` or `build` is the bug this guards.
# babel.dates is not here: validate formats every figure (the precision and hand-typed checks compare
# what will print), and reading a locale's data unpickles classes from babel.dates (2 ms)
SENDING_ONLY = {"smtplib", "ssl", "sqlite3", "deckgen.delivery.smtp", "deckgen.delivery.ledger", "deckgen.delivery.message",
                "deckgen.delivery.service"}
RENDERING = {"matplotlib", "reportlab"}


def _imports(stderr: str) -> list[tuple[int, str]]:
    """(depth, module) from ``python -X importtime``, in its order: a module's imports come before it, deeper."""
    found = []
    for line in stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2 and not line.endswith("| imported package"):
            name = line.rsplit("|", 1)[1]
            found.append(((len(name) - len(name.lstrip())) // 2, name.strip()))
    return found


def _importers(imports: list[tuple[int, str]], module: str) -> list[str]:
    """The chain of modules whose import first loaded ``module`` (its parent, its parent's parent...)."""
    for index, (depth, name) in enumerate(imports):
        if name == module:
            chain = []
            for later_depth, later in imports[index + 1:]:
                if later_depth < depth:
                    chain.append(later)
                    depth = later_depth
            return chain
    return []


def _assert_nothing_only_sending_needs(stderr: str) -> None:
    imports = _imports(stderr)
    loaded = {name for _, name in imports}
    assert "deckgen.delivery.model" in loaded, "the measurement itself works"
    assert {m for m in loaded if m.split(".")[0] in RENDERING} == set()
    assert loaded & SENDING_ONLY == set(), {m: _importers(imports, m) for m in loaded & SENDING_ONLY}


def test_validate_loads_nothing_that_only_sending_needs(project):
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "deckgen", "validate", str(SPEC)], cwd=project,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    _assert_nothing_only_sending_needs(done.stderr)


def test_check_delivery_loads_nothing_that_only_sending_needs(project):
    (project / "desk.csv").write_text("email,name,subtitle\nann@example.com,Ann,Desk #2 edition\n")
    spec = project / SPEC
    spec.write_text(spec.read_text("utf-8").replace("  max_attachment_mb: 10\n", "  max_attachment_mb: 10\n  recipients_file: ../desk.csv\n"), "utf-8")
    probe = (
        "import deckgen.delivery.recipients\n"  # first, then checks: what each imports shows as its own
        "from deckgen.delivery.checks import inspect_delivery\n"
        "from deckgen import build\n"
        f"plan = inspect_delivery(build.check({str(SPEC)!r}))\n"
        "assert plan.problems == () and len(plan.variants) == 3, plan\n"  # the spec, the London desk, the CSV's
    )
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", probe], cwd=project, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "deckgen.delivery.checks" in {name for _, name in _imports(done.stderr)}
    _assert_nothing_only_sending_needs(done.stderr)


def test_the_package_exports_every_name_on_first_use():
    code = (
        "import sys, deckgen.delivery as d\n"
        "before = sorted(m for m in sys.modules if m.startswith('deckgen.delivery.') or m in ('smtplib', 'sqlite3'))\n"
        "missing = [n for n in d.__all__ if getattr(d, n, None) is None]\n"
        "print(before, missing, 'send' in dir(d))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[] [] True", "importing the package loads no submodule; every export resolves"
    with pytest.raises(AttributeError, match="no attribute 'sned'"):
        delivery.sned  # noqa: B018


def test_implicit_tls_on_the_ssl_port_also_delivers(project, tls_ca, monkeypatch, cli):
    server_context, ca_file = tls_ca
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port(), ssl_context=server_context)
    controller.start()
    try:
        _clean_env(monkeypatch)
        for name, value in {
            "DECKGEN_SMTP_HOST": "127.0.0.1", "DECKGEN_SMTP_PORT": str(controller.port), "DECKGEN_SMTP_SECURITY": "ssl",
            "DECKGEN_SMTP_CA_FILE": str(ca_file), "DECKGEN_MAIL_FROM": "briefs@example.com",
        }.items():
            monkeypatch.setenv(name, value)
        result = cli("send", SPEC, "--to", "ann@example.com")
    finally:
        controller.stop()
    assert result.code == 0, result.stderr
    [received] = handler.received
    [(_, _, pdf)] = _attachments(received.message)
    assert _sha(pdf) == _sha((project / "dist" / "investor.pdf").read_bytes())


def test_a_yaml_recipients_file_with_mistakes_lists_each_one_where_it_is(project, plain_env, cli):
    (project / "list.yaml").write_text(
        "- {email: ann@example.com, nmae: Ann}\n"
        "- {name: Bob}\n"
        "- {email: carol@example.com, variant: {figures.usdjpy: 150}}\n"
        "- {email: not-an-address}\n"
    )

    result = cli("send", SPEC, "--recipients", "list.yaml")

    assert result.code == ExitCode.INVALID
    assert result.stderr.splitlines() == [
        "list.yaml:1:28: unknown key 'nmae'; did you mean 'name'?",
        "list.yaml:2:3: missing required key 'email'",
        "list.yaml:4:11: email: 'not-an-address' is not a valid email address",
        "3 error(s); nothing was built or sent",
    ]
    assert plain_env.handler.received == []


def test_default_templates_and_html_escaping(built_project):
    from deckgen import build
    from deckgen.delivery.message import Edition, compose
    from deckgen.delivery.model import DeliverySpec

    checked = build.check(built_project / SPEC)
    pdf = checked.output.read_bytes()
    edition = Edition(checked.report, checked.output, pdf, _sha(pdf))
    defaults = DeliverySpec()
    settings = delivery.load_settings({}, require_server=False)
    recipient = delivery.Recipient("ann@example.com", "Ann <b>&</b> Co")

    composed = compose(edition, recipient, settings, subject_template=defaults.subject, body_template=defaults.body,
                       from_name=None, reply_to=None, url=None)

    message = email.message_from_bytes(composed.data, policy=email.policy.default)
    day = written_day(REPO / SPEC, dt.date(2026, 2, 16), "long")  # as the spec's locale writes it
    assert message["Subject"] == f"US–Japan Strategic Alignment ({day})"
    assert message["To"].addresses[0].display_name == "Ann <b>&</b> Co"
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n").startswith(f"Dear Ann <b>&</b> Co,\n\nHere is the {day} edition")
    html_body = message.get_body(("html",)).get_content()
    assert "<p>Dear Ann &lt;b&gt;&amp;&lt;/b&gt; Co,</p>" in html_body and "<b>" not in html_body
    assert message["From"].addresses[0].addr_spec == "deckgen@example.invalid"
    assert message["Message-ID"].endswith("@example.invalid>")
    [(kind, filename, attached)] = _attachments(message)
    assert (kind, filename, attached) == ("application/pdf", "us-japan-strategic-alignment-2026-02-16.pdf", pdf)


@pytest.mark.parametrize("attach", [True, False])
def test_messages_with_shared_headers_are_the_bytes_the_stock_email_policy_writes(built_project, attach):
    """compose shares header objects between messages (made and folded once); what it writes must be
    what email.policy.SMTP writes for the same message, whoever the recipient and however often."""
    from deckgen import build
    from deckgen.delivery.message import Edition, compose

    checked = build.check(built_project / SPEC)
    pdf = checked.output.read_bytes()
    edition = Edition(checked.report, checked.output, pdf, _sha(pdf))
    settings = delivery.load_settings({"DECKGEN_MAIL_FROM": "briefs@example.com"}, require_server=False)
    options = dict(subject_template="{{ title }} for {{ name }}", body_template="Dear {{ name }},\n\nOnline: {{ link }}",
                   from_name="Ünïcode Research, Ltd.", reply_to="Desk <desk@example.com>",
                   url="https://research.example.com/b.pdf", attach=attach,
                   now=dt.datetime(2026, 2, 16, 9, 30, tzinfo=dt.timezone.utc))
    names = ["Ann", "Zoë Ärmelkanal-Überlänge " * 4, 'Quote "q" <x>, ;', "", "Jean-Pierre d’Anglemont", "Ann"]
    ids = set()
    for number, name in enumerate(names):
        recipient = delivery.Recipient(f"reader{number}@example.com", name)
        mine = compose(edition, recipient, settings, **options)
        stock = compose(edition, recipient, settings, message_id=mine.message_id, policy=email.policy.SMTP, **options)
        assert mine.data == stock.data, name
        parsed = email.message_from_bytes(mine.data, policy=email.policy.default)
        assert parsed["To"].addresses[0].addr_spec == recipient.address
        if len(name) < 40:  # a longer non-ASCII name is folded into encoded words that do not read back exactly
            assert parsed["To"].addresses[0].display_name == name
        assert parsed.get_body(("plain",)).get_content().startswith(f"Dear {name or 'reader'},")
        ids.add(mine.message_id)
    assert len(ids) == len(names), "every message has its own Message-ID"


def test_the_link_placeholder_is_the_published_url_whether_or_not_the_pdf_is_attached(built_project):
    from deckgen import build
    from deckgen.delivery.message import Edition, compose

    checked = build.check(built_project / SPEC)
    pdf = checked.output.read_bytes()
    edition = Edition(checked.report, checked.output, pdf, _sha(pdf))
    settings = delivery.load_settings({}, require_server=False)
    recipient = delivery.Recipient("ann@example.com")
    url = "https://research.example.com/briefs/" + edition.filename

    def message(attach: bool):
        composed = compose(edition, recipient, settings, subject_template="{{ title }}", body_template="Online: {{ link }}",
                           from_name=None, reply_to=None, url=url, attach=attach)
        return email.message_from_bytes(composed.data, policy=email.policy.default)

    attached, linked = message(True), message(False)
    for sent in (attached, linked):
        assert sent.get_body(("plain",)).get_content().strip() == f"Online: {url}", "the template places the link itself"
    assert [a[2] for a in _attachments(attached)] == [pdf] and _attachments(linked) == []
    with pytest.raises(ValueError, match="needs the URL"):
        compose(edition, recipient, settings, subject_template="s", body_template="b", from_name=None, reply_to=None,
                url=None, attach=False)


def test_the_real_command_exits_4_when_a_recipient_fails(project, plain_env, deckgen_process):
    import os

    plain_env.handler.refuse_always["akiko.tanaka@example.com"] = "550 5.1.1 No such user here"
    env = {name: value for name, value in os.environ.items() if name.startswith("DECKGEN_")}

    done = deckgen_process("send", SPEC, cwd=project, env=env)

    assert done.code == ExitCode.DELIVERY_FAILED, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "sent 2, skipped 0, failed 1"
    assert "Traceback" not in done.stderr
    assert len(plain_env.handler.received) == 2


# --- the checks send runs before anything is built or sent (also for validate) -------------------


def _at(text: str, needle: str, after: str = "") -> str:
    """``LINE:COL`` (1-based) of ``needle`` in ``text``, searching from where ``after`` occurs."""
    start = text.index(after) if after else 0
    offset = text.index(needle, start)
    line = text.count("\n", 0, offset) + 1
    return f"{line}:{offset - text.rfind(chr(10), 0, offset)}"


def _edit_spec(project: Path, *replacements: tuple[str, str]) -> str:
    spec = project / SPEC
    text = spec.read_text("utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    spec.write_text(text, "utf-8")
    return text


def _check(project: Path, **options) -> list[str]:
    from deckgen import build
    from deckgen.delivery.checks import check_delivery

    return [p.render() for p in sorted(check_delivery(build.check(project / SPEC, **options), **options))]


BROKEN = (
    ('subject: "{{ title }}: investor brief, {{ date }}"', 'subject: "{{ titel }}: investor brief, {{ date }}"'),
    ('variant: {subtitle: "The Pacific premium: a briefing for the London desk"}', 'variant: {subtitel: London desk}'),
    ("  max_attachment_mb: 10\n", "  max_attachment_mb: 10\n  recipients_file: ../lists/investors.csv\n"
                                  "  ledger: ../../ledger-elsewhere.sqlite\n"),
)


def _broken_lines(text: str) -> list[str]:
    spec = "specs/investor.yaml"
    return [
        f"{spec}:{_at(text, '{{ titel }}')}: {{{{ titel }}}}: unknown placeholder 'titel' (use brand, date, email, "
        "filename, issuer, link, name, subtitle, title or a figure name)",
        f"{spec}:{_at(text, 'email: james')}: variant of james.whitfield@example.com: unknown key 'subtitel'; "
        "did you mean 'subtitle'?",
        f"{spec}:{_at(text, '../lists/investors.csv')}: delivery.recipients_file: file not found: ../lists/investors.csv",
        f"{spec}:{_at(text, '../../ledger-elsewhere.sqlite')}: delivery.ledger points outside the project "
        f"({Path.cwd()}); move the file inside it or pass --root (--ledger FILE on the command line may be anywhere)",
    ]


def test_check_delivery_passes_the_example_and_checks_its_variant(project):
    from deckgen import build
    from deckgen.delivery.checks import check_delivery, inspect_delivery

    checked = build.check(project / SPEC)
    assert check_delivery(checked) == []
    plan = inspect_delivery(checked)
    assert [r.address for r in plan.recipients] == list(ALL_RECIPIENTS)
    london = plan.variants[('subtitle="The Pacific premium: a briefing for the London desk"',)]
    assert london.report.spec.subtitle == "The Pacific premium: a briefing for the London desk"
    assert london.output.parent == project / "dist" / ".deckgen" / "variants"
    assert plan.ledger == project / "dist" / ".deckgen" / "delivery.sqlite"


def test_check_delivery_lists_every_problem_send_would_stop_at(project):
    text = _edit_spec(project, *BROKEN)
    assert _check(project) == _broken_lines(text)


def test_send_stops_at_the_same_problems_before_building_anything(project, plain_env, cli):
    text = _edit_spec(project, *BROKEN)
    pdf_before = (project / "dist" / "investor.pdf").stat().st_mtime_ns

    result = cli("send", SPEC)

    assert result.code == ExitCode.INVALID
    assert result.stderr.splitlines() == _broken_lines(text) + ["4 error(s); nothing was built or sent"]
    assert plain_env.handler.received == []
    assert (project / "dist" / "investor.pdf").stat().st_mtime_ns == pdf_before
    assert not (project / "dist" / ".deckgen" / "delivery.sqlite").exists()


def test_validate_reports_delivery_problems(project, plain_env, cli):
    assert cli("validate", SPEC).code == 0
    text = _edit_spec(project, *BROKEN)
    result = cli("validate", SPEC)
    assert result.code == ExitCode.INVALID
    assert result.stderr.splitlines() == _broken_lines(text) + ["1 spec(s) checked: 4 error(s), 0 warning(s)"]
    assert plain_env.handler.received == []


def test_recipients_file_and_ledger_from_the_spec_stay_in_the_project_but_the_command_line_may_name_any(
    project, plain_env, tmp_path, cli
):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd.csv").write_text("email,name\nroot:x:0:0:SECRET-OUTSIDE,root\n")
    (project / "lists").mkdir()
    (project / "lists" / "linked.csv").symlink_to(outside / "passwd.csv")  # a link out counts as outside
    for target in ("../../outside/passwd.csv", "../lists/linked.csv"):
        spec = project / SPEC
        spec.write_text(spec.read_text("utf-8").replace("  base_url:", f"  recipients_file: {target}\n  base_url:", 1), "utf-8")
        text = spec.read_text("utf-8")

        result = cli("send", SPEC)

        assert result.code == ExitCode.INVALID
        assert result.stderr.splitlines()[0] == (
            f"specs/investor.yaml:{_at(text, target)}: delivery.recipients_file points outside the project ({project}); "
            "move the file inside it or pass --root (--recipients FILE on the command line may be anywhere)"
        )
        assert "SECRET" not in result.stdout + result.stderr
        assert _check(project)[0].endswith("--recipients FILE on the command line may be anywhere)")
        widened = _check(project, root=tmp_path)  # --root widens the project: the file is read, and is not a list
        assert widened == [f"{display_path(outside / 'passwd.csv')}:2:1: email: 'root:x:0:0:SECRET-OUTSIDE' is not a valid email address"]
        spec.write_text(text.replace(f"  recipients_file: {target}\n", ""), "utf-8")
    assert plain_env.handler.received == []

    (outside / "list.csv").write_text("email,name\nann@example.com,Ann\n")
    ledger = outside / "ledgers" / "delivery.sqlite"
    explicit = cli("send", SPEC, "--recipients", outside / "list.csv", "--ledger", ledger)
    assert explicit.code == 0, explicit.stderr
    assert [r.rcpt_tos for r in plain_env.handler.received] == [["ann@example.com"]]
    with sqlite3.connect(ledger) as db:
        assert db.execute("SELECT recipient, status FROM deliveries").fetchall() == [("ann@example.com", "sent")]

    # the offending cell of a file named on the command line is shown, but never much of it
    (outside / "long.csv").write_text("email,name\n" + "x" * 300 + ",Ann\n")
    bad = cli("send", SPEC, "--recipients", outside / "long.csv")
    assert bad.code == ExitCode.INVALID
    assert "x" * 60 not in bad.stderr and "'" + "x" * 59 + "\u2026' is not a valid email address" in bad.stderr


def test_long_cells_are_cut_in_variant_problems(project, plain_env, cli):
    (project / "desk.csv").write_text("email,name,date\nann@example.com,Ann," + "2026-" * 100 + "\n")

    result = cli("send", SPEC, "--recipients", "desk.csv")

    assert result.code == ExitCode.INVALID
    [problem, summary] = result.stderr.splitlines()
    assert problem.startswith("desk.csv:2:1: variant of ann@example.com: date=" + ("2026-" * 12)[:59] + "\u2026: ")
    assert "2026-" * 13 not in problem and summary == "1 error(s); nothing was built or sent"


def test_a_csv_column_cannot_hold_an_equals_sign(project, plain_env, cli):
    (project / "desk.csv").write_text("email,name,subtitle=x\nann@example.com,Ann,y\n")
    result = cli("send", SPEC, "--recipients", "desk.csv")
    assert result.code == ExitCode.INVALID
    assert result.stderr.splitlines()[0] == (
        "desk.csv:1:12: column 'subtitle=x': a variant column is named after a spec value (like subtitle or "
        "figures.usdjpy), without '='"
    )


def test_a_delivery_section_without_recipients_is_valid_but_send_needs_some(project, plain_env, cli):
    from deckgen import build
    from deckgen.delivery.checks import check_delivery

    spec = project / SPEC
    text = spec.read_text("utf-8")
    start, end = text.index("  recipients:\n"), text.index("  base_url:")
    spec.write_text(text[:start] + text[end:], "utf-8")
    assert check_delivery(build.check(spec)) == []

    result = cli("send", SPEC)
    assert result.code == ExitCode.INVALID
    assert "no recipients: list them under delivery.recipients" in result.stderr


# --- variant values round-trip exactly ----------------------------------------------------------


ROUND_TRIP = ["Desk #2 edition", "Note: draft", "150", "true", "", "a \"quoted\" 'one'", "Tōkyō\tdesk", 150, -2, 1.5,
              1e20, 1e-7, float("inf"), True, False, dt.date(2026, 2, 20)]


@pytest.mark.parametrize("value", ROUND_TRIP, ids=repr)
def test_a_yaml_variant_value_is_read_back_as_the_same_value_and_type(value):
    from deckgen.delivery.recipients import variant_overrides
    from deckgen.spec import override_value

    [override] = variant_overrides({"subtitle": value})
    name, _, raw = override.partition("=")
    assert name == "subtitle"
    back = override_value(raw)
    assert (type(back), back) == (type(value), value)


def test_variant_values_from_csv_and_yaml_reach_the_brief_as_written(project):
    from deckgen import build
    from deckgen.delivery.checks import inspect_delivery

    (project / "desk.csv").write_text(
        "email,name,subtitle,figures.usdjpy,date\n"
        "ann@example.com,Ann,Desk #2 edition,150,2026-02-20\n"
        "bob@example.com,Bob,Note: draft,,\n"
    )
    (project / "desk.yaml").write_text(
        "- {email: carol@example.com, variant: {subtitle: 'Desk #2 edition', figures.usdjpy: 150, date: 2026-02-20}}\n"
        "- {email: dan@example.com, variant: {subtitle: 'Note: draft'}}\n"
        "- {email: eve@example.com, variant: {subtitle: '150'}}\n"
    )
    plan = inspect_delivery(build.check(project / SPEC), recipients_files=[project / "desk.csv", project / "desk.yaml"])
    assert plan.problems == ()
    got = {}
    for recipient in plan.recipients:
        report = plan.variants[recipient.variant].report
        got[recipient.address] = (report.spec.subtitle, report.figures["usdjpy"].value, report.spec.date)
    base = 152
    assert got == {
        "ann@example.com": ("Desk #2 edition", 150, dt.date(2026, 2, 20)),
        "bob@example.com": ("Note: draft", base, dt.date(2026, 2, 16)),
        "carol@example.com": ("Desk #2 edition", 150, dt.date(2026, 2, 20)),
        "dan@example.com": ("Note: draft", base, dt.date(2026, 2, 16)),
        "eve@example.com": ("150", base, dt.date(2026, 2, 16)),
    }


# --- stale data, credentials ---------------------------------------------------------------------


def test_send_on_stale_data_exits_5_and_says_nothing_was_sent(project, plain_env, cli):
    result = cli("send", SPEC, "--set", "date=2027-06-01")

    assert result.code == ExitCode.STALE
    lines = result.stderr.splitlines()
    assert all(": figure '" in line or ": breakdown '" in line or ": table '" in line for line in lines[:-1])
    assert lines[-1] == ("data is older than the spec's checks.max_age_days allow: nothing was built or sent; "
                         "refresh the data, or pass --allow-stale to send it anyway")
    assert plain_env.handler.received == []
    assert not (project / "dist" / ".deckgen" / "delivery.sqlite").exists()


UNICODE_USER, UNICODE_PASSWORD = "déckgen", "pässwörd-ü-密码-never-shown"


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_non_ascii_user_and_password_log_in_as_utf8(project, tls_ca, monkeypatch, cli, mechanism):
    server_context, ca_file = tls_ca
    handler = Handler()

    def authenticate(server, session, envelope, used, auth_data):
        ok = (used, auth_data.login, auth_data.password) == (mechanism, UNICODE_USER.encode(), UNICODE_PASSWORD.encode())
        handler.logins.append((auth_data.login, ok))
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        handler, hostname="127.0.0.1", port=_free_port(), tls_context=server_context, require_starttls=True,
        authenticator=authenticate, auth_required=True, auth_require_tls=True,
        auth_exclude_mechanism=[m for m in ("PLAIN", "LOGIN") if m != mechanism],
    )
    controller.start()
    try:
        _clean_env(monkeypatch)
        for name, value in {
            "DECKGEN_SMTP_HOST": "127.0.0.1", "DECKGEN_SMTP_PORT": str(controller.port), "DECKGEN_SMTP_USER": UNICODE_USER,
            "DECKGEN_SMTP_PASSWORD": UNICODE_PASSWORD, "DECKGEN_SMTP_CA_FILE": str(ca_file), "DECKGEN_MAIL_FROM": "briefs@example.com",
        }.items():
            monkeypatch.setenv(name, value)
        result = cli("send", SPEC, "--to", "ann@example.com")
        monkeypatch.setenv("DECKGEN_SMTP_PASSWORD", "wrong-" + UNICODE_PASSWORD)
        refused = cli("send", SPEC, "--to", "bob@example.com")
    finally:
        controller.stop()
    assert result.code == 0, result.stderr
    assert [r.rcpt_tos for r in handler.received] == [["ann@example.com"]] and handler.received[0].authenticated
    assert refused.code == ExitCode.DELIVERY_FAILED and "refused the login: 535" in refused.stderr
    assert handler.logins == [(UNICODE_USER.encode(), True), (UNICODE_USER.encode(), False)]
    for output in (result.stdout, result.stderr, refused.stdout, refused.stderr):
        assert UNICODE_PASSWORD not in output and "Traceback" not in output and "Unicode" not in output


def test_a_non_ascii_password_needs_plain_or_login(project, tls_ca, monkeypatch, cli):
    from aiosmtpd.smtp import SMTP as Session

    class CramOnly(Session):
        async def auth_CRAM__MD5(self, server, args):
            return AuthResult(success=False, handled=False)

    class CramController(Controller):
        def factory(self):
            return CramOnly(self.handler, **self.SMTP_kwargs)

    server_context, ca_file = tls_ca
    handler = Handler()
    controller = CramController(
        handler, hostname="127.0.0.1", port=_free_port(), tls_context=server_context, require_starttls=True,
        authenticator=lambda *args: AuthResult(success=False), auth_required=True, auth_exclude_mechanism=["PLAIN", "LOGIN"],
    )
    controller.start()
    try:
        _clean_env(monkeypatch)
        for name, value in {
            "DECKGEN_SMTP_HOST": "127.0.0.1", "DECKGEN_SMTP_PORT": str(controller.port), "DECKGEN_SMTP_USER": "deckgen",
            "DECKGEN_SMTP_PASSWORD": UNICODE_PASSWORD, "DECKGEN_SMTP_CA_FILE": str(ca_file), "DECKGEN_MAIL_FROM": "briefs@example.com",
        }.items():
            monkeypatch.setenv(name, value)
        result = cli("send", SPEC, "--to", "ann@example.com")
    finally:
        controller.stop()
    assert result.code == ExitCode.DELIVERY_FAILED
    assert ("offers AUTH CRAM-MD5, but a user name or password with non-ASCII characters can only be sent with "
            "AUTH PLAIN or LOGIN") in result.stderr
    assert UNICODE_PASSWORD not in result.stdout + result.stderr and handler.received == []


def test_a_password_the_environment_could_not_decode_is_a_setting_problem(project, monkeypatch, cli):
    _clean_env(monkeypatch)
    monkeypatch.setenv("DECKGEN_SMTP_HOST", "mail.example.com")
    monkeypatch.setenv("DECKGEN_MAIL_FROM", "briefs@example.com")
    monkeypatch.setenv("DECKGEN_SMTP_USER", "deckgen")
    monkeypatch.setenv("DECKGEN_SMTP_PASSWORD", "p\udce4ss-latin1-secret")  # the byte 0xE4, not valid UTF-8

    result = cli("send", SPEC)

    assert result.code == ExitCode.INVALID
    assert result.stderr.splitlines() == [
        "$DECKGEN_SMTP_PASSWORD: is not valid text in the environment's encoding (set it as UTF-8)",
        "1 setting problem(s); nothing was sent",
    ]


# --- the sender and sign-off are the brand's firm -------------------------------------------------

HARBOR = "brand=../assets/brands/harbor/brand.yml"


def test_a_brief_sent_with_another_brand_is_from_and_signed_by_that_brands_firm(project, plain_env, cli):
    result = cli("send", SPEC, "--set", HARBOR, "--to", "Ann Lee <ann@example.com>")

    assert result.code == 0, result.stderr
    [received] = plain_env.handler.received
    message = received.message
    assert message["From"].addresses[0].display_name == "Harbor Lane Capital"
    body = message.get_body(("plain",)).get_content()
    assert body.rstrip().splitlines()[-1] == "Harbor Lane Capital"
    assert "Meridian" not in body and "Meridian" not in str(message["From"])
    assert "Harbor Lane Capital" in message.get_body(("html",)).get_content()
    # the default brand: the same spec is from and signed by Meridian
    plain_env.handler.received.clear()
    assert cli("send", SPEC, "--to", "bob@example.com").code == 0
    [received] = plain_env.handler.received
    assert received.message["From"].addresses[0].display_name == "Meridian Pacific Research"
    assert received.message.get_body(("plain",)).get_content().rstrip().splitlines()[-1] == "Meridian Pacific Research"


def test_a_from_name_of_another_firm_than_the_brand_is_refused_by_validate_and_send(project, plain_env, cli):
    spec = project / SPEC
    comment = "  # from_name: the sender's display name; default the brand's name (brand.yml meta.name)\n"
    spec.write_text(spec.read_text("utf-8").replace(comment, "  from_name: Meridian Pacific Research\n"), "utf-8")
    line = next(n for n, l in enumerate(spec.read_text("utf-8").splitlines(), 1) if l.startswith("  from_name:"))
    expected = (
        f"specs/investor.yaml:{line}:14: delivery.from_name says the email is from 'Meridian Pacific Research' but the "
        f"brief is built with the brand 'Harbor Lane Capital' (--set {HARBOR}), whose name the masthead, footer and "
        "disclosures show; remove from_name to send in the brand's name, give a name that contains 'Harbor Lane "
        "Capital', or build with the sender's own brand")
    for command in ("validate", "send"):
        run = cli(command, SPEC, "--set", HARBOR)
        assert run.code == ExitCode.INVALID, run.stderr
        assert run.stderr.splitlines()[0] == expected, command
    assert plain_env.handler.received == []
    # the brand's own firm, or a desk of it, may be named
    assert cli("validate", SPEC, "--strict").code == 0
    spec.write_text(spec.read_text("utf-8").replace("  from_name: Meridian Pacific Research\n",
                                                    "  from_name: Harbor Lane Capital Research Desk\n"), "utf-8")
    assert cli("send", SPEC, "--set", HARBOR, "--to", "ann@example.com").code == 0
    [received] = plain_env.handler.received
    assert received.message["From"].addresses[0].display_name == "Harbor Lane Capital Research Desk"


def test_issuer_and_brand_placeholders_need_a_name_to_put_there(project, monkeypatch, cli):
    _clean_env(monkeypatch)
    brand = project / "assets" / "brand.yml"
    brand.write_text(brand.read_text("utf-8").replace("  name: Meridian Pacific Research\n", ""), "utf-8")
    spec = project / SPEC
    text = spec.read_text("utf-8").replace("    issuer:                # issued in the name", "    issuer:\n      name: Example Ltd  #")
    spec.write_text(text.replace("    {{ issuer }}\n", "    {{ issuer }} ({{ brand }})\n"), "utf-8")
    lines = spec.read_text("utf-8").splitlines()
    line = lines.index("    {{ issuer }} ({{ brand }})") + 1
    run = cli("validate", SPEC)
    assert run.code == ExitCode.INVALID
    assert run.stderr.splitlines()[0] == (
        f"specs/investor.yaml:{line}:{lines[line - 1].index('{{ brand }}') + 1}: {{{{ brand }}}}: the brand (brand: ../assets/brand.yml) has no meta.name to put here")
    spec.write_text(spec.read_text("utf-8").replace("    {{ issuer }} ({{ brand }})\n", "    {{ issuer }}\n"), "utf-8")
    assert cli("send", SPEC, "--dry-run", "--outbox", "out", "--to", "ann@example.com").code == 0
    message = email.message_from_bytes((project / "out" / "ann@example.com.eml").read_bytes(), policy=email.policy.default)
    assert message.get_body(("plain",)).get_content().rstrip().splitlines()[-1] == "Example Ltd"
