"""The report date as a word resolved against the clock (date: last-month-end), and the report fields
({{ date | month }}, {{ title }}...) in the spec's text: validated, printed, in the metadata and headers."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from pdfread import outline_titles, page_texts, squash, text_of

SPEC = """\
title: "EM Sovereign Debt Monthly — {{ date | month }}"
date: DATE
locale: LOCALE
brand: ../assets/brand.yml
checks: {disclosures: not-research, max_age_days: MAX_AGE}
data:
  sources: ../data/em/sources.yaml
  figures: ../data/em/figures.yaml
sections:
  - type: narrative
    title: "Spreads in {{ date | month }}"
    body: "BODY"
  - type: sources
"""
SOURCES = """\
sources:
  - id: desk
    author: Kestrel desk
    title: EM sovereign spreads (synthetic)
    date: 2026-01-02
"""
FIGURES = """\
figures:
  spread: {value: 1.25, unit: percent, as_of: AS_OF, source: desk}
"""
BODY = "The spread was {{ spread }} [@desk]."


def write(project: Path, *, date: str = "2026-11-30", locale: str = "en_US", as_of: str = "2026-09-30",
          max_age: int = 400, body: str = BODY, title: str | None = None, extra: str = "") -> str:
    """specs/em.yaml and its data; returns the spec's path as the CLI is given it."""
    (project / "data" / "em").mkdir(exist_ok=True)
    (project / "data" / "em" / "sources.yaml").write_text(SOURCES)
    (project / "data" / "em" / "figures.yaml").write_text(FIGURES.replace("AS_OF", as_of))
    text = (SPEC.replace("DATE", date).replace("LOCALE", locale).replace("MAX_AGE", str(max_age))
            .replace("BODY", body))
    if title is not None:
        text = text.replace('"EM Sovereign Debt Monthly — {{ date | month }}"', title)
    (project / "specs" / "em.yaml").write_text(text + extra)
    return "specs/em.yaml"


def errors_of(stderr: str) -> list[str]:
    """The located errors (no warnings, no summary lines)."""
    return [line for line in stderr.splitlines() if ": warning:" not in line
            and (re.match(r"\S+:\d+:\d+: ", line) or line.startswith("<command line>"))]


def at(project: Path, needle: str, path: str = "specs/em.yaml") -> str:
    """FILE:LINE:COL of the first ``needle`` in the file."""
    for number, line in enumerate((project / path).read_text().splitlines(), start=1):
        if needle in line:
            return f"{path}:{number}:{line.index(needle) + 1}"
    raise AssertionError(f"{needle!r} not in {path}")


# -- date keywords ---------------------------------------------------------------------------------

KEYWORDS = [
    ("today", "2026-12-07", "2026-12-07"),
    ("last-business-day", "2026-12-07", "2026-12-04"),  # a Monday: the Friday before
    ("last-business-day", "2026-12-06", "2026-12-04"),  # a Sunday
    ("last-business-day", "2026-12-05", "2026-12-04"),  # a Saturday
    ("last-business-day", "2026-12-08", "2026-12-07"),  # a Tuesday: the Monday
    ("last-business-day", "2027-01-01", "2026-12-31"),  # 1 January (no holiday calendar)
    ("last-business-day", "2027-01-04", "2027-01-01"),  # a Monday after New Year's Day: the Friday
    ("last-month-end", "2026-12-07", "2026-11-30"),
    ("last-month-end", "2026-12-01", "2026-11-30"),
    ("last-month-end", "2026-11-30", "2026-10-31"),  # a month's last day: that month is not over
    ("last-month-end", "2027-01-01", "2026-12-31"),
    ("last-month-end", "2028-03-15", "2028-02-29"),
    ("last-quarter-end", "2026-12-07", "2026-09-30"),
    ("last-quarter-end", "2026-10-01", "2026-09-30"),
    ("last-quarter-end", "2026-09-30", "2026-06-30"),
    ("last-quarter-end", "2027-01-01", "2026-12-31"),
    ("last-quarter-end", "2026-04-01", "2026-03-31"),
]


