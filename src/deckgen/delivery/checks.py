"""Every check ``send`` runs before it builds or mails anything, as one function ``validate`` can call too.

``check_delivery(checked)`` needs no SMTP settings, renders nothing and imports neither smtplib, ssl,
sqlite3 nor the email message machinery: the templates, the recipients (the spec's list and its
``recipients_file``), each recipient variant (checked as ``deckgen build --set ...`` would check it,
without rendering) and the ledger's path. ``send`` calls ``inspect_delivery``, which also returns
what it found (recipients, checked variants, the ledger path) so that nothing is read twice.
"""

from __future__ import annotations

import contextlib
import hashlib
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, Sequence

from ..errors import Mark, Problem, SpecError
from ..inputs import inside, project_root
from ..dates import REPORT_DATE_STYLES
from ..text import FIGURE_STYLES, TEMPLATE
from . import recipients as recipient_sources
from .addresses import SHOWN_LIMIT, quoted
from .model import DeliverySpec
from .recipients import COMMAND_LINE, Recipient

if TYPE_CHECKING:
    from ..build.checked import Checked
    from ..resolve import Report
    from ..spec import LoadedSpec

# Placeholders every template may use (besides figure names); `link` only when the spec has a base_url.
PLACEHOLDERS = ("title", "subtitle", "date", "name", "email", "filename", "link", "issuer", "brand")
DATE_STYLES = REPORT_DATE_STYLES  # the same styles as {{ date | month }} in the spec's text

Variant = tuple[str, ...]

# True while a delivery check is under way further up the stack. ``deckgen.build.check()`` may call
# ``check_delivery`` (so that ``validate`` reports delivery problems), and a delivery check calls
# ``build.check()`` for each recipient variant: inside, the variant's own delivery check would only
# repeat this one (and would recurse), so ``check_delivery`` returns nothing there.
_checking: ContextVar[bool] = ContextVar("deckgen_delivery_checking", default=False)


@contextlib.contextmanager
def delivery_checked_by_caller() -> Iterator[None]:
    """While this is active, ``check_delivery`` (as hooked into ``build.check()``) does nothing."""
    token = _checking.set(True)
    try:
        yield
    finally:
        _checking.reset(token)


@dataclass(frozen=True)
class DeliveryPlan:
    """What a send would do, as far as it can be known without building or sending anything."""

    delivery: DeliverySpec
    recipients: tuple[Recipient, ...]
    variants: Mapping[Variant, "Checked"]  # each distinct variant, checked; () is the spec as it is
    ledger: Path
    problems: tuple[Problem, ...] = field(default=())
    # variants whose edition fails a check of its content (a where that selects no row): their
    # recipients are not sent it, the others are; each with its problems, located at the recipient
    unsendable: Mapping[Variant, tuple[Problem, ...]] = field(default_factory=dict)


def check_delivery(
    checked: "Checked",
    *,
    overrides: Sequence[str] = (),
    allow_stale: bool = False,
    strict: bool = False,
    root: Path | str | None = None,
) -> list[Problem]:
    """Every problem ``deckgen send`` would stop at before building or sending, for the spec's own recipients.

    ``checked`` is ``deckgen.build.check(spec, overrides=..., ...)``; pass the same options here, so
    that each recipient variant is checked as ``send`` would check it. Returns [] for a spec without
    a delivery section, and when called from inside another delivery check (see ``_checking``).
    """
    if _checking.get() or checked.report.spec.delivery is None:
        return []
    plan = inspect_delivery(checked, overrides=overrides, allow_stale=allow_stale, strict=strict, root=root)
    return list(plan.problems) + [problem for problems in plan.unsendable.values() for problem in problems]


