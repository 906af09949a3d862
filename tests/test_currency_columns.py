"""A money column in each row's currency prints that currency's minor units (ISO 4217): ¥30,000, $250.00,
KWD 1.250; `decimals` fixes them; a code that is not a currency is refused at its cell."""

from __future__ import annotations

from pathlib import Path

from pdfread import squash, text_of

HEAD = """\
title: Prices test
date: 2026-07-15
brand: ../assets/brand.yml
checks: {disclosures: not-research}
data:
  sources: ../data/grid-storage/sources.yaml
  p:
    path: ../data/p.csv
    source: illustrative-projects
    as_of: 2026-07-01
    columns:
      price: {type: number, currency: {column: ccy}, label: Price}
sections:
  - type: table
    title: Prices
    table: p
    columns: COLUMNS
  - type: sources
"""

PRICES = "name,price,ccy\nSMH,250,USD\nTokyo Electron,30000,JPY\nNBK,1.25,KWD\nJGB 10Y yield,1.20,%\n"


def _build(project: Path, cli, columns: str, csv: str = PRICES, head: str = HEAD):
    (project / "data" / "p.csv").write_text(csv)
    (project / "specs" / "p.yaml").write_text(head.replace("COLUMNS", columns))
    return cli("build", "specs/p.yaml", cwd=project)


def test_each_row_prints_its_own_currencys_minor_units(project: Path, cli):
    result = _build(project, cli, "[{key: name}, {key: price}, {key: ccy}]")
    assert result.code == 0, result.stderr
    text = squash(text_of(project / "dist" / "p.pdf"))
    # the currency is named in its own column, so the price is a plain number in its minor units
    for line in ("SMH 250.00 USD", "Tokyo Electron 30,000 JPY", "NBK 1.250 KWD", "JGB 10Y yield 1.20 %"):
        assert line in text, (line, text)
    assert "30,000.00" not in text


def test_without_its_currency_column_a_price_carries_the_currencys_symbol(project: Path, cli):
    result = _build(project, cli, "[{key: name}, {key: price}]")
    assert result.code == 0, result.stderr
    text = squash(text_of(project / "dist" / "p.pdf"))
    assert "SMH $250.00" in text and "Tokyo Electron ¥30,000" in text, text


def test_decimals_in_the_spec_win_over_the_currencys(project: Path, cli):
    result = _build(project, cli, "[{key: name}, {key: price, decimals: 1}, {key: ccy}]")
    assert result.code == 0, result.stderr
    text = squash(text_of(project / "dist" / "p.pdf"))
    assert "SMH 250.0 USD" in text and "Tokyo Electron 30,000.0 JPY" in text, text


def test_a_column_in_its_own_currency_prints_its_minor_units_when_precise(project: Path, cli):
    head = HEAD.replace("price: {type: number, currency: {column: ccy}, label: Price}",
                        "price: {type: number, unit: JPY, style: precise, label: Price}")
    result = _build(project, cli, "[{key: name}, {key: price}]", "name,price,ccy\nA,30000.5,JPY\nB,9000,JPY\n", head)
    assert result.code == 0, result.stderr
    text = squash(text_of(project / "dist" / "p.pdf"))
    assert "A ¥30,000" in text and "B ¥9,000" in text and "30,000.50" not in text, text


def test_a_code_that_is_not_a_currency_is_refused_at_its_cell(project: Path, cli):
    csv = "name,price,ccy\nSMH,250,USD\nTokyo Electron,30000,JYP\n"
    result = _build(project, cli, "[{key: name}, {key: price}, {key: ccy}]", csv)
    assert result.code == 1
    assert ("data/p.csv:3:22: column 'ccy': 'JYP' is not an ISO 4217 currency code (the currency of 'price'); "
            "did you mean 'JPY'?") in result.stderr
    assert cli("validate", "specs/p.yaml", cwd=project).code == 1