@pytest.mark.parametrize("keyword, today, expected", KEYWORDS)
def test_a_date_keyword_is_resolved_against_today(project: Path, cli, monkeypatch, keyword, today, expected):
    # a figure dated after the report date is refused with the report date in the message: the resolved one
    spec = write(project, date=keyword, as_of="2099-01-01")
    monkeypatch.setenv("DECKGEN_TODAY", today)
    run = cli("validate", spec, cwd=project)
    assert run.code == 1
    assert errors_of(run.stderr) == [
        f"{at(project, '2099-01-01', 'data/em/figures.yaml')}: figure 'spread' is as of 2099-01-01, after the report "
        f"date {expected}; check the date or the report date"]


def test_the_manifest_records_the_resolved_date_and_the_keyword(project: Path, cli, monkeypatch):
    spec = write(project, date="last-month-end")
    monkeypatch.setenv("DECKGEN_TODAY", "2026-12-07")
    run = cli("build", spec, cwd=project)
    assert run.code == 0, run.stderr
    manifest = json.loads((project / "dist" / "em.manifest.json").read_text())
    assert manifest["report_date"] == "2026-11-30" and manifest["report_date_rule"] == "last-month-end"
    assert manifest["title"] == "EM Sovereign Debt Monthly — November 2026"


def test_a_december_run_says_november_and_checks_freshness_against_that_date(project: Path, cli, monkeypatch):
    monkeypatch.setenv("DECKGEN_TODAY", "2026-12-07")
    spec = write(project, date="last-month-end", as_of="2026-10-31", max_age=20)
    run = cli("build", spec, cwd=project)
    assert run.code != 0
    assert errors_of(run.stderr) == [
        f"{at(project, '2026-10-31', 'data/em/figures.yaml')}: figure 'spread' is stale: as of 2026-10-31, 30 days "
        "before the report date 2026-11-30 (max_age_days: 20); refresh the data or pass --allow-stale"]
    write(project, date="last-month-end", as_of="2026-11-30", max_age=20)
    run = cli("build", spec, cwd=project)
    assert run.code == 0, run.stderr
    assert pypdf.PdfReader(project / "dist" / "em.pdf").metadata.title == "EM Sovereign Debt Monthly — November 2026"
    # the same data, a month later: the report date moves on, and the data is now too old for it
    monkeypatch.setenv("DECKGEN_TODAY", "2027-01-25")
    run = cli("build", spec, cwd=project)
    assert run.code != 0
    assert "31 days before the report date 2026-12-31 (max_age_days: 20)" in run.stderr


def test_set_date_to_a_keyword(project: Path, cli, monkeypatch):
    spec = write(project, date="2026-06-30")
    monkeypatch.setenv("DECKGEN_TODAY", "2026-12-07")
    run = cli("build", spec, "--set", "date=last-month-end", cwd=project)
    assert run.code == 0, run.stderr
    manifest = json.loads((project / "dist" / "em.manifest.json").read_text())
    assert manifest["report_date"] == "2026-11-30"
    assert pypdf.PdfReader(project / "dist" / "em.pdf").metadata.title == "EM Sovereign Debt Monthly — November 2026"
    run = cli("validate", spec, "--set", "date=last-moth-end", cwd=project)
    assert run.code == 1
    assert errors_of(run.stderr) == [
        "<command line>: --set date=last-moth-end: 'last-moth-end' is not a date or a date keyword; "
        "did you mean 'last-month-end'?"]


