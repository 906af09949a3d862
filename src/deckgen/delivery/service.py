"""``send``: build the brief if needed, then email it to every recipient who has not received this edition."""

from __future__ import annotations

import contextlib
import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal, Mapping, Sequence

from ..errors import DeckgenError, DeliveryError, Problem, ProofError, SpecError, StaleDataError, display_path
from .checks import delivery_checked_by_caller, inspect_delivery
from .ledger import UNCERTAIN, Ledger, LedgerRow, SendLock
from .message import Composed, Edition, compose
from .recipients import Recipient
from .settings import SmtpSettings, load_settings
from .smtp import Mailer, OnAmbiguous, ServerUnavailable

if TYPE_CHECKING:
    from ..build.checked import Checked
    from ..cluster import VariantRenders

OutcomeStatus = Literal["sent", "skipped", "failed", "unknown", "written"]


class NotSent(SpecError):
    """The spec, its recipients or the command line have problems; every one is listed, nothing was sent."""

    def lines(self) -> list[str]:
        errors = sum(p.is_error for p in self.problems)
        return [p.render() for p in self.problems] + [f"{errors} error(s); nothing was built or sent"]


class StaleNotSent(StaleDataError):
    """The data is older than the spec allows (exit 5, as ``deckgen build``); nothing was sent."""

    def lines(self) -> list[str]:
        return [p.render() for p in self.problems] + [
            "data is older than the spec's checks.max_age_days allow: nothing was built or sent; "
            "refresh the data, or pass --allow-stale to send it anyway"
        ]


def _nothing_sent(error: SpecError) -> SpecError:
    """The same problems, with a last line that says no one was mailed."""
    return (StaleNotSent if isinstance(error, StaleDataError) else NotSent)(error.problems)


@dataclass(frozen=True)
class Outcome:
    """What happened for one recipient."""

    recipient: Recipient
    status: OutcomeStatus
    edition: str  # sha256 of the PDF this recipient gets
    detail: str  # the server's reply, why it was skipped, or what went wrong
    message_id: str | None = None
    attempts: int = 0
    permanent: bool = False  # a failure that retrying will not fix (5xx)
    path: Path | None = None  # the .eml file, in a dry run
    linked: bool = False  # the message links to the PDF instead of attaching it
    possible_duplicate: bool = False  # sent after an earlier copy the server may have stored (a lost reply)


@dataclass(frozen=True)
class DeliveryReport:
    spec: Path
    dry_run: bool
    outcomes: tuple[Outcome, ...]
    ledger: Path
    outbox: Path | None = None
    built: tuple[Path, ...] = ()  # PDFs that had to be (re)built for this run
    warnings: tuple[Problem, ...] = ()

    def count(self, status: OutcomeStatus) -> int:
        return sum(outcome.status == status for outcome in self.outcomes)

    @property
    def sent(self) -> int:
        return self.count("sent")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def unknown(self) -> int:
        return self.count("unknown")

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.unknown == 0

    @property
    def possible_duplicates(self) -> int:
        return sum(outcome.possible_duplicate for outcome in self.outcomes)

    def summary(self) -> str:
        line = f"sent {self.sent}"
        if self.possible_duplicates:
            line += (f" ({self.possible_duplicates} possibly twice: a connection was lost after an earlier copy was sent, "
                     "so the server may have stored it too)")
        line += f", skipped {self.skipped}, failed {self.failed}"
        if self.unknown:
            line += (f", unknown {self.unknown} (may have been delivered; a run with --on-ambiguous retry, the default, "
                     "sends it again, one with --on-ambiguous hold does not)")
        if self.dry_run:
            line += f" (dry run: {self.count('written')} message(s) written to {display_path(self.outbox) if self.outbox else '-'}, nothing sent)"
        return line


@dataclass
class _Plan:
    """A recipient paired with the edition (PDF) they get and how it travels (attached or linked)."""

    recipient: Recipient
    edition: Edition
    url: str | None = None  # where this edition is published, when the spec has a base_url
    attach: bool = True


