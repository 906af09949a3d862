"""A chart process started with the build: it loads matplotlib while the build checks its spec, loads
reportlab and sets its fonts, then draws the charts the build finds missing from the chart cache.

Loading matplotlib takes about as long as everything a cold build does before its first chart; in
a process of its own, on a second core, that time is off the build's path. The build starts one
(``start``) only when a cold build is likely: the chart cache beside the output is empty or absent.
Jobs go down a pipe from the build to its own copy (pickle between the two halves of one fork,
never read from a file); the worker answers with each chart's key once the chart is in the cache.
A long list is shared with a copy of the worker (matplotlib loaded already), every other chart
each, so that both draw in the order layout needs them; the worker and its copy are a process
group of their own, stopped together. A chart layout did not plan (an exhibit shortened to fit
its page) is sent as urgent: the worker reads its jobs between two charts and draws it next, so
the build waits for one chart, not for the rest of the list. If the worker fails or is gone, the
build draws what it still needs itself.
"""

from __future__ import annotations

import os
import pickle
import struct
import threading
from pathlib import Path

_current: "ChartWorker | None" = None


class ChartWorker:
    def __init__(self, pid: int, jobs, done):
        self.pid, self.jobs, self.done = pid, jobs, done
        self.pending: set[str] = set()
        self.finished: set[str] = set()
        self.alive = True
        self.family = None  # the fonts the worker has registered (the first job brings them)

    def submit(self, family, cache: Path, batch: list, urgent: bool = False) -> bool:
        """Send charts to draw: ``batch`` is a list of (key, data, style, colours, width) in the font
        ``family`` (a brand's body ``FontFamily``; None: the one sent before). ``urgent``: the build
        waits for them: the worker draws them next, before the charts it was sent earlier."""
        from .fonts import FamilyFiles

        family = FamilyFiles(family.name, tuple(family.files)) if family is not None else self.family
        if not self.alive or family is None:
            return False
        try:
            message = pickle.dumps((family, str(cache), batch, urgent), protocol=pickle.HIGHEST_PROTOCOL)
            self.jobs.write(_LENGTH.pack(len(message)) + message)
            self.jobs.flush()
        except (OSError, pickle.PicklingError, AttributeError, TypeError):
            self.alive = False
            return False
        self.family = family
        self.pending.update(key for key, *_ in batch)
        return True

    def draw_now(self, cache: Path, key: str, data, style, colours, width) -> bool:
        """Draw one chart (one the build did not know it needed, such as a chart shortened to fit
        its page) ahead of the others and wait for it; False if the worker cannot."""
        if not self.submit(None, cache, [(key, data, style, colours, width)], urgent=True):
            return False
        self.wait_for(key)
        return key in self.finished

    def wait_for(self, key: str) -> None:
        """Return once the chart ``key`` is in the cache, or the worker can no longer draw it."""
        while key in self.pending and key not in self.finished and self.alive:
            line = self.done.readline()
            if not line:
                self.alive = False
                break
            self.finished.add(line.decode().strip())
        self.pending.discard(key)

    def stop(self, at_once: bool = False) -> None:
        """No more jobs. A worker with nothing left to draw (still loading matplotlib, say, when a
        spec turned out invalid) is stopped at once, and so is any worker when the build failed or
        was interrupted (``at_once``); one still drawing for a finished build finishes the chart it
        is drawing (the cache keeps it) and stops: the charts left are ones the build did not use."""
        import signal

        idle = at_once or self.pending <= self.finished
        for stream in (self.jobs, self.done):
            try:
                stream.close()
            except OSError:
                pass
        if idle and self.alive:
            try:
                os.killpg(self.pid, signal.SIGKILL)  # the worker and a copy of it still drawing
            except (ProcessLookupError, PermissionError):
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        ended(self.pid)
        self.alive = False


