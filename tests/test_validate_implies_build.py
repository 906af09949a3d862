"""A property: whatever the spec and its data say, if ``validate --proof`` accepts them, ``build``
succeeds; if plain ``validate`` does, ``build`` succeeds or its proof refuses what would print wrong
once laid out (a word no box can hold), located, exactly as ``validate --proof`` reports it.

Many mutations of the example (values replaced by awkward ones, keys dropped or added, list items
repeated), generated from a fixed seed so a failure reproduces. Each is validated; each one that
validates is built. A mutation may be refused (that is what validation is for); it may not pass
validation and then fail to build for any other reason, and nothing may fail with anything but a
located SpecError.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path
from typing import Any

import page
import yaml

from deckgen.build import build, validate
from deckgen.errors import ProofError, SpecError
from deckgen.yamlsrc import load_yaml

SEED = int(os.environ.get("DECKGEN_PROPERTY_SEED", 14))  # another seed explores further
CASES = int(os.environ.get("DECKGEN_PROPERTY_CASES", 150))
FILES = ("specs/investor.yaml", "data/us-japan/figures.yaml", "data/us-japan/sources.yaml")
WEIGHTS = (5, 4, 1)

AWKWARD_NUMBERS = (
    0, -1, 1, 7, 100, 101, -0.5, 2.5, 0.001, 10**14, 999_999_999_999_999, -999_999_999_999_999, 10**15, 1e-9, 1e-300,
    1.23456789012345, 123.456, 10**400, float("inf"),
)
AWKWARD_TEXT = (
    "", " ", "x" * 3000, "word " * 800, "Supercalifragilistic" * 30, "<b>bold</b> & <i>", "**", "*a **b* c**",
    "{{ usdjpy }}", "{{ usdjpy | long }}", "{{ nope }}", "{{", "}}", "[1]", "[99]", "[@nope]", "[@commerce-jsif]",
    "$\\frac{1}{2}$", "%s %d {0}", "Ünïcødé – “quotes” ✓ ✗ 漢字 مرحبا", "\u202eevil", "a\u200db", "😀👨‍👩‍👧",
    "line\nbreak\n\nparagraph", "tab\there", "\x00nul", "\x1b[31mred", "2026-02-30", "right", "center", "USD",
    "percent", "JPY/USD", "XXX", "compact", "long", "precise", "A4", "Letter", "en_US", "ja_JP", "ar", "xx_YY",
)
AWKWARD_DATES = (dt.date(1, 1, 1), dt.date(1900, 1, 1), dt.date(2026, 2, 15), dt.date(2026, 2, 16), dt.date(2999, 1, 1))
AWKWARD = (*AWKWARD_NUMBERS, *AWKWARD_TEXT, *AWKWARD_DATES, True, None, [], [1, 2], {}, {"a": 1})


def _awkward_like(value: Any, rng: random.Random) -> Any:
    """Mostly a value of the same kind (so that many mutations get past the types), sometimes any."""
    if rng.random() < 0.2:
        return rng.choice(AWKWARD)
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return rng.choice(AWKWARD_NUMBERS)
    if isinstance(value, str):
        return rng.choice(AWKWARD_TEXT)
    if isinstance(value, dt.date):
        return rng.choice(AWKWARD_DATES)
    return rng.choice(AWKWARD)


NAMES = ("id", "value", "min", "max", "title", "label", "style", "decimals", "unit", "type", "extra", "width")


def _leaves(data: Any, path: tuple = ()) -> list[tuple]:
    """Every path into ``data`` (mappings and lists), the root excluded."""
    found = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found.append(path + (key,))
        found.extend(_leaves(value, path + (key,)))
    return found


def _mutate(data: Any, rng: random.Random) -> str:
    """Change ``data`` in place in one random way; return a description of the change."""
    path = rng.choice(_leaves(data))
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    operation = rng.choice(("replace", "replace", "replace", "drop", "add", "repeat", "scale"))
    if operation == "drop":
        del parent[key]
    elif operation == "add" and isinstance(parent, dict):
        parent[rng.choice(NAMES)] = rng.choice(AWKWARD)
    elif operation == "repeat" and isinstance(parent, list):
        parent.insert(key, parent[key])
    elif operation == "scale" and isinstance(parent[key], (int, float)) and not isinstance(parent[key], bool):
        parent[key] = parent[key] * rng.choice((-1, 10**6, 10**-6, 1000.001))
    else:
        operation = "replace"
        parent[key] = _awkward_like(parent[key], rng)
    return f"{operation} {'.'.join(map(str, path))}"


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000)


def test_whatever_validates_builds(project: Path):
    spec = project / "specs" / "investor.yaml"
    base = load_yaml(spec).data
    base.pop("delivery")  # validate checks it and build ignores it: it can only make validate stricter
    originals = {name: (_dump(base) if name == FILES[0] else (project / name).read_text("utf-8")) for name in FILES}
    parsed = {name: load_yaml(project / name).data for name in FILES[1:]} | {FILES[0]: base}
    for name, text in originals.items():
        (project / name).write_text(text, "utf-8")
    validate(spec)  # the example, written back as the mutations will be, is valid
    rng = random.Random(SEED)
    failures, counts = [], {"refused": 0, "built": 0, "refused by the proof": 0}
    for case in range(CASES):
        name = rng.choices(FILES, WEIGHTS)[0]
        data = yaml.safe_load(_dump(parsed[name]))  # a deep copy
        change = _mutate(data, rng)
        for other, text in originals.items():
            (project / other).write_text(_dump(data) if other == name else text, "utf-8")
        where = f"case {case}: {name}: {change}"
        try:
            validate(spec)
        except SpecError:
            counts["refused"] += 1
            continue
        except Exception as exc:  # noqa: BLE001 - any other error is the bug this test looks for
            failures.append(f"{where}: validate crashed: {type(exc).__name__}: {exc}")
            continue
        try:
            result = build(spec)
            counts["built"] += 1
            for profile in ("2b", "ua1"):  # whatever builds is PDF/A-2b and PDF/UA-1, by an independent checker
                checked = page.validate_pdf(str(result.output), profile=profile)
                if checked.rules.failed:
                    failures.append(f"{where}: page-validation {profile}: {[f.rule_id for f in checked.failures]}")
        except ProofError as exc:  # laid out, the brief would print something wrong: validate --proof says so too
            counts["refused by the proof"] += 1
            try:
                validate(spec, proof=True)
                failures.append(f"{where}: the build's proof refused it, validate --proof did not: {str(exc)[:300]}")
            except ProofError as again:
                if again.problems != exc.problems or not all(p.line > 0 for p in exc.problems if p.is_error):
                    failures.append(f"{where}: the proof's problems differ or are not located: {str(exc)[:300]}")
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{where}: validated, then build failed: {type(exc).__name__}: {str(exc)[:300]}")
    assert failures == [], "\n".join(failures)
    assert counts["built"] >= CASES // 5 and counts["refused"] >= CASES // 5, counts  # both sides were exercised