def inspect_delivery(
    checked: "Checked",
    *,
    overrides: Sequence[str] = (),
    allow_stale: bool = False,
    strict: bool = False,
    root: Path | str | None = None,
    to: Sequence[str] = (),
    recipients_files: Sequence[Path | str] = (),
    ledger: Path | str | None = None,
    require_recipients: bool = False,
    on_variant: Callable[[Variant, "Checked"], None] | None = None,
) -> DeliveryPlan:
    """Check everything a send needs; return the plan with every problem found (none raised).

    ``to`` and ``recipients_files`` (from the command line) replace the spec's recipients and may be
    anywhere, as may ``ledger``; the spec's ``recipients_file`` and ``ledger`` must be inside the
    project (``root``, else the folder ``deckgen.inputs.project_root`` finds).

    ``on_variant(variant, checked)`` is called with each variant as soon as it passes its check, while
    the rest are still being checked (a cluster starts rendering them), and only while no problem has
    been found: the plan is then the one to act on once every variant is checked.
    """
    loaded = checked.report.loaded
    delivery = loaded.spec.delivery or DeliverySpec()
    root_path = Path(root).resolve() if root else project_root(loaded.path)
    problems = _template_problems(loaded, delivery, checked)
    problems += _sender_problems(checked)
    everyone, recipient_problems = _recipients(loaded, delivery, to, recipients_files, root_path)
    problems += recipient_problems
    if require_recipients and not everyone and not recipient_problems:
        where = loaded.mark(("delivery",), key=True) if loaded.spec.delivery else Mark.of(loaded.path, 0, 0)
        problems.append(Problem.at(
            where, "no recipients: list them under delivery.recipients (or delivery.recipients_file), "
            "or pass --to ADDR / --recipients FILE",
        ))
    ledger_path, ledger_problems = _ledger_path(ledger, delivery, loaded, checked, root_path)
    problems += ledger_problems
    positional = _positional_problems(checked, everyone)
    problems += positional
    variants, variant_problems, unsendable = _check_variants(
        checked, [r for r in everyone if not _positional(r.variant)], tuple(overrides),
        dict(allow_stale=allow_stale, strict=strict, root=root), on_variant=None if problems else on_variant,
    )
    problems += variant_problems
    return DeliveryPlan(delivery, tuple(everyone), variants, ledger_path, tuple(problems), unsendable)


# -- templates -----------------------------------------------------------------------------------


def template_problems(template: str, where: Callable[[str], Mark], report: "Report", has_link: bool,
                      missing: Mapping[str, str] | None = None) -> list[Problem]:
    """Unknown placeholders or styles in a subject/body template, each located by ``where(token)``.
    ``missing`` says why a known placeholder has no value here (``{"brand": "the brand has no meta.name"}``)."""
    problems = []
    known = set(PLACEHOLDERS) - ({"link"} if not has_link else set())
    for match in TEMPLATE.finditer(template):
        name, style, token = match.group("name"), match.group("style"), match.group(0)
        message = None
        if name == "link" and not has_link:
            message = f"{token}: a link needs delivery.base_url (where the PDFs are published)"
        elif missing and name in missing:
            message = f"{token}: {missing[name]}"
        elif name in known:
            if style and not (name == "date" and style in DATE_STYLES):
                allowed = f"one of {', '.join(DATE_STYLES)}" if name == "date" else "no style"
                message = f"{token}: unknown style '{style}' for {name} ({allowed})"
        elif name in report.figures:
            if style and style not in FIGURE_STYLES:
                message = f"{token}: unknown figure style '{style}' (one of {', '.join(FIGURE_STYLES)})"
        else:
            message = f"{token}: unknown placeholder '{name}' (use {', '.join(sorted(known))} or a figure name)"
        if message:
            problems.append(Problem.at(where(token), message))
    return problems


def _template_problems(loaded: "LoadedSpec", delivery: DeliverySpec, checked: "Checked") -> list[Problem]:
    from ..sections.disclosures import brand_shown, issuing_firm

    report = checked.report
    missing = {}
    if not checked.theme.name.strip():
        missing["brand"] = f"the brand ({brand_shown(loaded)}) has no meta.name to put here"
        if not issuing_firm(loaded.spec, checked.theme.name):
            missing["issuer"] = (f"the disclosures name no issuer and the brand ({brand_shown(loaded)}) has no meta.name "
                                 "to put here")
    problems = []
    written = (loaded.document.data.get("delivery") or {}) if loaded.spec.delivery is not None else {}
    for key in ("subject", "body"):
        loc = ("delivery", key)

        def where(token: str, loc=loc, written=key in written) -> Mark:
            return loaded.document.mark_of_text(loc, token) if written else Mark.of(loaded.path, 0, 0)

        problems += template_problems(getattr(delivery, key), where, report, has_link=delivery.base_url is not None,
                                      missing=missing)
    return problems


