"""A colour per series: set in a chart's ``colors:`` (#RRGGBB or a colour of the brand), else from the
brand's extended chart palette; the same series the same colour in every chart of the brief.

``check_set_colours`` runs where ``validate`` and ``build`` both run (``build.check``, once the brand
is loaded): it resolves each colour set, refuses unknown names and bad hex at their key, lets a
colour set in one chart follow its series into every other, and warns (at the ``colors`` key) where
a colour set is hard to see on the page or to tell from another series of its chart. The automatic
colours avoid the colours set: no two series of one chart get colours closer than
``SERIES_MIN_DELTA_E``. Nothing here imports matplotlib or reportlab.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..brand.colours import (SERIES_MIN_CONTRAST, SERIES_MIN_DELTA_E, ColourError, ciede2000, contrast, delta_e,
                             distinct_palette, parse_literal, to_lab)
from ..errors import Problem
from .data import ChartData
from .kinds import MAX_SERIES

if TYPE_CHECKING:
    from ..resolve import Report
    from ..theme import Theme

PAPER = "#FFFFFF"  # a brief is printed on white
BRAND_PREFIX = "brand-"  # brand-green: the brand's colour 'green', as Quarto names brand colours


def extended_palette(palette: Sequence[str]) -> tuple[str, ...]:
    """The brand's chart colours, extended to 12 series colours that a reader can tell apart: each
    at least SERIES_MIN_DELTA_E (CIEDE2000) from every other and legible on the white page (see
    ``distinct_palette``). The same brand always gives the same colours, in the same order."""
    return _extended(tuple(c.upper() for c in palette) or ("#1F4E79",))


@lru_cache(maxsize=64)
def _extended(palette: tuple[str, ...]) -> tuple[str, ...]:
    kept = _kept_palette(palette)
    if kept is not None:
        return kept
    extended = distinct_palette(palette, MAX_SERIES, background=PAPER)
    _keep_palette(palette, extended)
    return extended


# An extended palette takes thousands of colour differences to work out (30 ms): it is kept in the
# user's cache, by the brand's colours and the code that works it out, so a build does that once.
_HEX = re.compile(r"#[0-9A-F]{6}")


def _palette_file(palette: tuple[str, ...]) -> tuple[Path, str]:
    from ..writing import user_cache

    code = hashlib.sha256()
    for module in (Path(__file__), Path(__file__).parent.parent / "brand" / "colours.py"):
        code.update(module.read_bytes())
    key = repr((code.hexdigest(), palette, MAX_SERIES, PAPER))
    return user_cache("palettes") / f"{hashlib.sha256(key.encode()).hexdigest()}.json", key


def _kept_palette(palette: tuple[str, ...]) -> tuple[str, ...] | None:
    from ..writing import read_entry

    try:
        entry = read_entry(*_palette_file(palette), 4096)
    except OSError:  # the user's cache folder cannot be made
        return None
    colours = entry.get("colours") if entry is not None else None
    if not (isinstance(colours, list) and 0 < len(colours) <= MAX_SERIES
            and all(isinstance(c, str) and _HEX.fullmatch(c) for c in colours)):
        return None
    # what distinct_palette promises, checked again (66 pairs at most): a kept file is never trusted
    labs = [to_lab(colour) for colour in colours]
    if any(contrast(colour, PAPER) < SERIES_MIN_CONTRAST for colour in colours) or any(
            ciede2000(one, two) < SERIES_MIN_DELTA_E for index, one in enumerate(labs) for two in labs[index + 1:]):
        return None
    return tuple(colours)


def _keep_palette(palette: tuple[str, ...], colours: tuple[str, ...]) -> None:
    from ..writing import write_atomic

    try:
        path, key = _palette_file(palette)
        write_atomic(path, json.dumps({"key": key, "colours": list(colours)}).encode(), durable=False)
    except OSError:
        pass  # a cache that cannot be written only costs time


class SeriesColours:
    """A colour per series name, the same in every chart of the brief: a colour set (``colors:``, in
    the chart's options) always; else the colour the series got first; else the first palette colour
    not yet used in its chart and clear (ΔE ≥ 15) of the colours set there."""

    def __init__(self, palette: Sequence[str]):
        self.palette = tuple(palette)
        self.assigned: dict[str, int] = {}

    def for_chart(self, data: ChartData) -> list[str]:
        set_colours: dict[str, str] = data.options.get("colors") or {}
        if len(data.series) == 1 and not data.series[0].keyed:
            return [set_colours.get(data.series[0].name) or self.palette[0]]
        fixed = [set_colours[s.name] for s in data.series if s.name in set_colours]

        def clear(index: int) -> bool:
            colour = self.palette[index % len(self.palette)]
            return all(delta_e(colour, other) >= SERIES_MIN_DELTA_E for other in fixed)

        used: set[int] = set()
        indexes: list[int | None] = []
        for series in data.series:
            index = None if series.name in set_colours else self.assigned.get(series.name)
            indexes.append(index if index is not None and index not in used and clear(index) else None)
            if indexes[-1] is not None:
                used.add(indexes[-1])  # type: ignore[arg-type]
        candidates = range(len(self.palette) + len(data.series))
        for position, series in enumerate(data.series):
            if indexes[position] is None and series.name not in set_colours:
                free = [i for i in candidates if i not in used]
                choice = next((i for i in free if i < len(self.palette) and clear(i)), None)
                if choice is None:  # every palette colour is taken or too close to a colour set: the farthest one
                    choice = max(free, key=lambda i: min((delta_e(self.palette[i % len(self.palette)], other)
                                                          for other in fixed), default=100.0))
                used.add(choice)
                indexes[position] = choice
                self.assigned.setdefault(series.name, choice)
        return [set_colours[series.name] if series.name in set_colours else self.palette[index % len(self.palette)]  # type: ignore[index,operator]
                for series, index in zip(data.series, indexes)]


def named_colour(value: str, named: dict[str, str]) -> tuple[str | None, str, str | None]:
    """(#RRGGBB or None, what is wrong, hint) for a colour as ``colors:`` writes it: #RGB or #RRGGBB, or
    a colour of the brand (a palette name such as green, brand-green, or a theme colour such as primary)."""
    text = value.strip()
    if text.startswith("#"):
        try:
            return parse_literal(text, PAPER), "", None
        except ColourError as error:
            return None, str(error), None
    key = text if text in named else text.removeprefix(BRAND_PREFIX)
    if key in named:
        return named[key], "", None
    known = list(named) + [BRAND_PREFIX + name for name in named]
    close = difflib.get_close_matches(text, known, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else \
        (f"the brand's colours: {', '.join(named)}; or write #RRGGBB" if named else "write #RRGGBB")
    return None, f"'{value}' is not a colour of the brand or #RRGGBB", hint


def check_set_colours(report: "Report", theme: "Theme") -> tuple["Report", list[Problem]]:
    """The report with each chart's colours set resolved to #RRGGBB (a colour set in one chart follows
    its series into every chart), and the problems found: errors for colours that are not colours or
    that a series is set to twice, warnings for colours set that a reader would struggle to see or
    to tell apart from another series of the same chart."""
    loaded, named = report.loaded, dict(theme.named_colours)
    problems: list[Problem] = []
    brief: dict[str, tuple[str, str, int]] = {}  # series -> (colour, as written, section)
    keys: dict[int, dict[str, str]] = {}  # section -> series -> the key of colors: that sets it
    for index, data in _charts(report):
        for key, name, written in data.options.get("set_colours") or ():
            mark = loaded.mark(("sections", index, "colors", key))
            colour, message, hint = named_colour(written, named)
            if colour is None:
                problems.append(Problem.at(mark, message, hint))
                continue
            earlier = brief.get(name)
            if earlier is not None and earlier[0] != colour:
                problems.append(Problem.at(mark, f"series '{name}' is {written} ({colour}) here and {earlier[1]} "
                                                 f"({earlier[0]}) in section {earlier[2] + 1}; a series keeps one colour in the brief",
                                           "set its colour once: it follows the series into every chart"))
                continue
            brief.setdefault(name, (colour, written, index))
            keys.setdefault(index, {})[name] = key
            ratio = contrast(colour, PAPER)
            if ratio < SERIES_MIN_CONTRAST:
                problems.append(Problem.at(mark, f"series '{name}' in {colour} has a contrast of {ratio:.2f}:1 on the white "
                                                 f"page; a chart's marks need {SERIES_MIN_CONTRAST:g}:1", "pick a darker colour",
                                           severity="warning", code="chart-colour"))
    if any(p.is_error for p in problems):
        return report, problems
    prepared = dict(report.prepared)
    for index, data in _charts(report):
        options = {name: value for name, value in data.options.items() if name != "set_colours"}
        options["colors"] = {s.name: brief[s.name][0] for s in data.series if s.name in brief}
        prepared[index] = replace(data, options=options)
    report = replace(report, prepared=prepared)
    colours = SeriesColours(extended_palette(theme.chart_palette))
    for index, data in _charts(report):
        drawn = colours.for_chart(data)
        for position, (series, colour) in enumerate(zip(data.series, drawn)):
            for other, other_colour in zip(data.series[:position], drawn[:position]):
                where = _set_at(index, series.name, keys, brief) or _set_at(index, other.name, keys, brief)
                if where is None:
                    continue  # two automatic colours: the palette keeps them apart
                difference = delta_e(colour, other_colour)
                if difference < SERIES_MIN_DELTA_E:
                    problems.append(Problem.at(
                        loaded.mark(("sections", where[0], "colors", where[1])),
                        f"series '{series.name}' ({colour}) and '{other.name}' ({other_colour}) are hard to tell apart in this "
                        f"chart: CIEDE2000 difference {difference:.1f}, below {SERIES_MIN_DELTA_E:g}",
                        "pick colours further apart", severity="warning", code="chart-colour"))
    return report, list(dict.fromkeys(problems))


def _set_at(index: int, name: str, keys: dict[int, dict[str, str]], brief: dict) -> tuple[int, str] | None:
    """(section, key) of the ``colors:`` entry that sets series ``name``: in chart ``index``, else where it was set."""
    if name in keys.get(index, {}):
        return index, keys[index][name]
    if name in brief:
        origin = brief[name][2]
        return origin, keys[origin][name]
    return None


def _charts(report: "Report"):
    """(section index, chart data) of each chart the brief draws, in order."""
    for index in range(len(report.spec.sections)):
        data = report.prepared.get(index)
        if isinstance(data, ChartData):
            yield index, data
