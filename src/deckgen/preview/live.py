"""A brief kept built in a warm process: rebuilt in memory when its inputs change, last good pages kept.

``LiveBrief`` is what ``deckgen preview --watch`` serves. matplotlib, reportlab and the fonts stay
loaded between rebuilds, so a rebuild after an edit costs only the checks and the layout. Nothing
is written to disk: the PDF and its page images live in memory.
"""

from __future__ import annotations

import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import DeckgenError, Problem, problems_of

FONT_FILES = (".ttf", ".otf")
# Files that may become inputs once a broken spec is fixed: watched beside the spec until a build works.
LIKELY_INPUTS = (".yaml", ".yml", ".csv", ".ttf", ".otf", ".svg", ".png", ".jpg", ".jpeg")


def forget_fonts() -> None:
    """Make the next rebuild read every font file again (only if the renderers were loaded at all)."""
    import sys

    if "deckgen.render.fonts" in sys.modules:  # charts need nothing: their cache keys name fonts by content
        sys.modules["deckgen.render.fonts"].forget_fonts()


@dataclass(frozen=True)
class Snapshot:
    """What the preview shows: the last good PDF, and what went wrong since, if anything."""

    generation: int = 0  # goes up by one after every rebuild, good or bad
    pdf: bytes | None = None  # the last PDF that built
    pages: int = 0
    page_texts: tuple[str, ...] = ()
    title: str = ""
    problems: tuple[Problem, ...] = ()  # of the latest attempt; empty when it built
    duration: float = 0.0  # seconds the latest attempt took
    built_generation: int = 0  # the generation whose attempt produced ``pdf``

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


@dataclass
class LiveBrief:
    spec: Path
    options: dict = field(default_factory=dict)  # those of ``deckgen.build.check``
    scale: float = 1.5
    on_event: Callable[[str, bool], None] = lambda line, problem: None

    def __post_init__(self) -> None:
        self.spec = Path(self.spec)
        self._snapshot = Snapshot()
        self._changed = threading.Condition()
        self._inputs: set[Path] = {self.spec.resolve()}
        self._built_once = False
        self._scratch = Path(tempfile.gettempdir()) / "deckgen-preview.pdf"  # never written: check wants a target
        self._png_cache: dict[tuple[int, int], bytes] = {}
        self._pdfium_lock = threading.Lock()  # pdfium is not thread-safe

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def inputs(self) -> frozenset[Path]:
        return frozenset(self._inputs)

    def rebuild(self) -> Snapshot:
        """Check and render the spec now; on failure keep the last good PDF and record the problems."""
        from ..build import check, render_in_memory

        started = time.perf_counter()
        previous = self._snapshot
        try:
            checked = check(self.spec, output=self._scratch, **self.options)
            self._inputs = {item.path.resolve() for item in checked.inputs} | {self.spec.resolve()}
            pdf, _ = render_in_memory(checked)
            texts = self._page_texts(pdf)
        except DeckgenError as error:
            snapshot = Snapshot(
                generation=previous.generation + 1, pdf=previous.pdf, pages=previous.pages,
                page_texts=previous.page_texts, title=previous.title, problems=tuple(problems_of(error, self.spec)),
                duration=time.perf_counter() - started, built_generation=previous.built_generation,
            )
        except Exception as error:  # a bug must not stop the preview: show it, keep the last good pages
            problem = Problem(str(self.spec), 0, 0, f"unexpected {type(error).__name__}: {error}", code="unexpected")
            snapshot = Snapshot(
                generation=previous.generation + 1, pdf=previous.pdf, pages=previous.pages,
                page_texts=previous.page_texts, title=previous.title, problems=(problem,),
                duration=time.perf_counter() - started, built_generation=previous.built_generation,
            )
        else:
            self._built_once = True
            generation = previous.generation + 1
            snapshot = Snapshot(
                generation=generation, pdf=pdf, pages=len(texts), page_texts=texts, title=checked.report.plain(checked.report.spec.title),
                problems=tuple(checked.report.warnings), duration=time.perf_counter() - started,
                built_generation=generation,
            )
        self._publish(snapshot)
        return snapshot

    def _publish(self, snapshot: Snapshot) -> None:
        with self._changed:
            self._snapshot = snapshot
            self._png_cache = {key: png for key, png in self._png_cache.items() if key[0] == snapshot.built_generation}
            self._changed.notify_all()
        for problem in snapshot.problems:
            self.on_event(problem.render(), True)
        if snapshot.ok:
            self.on_event(f"built in {snapshot.duration:.2f} s: {snapshot.pages} page(s)", False)
        else:
            kept = "keeping the last good pages" if snapshot.pdf else "no pages yet"
            self.on_event(f"build failed after {snapshot.duration:.2f} s; {kept}", True)

    def _page_texts(self, pdf: bytes) -> tuple[str, ...]:
        import pypdfium2 as pdfium

        with self._pdfium_lock:
            document = pdfium.PdfDocument(pdf)
            try:
                texts = []
                for index in range(len(document)):
                    textpage = document[index].get_textpage()
                    texts.append(textpage.get_text_range())
                    textpage.close()
                return tuple(texts)
            finally:
                document.close()

    def page_png(self, number: int) -> bytes | None:
        """PNG of page ``number`` (1-based) of the last good PDF, rendered once per build."""
        from . import page_png

        snapshot = self._snapshot
        if snapshot.pdf is None or not 1 <= number <= snapshot.pages:
            return None
        key = (snapshot.built_generation, number)
        if key not in self._png_cache:
            import pypdfium2 as pdfium

            with self._pdfium_lock:
                document = pdfium.PdfDocument(snapshot.pdf)
                try:
                    png = page_png(document, number, self.scale)
                finally:
                    document.close()
            if snapshot.built_generation == self._snapshot.built_generation:
                self._png_cache[key] = png
            return png
        return self._png_cache[key]

    def wait_for_change(self, since: int, timeout: float) -> Snapshot:
        """Block until a rebuild newer than generation ``since`` (or ``timeout`` seconds); return the latest."""
        with self._changed:
            self._changed.wait_for(lambda: self._snapshot.generation != since, timeout=timeout)
            return self._snapshot

    def _relevant(self, path: Path) -> bool:
        if path.resolve() in self._inputs:
            return True
        return not self._built_once and path.suffix.lower() in LIKELY_INPUTS

    def _folders(self) -> set[Path]:
        return {path.parent for path in self._inputs} | {self.spec.resolve().parent}

    def watch(self, stop: threading.Event) -> None:
        """Rebuild whenever an input changes, until ``stop`` is set. Watches the folders of the inputs
        (editors save by renaming a new file into place) and re-aims when the set of inputs changes."""
        from watchfiles import watch

        while not stop.is_set():
            folders = self._folders()
            existing = [str(folder) for folder in folders if folder.is_dir()]
            if not existing:
                stop.wait(0.5)
                continue
            for changes in watch(*existing, recursive=False, stop_event=stop, debounce=400, step=20,
                                 rust_timeout=500, yield_on_timeout=True):
                changed = [Path(path) for _, path in changes if self._relevant(Path(path))]
                if any(path.suffix.lower() in FONT_FILES for path in changed):
                    forget_fonts()  # the renderers cache fonts by path: a changed file must be read again
                if changed:
                    self.rebuild()
                if self._folders() != folders:
                    break  # inputs moved to other folders: watch those