def _sender_problems(checked: "Checked") -> list[Problem]:
    """The sender's name is the firm of the brand the brief is built with, as the disclosures' issuer is:
    a from_name naming another firm (say Meridian on a Harbor brief) is refused, located at from_name."""
    from ..sections.disclosures import brand_shown, names_firm

    loaded = checked.report.loaded
    delivery = loaded.spec.delivery
    brand = checked.theme.name.strip()
    if delivery is None or delivery.from_name is None or names_firm(delivery.from_name, brand):
        return []
    return [Problem.at(
        loaded.mark(("delivery", "from_name")),
        f"delivery.from_name says the email is from '{delivery.from_name}' but the brief is built with the brand "
        f"'{brand}' ({brand_shown(loaded)}), whose name the masthead, footer and disclosures show",
        f"remove from_name to send in the brand's name, give a name that contains '{brand}', or build with the "
        "sender's own brand", code="disclosures")]


# -- recipients ----------------------------------------------------------------------------------


def _recipients(
    loaded: "LoadedSpec", delivery: DeliverySpec, to: Sequence[str], files: Sequence[Path | str], root: Path
) -> tuple[list[Recipient], list[Problem]]:
    """Command-line recipients replace the spec's list (so a test send to yourself mails nobody else)."""
    groups: list[list[Recipient]] = []
    problems: list[Problem] = []

    def gather(load: Callable[[], list[Recipient]]) -> None:
        try:
            groups.append(load())
        except SpecError as exc:
            problems.extend(exc.problems)

    if to or files:
        for file in files:
            gather(lambda file=file: recipient_sources.from_file(Path(file)))
        gather(lambda: recipient_sources.from_command_line(to))
    else:
        gather(lambda: recipient_sources.from_spec(delivery.recipients, loaded.document))
        if delivery.recipients_file is not None:
            path, problem = _spec_file(loaded, "recipients_file", root)
            if problem is None and path.suffix.lower() not in recipient_sources.SUFFIXES:
                problem = Problem.at(loaded.mark(("delivery", "recipients_file")),
                                     f"delivery.recipients_file: {recipient_sources.unsupported_type(path)}")
            if problem is None and not path.is_file():
                problem = Problem.at(loaded.mark(("delivery", "recipients_file")),
                                     f"delivery.recipients_file: file not found: {delivery.recipients_file}")
            if problem is None:
                gather(lambda: recipient_sources.from_file(path))
            else:
                problems.append(problem)
    everyone = [recipient for group in groups for recipient in group]
    if not problems:
        try:
            everyone = recipient_sources.merge(groups)
        except SpecError as exc:
            problems.extend(exc.problems)
    return everyone, problems


def _spec_file(loaded: "LoadedSpec", key: str, root: Path) -> tuple[Path, Problem | None]:
    """A path the spec's delivery section names: resolved, and held to the project like the datasets."""
    path = loaded.resolve_path(getattr(loaded.spec.delivery, key))
    if inside(path, root):
        return path, None
    option = "--recipients FILE" if key == "recipients_file" else "--ledger FILE"
    return path, Problem.at(
        loaded.mark(("delivery", key)), f"delivery.{key} points outside the project ({root})",
        f"move the file inside it or pass --root ({option} on the command line may be anywhere)", code="path",
    )


# -- the ledger ----------------------------------------------------------------------------------


def _ledger_path(
    configured: Path | str | None, delivery: DeliverySpec, loaded: "LoadedSpec", checked: "Checked", root: Path
) -> tuple[Path, list[Problem]]:
    """``--ledger`` (anywhere: an explicit choice), else the spec's ``ledger`` (inside the project), else the default."""
    if configured is not None:
        path = Path(configured).resolve()
        where = Mark(f"{COMMAND_LINE} --ledger", 0, 0)
    elif delivery.ledger is not None:
        path, problem = _spec_file(loaded, "ledger", root)
        if problem is not None:
            return path, [problem]
        where = loaded.mark(("delivery", "ledger"))
    else:
        return checked.output.parent / ".deckgen" / "delivery.sqlite", []
    if path.is_dir():
        return path, [Problem.at(where, f"the ledger {quoted(str(configured or delivery.ledger))} is a folder; name a file in it")]
    return path, []


# -- variants ------------------------------------------------------------------------------------


def _positional(variant: Variant) -> list[tuple[str, int]]:
    """The (name, position) of each override in ``variant`` that names a section by its position."""
    found = []
    for override in variant:
        name = override.partition("=")[0].strip()
        parts = name.split(".")
        if len(parts) > 1 and parts[0] == "sections" and parts[1].isdigit():
            found.append((name, int(parts[1])))
    return found


