"""Every key is honoured or refused: no table or chart left empty by its where, sections named by id
in --set and in recipients' variants, and a recipient whose edition is empty not sent it (the others are)."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from deckgen.errors import ExitCode
from pdfread import squash, text_of
from test_delivery import plain_env, smtp_server  # noqa: F401  (fixtures: a real SMTP server on 127.0.0.1)

SPEC = Path("specs") / "investor.yaml"
PICKS = "  - type: instrument_table\n    id: instruments\n    title: Instruments for the theme\n"
REFERENCE = "{{ exhibit: instruments }}"  # the narrative's cross-reference to the instrument table
INSTEAD = 'or set if_empty: "text to print" to print that instead of an empty table'


def _at(text: str, needle: str, after: str = "") -> str:
    """``LINE:COL`` (1-based) of ``needle`` in ``text``, searching from where ``after`` occurs."""
    start = text.index(after) if after else 0
    offset = text.index(needle, start)
    return f"{text.count(chr(10), 0, offset) + 1}:{offset - text.rfind(chr(10), 0, offset)}"


def _picks(project: Path, where: str = "{asset_class: [ETF, Equity, Government bond]}", extra: str = "") -> str:
    """The example's instrument table, named ``picks`` and filtered by ``where``; returns the spec's text."""
    path = project / SPEC
    text = path.read_text("utf-8")
    assert text.count(PICKS) == 1 and text.count(REFERENCE) == 1
    text = text.replace(REFERENCE, "{{ exhibit: picks }}").replace(PICKS, f"  - type: instrument_table\n    id: picks\n    title: Instruments for the theme\n"
                              f"    where: {where}\n{extra}")
    path.write_text(text, "utf-8")
    return text


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(("specs/", "<command line>", "desk.", "list."))
            and "warning:" not in line]


# --- a where that selects no row ------------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_table_whose_where_selects_no_row_is_refused_at_its_condition(project, cli, command):
    text = _picks(project, where="{asset_class: Equty}")

    result = cli(command, SPEC, cwd=project)

    assert result.code == ExitCode.INVALID, result.stderr
    assert _errors(result.stderr) == [
        f"specs/investor.yaml:{_at(text, 'Equty')}: no row of table 'instruments' has asset_class 'Equty'; "
        f"did you mean 'Equity'? {INSTEAD}"
    ]
    assert not (project / "dist" / "investor.pdf").exists(), "nothing written"


def test_a_later_condition_that_empties_the_selection_says_so(project, cli):
    text = _picks(project, where="{asset_class: ETF, theme: Defence}")

    result = cli("validate", SPEC, cwd=project)

    assert _errors(result.stderr) == [
        f"specs/investor.yaml:{_at(text, 'Defence}')}: no row left by the conditions before it (3) of table 'instruments' "
        f"has theme 'Defence'; check the value, {INSTEAD}"
    ]


def test_if_empty_prints_the_title_and_the_text_and_no_empty_table(project, cli):
    _picks(project, where="{asset_class: Equty}", extra="    if_empty: No instruments are named in this edition.\n")

    result = cli("build", SPEC, cwd=project)

    assert result.code == 0, result.stderr
    text = squash(text_of(project / "dist" / "investor.pdf"))
    assert "Instruments for the theme No instruments are named in this edition." in text
    assert "Asset class" not in text, "no table header printed"
    assert "Instruments named in this brief as exposure" not in text, "nor the caption of a table not shown"


# --- sections named by id -------------------------------------------------------------------------


def test_set_names_a_section_by_its_id(project, cli):
    _picks(project)

    result = cli("build", SPEC, "--set", "sections.picks.title=Our chosen instruments", cwd=project)

    assert result.code == 0, result.stderr
    assert "Our chosen instruments" in squash(text_of(project / "dist" / "investor.pdf"))


def test_set_with_an_id_no_section_has_is_refused_with_the_nearest_id(project, cli):
    _picks(project)

    result = cli("validate", SPEC, "--set", "sections.pics.title=x", cwd=project)

    assert result.code == ExitCode.INVALID
    assert _errors(result.stderr) == [
        "<command line>: --set sections.pics.title=x: 'sections.pics.title' does not name a value in the spec; "
        "did you mean 'picks'?"
    ]


def test_set_by_id_reaches_the_where_check(project, cli):
    _picks(project)

    result = cli("build", SPEC, "--set", "sections.picks.where.asset_class=Equty", cwd=project)

    assert result.code == ExitCode.INVALID
    assert _errors(result.stderr) == [
        "<command line>: --set sections.picks.where.asset_class=Equty: no row of table 'instruments' has asset_class "
        f"'Equty'; did you mean 'Equity'? {INSTEAD}"
    ]
    assert not (project / "dist" / "investor.pdf").exists()


# --- recipients: per-recipient editions -----------------------------------------------------------

DESK = "email,name,sections.picks.where.asset_class\nann@example.com,Ann,Equity\nbob@example.com,Bob,Equty\ncarol@example.com,Carol,\n"
BOB_FAILED = (
    "FAILED   bob@example.com: not sent, its edition fails a check: desk.csv:3:1: variant of bob@example.com: "
    "sections.picks.where.asset_class=Equty: no row of table 'instruments' has asset_class 'Equty'; "
    f"did you mean 'Equity'? {INSTEAD}"
)


def test_send_skips_only_the_recipient_whose_edition_is_empty(project, plain_env, cli):  # noqa: F811
    _picks(project)
    (project / "desk.csv").write_text(DESK)

    result = cli("send", SPEC, "--recipients", "desk.csv", cwd=project)

    assert result.code == ExitCode.DELIVERY_FAILED, result.stderr
    assert BOB_FAILED in result.stderr.splitlines()
    assert sorted(r.rcpt_tos[0] for r in plain_env.handler.received) == ["ann@example.com", "carol@example.com"]
    assert "sent 2, skipped 0, failed 1" in result.stderr
    [ann] = plain_env.handler.to("ann@example.com")
    message = email.message_from_bytes(ann.data, policy=email.policy.default)
    [pdf] = [part.get_content() for part in message.iter_attachments()]
    assert pdf.startswith(b"%PDF-")


@pytest.mark.parametrize("strict", [False, True], ids=["dry-run", "dry-run --strict"])
def test_a_dry_run_reports_the_recipient_whose_edition_is_empty(project, cli, monkeypatch, strict):
    for name in [n for n in __import__("os").environ if n.startswith("DECKGEN_")]:
        monkeypatch.delenv(name)
    _picks(project)
    (project / "desk.csv").write_text(DESK)

    result = cli("send", SPEC, "--recipients", "desk.csv", "--dry-run", "--outbox", "out", *(["--strict"] if strict else []),
                 cwd=project)

    assert result.code == ExitCode.DELIVERY_FAILED, result.stderr
    assert BOB_FAILED in result.stderr.splitlines()
    assert sorted(p.name for p in (project / "out").glob("*.eml")) == ["ann@example.com.eml", "carol@example.com.eml"]


def test_validate_refuses_a_recipients_file_whose_variant_selects_no_row(project, cli):
    text = _picks(project)
    (project / "desk.csv").write_text(DESK)
    spec = project / SPEC
    spec.write_text(text.replace("  base_url:", "  recipients_file: ../desk.csv\n  base_url:", 1), "utf-8")

    result = cli("validate", SPEC, cwd=project)

    assert result.code == ExitCode.INVALID
    assert _errors(result.stderr) == [BOB_FAILED.split("fails a check: ", 1)[1]]


# --- recipients: sections by id, never by position ------------------------------------------------


def _position_of_picks(text: str) -> int:
    sections = text[text.index("\nsections:\n"):]
    return sections[: sections.index("    id: picks")].count("\n  - type: ") - 1


def test_a_recipients_file_naming_a_section_by_position_is_refused_with_its_id(project, plain_env, cli):  # noqa: F811
    position = _position_of_picks(_picks(project))
    (project / "desk.csv").write_text(f"email,name,sections.{position}.title\nann@example.com,Ann,Your picks\n")

    result = cli("send", SPEC, "--recipients", "desk.csv", cwd=project)

    assert result.code == ExitCode.INVALID
    assert _errors(result.stderr) == [
        f"desk.csv:1:12: sections.{position}.title: a recipient's variant names a section by its position, which another "
        f"section takes when the spec changes; use sections.picks.title (section {position} is the instrument_table "
        "with id 'picks')"
    ]
    assert plain_env.handler.received == []


def test_a_yaml_recipient_naming_a_section_without_id_by_position_is_told_to_add_one(project, cli):
    text = (project / SPEC).read_text("utf-8")
    (project / "list.yaml").write_text("- {email: ann@example.com, variant: {sections.3.title: Hello}}\n")

    result = cli("send", SPEC, "--recipients", "list.yaml", "--dry-run", cwd=project)

    assert result.code == ExitCode.INVALID
    fourth = text.index("\n  - type: ", text.index("\nsections:\n"))
    for _ in range(3):
        fourth = text.index("\n  - type: ", fourth + 1)
    line = text.count("\n", 0, fourth) + 2
    kind = text[fourth:].split("type: ", 1)[1].split("\n", 1)[0]
    assert _errors(result.stderr) == [
        "list.yaml:1:38: sections.3.title: a recipient's variant names a section by its position, which another section "
        f"takes when the spec changes; give section 3 (the {kind} at specs/investor.yaml:{line}) an id: and use "
        "sections.<id>.title"
    ]


def test_a_recipient_naming_a_section_by_id_gets_it(project, cli, monkeypatch):
    for name in [n for n in __import__("os").environ if n.startswith("DECKGEN_")]:
        monkeypatch.delenv(name)
    _picks(project)
    (project / "list.yaml").write_text("- {email: ann@example.com, variant: {sections.picks.title: Ann's own picks}}\n")

    result = cli("send", SPEC, "--recipients", "list.yaml", "--dry-run", "--outbox", "out", cwd=project)

    assert result.code == 0, result.stderr
    message = email.message_from_bytes((project / "out" / "ann@example.com.eml").read_bytes(), policy=email.policy.default)
    [pdf] = [part.get_content() for part in message.iter_attachments()]
    (project / "ann.pdf").write_bytes(pdf)
    assert "Ann's own picks" in squash(text_of(project / "ann.pdf")).replace("\u2019", "'")
