"""Charts in the brief: the brand's chart style, a colour per series, and a drawing per chart.

``chart_drawing`` returns a chart as a vector reportlab Drawing. A chart drawn before with the same
data, style, size and versions comes from the chart cache (``chart_cache``) without importing
matplotlib; otherwise ``chart_draw`` lays it out with matplotlib and records what it draws.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..charts.colours import SeriesColours, extended_palette
from .chart_style import MIN_CHARTS_TO_SPLIT, ChartStyle, chart_height

if TYPE_CHECKING:  # the chart process draws charts without loading specs and brands
    from ..charts.data import ChartData
    from ..theme import Theme
    from .fonts import ThemeFonts

__all__ = ["ChartStyle", "SeriesColours", "chart_drawing", "chart_height", "chart_style", "extended_palette"]


def chart_style(theme: Theme, fonts: ThemeFonts) -> ChartStyle:
    """The brand's chart style. Rises and falls are drawn in the brand's positive and negative colours
    (``defaults: deckgen: positive/negative``, by default its success and danger colours, else green
    #2E7D32 and red #C62828), darkened where needed to 3:1 on the white page."""
    from ..brand.colours import legible_on
    from ..charts.colours import PAPER

    return ChartStyle(
        fonts=fonts.body,
        size=max(theme.base_size - 1.5, 7),
        foreground=theme.foreground,
        secondary=theme.secondary,
        rule=theme.rule,
        palette=extended_palette(theme.chart_palette),
        primary=theme.primary,
        positive=legible_on(theme.positive, PAPER),
        negative=legible_on(theme.negative, PAPER),
    )


def exhibit_inputs(ctx, chart, data: ChartData, series_colours: SeriesColours) -> tuple[ChartData, list[str], float]:
    """What a chart exhibit draws: its data formatted for the brief, a colour per series and its width."""
    from ..charts.data import formatted
    from .measures import GUTTER

    data = formatted(data, ctx.report)
    width = (ctx.frame_width - GUTTER) / 2 if chart.width == "half" else ctx.frame_width
    return data, series_colours.for_chart(data), width


def draw_missing(ctx, exhibits: Sequence[tuple[object, ChartData]]) -> int:
    """Before the story is built, draw (or start drawing) every chart exhibit the cache lacks.

    With a chart process running (``chart_worker``, started with a cold build, matplotlib loaded
    meanwhile), it draws them (sharing a long list with a copy of itself) while this one goes on
    building the story; ``chart_drawing`` waits for a chart only when it needs it, and this process
    never loads matplotlib. Without one, this process draws them now, with a forked
    copy drawing every other one where the machine has the cores. Anything that goes wrong in
    another process only means this one draws that chart itself, later. Returns how many charts
    were missing."""
    import os
    import threading

    from . import chart_cache, chart_worker

    if ctx.chart_cache is None:
        return 0
    colours_in_order = SeriesColours(ctx.chart_style.palette)  # assigns as layout will, in the same order
    missing = []
    for chart, data in exhibits:
        data, colours, width = exhibit_inputs(ctx, chart, data, colours_in_order)
        key = chart_cache.key(data, ctx.chart_style, colours, width)
        stored = (ctx.chart_cache / f"{key}.json").is_file()
        remembered = chart_cache.remembered(key)
        if remembered is None and not stored:
            missing.append((key, data, colours, width))
        elif not stored:  # drawn earlier in this process for another project: this brief's cache keeps it too
            chart_cache.store(ctx.chart_cache, key, *remembered)
    if not missing:
        return 0

    def draw(batch) -> None:
        from .chart_draw import draw_chart

        for key, data, colours, width in batch:
            height, ops = draw_chart(data, ctx.chart_style, colours, width)
            chart_cache.store(ctx.chart_cache, key, height, ops)
            chart_cache.remember(key, height, ops)

    worker = chart_worker.current()
    if worker is not None and worker.submit(
            ctx.theme.body, ctx.chart_cache, [(key, data, ctx.chart_style, colours, width) for key, data, colours, width in missing]):
        return len(missing)
    split = len(missing) >= MIN_CHARTS_TO_SPLIT and (os.cpu_count() or 1) > 1 and hasattr(os, "fork") \
        and threading.active_count() == 1  # forking a threaded process is not safe
    ours, theirs = (missing[0::2], missing[1::2]) if split else (missing, [])
    if theirs:
        from . import chart_draw  # noqa: F401  matplotlib: loaded once, before the copy is made

        child = chart_worker.fork_helper(lambda: draw(theirs))
        draw(ours)
        os.waitpid(child, 0)
    else:
        draw(missing)
    return len(missing)


def _wait_for(key: str) -> None:
    """If the chart process is drawing the chart ``key``, wait until it is in the cache."""
    from . import chart_worker

    worker = chart_worker.current()
    if worker is not None:
        worker.wait_for(key)


def chart_drawing(data: ChartData, style: ChartStyle, colours: list[str], width: float, cache: Path | None = None):
    """The chart as a vector reportlab Drawing ``width`` points wide, from the cache when it can be."""
    from . import chart_cache
    from .chart_backend import drawing_from_ops

    key = chart_cache.key(data, style, colours, width)
    _wait_for(key)
    found = chart_cache.remembered(key) or (chart_cache.load(cache, key) if cache is not None else None)
    stale = found is not None and abs(found[0] - chart_height(data)) > 0.01
    if stale:  # not the height layout planned for (an entry of other code): drawn here again, and replaced
        found = None
    if found is None and cache is not None and not stale:  # a chart not drawn before: the chart process has matplotlib
        from . import chart_worker

        worker = chart_worker.current()
        if worker is not None and worker.draw_now(cache, key, data, style, colours, width):
            found = chart_cache.load(cache, key)
    if found is not None:
        height, ops = found
    else:
        from .chart_draw import draw_chart  # matplotlib loads here, only for a chart not drawn before

        height, ops = draw_chart(data, style, colours, width)
        if cache is not None:
            chart_cache.store(cache, key, height, ops)
    chart_cache.remember(key, height, ops)
    return drawing_from_ops(width, height, ops)
