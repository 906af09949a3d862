"""``--cluster local:N`` where the operating system forks: N copies of this process render.

A Dask LocalCluster starts N fresh interpreters that import the renderer, and every render travels
through its scheduler and a copy of the project in each worker's folder: on one machine, all that
is overhead. Copies of the client forked once it has imported the renderer start in milliseconds,
read the project where it is, and render a checked spec exactly as this process would (the same
code, libraries and files): the editions are the bytes a one-process run writes.

A job is a checked spec pickled to a file in a private folder, its name sent down the copy's own
pipe; each copy holds at most two (the one it renders and the next), the rest wait here and go to
whichever copy answers first. The answer (the PDF's bytes and what the renderer reported, or the
error) comes back the same way, announced on a pipe all copies share. A copy that dies fails the
renders it held, and the others go on.
"""

from __future__ import annotations

import os
import pickle
import select
import shutil
import socket
import tempfile
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from .errors import BuildError, DeckgenError

if TYPE_CHECKING:
    from .build.checked import Checked

RECORD = 32  # bytes a job takes on a copy's jobs pipe: written and read whole (far below PIPE_BUF)


@dataclass(frozen=True)
class Rendered:
    """What a worker (a forked copy, or a Dask worker) sends back: the PDF's bytes and what the
    renderer reported."""

    pdf: bytes
    pages: int
    outline: tuple[str, ...]
    seconds: float
    worker: str
    proof: Any = None  # ``proof.checks.Proof``: the worker proofread what it laid out


def can_fork() -> bool:
    """Whether copies of this process can render here: fork exists and no other thread runs (a copy
    of a process with threads may inherit a lock some thread held, and wait on it forever)."""
    return hasattr(os, "fork") and threading.active_count() == 1


class LocalProcesses:
    """``local:N`` to be rendered by forked copies: nothing to start ahead (the copies are forked at
    the first render), so it is up at once."""

    def __init__(self, workers: int):
        self.workers = workers

    def started(self) -> bool:
        return True

    def close(self) -> None:
        pass