def test_if_changed_rebuilds_when_the_keyword_date_moves_on(project: Path, cli, monkeypatch):
    spec = write(project, date="last-month-end", as_of="2026-11-30")
    monkeypatch.setenv("DECKGEN_TODAY", "2026-12-07")
    assert cli("build", spec, "--if-changed", cwd=project).code == 0
    monkeypatch.setenv("DECKGEN_TODAY", "2026-12-21")  # the same month: the same report date, nothing to do
    run = cli("build", spec, "--if-changed", cwd=project)
    assert run.code == 0 and "unchanged" in run.stdout, run.stdout
    monkeypatch.setenv("DECKGEN_TODAY", "2027-01-04")  # a new month: a new report date, a new edition
    run = cli("build", spec, "--if-changed", cwd=project)
    assert run.code == 0 and "unchanged" not in run.stdout, run.stdout
    manifest = json.loads((project / "dist" / "em.manifest.json").read_text())
    assert manifest["report_date"] == "2026-12-31" and manifest["title"] == "EM Sovereign Debt Monthly — December 2026"
    run = cli("build", spec, "--if-changed", cwd=project)
    assert run.code == 0 and "unchanged" in run.stdout, run.stdout


@pytest.mark.parametrize("written, hint", [
    ("last-month", "did you mean 'last-month-end'?"),
    ("Today", "did you mean 'today'?"),
    ("yesterday", "give a date (YYYY-MM-DD) or one of today, last-business-day, last-month-end, last-quarter-end"),
])
def test_an_unknown_date_keyword_is_refused_where_it_is(project: Path, cli, written, hint):
    spec = write(project, date=written)
    run = cli("validate", spec, cwd=project)
    assert run.code == 1
    assert errors_of(run.stderr) == [f"{at(project, written)}: date: '{written}' is not a date or a date keyword; {hint}"]


def test_a_bad_pinned_today_is_refused_where_it_is_used(project: Path, cli, monkeypatch):
    spec = write(project, date="last-month-end")
    monkeypatch.setenv("DECKGEN_TODAY", "7 Dec 2026")
    run = cli("validate", spec, cwd=project)
    assert run.code == 1
    assert errors_of(run.stderr) == [
        f"{at(project, 'last-month-end')}: date: last-month-end: $DECKGEN_TODAY is '7 Dec 2026', not a date "
        "(YYYY-MM-DD); set it to a date such as 2026-12-07, or unset it"]
    write(project, date="2026-11-30")  # a date as written does not need today
    assert cli("validate", spec, cwd=project).code == 0


def test_load_spec_takes_today_as_an_option(project: Path, monkeypatch):
    import datetime as dt

    from deckgen.spec import load_spec

    monkeypatch.delenv("DECKGEN_TODAY", raising=False)
    write(project, date="last-quarter-end")
    loaded = load_spec(project / "specs" / "em.yaml", today=dt.date(2027, 2, 10))
    assert loaded.spec.date == dt.date(2026, 12, 31) and loaded.date_rule == "last-quarter-end"


# -- report fields in text -------------------------------------------------------------------------

STYLES = "M={{ date | month }}; Q={{ date | quarter }}; Y={{ date | year }}; D={{ date }}; L={{ date | long }}."
EXPECTED = {
    "en_US": "M=November 2026; Q=Q4 2026; Y=2026; D=Nov 30, 2026; L=November 30, 2026.",
    "de_DE": "M=November 2026; Q=Q4 2026; Y=2026; D=30.11.2026; L=30. November 2026.",
    "ja_JP": "M=2026年11月; Q=2026/Q4; Y=2026年; D=2026/11/30; L=2026年11月30日.",
    "fr_FR": "M=novembre 2026; Q=T4 2026; Y=2026; D=30 nov. 2026; L=30 novembre 2026.",
}


@pytest.mark.parametrize("locale", sorted(EXPECTED))
def test_date_styles_print_by_the_locale(project: Path, cli, locale):
    spec = write(project, locale=locale, body=f"{STYLES} {BODY}", extra=f'subtitle: "{STYLES}"\n')
    # the example brand's fonts have no CJK glyphs: the proof refuses 年 and 月 on the page, so ja_JP is built with
    # the proof downgraded to warnings, which say so
    run = cli("build", spec, *(("--set", "checks.proof=warn") if locale == "ja_JP" else ()), cwd=project)
    assert run.code == 0, run.stderr
    assert ("characters its fonts cannot draw: '年' (U+5E74), '月' (U+6708)" in run.stderr) == (locale == "ja_JP")
    pdf = project / "dist" / "em.pdf"
    month = EXPECTED[locale].split(";")[0].removeprefix("M=")
    metadata = pypdf.PdfReader(pdf).metadata
    assert metadata.title == f"EM Sovereign Debt Monthly — {month}"
    assert metadata.subject == EXPECTED[locale]  # the subtitle, as plain text
    assert outline_titles(pdf)[0] == f"Spreads in {month}"
    if locale != "ja_JP":  # the example brand's fonts have no CJK glyphs: its page text lacks 年 and 月
        assert EXPECTED[locale] in squash(text_of(pdf))