def start() -> ChartWorker | None:
    """Fork the chart process (where fork exists, the machine has a second core and no thread runs)."""
    global _current
    if _current is not None or not hasattr(os, "fork") or (os.cpu_count() or 1) < 2 or threading.active_count() > 1:
        return _current

    jobs_in, jobs_out = os.pipe()
    done_in, done_out = os.pipe()

    def serve() -> None:
        _own_process_group()
        os.close(jobs_out)
        os.close(done_in)
        _serve(os.fdopen(jobs_in, "rb"), os.fdopen(done_out, "wb"))

    pid = fork_helper(serve)
    _own_process_group(pid)  # here too: stopping the group must not depend on the child having run yet
    os.close(jobs_in)
    os.close(done_out)
    _current = ChartWorker(pid, os.fdopen(jobs_out, "wb"), os.fdopen(done_in, "rb"))
    return _current


def start_if_cold(spec: Path, output: Path | None = None) -> ChartWorker | None:
    """Start the chart process when building ``spec`` (to ``output``, else where its spec puts it)
    probably draws charts: nothing is in the chart cache beside the output yet."""
    from ..editions import configured_output

    try:
        target = Path(output).resolve() if output is not None else configured_output(Path(spec).resolve())
        if target is not None and any((target.parent / ".deckgen" / "charts").glob("*.json")):
            return None
    except (OSError, ValueError):
        pass  # the build itself says what is wrong with the spec or the output
    return start()


def current() -> ChartWorker | None:
    return _current if _current is not None and _current.alive else None


def stop(at_once: bool = False) -> None:
    global _current
    if _current is not None:
        _current.stop(at_once)
        _current = None


def fork_helper(work) -> int:
    """Fork a helper that runs ``work()`` and leaves (exit status 1 if it raised) without running any
    of this process's cleanup; it lets go of stdout and stderr and ends with this process. Returns
    the helper's pid."""
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        _end_with(parent)
        detach_output()
        code = 0
        try:
            work()
        except BaseException:
            code = 1
        os._exit(code)
    return pid


def ended(pid: int, wait: bool = True) -> int | None:
    """A forked helper's wait status once it has ended (waiting for it with ``wait``; 0 if it was
    reaped already), None while it runs. Reaped: its number may be another process's from now on."""
    try:
        finished, status = os.waitpid(pid, 0 if wait else os.WNOHANG)
    except ChildProcessError:
        return 0
    return status if finished else None


def _end_with(parent: int) -> None:
    """In a forked helper: be killed when ``parent`` ends, however it ends (on Linux; its own process
    group no longer receives a SIGTERM or SIGHUP sent to the build's group, from ``timeout`` or a
    closed terminal). Elsewhere the helper ends when it next finds the build's pipe closed."""
    import signal

    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent ended before the request was made
        os._exit(1)


def _own_process_group(pid: int = 0) -> None:
    try:
        os.setpgid(pid, pid)
    except OSError:  # done already by the other side of the fork, or the child has exited
        pass


