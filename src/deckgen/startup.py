"""Loading what a process keeps until it ends, without the cycle collector's passes over it.

Importing deckgen's stack (pydantic and the models built from it, reportlab; matplotlib in the chart
process) makes a few hundred thousand objects that live as long as the process and hold no garbage.
With the collector on, each of them is traversed as it is made (a pass every 700 allocations) and
again by every full pass while the heap grows: 30-40 ms of a 0.6 s build. ``long_lived()`` turns the
collector off while they are made, then moves everything alive into the permanent generation that
later passes skip (``gc.freeze``), and turns it back on: garbage made afterwards (a chart's figure and
its artists, a finished build) is collected as usual.

For a process's start-up only (the command line, the chart process), and once per process: anything
alive when it ends is never collected, so a garbage cycle that exists then stays for the life of the
process.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def long_lived() -> Iterator[None]:
    global _frozen
    if _frozen:  # a process that runs commands again and again (tests, a host embedding the CLI): once
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        _frozen = True
        if enabled:
            gc.enable()


_frozen = False
