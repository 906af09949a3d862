"""The delivery ledger: an SQLite record of who received which edition, so nobody gets one twice.

One row per (edition, recipient). An edition is the sha256 of the PDF bytes that were sent, so a
rebuild that produces the same bytes is the same edition and a changed brief is a new one.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Literal

from ..errors import DeckgenError, ExitCode, LockedError

Status = Literal["sent", "failed-temporary", "failed-permanent", "unknown", "sending"]
SCHEMA_VERSION = 3  # 2: the statuses 'unknown' and 'sending'; 3: possible_duplicates

# 'unknown': the connection was lost after the message was sent; the server may have stored it.
# 'sending': written before the message goes to the server and replaced by its outcome; a row still
# 'sending' means that run stopped (killed, crashed) in between, so it is as uncertain as 'unknown'.
UNCERTAIN = ("unknown", "sending")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    edition       TEXT NOT NULL,              -- sha256 of the PDF
    recipient     TEXT NOT NULL,              -- the address, lower-cased
    name          TEXT,
    spec          TEXT NOT NULL,
    variant       TEXT NOT NULL DEFAULT '',   -- the recipient's --set values, one per line
    status        TEXT NOT NULL CHECK (status IN ('sent', 'failed-temporary', 'failed-permanent', 'unknown', 'sending')),
    message_id    TEXT,
    smtp_response TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0, -- SMTP attempts over all runs
    copies        INTEGER NOT NULL DEFAULT 0, -- times the server accepted it (more than 1 only with --resend)
    first_sent_at TEXT,
    updated_at    TEXT NOT NULL,
    possible_duplicates INTEGER NOT NULL DEFAULT 0 -- copies accepted after one the server may have stored already
);
CREATE UNIQUE INDEX IF NOT EXISTS deliveries_edition_recipient ON deliveries (edition, recipient);
"""


_V1_COLUMNS = ("edition", "recipient", "name", "spec", "variant", "status", "message_id", "smtp_response", "attempts",
               "copies", "first_sent_at", "updated_at")


class LedgerError(DeckgenError):
    exit_code = ExitCode.BUILD_FAILED


@dataclass(frozen=True)
class LedgerRow:
    edition: str
    recipient: str
    name: str | None
    spec: str
    variant: str
    status: Status
    message_id: str | None
    smtp_response: str | None
    attempts: int
    copies: int
    first_sent_at: str | None
    updated_at: str
    possible_duplicates: int = 0  # copies accepted after the server may have stored an earlier one


