"""What a process keeps between the variants it checks (``send`` checks one per recipient column
value) must never be stale: a file's digest, a number's text."""

from __future__ import annotations

import hashlib
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from deckgen import inputs
from deckgen.formatting import format_number, shown_number
from deckgen.units import Unit


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def settled_at_once(monkeypatch):
    """Files count as settled as soon as they are written (the rule's two seconds, made zero)."""
    monkeypatch.setattr(inputs, "SETTLED_NS", -1)
    monkeypatch.setattr(inputs, "_DIGESTS", {})


def test_a_file_rewritten_with_the_same_size_and_modification_time_is_hashed_again(tmp_path: Path, settled_at_once):
    data = tmp_path / "figures.csv"
    data.write_bytes(b"name,value\nrate,1.25\n")
    assert inputs.sha256_file(data) == _digest(b"name,value\nrate,1.25\n")
    assert str(data) in inputs._DIGESTS, "a settled file's digest is kept"
    when = data.stat().st_mtime_ns
    data.write_bytes(b"name,value\nrate,9.25\n")  # same size
    os.utime(data, ns=(when, when))  # and the same modification time: only the change time moves
    assert inputs.sha256_file(data) == _digest(b"name,value\nrate,9.25\n")


def test_a_file_replaced_by_another_is_hashed_again(tmp_path: Path, settled_at_once):
    data = tmp_path / "figures.csv"
    data.write_bytes(b"a")
    assert inputs.sha256_file(data) == _digest(b"a")
    other = tmp_path / "other.csv"
    other.write_bytes(b"b")
    os.replace(other, data)
    assert inputs.sha256_file(data) == _digest(b"b")


def test_a_file_changed_in_the_last_two_seconds_is_never_kept(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(inputs, "_DIGESTS", {})
    data = tmp_path / "figures.csv"
    data.write_bytes(b"fresh")
    assert inputs.sha256_file(data) == _digest(b"fresh")
    assert inputs._DIGESTS == {}, "its times could still hide a change made within their granularity"


def test_a_missing_file_raises_as_reading_it_would(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        inputs.sha256_file(tmp_path / "absent.csv")


@pytest.mark.parametrize(("number", "text"), [("1.0", "1.0 GW"), ("1.00", "1.00 GW"), ("1", "1 GW"), ("-0", "−0 GW"),
                                              ("0", "0 GW"), ("-1.50", "−1.50 GW")])
def test_equal_numbers_written_differently_keep_their_own_text(number: str, text: str):
    gw = Unit(name="GW", kind="custom", suffix=" GW")
    for _ in range(2):  # the second time from what the process kept
        for other in ("1.0", "1.00", "1", "-0", "0", "-1.50"):
            format_number(Decimal(other), gw, "en_US")
        assert format_number(Decimal(number), gw, "en_US") == text
        assert str(shown_number(Decimal(number), gw, "en_US")) == str(Decimal(number))


def test_an_extended_palette_kept_in_the_users_cache_is_the_one_worked_out(tmp_path: Path, monkeypatch):
    from deckgen.brand.colours import distinct_palette
    from deckgen.charts import colours
    from deckgen.charts.kinds import MAX_SERIES

    monkeypatch.setenv("DECKGEN_CACHE", str(tmp_path))
    brand = ("#1F3A5F", "#C8102E", "#6A7F99")
    worked_out = distinct_palette(brand, MAX_SERIES, background=colours.PAPER)
    colours._extended.cache_clear()
    assert colours.extended_palette(brand) == worked_out
    [kept] = (tmp_path / "deckgen" / "palettes").iterdir()

    def not_again(*args, **kwargs):
        raise AssertionError("worked out again although it was kept")

    colours._extended.cache_clear()  # a new process: from the file
    monkeypatch.setattr(colours, "distinct_palette", not_again)
    assert colours.extended_palette(brand) == worked_out
    monkeypatch.setattr(colours, "distinct_palette", distinct_palette)

    entry = json.loads(kept.read_text("utf-8"))
    too_alike = [*entry["colours"][:-1], "#1F3A60"]  # beside #1F3A5F: a kept file is never trusted
    too_pale = [*entry["colours"][:-1], "#FAFAFA"]
    for damaged in ("not json", json.dumps({**entry, "key": "another brand"}), json.dumps({**entry, "colours": ["red"]}),
                    json.dumps({**entry, "colours": []}), json.dumps({**entry, "colours": too_alike}),
                    json.dumps({**entry, "colours": too_pale})):
        kept.write_text(damaged, "utf-8")
        colours._extended.cache_clear()
        assert colours.extended_palette(brand) == worked_out, damaged
    assert json.loads(kept.read_text("utf-8")) == entry, "a damaged entry is made again"
    colours._extended.cache_clear()


def test_a_paragraph_style_changed_after_use_or_through_its_parent_is_keyed_anew():
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle

    from deckgen.render.paragraph import _STYLE_KEYS, style_key

    parent = ParagraphStyle("body", fontSize=9, textColor=HexColor("#112233"))
    child = ParagraphStyle("note", parent=parent, leading=11)
    first = style_key(child)
    assert id(child) in _STYLE_KEYS and style_key(child) is first, "kept while nothing changed"

    parent.fontSize = 10  # a parent changed after use: what the child inherits moved
    assert style_key(child) != first
    child.leading = 12
    changed = style_key(child)
    assert changed != first and dict(changed)["leading"] == 12
    child.textColor = HexColor("#112234")  # set anew on the child
    assert style_key(child) != changed
    assert dict(style_key(child.clone("note", fontSize=14)))["fontSize"] == 14, "a clone is keyed by what it sets"
    del child.textColor
    assert "textColor" not in dict(style_key(child))


def test_compressed_streams_are_kept_within_their_bound_and_are_zlibs_bytes(monkeypatch):
    import zlib

    from deckgen.render.pdfobjects import KeptFlate

    flate = KeptFlate()
    monkeypatch.setattr(flate, "KEPT_BYTES", 50_000)
    page = b"BT /F1 9 Tf (Prepared for client 0042) Tj ET\n" * 500
    first = flate.encode(page)
    assert first == zlib.compress(page) and flate.encode(bytes(page)) is first, "the same content: kept"
    assert flate.encode(page.decode("latin-1")) == zlib.compress(page), "text as reportlab's filter takes it (UTF-8)"
    for n in range(40):  # other content, until the bound pushes the first out
        other = os.urandom(2_000) + bytes([n])
        assert flate.encode(other) == zlib.compress(other)
    assert flate._size <= 50_000 and page not in flate._kept
    assert flate.encode(page) == first