def send(
    spec_path: Path | str,
    *,
    to: Sequence[str] = (),
    recipients_files: Sequence[Path | str] = (),
    dry_run: bool = False,
    outbox: Path | str | None = None,
    resend: bool = False,
    max_attachment_mb: float | None = None,
    ledger: Path | str | None = None,
    overrides: Sequence[str] = (),
    allow_stale: bool = False,
    strict: bool = False,
    root: Path | str | None = None,
    environ: Mapping[str, str] | None = None,
    on_ambiguous: OnAmbiguous = "retry",
    on_outcome: Callable[[Outcome], None] = lambda outcome: None,
    log: Callable[[str], None] = lambda line: None,
    sleep: Callable[[float], None] = time.sleep,
    cluster=None,
    connections: int = 1,
    on_build_progress: Callable[[int, int], None] = lambda done, total: None,
) -> DeliveryReport:
    """Build the brief if needed and email it; return what happened to each recipient.

    Recipients come from ``to`` and ``recipients_files`` when either is given, else from the spec's
    delivery section. Before anything is built or sent: raises SettingsError or SpecError (``NotSent``)
    listing every problem in the settings, the spec, the recipients or the variants, StaleDataError
    (``StaleNotSent``) for stale data, and DeliveryError when a PDF is over the size limit with no
    base_url. Per-recipient failures are in the report.

    ``on_ambiguous``: when the connection is lost after a message was sent (the server may have stored
    it), "retry" (the default) sends again, now and on later runs (at least once: a copy accepted after
    that is recorded as a possible duplicate); "hold" records the recipient as "unknown" and never sends
    them this edition again unless asked (at most once).

    ``cluster`` (``"local"``, ``"local:N"``, ``"tcp://host:8786"`` or a ``distributed.Client``): render
    the out-of-date variants in parallel, in forked copies of this process (``local``, see
    ``deckgen.forkpool``) or on a Dask cluster (``deckgen.cluster``); a variant that fails there fails
    its recipients only. ``connections``: how many SMTP connections send at once.
    """
    from ..build import api as builder

    settings = load_settings(environ, require_server=not dry_run)
    options = dict(overrides=tuple(overrides), allow_stale=allow_stale, strict=strict, root=root)
    with contextlib.ExitStack() as held:
        # inspect_delivery checks the delivery with this run's recipients: a delivery check hooked into
        # build.check() (for the spec, its variants, or a re-check before rendering) would only repeat it
        held.enter_context(delivery_checked_by_caller())
        try:
            checked = builder.check(spec_path, **options)
            renders = None
            if cluster is not None:  # started while the recipients are checked; renders each variant once checked
                from ..cluster import VariantRenders, starting

                renders = held.enter_context(VariantRenders(held.enter_context(starting(cluster))))
            plan = inspect_delivery(
                checked, to=to, recipients_files=recipients_files, ledger=ledger, require_recipients=True,
                on_variant=renders.add if renders is not None else None, **options
            )
        except SpecError as exc:
            raise _nothing_sent(exc) from None
        if plan.problems:
            raise NotSent(list(plan.problems))
        loaded, delivery, everyone, ledger_path = checked.report.loaded, plan.delivery, plan.recipients, plan.ledger

        # A real send holds the lock from before writing any PDF until the last message: an overlapping
        # run fails here instead of writing the same PDFs and then mailing the same people. (With a
        # cluster, variants that passed their checks are already rendering: the workers' work is
        # dropped when the lock is refused, nothing of it written.)
        if not dry_run:
            held.enter_context(SendLock(ledger_path))
        if renders is None:
            editions, built, unbuilt = _build_editions(plan.variants, log)
        else:
            editions, built, unbuilt = _build_editions_on_cluster(plan.variants, renders, log, on_build_progress)
        limit_mb = max_attachment_mb if max_attachment_mb is not None else delivery.max_attachment_mb
        linked = _editions_to_link(editions, limit_mb, delivery.base_url, log)
        plans = [
            _Plan(r, editions[r.variant], _published_url(delivery.base_url, editions[r.variant]), r.variant not in linked)
            for r in everyone if r.variant not in unbuilt and r.variant not in plan.unsendable
        ]
        not_built = [
            Outcome(r, "failed", "", "not sent, its edition fails a check: "
                    + " | ".join(p.render() for p in plan.unsendable[r.variant] if p.is_error))
            for r in everyone if r.variant in plan.unsendable
        ] + [
            Outcome(r, "failed", "", f"its variant could not be built: {' '.join(unbuilt[r.variant].lines())}")
            for r in everyone if r.variant in unbuilt
        ]
        for outcome in not_built:
            on_outcome(outcome)

        def message_for(plan: _Plan) -> Composed:
            composed = compose(
                plan.edition, plan.recipient, settings, subject_template=delivery.subject, body_template=delivery.body,
                from_name=delivery.from_name, reply_to=delivery.reply_to, url=plan.url, attach=plan.attach,
                accent=checked.theme.primary,
            )
            proofread_message(composed, plan.recipient)
            return composed

        common = dict(spec=loaded.path, dry_run=dry_run, ledger=ledger_path, built=tuple(built),
                      warnings=checked.report.warnings)
        if dry_run:
            outbox_path = Path(outbox) if outbox is not None else checked.output.parent / "outbox"
            with Ledger(ledger_path, read_only=True) as record:
                outcomes = _write_outbox(plans, record, resend, on_ambiguous, outbox_path, message_for, on_outcome)
            return DeliveryReport(outcomes=(*not_built, *outcomes), outbox=outbox_path, **common)

        spec_name = _relative_to_project(loaded.path)
        if connections > 1:
            from .pool import deliver_in_parallel

            outcomes = deliver_in_parallel(
                plans, connections=connections, ledger_path=ledger_path, durable=on_ambiguous == "hold",
                open_mailer=lambda: Mailer(settings, delivery.retry, sleep=sleep, log=log, on_ambiguous=on_ambiguous),
                deliver=lambda some, record, mailer, report: _deliver(
                    some, record, mailer, settings, resend, on_ambiguous, spec_name, message_for, report),
                not_attempted=lambda plan, reason: Outcome(plan.recipient, "failed", plan.edition.sha256, f"not attempted: {reason}"),
                on_outcome=on_outcome,
            )
        else:
            with Ledger(ledger_path, durable=on_ambiguous == "hold") as record, Mailer(settings, delivery.retry, sleep=sleep, log=log, on_ambiguous=on_ambiguous) as mailer:
                outcomes = _deliver(plans, record, mailer, settings, resend, on_ambiguous, spec_name, message_for, on_outcome)
        return DeliveryReport(outcomes=(*not_built, *outcomes), **common)