class ForkedRenderer:
    """Renders checked specs in ``workers`` forked copies of this process; the same interface as
    ``cluster.ClusterRenderer``: ``submit``, ``finished``, ``cancel``, and ``close`` when done."""

    AHEAD = 2  # jobs a copy holds at once: the one it renders and the next, so it never waits for the client

    def __init__(self, workers: int):
        from .build import api  # noqa: F401  (imported before the fork: the copies have it)
        from .render import chart_worker, pdf  # noqa: F401

        self.jobs: dict[str, tuple[object, "Checked"]] = {}  # job id -> (token, checked), until answered
        self.waiting: deque[str] = deque()  # jobs no copy holds yet
        self.held: dict[int, list[str]] = {}  # a copy's pid -> the jobs sent to it, oldest first
        self.pipes: dict[int, int] = {}  # a copy's pid -> the end of its jobs pipe
        self.answered: deque[tuple[object, object, str | None]] = deque()
        self._count = 0
        self._buffer = b""
        self._closed = False
        self.folder = Path(tempfile.mkdtemp(prefix="deckgen-local-"))
        opened: list[int] = []
        try:
            self._done_in, done_out = os.pipe()
            opened += [self._done_in, done_out]
            ends = []
            for _ in range(workers):
                ends.append(os.pipe())
                opened += ends[-1]
            for read, write in ends:
                others = [fd for fd in opened if fd not in (read, done_out)]  # a copy keeps its own jobs and the answers
                pid = chart_worker.fork_helper(lambda read=read, others=others: _serve(read, done_out, self.folder, others))
                self.held[pid], self.pipes[pid] = [], write
        except OSError as exc:
            self._stop_copies()
            for pid in self.held:
                chart_worker.ended(pid)
            for fd in opened:
                _close(fd)
            shutil.rmtree(self.folder, ignore_errors=True)
            self._closed = True
            raise BuildError(f"could not start {workers} processes to render in: {exc.strerror or exc}; "
                             "run with fewer (--cluster local:N) or without --cluster") from None
        for read, _ in ends:
            os.close(read)
        os.close(done_out)

    # -- handing in ---------------------------------------------------------------------------------
    def submit(self, checked: "Checked", token) -> None:
        """Queue a render; it goes to a copy (written to a file for it) once one has room."""
        self._count += 1
        job = f"{self._count:08d}"
        self.jobs[job] = (token, checked)
        self.waiting.append(job)
        self._read(block=False)

    def _hand_out(self) -> None:
        while self.waiting and self.held:
            pid = min(self.held, key=lambda copy: len(self.held[copy]))
            if len(self.held[pid]) >= self.AHEAD:
                return
            job = self.waiting.popleft()
            if not self._written(job):
                continue
            try:
                os.write(self.pipes[pid], job.encode().ljust(RECORD))
            except BrokenPipeError:  # the copy has ended: the job goes to another (or fails with the copy's)
                self.waiting.appendleft(job)
                self._lost(block=True, only=pid)
                continue
            self.held[pid].append(job)

    def _written(self, job: str) -> bool:
        """The job's checked spec in its file; False (and the job failed) if it cannot be written."""
        token, checked = self.jobs[job]
        staging = self.folder / f"{job}.job.tmp"
        try:
            with open(staging, "wb") as file:
                pickle.dump(checked, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(staging, self.folder / f"{job}.job")
        except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
            staging.unlink(missing_ok=True)
            self._fail(job, f"it could not be handed to a process to render ({exc})")
            return False
        return True

    # -- answers ------------------------------------------------------------------------------------
    def finished(self, *, wait: bool = True) -> Iterator[tuple[object, "Rendered | DeckgenError", str | None]]:
        """``(token, Rendered or the error, traceback)`` for each render done: all of them (``wait``), or
        only those already done. A failing render is yielded, never raised."""
        while True:
            while self.answered:
                yield self.answered.popleft()
            if not self.jobs or not self._read(block=wait) and not wait:
                return

    def _read(self, block: bool) -> bool:
        """Read what the copies have answered (waiting up to a second for something when ``block``),
        then hand out what waits; whether anything was answered."""
        ready, _, _ = select.select([self._done_in], [], [], 1.0 if block else 0)
        got = False
        if ready:
            data = os.read(self._done_in, 65536)
            self._buffer += data
            while b"\n" in self._buffer:
                line, _, self._buffer = self._buffer.partition(b"\n")
                _, job, pid = line.decode().split(" ")
                if job in self.held.get(int(pid), ()):
                    self.held[int(pid)].remove(job)
                got |= self._answer(job)
            if not data:  # every copy has closed its end: wait for them to end
                got |= self._lost(block=True)
        got |= self._lost(block=False)
        self._hand_out()
        return got

    def _answer(self, job: str) -> bool:
        if job not in self.jobs:  # answered already (found when its copy ended)
            return False
        token, checked = self.jobs.pop(job)
        answer = self.folder / f"{job}.out"
        try:
            with open(answer, "rb") as file:
                rendered, trace = pickle.load(file)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as exc:
            rendered, trace = BuildError(f"{checked.output.name} was rendered but could not be read back: {exc}"), None
        for path in (answer, self.folder / f"{job}.job"):
            path.unlink(missing_ok=True)
        self.answered.append((token, rendered, trace))
        return True

    def _lost(self, block: bool, only: int | None = None) -> bool:
        """Copies that have ended: a job they held is answered if its answer is there (written before
        it was announced), else it fails; once no copy is left, so does every job still waiting."""
        from .render.chart_worker import ended

        lost = False
        for pid in [only] if only is not None else list(self.held):
            status = ended(pid, block)
            if status is None:
                continue
            for job in self.held.pop(pid):
                if job not in self.jobs:
                    continue
                if (self.folder / f"{job}.out").exists():
                    self._answer(job)
                else:
                    self._fail(job, f"the process rendering it ended ({_how(status)})")
            _close(self.pipes.pop(pid))
            lost = True
        if not self.held:
            while self.waiting:
                self._fail(self.waiting.popleft(), "no process was left to render it")
                lost = True
        return lost

    def _fail(self, job: str, why: str) -> None:
        token, checked = self.jobs.pop(job)
        (self.folder / f"{job}.job").unlink(missing_ok=True)
        self.answered.append((token, BuildError(f"{checked.output.name} was not rendered: {why}; run it again"), None))

    # -- ending -------------------------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop every render still running or waiting (after an interruption)."""
        self._stop_copies()
        self.jobs.clear()
        self.waiting.clear()

    def _stop_copies(self) -> None:
        import signal

        for pid in self.held:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def close(self) -> None:
        """No more jobs: the copies finish what they hold and leave; their folder goes. Safe to call
        again, and after an interruption."""
        from .render.chart_worker import ended

        if self._closed:
            return
        self._closed = True
        try:
            if self.jobs:
                self.cancel()
            for pid in list(self.held):
                _close(self.pipes.pop(pid))
                ended(pid)
                del self.held[pid]  # reaped: its number may be another process's from now on
        finally:
            if self.held:  # interrupted while waiting for them
                self._stop_copies()
                for pid in self.held:
                    ended(pid)
                self.held.clear()
            for end in self.pipes.values():
                _close(end)
            self.pipes.clear()
            _close(self._done_in)
            shutil.rmtree(self.folder, ignore_errors=True)


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _serve(jobs: int, done: int, folder: Path, others: list[int]) -> None:
    """In a copy: render each job read from ``jobs`` until the pipe closes (every other end of the
    pipes is closed here: the client's, so the copy sees the client close its own, and the other
    copies' jobs, so a copy that ends takes its pipe with it)."""
    from .build import api
    from .render import chart_worker

    for end in others:
        os.close(end)
    if (charts := chart_worker._current) is not None:  # the client's chart process answers the client only
        for stream in (charts.jobs, charts.done):
            try:
                stream.close()
            except OSError:
                pass
        chart_worker._current = None
    while True:
        record = os.read(jobs, RECORD)
        if not record:
            return
        job = record.decode().strip()
        trace = None
        try:
            with open(folder / f"{job}.job", "rb") as file:
                checked = pickle.load(file)
            started = time.perf_counter()
            pdf, result = api.render_in_memory(checked)
            answer: object = Rendered(pdf, result.pages, tuple(result.outline), time.perf_counter() - started,
                                      socket.gethostname(), result.proof)
        except DeckgenError as exc:
            answer = exc
        except Exception as exc:  # noqa: BLE001  reported with its traceback, as a cluster's worker's would be
            answer, trace = BuildError(f"rendering failed: {type(exc).__name__}: {exc}"), traceback.format_exc()
        staging = folder / f"{job}.out.tmp"
        try:
            data = pickle.dumps((answer, trace), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001  an error that does not pickle travels as its text
            data = pickle.dumps((BuildError(f"rendering failed: {answer}"), f"{trace or ''}(not picklable: {exc})"))
        with open(staging, "wb") as file:
            file.write(data)
        os.replace(staging, folder / f"{job}.out")
        os.write(done, f"done {job} {os.getpid()}\n".encode())