class Ledger:
    """Opened read-write for a real send, read-only (and never created) for a dry run."""

    def __init__(self, path: Path, *, read_only: bool = False, durable: bool = True):
        self.path = path
        self.read_only = read_only
        self._db: sqlite3.Connection | None = None
        try:
            if read_only:
                if path.exists():
                    self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(path, timeout=30, isolation_level=None)
                # Every outcome is committed before the next message goes out. In WAL mode a commit is one
                # sync of the log instead of the journal's and the database's (0.8 ms, not 4 ms, here).
                # ``durable=False`` (at-least-once sending) does not sync at each commit: a commit
                # still survives deckgen being killed, and what an operating-system crash could undo
                # is only ever recorded again by sending again, which at least once allows. At most
                # once ("hold") needs every "sending" mark on disk before the message goes: FULL.
                # The mode stays with the file (switching it needs the only connection: parallel SMTP
                # connections each open the ledger), so the first open converts an older ledger.
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
                self._create()
            if self._db is not None:
                self._check_version()
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open the delivery ledger {path}: {exc}") from None

    def _create(self) -> None:
        with self._transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 1:  # the same table with a narrower CHECK on status: SQLite can only copy it over
                db.execute("ALTER TABLE deliveries RENAME TO deliveries_v1")
                db.execute("DROP INDEX IF EXISTS deliveries_edition_recipient")
            if version in (0, 1):
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    db.execute(statement)
            if version == 1:
                columns = ", ".join(_V1_COLUMNS)
                db.execute(f"INSERT INTO deliveries ({columns}) SELECT {columns} FROM deliveries_v1")
                db.execute("DROP TABLE deliveries_v1")
            if version == 2:
                db.execute("ALTER TABLE deliveries ADD COLUMN possible_duplicates INTEGER NOT NULL DEFAULT 0")
            if version < SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _check_version(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]  # type: ignore[union-attr]
        if version > SCHEMA_VERSION:
            raise LedgerError(f"the delivery ledger {self.path} was written by a newer deckgen (schema {version})")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        assert self._db is not None
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def row(self, edition: str, recipient: str) -> LedgerRow | None:
        if self._db is None:
            return None
        found = self._db.execute(
            f"SELECT {', '.join(LedgerRow.__dataclass_fields__)} FROM deliveries WHERE edition = ? AND recipient = ?",
            (edition, recipient),
        ).fetchone()
        return LedgerRow(*found) if found else None

    def rows(self) -> list[LedgerRow]:
        if self._db is None:
            return []
        cursor = self._db.execute(
            f"SELECT {', '.join(LedgerRow.__dataclass_fields__)} FROM deliveries ORDER BY updated_at, recipient"
        )
        return [LedgerRow(*found) for found in cursor.fetchall()]

    def record(
        self, *, edition: str, recipient: str, name: str | None, spec: str, variant: str, status: Status,
        message_id: str | None, smtp_response: str | None, attempts: int, possible_duplicate: bool = False,
    ) -> None:
        """Record one outcome at once (committed before the next recipient is tried).

        A failure never downgrades an earlier 'sent': with --resend the recipient still has the first copy.
        Nor does it turn an earlier 'unknown' into a failure: that copy may still have been delivered.
        """
        if self.read_only:
            raise LedgerError("the ledger was opened read-only")
        now = _now()
        sent = status == "sent"
        with self._transaction() as db:
            db.execute(
                """
                INSERT INTO deliveries (edition, recipient, name, spec, variant, status, message_id, smtp_response,
                                        attempts, copies, first_sent_at, updated_at, possible_duplicates)
                VALUES (:edition, :recipient, :name, :spec, :variant, :status, :message_id, :smtp_response,
                        :attempts, :copies, :sent_at, :now, :possible_duplicates)
                ON CONFLICT (edition, recipient) DO UPDATE SET
                    name = excluded.name,
                    status = CASE
                        WHEN deliveries.status = 'sent' THEN 'sent'
                        WHEN deliveries.status = 'unknown' AND excluded.status LIKE 'failed-%' THEN 'unknown'
                        ELSE excluded.status END,
                    message_id = CASE WHEN excluded.status = 'sent' OR deliveries.status != 'sent'
                                      THEN excluded.message_id ELSE deliveries.message_id END,
                    smtp_response = excluded.smtp_response,
                    attempts = deliveries.attempts + excluded.attempts,
                    copies = deliveries.copies + excluded.copies,
                    first_sent_at = COALESCE(deliveries.first_sent_at, excluded.first_sent_at),
                    updated_at = excluded.updated_at,
                    possible_duplicates = deliveries.possible_duplicates + excluded.possible_duplicates
                """,
                {
                    "edition": edition, "recipient": recipient, "name": name, "spec": spec, "variant": variant,
                    "status": status, "message_id": message_id, "smtp_response": smtp_response,
                    "attempts": attempts, "copies": int(sent), "sent_at": now if sent else None, "now": now,
                    "possible_duplicates": int(sent and possible_duplicate),
                },
            )


    def mark_sending(self, *, edition: str, recipient: str, name: str | None, spec: str, variant: str) -> None:
        """Say, before the message goes to the server, that it is on its way (see ``UNCERTAIN``).

        An earlier 'sent' or 'unknown' row stays as it is: the outcome recorded next decides.
        """
        if self.read_only:
            raise LedgerError("the ledger was opened read-only")
        with self._transaction() as db:
            db.execute(
                """
                INSERT INTO deliveries (edition, recipient, name, spec, variant, status, updated_at)
                VALUES (?, ?, ?, ?, ?, 'sending', ?)
                ON CONFLICT (edition, recipient) DO UPDATE SET
                    status = CASE WHEN deliveries.status IN ('sent', 'unknown') THEN deliveries.status ELSE 'sending' END,
                    updated_at = excluded.updated_at
                """,
                (edition, recipient, name, spec, variant, _now()),
            )


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class SendLock:
    """An exclusive, non-blocking lock beside the ledger: two overlapping sends could both mail someone."""

    def __init__(self, ledger_path: Path):
        self.path = ledger_path.with_name(ledger_path.name + ".lock")
        self._handle = None

    def __enter__(self) -> "SendLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            raise LockedError(
                f"another deckgen send is using the ledger {self.path.with_suffix('')}"
                + (f" (pid {holder})" if holder else "") + "; try again when it has finished"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return self

    def __exit__(self, *exc_info) -> None:
        if self._handle is not None:
            self._handle.seek(0)
            self._handle.truncate()
            _unlock(self._handle)
            self._handle.close()
            self._handle = None


try:
    import fcntl

    def _lock(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

except ImportError:  # Windows
    import msvcrt

    def _lock(handle) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