def _build_editions(
    variants: dict[tuple[str, ...], "Checked"], log: Callable[[str], None]
) -> tuple[dict[tuple[str, ...], Edition], list[Path], dict[tuple[str, ...], DeckgenError]]:
    """Render what is out of date (the same rule as ``deckgen build``) and read each PDF once; the
    variants that could not be built (their proof failed, say) are returned, not raised."""
    from ..build import api as builder, outputs

    editions, built, failed = {}, [], {}
    for variant, variant_checked in variants.items():
        if not outputs.up_to_date(variant_checked):
            try:
                builder.render(variant_checked)
            except DeckgenError as exc:
                failed[variant] = exc
                log(f"could not build {display_path(variant_checked.output)}: {' '.join(exc.lines())}")
                continue
            built.append(variant_checked.output)
            log(f"built {display_path(variant_checked.output)}")
        pdf = variant_checked.output.read_bytes()  # these bytes are sent and hashed: the edition is what was mailed
        editions[variant] = Edition(variant_checked.report, variant_checked.output, pdf, hashlib.sha256(pdf).hexdigest(), variant,
                                    *_firm(variant_checked))
    return editions, built, failed


def proofread_message(composed: Composed, recipient: Recipient) -> None:
    """A message is proofread like its PDF: ``ProofError`` when its subject or body prints template text
    (a recipient's name with braces in it, say)."""
    from ..proof.checks import problems_in

    leaks = problems_in((("subject", composed.subject), ("body", composed.body)))
    if leaks:
        raise ProofError([Problem.at(recipient.origin, f"the email to {recipient.address}: its {what} prints template text '{token}'",
                                     "check the recipient's name and the delivery section's subject and body", code="template-text")
                          for what, token in leaks])