def test_a_currency_column_not_in_the_table_is_refused_at_the_key(project: Path, cli):
    head = HEAD.replace("currency: {column: ccy}", "currency: {column: cyy}")
    result = _build(project, cli, "[{key: name}, {key: price}]", head=head)
    assert result.code == 1
    spec_lines = head.splitlines()
    line = next(n for n, text in enumerate(spec_lines, 1) if "currency: {column: cyy}" in text)
    column = spec_lines[line - 1].index("cyy") + 1
    assert (f"specs/p.yaml:{line}:{column}: column 'price': its currency column 'cyy' is not in the table; "
            "did you mean 'ccy'?") in result.stderr, result.stderr


def test_a_unit_and_a_currency_column_together_are_refused(project: Path, cli):
    head = HEAD.replace("currency: {column: ccy}", "unit: USD, currency: {column: ccy}")
    result = _build(project, cli, "[{key: name}, {key: price}]", head=head)
    assert result.code == 1
    assert "either 'unit' (one currency for the column) or 'currency: {column: ...}'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_sum_across_currencies_is_refused(project: Path, cli):
    head = HEAD.replace("    columns: COLUMNS\n", "    columns: COLUMNS\n    total: {price: sum}\n")
    result = _build(project, cli, "[{key: name}, {key: price}, {key: ccy}]", head=head)
    assert result.code == 1
    assert "column 'price' holds amounts in JPY, KWD, USD; its sum would mix currencies; total it by count, " \
           "or select rows in one currency with where:" in result.stderr, result.stderr


def test_the_example_prints_yen_prices_without_decimals(example_pdf: Path):
    text = squash(text_of(example_pdf))
    assert "Tokyo Electron 8035 JP 30,000 JPY" in text
    assert "VanEck Semiconductor ETF SMH 250.00 USD" in text
    assert "30,000.00" not in text


def test_one_scale_word_and_one_month_style_per_brief():
    """An amount unit ('USD bn') prints with the locale's compact word, as a compact figure does; English
    months are three letters in dates, months and axis ticks."""
    import datetime as dt
    from decimal import Decimal

    from deckgen.dates import format_day, format_period, format_report_date, format_timestamp
    from deckgen.formatting import format_number, format_tick
    from deckgen.units import builtin_unit

    for locale in ("en_US", "en_GB"):
        amount = format_number(Decimal(330), builtin_unit("USD bn"), locale)
        compact = format_number(Decimal("52e9"), builtin_unit("USD"), locale)
        assert amount.endswith("330B") and compact.endswith("52B"), (amount, compact)
    assert format_number(Decimal("12.3"), builtin_unit("EUR m"), "en_GB") == "€12.3M"
    assert format_number(Decimal("330"), builtin_unit("USD bn"), "de_DE").startswith("330\u00a0Mrd.")
    assert format_tick(2e9, 1e9, builtin_unit("USD"), "en_US") == "$2B"
    september = dt.date(2026, 9, 30)
    assert format_day(september, "en_GB") == "30\u00a0Sep\u00a02026"
    assert format_period(september, "en_GB") == "Sep 2026" and format_period(september, "en_GB", "MMM") == "Sep"
    assert format_report_date(september, "en_GB", "medium") == "30 Sep 2026"
    assert "Sep" in format_timestamp(dt.datetime(2026, 9, 30, 16, tzinfo=dt.timezone.utc), "en_AU")
    assert format_day(september, "fr_FR") == "30\u00a0sept.\u00a02026"  # other languages as CLDR writes them


def test_the_examples_never_mix_scale_words_or_month_styles(project: Path):
    import re

    from deckgen.build import build

    for name, money in (("investor", "$"), ("grid-storage", "€")):
        text = squash(text_of(build(project / "specs" / f"{name}.yaml").output))
        words = set(re.findall(rf"\{money}[0-9.,\u2013]+(bn|tn|B|M|K|T|m|k)\b", text))
        assert len({word.lower()[0] for word in words}) == len(words) and not words & {"bn", "m", "k", "tn"}, words
        assert not re.search(r"\bSept\b", text)
