"""Page references: "See page 9 for ..." printed before the page it names is laid out.

A target (``PageTarget``) records the page it lands on and is a link destination; a reference
(``PageReference``) prints the page its target landed on in the previous layout pass. ``Settled`` sits in
the story so reportlab's ``multiBuild`` lays the brief out again until every page printed is the page its
target holds (two passes, or three if printing the number moved a target).
"""

from __future__ import annotations

from typing import Callable

from reportlab.platypus import Flowable
from reportlab.platypus.doctemplate import IndexingFlowable


class PageTargets:
    """Where each target landed in the pass just laid out, and the page each reference printed."""

    def __init__(self) -> None:
        self.landed: dict[str, int] = {}
        self.printed: dict[str, int | None] = {}

    @property
    def referenced(self) -> bool:
        return bool(self.printed)

    def page(self, key: str) -> int | None:
        return self.landed.get(key)

    def settled(self) -> Flowable:
        return Settled(self)


class PageTarget(Flowable):
    """A zero-size link destination that records the page it is drawn on. Put it inside the group
    (``KeepTogether``) of what it marks, so a page break before the group takes it along."""

    def __init__(self, targets: PageTargets, key: str):
        super().__init__()
        self.targets, self.key = targets, key
        self.width = self.height = 0

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        canvas = self.canv
        canvas.bookmarkHorizontal(self.key, 0, 2)
        self.targets.landed[self.key] = canvas.getPageNumber()


class PageReference(Flowable):
    """A paragraph naming the page of ``key``: ``make(page)`` builds it (page None before the first pass
    knows it), anew at each pass, so its text is always the page found last."""

    def __init__(self, targets: PageTargets, key: str, make: Callable[[int | None], Flowable]):
        super().__init__()
        self.targets, self.key, self.make = targets, key, make
        self.inner: Flowable | None = None
        targets.printed.setdefault(key, None)

    def wrap(self, available_width, available_height):
        page = self.targets.page(self.key)
        self.inner = self.make(page)
        self.targets.printed[self.key] = page
        self.width, self.height = self.inner.wrap(available_width, available_height)
        return self.width, self.height

    def getSpaceBefore(self):
        return self.inner.getSpaceBefore() if self.inner is not None else 0

    def getSpaceAfter(self):
        return self.inner.getSpaceAfter() if self.inner is not None else 0

    def drawOn(self, canvas, x, y, _sW=0):
        self.inner.drawOn(canvas, x, y, _sW)


class Settled(IndexingFlowable):
    """Tells ``multiBuild`` whether every reference printed the page its target landed on."""

    def __init__(self, targets: PageTargets):
        super().__init__()
        self.targets = targets
        self.width = self.height = 0

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        pass

    def isSatisfied(self):
        return all(self.targets.landed.get(key) == page for key, page in self.targets.printed.items())

    def beforeBuild(self):
        pass