def _build_editions_on_cluster(
    variants: dict[tuple[str, ...], "Checked"], renders: "VariantRenders", log: Callable[[str], None],
    on_progress: Callable[[int, int], None],
) -> tuple[dict[tuple[str, ...], Edition], list[Path], dict[tuple[str, ...], Exception]]:
    """``_build_editions`` on a Dask cluster (the variants handed to it as they were checked, and the
    rest); the variants that failed there are returned, not raised."""
    pdfs, built, failed = renders.collect(variants, log=log, on_progress=on_progress)
    editions = {
        variant: Edition(variants[variant].report, variants[variant].output, pdf, hashlib.sha256(pdf).hexdigest(), variant,
                         *_firm(variants[variant]))
        for variant, pdf in pdfs.items()
    }
    return editions, built, failed


def _firm(checked: "Checked") -> tuple[str, str]:
    """(brand name, issuing firm) of a checked edition: who the email says it is from and signs as."""
    from ..sections.disclosures import issuing_firm

    return checked.theme.name.strip(), issuing_firm(checked.report.spec, checked.theme.name)


def _published_url(base_url: str | None, edition: Edition) -> str | None:
    return base_url + edition.filename if base_url else None


def _editions_to_link(
    editions: dict[tuple[str, ...], Edition], limit_mb: float, base_url: str | None, log: Callable[[str], None]
) -> set[tuple[str, ...]]:
    """The editions too large to attach; without a base_url to link to, that is an error (nothing sent)."""
    linked, too_large = set(), []
    for variant, edition in editions.items():
        if edition.size_mb <= limit_mb:
            continue
        if base_url:
            linked.add(variant)
            log(f"{display_path(edition.path)} is {edition.size_mb:.2f} MB, over the {limit_mb:g} MB attachment limit: "
                f"sending a link to {_published_url(base_url, edition)} instead (publish the PDF there)")
        else:
            too_large.append(f"{display_path(edition.path)} is {edition.size_mb:.2f} MB, over the {limit_mb:g} MB attachment limit")
    if too_large:
        raise DeliveryError(
            "; ".join(too_large) + "; raise delivery.max_attachment_mb (or --max-size), or set delivery.base_url "
            "to send a link to the published PDF instead; nothing was sent"
        )
    return linked


def _settled(plan: _Plan, previous: LedgerRow | None, resend: bool, on_ambiguous: OnAmbiguous) -> Outcome | None:
    """The outcome for a recipient the ledger already settles (received, or held as unknown); None: send."""
    recipient, edition = plan.recipient, plan.edition
    if previous is None or resend:
        return None
    if previous.status == "sent":
        return Outcome(recipient, "skipped", edition.sha256,
                       f"already received edition {edition.sha256[:12]} on {previous.first_sent_at}", previous.message_id)
    if previous.status in UNCERTAIN and on_ambiguous == "hold":
        why = previous.smtp_response if previous.status == "unknown" else "a run stopped while sending it"
        return Outcome(recipient, "unknown", edition.sha256,
                       f"may already have edition {edition.sha256[:12]} ({why}, {previous.updated_at}); held, not sent again")
    return None