def test_the_title_reaches_the_metadata_bookmarks_running_header_and_text(project: Path, cli):
    body = "\\n\\n".join(["{{ title }} ({{ subtitle }}), {{ date | quarter }}: the spread was {{ spread }} [@desk]. "
                         + "Nothing else happened that month, and the desk wrote it down at length. " * 6] * 14)
    spec = write(project, body=body, extra='subtitle: "Data to {{ date | long }}"\n')
    run = cli("build", spec, cwd=project)
    assert run.code == 0, run.stderr
    pdf = project / "dist" / "em.pdf"
    metadata = pypdf.PdfReader(pdf).metadata
    assert metadata.title == "EM Sovereign Debt Monthly — November 2026"
    assert metadata.subject == "Data to November 30, 2026"
    pages = page_texts(pdf)
    assert len(pages) >= 2
    assert "EM Sovereign Debt Monthly — November 2026 · Nov 30, 2026" in squash(pages[1])
    assert "EM Sovereign Debt Monthly — November 2026 (Data to November 30, 2026), Q4 2026: the spread was 1.25%" in squash(pages[0])


def test_an_unknown_date_style_is_refused_with_a_suggestion(project: Path, cli):
    spec = write(project, body="In {{ date | monht }}, the spread was {{ spread }} [@desk].")
    run = cli("validate", spec, cwd=project)
    assert run.code == 1
    assert errors_of(run.stderr) == [
        f"{at(project, '{{ date | monht }}')}: unknown style 'monht' for the report date; did you mean 'month'?"]
    write(project, body="In {{ date | weekly }}, the spread was {{ spread }} [@desk].")
    run = cli("validate", spec, cwd=project)
    assert errors_of(run.stderr) == [
        f"{at(project, '{{ date | weekly }}')}: unknown style 'weekly' for the report date; use one of short, medium, "
        "long, full, month, quarter, year, iso"]


def test_a_misspelt_field_is_an_unknown_figure_with_a_suggestion(project: Path, cli):
    spec = write(project, body="On {{ dat }}, the spread was {{ spread }} [@desk].")
    run = cli("validate", spec, cwd=project)
    assert errors_of(run.stderr) == [f"{at(project, '{{ dat }}')}: unknown figure 'dat'; did you mean 'date'?"]


def test_the_title_may_not_refer_to_itself(project: Path, cli):
    spec = write(project, title='"Monthly: {{ title }}"')
    run = cli("validate", spec, cwd=project)
    assert run.code == 1
    assert errors_of(run.stderr) == [
        f"{at(project, '{{ title }}')}: '{{{{ title }}}}' in the title refers to the title itself; write the title out"]
    spec = write(project, title='"Monthly: {{ subtitle }}"', extra='subtitle: "of {{ title }}"\n')
    run = cli("validate", spec, cwd=project)
    assert errors_of(run.stderr) == [
        f"{at(project, '{{ subtitle }}')}: '{{{{ subtitle }}}}' in the title refers to the title itself (the subtitle "
        "shows the title); write the title out",
        f"{at(project, '{{ title }}')}: '{{{{ title }}}}' in the subtitle refers to the subtitle itself (the title "
        "shows the subtitle); write the subtitle out"]