def detach_output() -> None:
    """In a forked helper: let go of the build's stdout and stderr, so whoever reads them (a pipe,
    ``subprocess.run(capture_output=True)``) sees them end when the build ends, not when the helper does."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        try:
            os.dup2(devnull, fd)
        except OSError:
            pass
    os.close(devnull)


def _serve(jobs, done) -> None:
    """The worker: load matplotlib now, then draw the charts it is sent into the cache, in the order
    sent, except that a chart the build is waiting for (``urgent``) is drawn next. Between two charts
    it reads what has arrived. A long list is shared with a copy of itself, which draws every other
    chart; if the copy fails, its charts are drawn here. Once the build has finished (it closed the
    pipe of answers), the worker and its copy stop after the chart they are drawing. It loads what
    drawing takes and no more (no specs, brands or layout), so its first chart is ready sooner."""
    from collections import deque

    from ..startup import long_lived

    with long_lived():
        from .chart_draw import draw_chart
        from . import chart_cache
        from .chart_style import MIN_CHARTS_TO_SPLIT
        from .fonts import register_family
        from ..writing import write_atomic  # noqa: F401  the cache writes with it: loaded now, not with the first chart

    registered = None  # the font family set up for drawing (a job's family, as sent)

    def draw(family, cache: Path, item) -> None:
        nonlocal registered
        key, data, style, colours, width = item
        if not (cache / f"{key}.json").is_file():  # else in the cache already (drawn by a copy that then failed)
            if family != registered:
                register_family(family)
                registered = family
            height, ops = draw_chart(data, style, colours, width)
            chart_cache.store(cache, key, height, ops)
        try:
            done.write(key.encode() + b"\n")  # one short write: the lines of the worker and its copy never mix
            done.flush()
        except BrokenPipeError:
            raise _BuildEnded from None

    def draw_theirs(charts: list) -> None:
        try:
            for chart in charts:
                draw(*chart)
        except _BuildEnded:
            pass

    urgent: deque = deque()  # (family, cache, chart) the build waits for, drawn first
    queue: deque = deque()  # the others, in the order sent
    copies: dict[int, list] = {}  # the copy drawing charts, by pid: its charts, drawn here if it fails
    inbox = _Inbox(jobs.fileno())
    try:
        while True:
            _reap(copies, queue, wait=inbox.closed and not (urgent or queue))
            if inbox.closed and not (urgent or queue or copies):
                return
            wait = 0 if urgent or queue or inbox.closed else _POLL if copies else None
            for family, cache, batch, is_urgent in inbox.messages(wait):
                charts = [(family, Path(cache), item) for item in batch]
                if is_urgent:
                    urgent.extend(charts)
                    continue
                if len(charts) >= MIN_CHARTS_TO_SPLIT and not copies:
                    theirs = charts[1::2]
                    copies[fork_helper(lambda theirs=theirs: draw_theirs(theirs))] = theirs
                    charts = charts[0::2]
                queue.extend(charts)
            if urgent or queue:
                draw(*(urgent or queue).popleft())
    except _BuildEnded:
        return


class _BuildEnded(Exception):
    """The build closed the pipe of answers: it needs no more charts."""


_LENGTH = struct.Struct("!Q")  # each message down the jobs pipe: its length, then the pickle
_POLL = 0.02  # seconds the worker waits for a job while a copy of it is still drawing


class _Inbox:
    """The worker's end of the jobs pipe: whole messages, read as they arrive (a buffered file could
    hold one back where ``poll`` does not see it)."""

    def __init__(self, fd: int):
        import select

        self.fd, self.buffer, self.closed = fd, bytearray(), False
        self.poller = select.poll()
        self.poller.register(fd, select.POLLIN)

    def messages(self, wait: float | None) -> list:
        """Every whole message that has arrived, waiting up to ``wait`` seconds for the first (None:
        until one arrives or the build closes the pipe)."""
        found = self._whole()
        while not self.closed:
            timeout = 0 if found else wait
            if not self.poller.poll(None if timeout is None else timeout * 1000):
                break
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                self.closed = True
                break
            self.buffer += chunk
            found += self._whole()
        return found

    def _whole(self) -> list:
        found = []
        while len(self.buffer) >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(self.buffer)
            if len(self.buffer) < _LENGTH.size + length:
                break
            found.append(pickle.loads(self.buffer[_LENGTH.size:_LENGTH.size + length]))
            del self.buffer[:_LENGTH.size + length]
        return found


def _reap(copies: dict[int, list], queue, wait: bool) -> None:
    """Forget the copies that have finished (waiting for them with ``wait``); the charts of one that
    failed or was killed are drawn here next, after any the build waits for (or, if it drew them,
    announced)."""
    for pid in list(copies):
        status = ended(pid, wait)
        if status is None:
            continue
        theirs = copies.pop(pid)
        if status != 0:
            queue.extendleft(reversed(theirs))
