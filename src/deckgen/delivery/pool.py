"""Sending over several SMTP connections at once, so that mailing keeps up with building on a cluster.

Each connection is a thread with its own ``Mailer`` and its own connection to the SQLite ledger
(SQLite serialises the writes); every recipient still goes through ``service._deliver``, which
records each outcome before the next recipient of that connection is tried. When one connection
finds the server unavailable, the others stop too: the rest are reported "not attempted".
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Callable, Sequence, TypeVar

from .ledger import Ledger
from .smtp import Mailer, ServerUnavailable

Plan = TypeVar("Plan")
Outcome = TypeVar("Outcome")

MAX_CONNECTIONS = 32


class _Outage:
    """The first "server unavailable" any connection met; the others stop sending when it is set."""

    def __init__(self) -> None:
        self.reason: str | None = None


class _SharedMailer:
    """A ``Mailer`` that refuses at once once another connection found the server unavailable."""

    def __init__(self, mailer: Mailer, outage: _Outage):
        self.mailer, self.outage = mailer, outage

    def send(self, sender: str, recipient: str, data: bytes):
        if self.outage.reason is not None:
            raise ServerUnavailable(f"not attempted: {self.outage.reason}", attempts=0)
        try:
            return self.mailer.send(sender, recipient, data)
        except ServerUnavailable as exc:
            self.outage.reason = self.outage.reason or str(exc)
            raise


def deliver_in_parallel(
    plans: Sequence[Plan],
    *,
    connections: int,
    ledger_path: Path,
    durable: bool = True,
    open_mailer: Callable[[], Mailer],
    deliver: Callable[[list[Plan], Ledger, object, Callable[[Outcome], None]], list[Outcome]],
    not_attempted: Callable[[Plan, str], Outcome],
    on_outcome: Callable[[Outcome], None],
) -> list[Outcome]:
    """Deliver ``plans`` over ``connections`` SMTP connections; return the outcomes in the plans' order.

    ``deliver(plans, ledger, mailer, on_outcome)`` sends and records some plans over one connection;
    ``not_attempted(plan, reason)`` is the outcome of a plan skipped because the server is unavailable.
    """
    connections = max(1, min(connections, MAX_CONNECTIONS, len(plans) or 1))
    with Ledger(ledger_path, durable=durable):  # made (or converted) here, before the connections open it at once
        pass
    work: "queue.SimpleQueue[int]" = queue.SimpleQueue()
    for index in range(len(plans)):
        work.put(index)
    results: list[Outcome | None] = [None] * len(plans)
    outage = _Outage()
    reporting = threading.Lock()
    errors: list[BaseException] = []

    def report(index: int, outcome: Outcome) -> None:
        with reporting:
            results[index] = outcome
            on_outcome(outcome)

    def connection() -> None:
        try:
            with Ledger(ledger_path, durable=durable) as ledger, open_mailer() as mailer:
                shared = _SharedMailer(mailer, outage)
                while not errors:
                    try:
                        index = work.get_nowait()
                    except queue.Empty:
                        return
                    if outage.reason is not None:
                        report(index, not_attempted(plans[index], outage.reason))
                        continue
                    deliver([plans[index]], ledger, shared, lambda outcome, index=index: report(index, outcome))
        except BaseException as exc:  # a ledger or programming error: stop every connection, raise it below
            errors.append(exc)

    threads = [threading.Thread(target=connection, name=f"deckgen-smtp-{n}", daemon=True) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return [outcome for outcome in results if outcome is not None]