def test_fields_take_no_style_and_a_missing_subtitle_is_refused(project: Path, cli):
    spec = write(project, body="{{ title | long }} and {{ subtitle }}: {{ spread }} [@desk].")
    run = cli("validate", spec, cwd=project)
    assert errors_of(run.stderr) == [
        f"{at(project, '{{ title | long }}')}: unknown style 'long' for the title; write {{{{ title }}}}: the title "
        "takes no style",
        f"{at(project, '{{ subtitle }}')}: '{{{{ subtitle }}}}': the spec has no subtitle; add subtitle: or remove the "
        "reference"]


def test_a_figure_may_not_take_a_report_fields_name(project: Path, cli):
    spec = write(project)
    figures = project / "data" / "em" / "figures.yaml"
    figures.write_text(figures.read_text() + "  date: {value: 3, unit: percent, as_of: 2026-09-30, source: desk}\n")
    run = cli("validate", spec, cwd=project)
    assert run.code == 1
    assert errors_of(run.stderr) == [
        f"{at(project, 'date:', 'data/em/figures.yaml')}: figure 'date' has the name of a report field "
        "({{ date }} is the report's date); rename the figure"]
    assert "shown nowhere" not in run.stderr  # not "refer to it as {{ date }}": that is the report date


def test_validate_with_report_fields_does_not_import_the_renderers(project: Path):
    spec = write(project, date="last-business-day", body="On {{ date | month }}: {{ spread }} [@desk].")
    code = ("import sys, runpy; sys.argv = ['deckgen', 'validate', sys.argv[1]]\n"
            "try:\n    runpy.run_module('deckgen', run_name='__main__')\nexcept SystemExit as exit: print('EXIT', exit.code)\n"
            "heavy = [m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'reportlab')]\n"
            "print('HEAVY', heavy)")
    done = subprocess.run([sys.executable, "-c", code, spec], cwd=project, capture_output=True, text=True, timeout=60,
                          env={**__import__("os").environ, "DECKGEN_TODAY": "2026-12-07"})
    assert "EXIT 0" in done.stdout and "HEAVY []" in done.stdout, (done.stdout, done.stderr)


def test_an_email_shows_the_same_fields_as_the_brief(project: Path, cli, monkeypatch):
    import email
    import email.policy

    for name in [n for n in list(__import__("os").environ) if n.startswith("DECKGEN_SMTP") or n == "DECKGEN_MAIL_FROM"]:
        monkeypatch.delenv(name)
    spec = project / "specs" / "investor.yaml"
    text = spec.read_text()
    text = text.replace("title: US–Japan Strategic Alignment", 'title: "US–Japan Strategic Alignment — {{ date | month }}"', 1)
    text = text.replace('subject: "{{ title }}: investor brief, {{ date }}"', 'subject: "{{ title }}: {{ date | quarter }}"')
    assert text.count("{{ date | month }}") == 1 and "{{ date | quarter }}" in text
    spec.write_text(text.replace("date: 2026-02-16", "date: last-month-end", 1))
    monkeypatch.setenv("DECKGEN_TODAY", "2026-03-05")
    run = cli("send", "specs/investor.yaml", "--to", "ann@example.com", "--dry-run", "--outbox", "out", cwd=project)
    assert run.code == 0, run.stderr
    [path] = (project / "out").glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "US–Japan Strategic Alignment — February 2026: Q1 2026"
    [attachment] = [part for part in message.iter_attachments()]
    assert attachment.get_filename() == "us-japan-strategic-alignment-february-2026-2026-02-28.pdf"
    body = message.get_body(("plain",)).get_content()
    assert "Attached is the 28 February 2026 edition of US–Japan Strategic Alignment — February 2026:" in body  # en_GB


def test_the_spec_schema_accepts_a_date_word_and_refuses_others(cli):
    import jsonschema

    schema = json.loads(cli("schema").stdout)
    date = schema["properties"]["date"]
    jsonschema.validate("last-month-end", date, format_checker=jsonschema.FormatChecker())
    jsonschema.validate("2026-11-30", date, format_checker=jsonschema.FormatChecker())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate("last-month", date, format_checker=jsonschema.FormatChecker())