def _positional_problems(checked: "Checked", everyone: Iterable[Recipient]) -> list[Problem]:
    """A recipient's variant names a section by its id, never by its position: the recipients list
    outlives edits to the spec, and a position then names another section (of another type, even)."""
    loaded = checked.report.loaded
    sections = loaded.spec.sections
    problems: dict[tuple, Problem] = {}
    for recipient in everyone:
        for name, position in _positional(recipient.variant):
            rest = name.split(".", 2)[2] if name.count(".") >= 2 else ""
            if position < len(sections):
                section = sections[position]
                at = loaded.mark(("sections", position))
                if section.id:
                    hint = f"use sections.{section.id}{'.' + rest if rest else ''} (section {position} is the {section.type} with id '{section.id}')"
                else:
                    hint = (f"give section {position} (the {section.type} at {at.file}:{at.line}) an id: "
                            f"and use sections.<id>{'.' + rest if rest else ''}")
            else:
                hint = f"the spec has {len(sections)} sections; give the one you mean an id: and use sections.<id>{'.' + rest if rest else ''}"
            mark = recipient.variant_mark(name)
            message = f"{name}: a recipient's variant names a section by its position, which another section takes when the spec changes"
            problems.setdefault((mark, message), Problem.at(mark, message, hint))
    return list(problems.values())


def _check_variants(
    checked: "Checked", everyone: Iterable[Recipient], overrides: tuple[str, ...], options: dict,
    on_variant: Callable[[Variant, "Checked"], None] | None = None,
) -> tuple[dict[Variant, "Checked"], list[Problem], dict[Variant, tuple[Problem, ...]]]:
    """Check each distinct recipient variant as ``build --set ...`` would (nothing is rendered here).

    A variant whose only errors are in what its edition shows (a where that selects no row, code
    ``empty``) is returned apart, as unsendable: its recipients are not sent it, the others are.
    ``on_variant`` hears of each variant that passed, until the first problem."""
    from ..tables import EMPTY

    everyone = list(everyone)
    variants: dict[Variant, Checked] = {}
    problems: list[Problem] = []
    unsendable: dict[Variant, tuple[Problem, ...]] = {}
    spec_path = checked.report.loaded.path
    with delivery_checked_by_caller():
        for variant in dict.fromkeys(r.variant for r in everyone):
            try:
                variants[variant] = checked if not variant else checked.check(
                    spec_path, overrides=overrides + variant, output=_variant_output(checked, overrides + variant), **options
                )
            except SpecError as exc:
                relocated = _relocated(exc.problems, [r for r in everyone if r.variant == variant])
                errors = [p for p in exc.problems if p.is_error]
                if errors and all(p.code == EMPTY for p in errors):
                    unsendable[variant] = tuple(relocated)
                else:
                    problems += relocated
            else:
                if on_variant is not None and not problems:
                    on_variant(variant, variants[variant])
    return variants, problems, unsendable


def _variant_output(checked: "Checked", overrides: tuple[str, ...]) -> Path:
    tag = hashlib.sha256("\n".join(overrides).encode()).hexdigest()[:12]
    return checked.output.parent / ".deckgen" / "variants" / f"{checked.output.stem}-{tag}.pdf"


def _relocated(problems: Iterable[Problem], users: list[Recipient]) -> list[Problem]:
    """Problems in a recipient's variant point at the recipient, not at the command line; long values are cut."""
    first = users[0]
    more = f" (and {len(users) - 1} more recipient(s) with this variant)" if len(users) > 1 else ""
    relocated = []
    for problem in problems:
        if problem.file.startswith(COMMAND_LINE):
            message = _shorten_values(problem.message.removeprefix("--set "), first.variant)
            where = problem.file.removeprefix(COMMAND_LINE).strip().removeprefix("--set").strip()
            prefix = f"variant of {first.address}: " + (f"{where}: " if where and where not in message else "")
            relocated.append(Problem.at(first.origin, prefix + message + more, problem.hint, problem.severity, problem.code))
        else:
            where = first.origin.file if first.origin.line == 0 else f"{first.origin.file}:{first.origin.line}"
            relocated.append(replace(problem, message=f"{problem.message} (in the variant of {first.address}, {where}){more}"))
    return relocated


def _shorten_values(message: str, variant: Variant) -> str:
    """Repeat at most the start of a long variant value (it comes from a recipients file)."""
    for override in variant:
        value = override.partition("=")[2]
        if len(value) > SHOWN_LIMIT:
            message = message.replace(value, value[: SHOWN_LIMIT - 1] + "\u2026")
    return message