def _deliver(
    plans: list[_Plan], record: Ledger, mailer: Mailer, settings: SmtpSettings, resend: bool, on_ambiguous: OnAmbiguous,
    spec_name: str, message_for: Callable[[_Plan], Composed], on_outcome: Callable[[Outcome], None],
) -> list[Outcome]:
    outcomes: list[Outcome] = []

    def done(outcome: Outcome) -> None:
        outcomes.append(outcome)
        on_outcome(outcome)

    unavailable: str | None = None
    for plan in plans:
        recipient, edition = plan.recipient, plan.edition
        if unavailable:
            done(Outcome(recipient, "failed", edition.sha256, f"not attempted: {unavailable}"))
            continue
        previous = record.row(edition.sha256, recipient.key)
        settled = _settled(plan, previous, resend, on_ambiguous)
        if settled is not None:
            done(settled)
            continue
        uncertain_before = previous is not None and previous.status in UNCERTAIN  # an earlier run may have delivered it
        try:
            composed = message_for(plan)
        except ProofError as exc:
            done(Outcome(recipient, "failed", edition.sha256, f"not sent: {' '.join(exc.lines())}"))
            continue
        who = dict(edition=edition.sha256, recipient=recipient.key, name=recipient.name, spec=spec_name,
                   variant="\n".join(recipient.variant))
        record.mark_sending(**who)  # a run killed before the outcome is recorded leaves this behind
        try:
            result = mailer.send(settings.mail_from, recipient.address, composed.data)
        except ServerUnavailable as exc:
            unavailable = str(exc)
            record.record(**who, status="failed-temporary", message_id=None, smtp_response=unavailable,
                          attempts=exc.attempts)
            done(Outcome(recipient, "failed", edition.sha256, unavailable))
            continue
        duplicate = result.status == "sent" and (result.possible_duplicate or uncertain_before)
        record.record(
            **who, status=result.status, message_id=composed.message_id if result.status in ("sent", "unknown") else None,
            smtp_response=result.response, attempts=result.attempts, possible_duplicate=duplicate,
        )
        if result.status == "sent":
            done(Outcome(recipient, "sent", edition.sha256, result.response, composed.message_id, result.attempts,
                         linked=composed.linked, possible_duplicate=duplicate))
        elif result.status == "unknown":
            done(Outcome(recipient, "unknown", edition.sha256, result.response, composed.message_id, result.attempts))
        else:
            kind = "permanent" if result.status == "failed-permanent" else f"temporary, gave up after {result.attempts} attempt(s)"
            done(Outcome(recipient, "failed", edition.sha256, f"{result.response} ({kind})", None, result.attempts,
                         permanent=result.status == "failed-permanent"))
    return outcomes


def _write_outbox(
    plans: list[_Plan], record: Ledger, resend: bool, on_ambiguous: OnAmbiguous, outbox: Path,
    message_for: Callable[[_Plan], Composed], on_outcome: Callable[[Outcome], None],
) -> list[Outcome]:
    from ..writing import write_atomic

    outcomes = []
    for plan in plans:
        recipient, edition = plan.recipient, plan.edition
        outcome = _settled(plan, record.row(edition.sha256, recipient.key), resend, on_ambiguous)
        if outcome is None:
            try:
                composed = message_for(plan)
            except ProofError as exc:
                composed, outcome = None, Outcome(recipient, "failed", edition.sha256, f"not written: {' '.join(exc.lines())}")
            if composed is not None:
                path = outbox / f"{_file_safe(recipient.address)}.eml"
                write_atomic(path, composed.data)
                outcome = Outcome(recipient, "written", edition.sha256, display_path(path), composed.message_id,
                                  path=path, linked=composed.linked)
        outcomes.append(outcome)
        on_outcome(outcome)
    return outcomes


def _relative_to_project(path: Path) -> str:
    from ..inputs import project_root

    try:
        return path.relative_to(project_root(path)).as_posix()
    except ValueError:
        return path.as_posix()


def _file_safe(address: str) -> str:
    return re.sub(r"[^A-Za-z0-9@._+-]", "_", address)
