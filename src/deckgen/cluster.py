"""Rendering in parallel: many specs (``build --cluster``) or many variants (``send --cluster``), in
forked copies of this process for ``local`` / ``local:N`` where they can be forked (``forkpool``:
``renderer`` and ``starting`` choose), else on a Dask cluster, as described here.

The client checks each spec (``build.check``) before it goes to a worker (``send`` hands each
variant to the workers as soon as it passes its check, and writes nothing until every variant has
passed), and ships it with the files it reads: a content-addressed bundle
(path in the project -> sha256). A file travels with the first render that reads it; once a second
render reads it (the brand, fonts, logo, a shared data file) it is scattered to every worker once,
keyed by its sha256. Workers need no shared filesystem: each keeps a private copy of the client's
project, writes a file there only when it is new or changed, renders the client's checked spec
there (it travels pickled, every path in the project as its path in the project: a worker never
checks it again) in memory and returns the PDF's bytes. The client writes every output atomically
(``build.write_edition``) and, for ``send``, owns the delivery ledger.

Dask may run a render again when its worker dies: rendering writes nothing on the worker that
matters and sends nothing, so a retry is harmless. Workers keep their imports, registered fonts and
chart cache between tasks (module-level state in the worker process).

``dask[distributed]`` is optional: ``pip install 'deckgen[cluster]'``.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import pickle
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import OrderedDict, deque
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Sequence

from .errors import BuildError, DeckgenError, Problem, ProofError, UsageError, display_path
from .forkpool import ForkedRenderer, LocalProcesses, Rendered, can_fork

if TYPE_CHECKING:
    from distributed import Client

    from .build.checked import Checked
    from .outcome import SpecOutcome

SCHEDULER_ENV = "DECKGEN_DASK_SCHEDULER"
LOCAL_CLUSTER_ENV = "DECKGEN_LOCAL_CLUSTER"  # "dask": local:N as a Dask LocalCluster even where copies can fork
INSTALL_HINT = "pip install 'deckgen[cluster]' (or: uv sync --extra cluster)"
SCHEDULER_SCHEMES = ("tcp://", "tls://", "ws://", "wss://", "ucx://")
CONNECT_TIMEOUT = 30  # seconds to reach an existing scheduler


# -- connecting ----------------------------------------------------------------------------------

def _distributed(needs: str = "--cluster needs dask.distributed"):
    try:
        import distributed
    except ImportError:
        raise UsageError(f"{needs}, which is not installed: {INSTALL_HINT}") from None
    return distributed


def local_workers(address: str) -> int | None:
    """``local`` -> one worker per CPU, ``local:N`` -> N; None when ``address`` is not a local cluster."""
    if address == "local":
        return os.cpu_count() or 1
    if address.startswith("local:"):
        count = address.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise UsageError(f"--cluster {address}: N in local:N must be a whole number of workers, 1 or more")
        return int(count)
    return None


class StartingCluster:
    """A cluster started (or reached) in the background while the caller checks its specs: a local
    cluster's worker processes take seconds to start and import the renderer, time the client spends
    checking anyway. ``client()`` waits for it (and raises what starting it raised); ``close()`` stops
    what was started. Its workers import the renderer as their first task."""

    def __init__(self, cluster: "str | Client | None"):
        self._ready, self._finished = threading.Event(), threading.Event()
        self._client: "Client | None" = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(cluster,), name="deckgen-cluster-start", daemon=True)
        self._thread.start()

    def _run(self, cluster) -> None:
        try:
            with connect(cluster) as client:
                self._client = client
                _warm_workers(client)
                self._ready.set()
                self._finished.wait()
        except BaseException as exc:  # handed to the caller by client()
            self._error = exc
        finally:
            self._ready.set()

    def started(self) -> bool:
        """Whether the cluster is up (``client()`` would return at once, without raising)."""
        return self._ready.is_set() and self._error is None

    def client(self) -> "Client":
        self._ready.wait()
        if self._error is not None:
            raise self._error
        assert self._client is not None
        return self._client

    def close(self) -> None:
        self._finished.set()
        self._thread.join()


def forked_workers(cluster: "str | Client | StartingCluster | None") -> int | None:
    """How many forked copies of this process render for ``cluster``: ``local`` / ``local:N`` where
    copies can be forked now (``forkpool``), unless ``$DECKGEN_LOCAL_CLUSTER`` is ``dask`` (a Dask
    LocalCluster, as where they cannot); None for any other cluster."""
    if cluster is not None and not isinstance(cluster, str):
        return None
    address = (cluster or os.environ.get(SCHEDULER_ENV) or "").strip()
    workers = local_workers(address)
    if workers is None or os.environ.get(LOCAL_CLUSTER_ENV, "").strip().lower() == "dask" or not can_fork():
        return None
    return workers


@contextmanager
def starting(cluster: "str | Client | None") -> Iterator["StartingCluster | LocalProcesses"]:
    """``cluster`` being started (or reached) while the caller checks its specs; forked copies need no start."""
    if (workers := forked_workers(cluster)) is not None:
        yield LocalProcesses(workers)
        return
    started = StartingCluster(cluster)
    try:
        yield started
    finally:
        started.close()


def _warm_workers(client: "Client") -> None:
    """Each worker's first task imports what rendering needs, so the first render does not wait for it."""
    for address in client.scheduler_info().get("workers", {}):
        client.submit(_import_renderer, workers=[address], pure=False, key=f"deckgen-warm-{uuid.uuid4().hex}")


def _import_renderer() -> None:
    import deckgen.build.api  # noqa: F401
    import deckgen.render.pdf  # noqa: F401


@contextmanager
def connect(cluster: "str | Client | StartingCluster | None" = None) -> Iterator["Client"]:
    """A Dask client for ``cluster``: ``local`` / ``local:N`` (a LocalCluster of N worker processes on
    127.0.0.1, closed afterwards), a scheduler address (``tcp://host:8786``), a ``Client`` the caller
    already holds (used as is, never closed) or a ``StartingCluster``. None: ``$DECKGEN_DASK_SCHEDULER``."""
    if isinstance(cluster, StartingCluster):
        yield cluster.client()
        return
    local = isinstance(cluster, str) and local_workers(cluster.strip()) is not None
    distributed = _distributed(f"--cluster {cluster.strip()} cannot fork copies of this process here (another thread "
                               "is running, or the system has no fork) and then needs dask.distributed" if local else
                               "--cluster needs dask.distributed")
    if isinstance(cluster, distributed.Client):
        yield cluster
        return
    address = (cluster or os.environ.get(SCHEDULER_ENV) or "").strip()
    if not address:
        raise UsageError(f"no cluster given: pass --cluster local, local:N or tcp://HOST:8786, or set {SCHEDULER_ENV}")
    workers = local_workers(address)
    if workers is not None:
        import dask.config

        # A worker's statistical profiler samples every thread's stack 100 times a second, for a
        # dashboard a local cluster does not serve: 12 % of a render's time on two workers. The
        # workers take the setting as they start; the rest of this process keeps its own.
        with dask.config.set({"distributed.worker.profile.enabled": False}):
            local = distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        with local, distributed.Client(local) as client:
            yield client
        return
    if not address.startswith(SCHEDULER_SCHEMES):
        raise UsageError(f"--cluster {address}: expected local, local:N or a scheduler address such as tcp://HOST:8786")
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise BuildError(f"cannot reach the Dask scheduler at {address}: {exc}; start it (dask scheduler) or check the address") from None
    with client:
        yield client


# -- what travels to a worker --------------------------------------------------------------------

@dataclass(frozen=True)
class RenderJob:
    """Everything a worker needs to render one checked spec, except the files' bytes."""

    spec: str  # the spec's path in the project (posix, relative)
    files: tuple[tuple[str, str], ...]  # (path in the project, sha256) of every file the build reads
    overrides: tuple[str, ...]
    input_hash: str  # what the client checked; the worker renders exactly that
    name: str  # the PDF's file name
    project: str  # names the client's project folder (not its path): its renders share a folder on a worker
    strict: bool = False  # --strict: the proof's warnings are errors too
    manifest: bytes | None = None  # archive: pdfa-3b: the manifest the PDF carries, as the client made it
    charts: tuple[tuple[str, str], ...] = ()  # (file name, sha256) of charts from the client's chart cache
    # the client's Checked, pickled with paths in the project by their place in it (``packed``); empty
    # when that would be more to send than checking again costs the worker (a brief with large tables)
    checked: bytes = b""
    code: tuple[tuple[str, str], ...] = ()  # the versions of deckgen (and a digest of its code) and libraries


def render_job(checked: "Checked") -> RenderJob:
    """The job for a checked spec: its files by their path in the project, so no path leaves the client."""
    from .build.outputs import embedded_manifest_json

    root = checked.root
    assert root is not None
    files: dict[str, str] = {}
    for item in checked.inputs:
        files[_in_project(item.path, root)] = item.sha256
    spec = _in_project(checked.report.loaded.path, root)
    if spec not in files:
        from .inputs import sha256_file

        files[spec] = sha256_file(checked.report.loaded.path)
    spec_path = checked.report.loaded.path.resolve()
    pickled = b"" if spec_path in _TOO_LARGE_TO_SEND else packed(checked)
    if len(pickled) > MAX_PACKED_BYTES:
        _TOO_LARGE_TO_SEND.add(spec_path)  # its other variants are not pickled only to be dropped
        pickled = b""
    return RenderJob(
        spec=spec, files=tuple(sorted(files.items())), overrides=tuple(checked.options.get("overrides") or ()),
        input_hash=checked.input_hash, name=checked.output.name,
        project=hashlib.sha256(f"{socket.gethostname()}\0{root.resolve()}".encode()).hexdigest()[:24],
        strict=bool(checked.options.get("strict")),
        manifest=embedded_manifest_json(checked) if checked.report.spec.archive == "pdfa-3b" else None,
        checked=pickled, code=code_versions(),
    )


MAX_PACKED_BYTES = 512_000  # a checked spec larger than this (its tables) is checked again on the worker
_TOO_LARGE_TO_SEND: set[Path] = set()  # specs (by path) whose checked form was over MAX_PACKED_BYTES


@lru_cache(maxsize=1)
def code_versions() -> tuple[tuple[str, str], ...]:
    """The installed versions of deckgen and the libraries that render, and a digest of deckgen's own
    code (an editable install keeps its version while its code changes): a worker renders a checked
    spec only where all of these are the client's."""
    from .editions import versions

    package = Path(__file__).resolve().parent
    code = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        code.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return (*versions().items(), ("deckgen code", code.hexdigest()[:16]))


def packed(checked: "Checked") -> bytes:
    """``checked`` pickled for a worker, with every path in the project (and the spec's path as given,
    relative to this process's folder) by its path in the project: ``unpacked`` reads them in the
    worker's copy of the project. Paths outside it travel as they are."""
    import io

    buffer = io.BytesIO()
    _ProjectPickler(buffer, checked.root or Path.cwd(), from_here=checked.report.loaded.path).dump(checked)
    return buffer.getvalue()


def unpacked(data: bytes, folder: Path) -> "Checked":
    """The checked spec ``packed`` made, its paths in the project in ``folder``."""
    global _unpacking_into
    with _UNPACKING:
        _unpacking_into = folder
        try:
            return pickle.loads(data)
        finally:
            _unpacking_into = None


class _ProjectPickler(pickle.Pickler):
    def __init__(self, file, root: Path, *, from_here: PurePath):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.roots = tuple(dict.fromkeys((os.path.abspath(root), os.path.realpath(root))))
        self.from_here = from_here  # the one relative path that is relative to this process's folder

    def reducer_override(self, obj):
        if isinstance(obj, PurePath) and (obj.is_absolute() or obj == self.from_here):
            absolute = os.path.abspath(obj)
            for root in self.roots:
                if absolute == root or absolute.startswith(root.rstrip(os.sep) + os.sep):
                    return _in_worker_copy, (PurePath(os.path.relpath(absolute, root)).as_posix(),)
        return NotImplemented


def _in_worker_copy(relative: str) -> Path:
    if _unpacking_into is None:
        raise BuildError("a checked spec's project path was read outside a worker's copy of the project")
    return _unpacking_into if relative == "." else _unpacking_into / relative


_UNPACKING = threading.Lock()
_unpacking_into: Path | None = None


def _in_project(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise BuildError(f"{display_path(path)} is outside the project {display_path(root)}: a cluster worker cannot read it") from None


# -- the worker's side ---------------------------------------------------------------------------

MAX_PROJECTS_PER_WORKER = 64  # client projects whose files one worker process keeps unpacked
_RENDER_LOCK = threading.Lock()  # matplotlib is not thread-safe: one render at a time per process
_worker_folder: Path | None = None
_projects: "OrderedDict[str, dict[str, str]]" = OrderedDict()  # project -> {path in it: sha256 on disk}


def _worker_root() -> Path:
    global _worker_folder
    if _worker_folder is None:
        _worker_folder = Path(tempfile.mkdtemp(prefix="deckgen-worker-"))
        atexit.register(shutil.rmtree, _worker_folder, True)
    return _worker_folder


def _unpacked(job: RenderJob, blobs: Mapping[str, bytes]) -> Path:
    """The job's files in this worker's private copy of the client's project, written only when new or
    changed: renders of one project share a folder, so fonts, logo and charts stay warm between them."""
    folder = _worker_root() / "projects" / job.project
    on_disk = _projects.setdefault(job.project, {})
    _projects.move_to_end(job.project)
    changed = False
    for relative, sha in job.files:
        if on_disk.get(relative) == sha:
            continue
        data = blobs[sha]
        if hashlib.sha256(data).hexdigest() != sha:
            raise BuildError(f"{relative} arrived damaged on worker {socket.gethostname()} (sha256 differs)")
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        changed |= relative in on_disk
        staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        staging.write_bytes(data)
        os.replace(staging, target)
        on_disk[relative] = sha
    if changed and (fonts := sys.modules.get("deckgen.render.fonts")) is not None:
        fonts.forget_fonts()  # fonts are cached by path: a file that changed there must be read again
    while len(_projects) > MAX_PROJECTS_PER_WORKER:
        oldest, _ = _projects.popitem(last=False)
        shutil.rmtree(_worker_root() / "projects" / oldest, ignore_errors=True)
    return folder


def _unpacked_charts(job: RenderJob, blobs: Mapping[str, bytes], cache: Path) -> None:
    """The charts the client had drawn, in this worker's chart cache (each written once)."""
    for name, sha in job.charts:
        target = cache / name
        if not _CHART_FILE.fullmatch(name) or target.exists():
            continue
        data = blobs[sha]
        if hashlib.sha256(data).hexdigest() != sha:
            raise BuildError(f"the chart {name} arrived damaged on worker {socket.gethostname()} (sha256 differs)")
        cache.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(f".{name}.{uuid.uuid4().hex}.tmp")
        staging.write_bytes(data)
        os.replace(staging, target)


def render_on_worker(job: RenderJob, blobs: Mapping[str, bytes]) -> Rendered:
    """Run on a Dask worker: unpack the files and render the client's checked spec in memory.

    The client checked the spec (stale data, warnings, ``--strict``); the worker does not check it
    again (unless the checked spec was too large to send: then it checks it in its copy of the
    project). It renders exactly what the client checked: every file it reads arrived with the sha256
    the client hashed, and deckgen's code and the rendering libraries are the client's. The
    outputs go nowhere: the PDF's bytes are returned. Charts are cached in the worker's own folder,
    so later renders on this worker reuse them."""
    from .build import api
    from .build.outputs import chart_cache_path

    with _RENDER_LOCK:
        started = time.perf_counter()
        folder = _unpacked(job, blobs)
        output = _worker_root() / "out" / job.name
        _unpacked_charts(job, blobs, chart_cache_path(output))
        if code_versions() != job.code:
            raise _other_versions()
        if job.checked:
            try:
                checked = replace(unpacked(job.checked, folder), output=output)
            except BuildError:
                raise
            except Exception as exc:  # pickled by other code than this worker's
                raise _other_versions() from exc
        else:
            checked = api.check(folder / job.spec, overrides=job.overrides, output=output, allow_stale=True,
                                strict=job.strict, root=folder)
        if checked.input_hash != job.input_hash:
            raise _other_versions()
        try:
            pdf, result = api.render_in_memory(checked, manifest=job.manifest)  # the client's options, not the worker's
        except ProofError as exc:
            raise ProofError(_by_project_path(exc.problems, folder)) from None
        proof = replace(result.proof, problems=tuple(_by_project_path(result.proof.problems, folder)))
        return Rendered(pdf, result.pages, tuple(result.outline), time.perf_counter() - started, socket.gethostname(), proof)


def _by_project_path(problems, folder: Path) -> list[Problem]:
    """Problems located in the worker's copy of the project, by their path in the project instead (the
    client locates them in its own copy: ``_located_here``)."""
    located = []
    for problem in problems:
        if not problem.file.startswith("<"):
            try:
                path = (Path.cwd() / problem.file).resolve().relative_to(folder.resolve())
                problem = replace(problem, file=_IN_PROJECT + path.as_posix())
            except ValueError:
                pass
        located.append(problem)
    return located


def _located_here(problems, root: Path) -> list[Problem]:
    return [replace(p, file=display_path(root / p.file.removeprefix(_IN_PROJECT))) if p.file.startswith(_IN_PROJECT) else p
            for p in problems]


_IN_PROJECT = "<project>/"  # a problem's file, by its path in the project (between worker and client)


def _other_versions() -> BuildError:
    return BuildError(
        f"worker {socket.gethostname()} would render something else than the client checked "
        f"(versions there: {_versions_line()}); install the same deckgen and libraries on the workers"
    )


def _versions_line() -> str:
    from .editions import versions

    return ", ".join(f"{name} {version}" for name, version in versions().items())


# -- the client's side ---------------------------------------------------------------------------

class ClusterRenderer:
    """Renders checked specs on a cluster as they are handed in (``submit``), so the workers start while
    the client is still checking the rest; ``finished()`` yields each result as it arrives.

    A file is sent with the first render that reads it; once a second render reads it, it is scattered
    to every worker (keyed by its sha256) and later renders refer to that copy."""

    def __init__(self, client: "Client"):
        self.client = client
        self.distributed = _distributed()
        self.pending = self.distributed.as_completed()
        self.jobs: dict = {}  # future -> (token, job)
        self.readers: dict[str, int] = {}  # sha256 -> renders that read it so far
        self.scattered: dict[str, object] = {}  # sha256 -> the future of the copy on every worker
        self.charts: dict[Path, tuple[tuple[str, str], ...]] = {}  # chart cache folder -> what was sent of it

    def _charts_from(self, folder: Path) -> tuple[tuple[str, str], ...]:
        """The most recently used entries of the client's chart cache, sent to every worker once: a
        worker starts with the charts drawn here (the entries are keyed by what they draw, so a stale
        one is never used, and a missing one is drawn there)."""
        if folder not in self.charts:
            found = {hashlib.sha256(data).hexdigest(): (name, data) for name, data in _recent_charts(folder)}
            new = {f"deckgen-file-{sha}": data for sha, (_, data) in found.items() if sha not in self.scattered}
            if new:
                for key, future in self.client.scatter(new, broadcast=True).items():
                    self.scattered[key.removeprefix("deckgen-file-")] = future
            self.charts[folder] = tuple((name, sha) for sha, (name, _) in found.items())
        return self.charts[folder]

    def submit(self, checked: "Checked", token) -> None:
        from .build.outputs import chart_cache_path

        job = replace(render_job(checked), charts=self._charts_from(chart_cache_path(checked.output)))
        paths = {item.sha256: item.path for item in checked.inputs}
        paths.setdefault(dict(job.files)[job.spec], checked.report.loaded.path)
        blobs = {}
        for _, sha in job.files:
            self.readers[sha] = self.readers.get(sha, 0) + 1
            if sha not in self.scattered and self.readers[sha] > 1:
                key = f"deckgen-file-{sha}"
                self.scattered[sha] = self.client.scatter({key: _read(paths[sha], sha)}, broadcast=True)[key]
            blobs[sha] = self.scattered[sha] if sha in self.scattered else _read(paths[sha], sha)
        blobs.update((sha, self.scattered[sha]) for _, sha in job.charts)
        future = self.client.submit(render_on_worker, job, blobs, key=f"deckgen-render-{job.input_hash[:16]}-{uuid.uuid4().hex}")
        self.jobs[future] = (token, job, checked.root)
        self.pending.add(future)

    def finished(self, *, wait: bool = True) -> Iterator[tuple[object, "Rendered | DeckgenError", str | None]]:
        """``(token, Rendered or the error, traceback)`` for each render done: all of them (``wait``), or
        only those already done. A failing render is yielded, never raised."""
        while not self.pending.is_empty():
            if not wait and not self.pending.has_ready():
                return
            future = next(self.pending)
            token, job, root = self.jobs.pop(future)
            rendered, trace = _result(future, job, self.distributed)
            if isinstance(rendered, ProofError):
                rendered = ProofError(_located_here(rendered.problems, root))
            elif isinstance(rendered, Rendered) and rendered.proof is not None:
                rendered = replace(rendered, proof=replace(rendered.proof, problems=tuple(_located_here(rendered.proof.problems, root))))
            yield token, rendered, trace

    def cancel(self) -> None:
        """Stop every render still running or waiting (after an interruption)."""
        if self.jobs:
            self.client.cancel(list(self.jobs))
            self.jobs.clear()


@contextmanager
def renderer(cluster: "str | Client | StartingCluster | LocalProcesses | None") -> Iterator[ClusterRenderer]:
    if isinstance(cluster, LocalProcesses):  # decided again: threads started since would make it a LocalCluster
        cluster = f"local:{cluster.workers}"
    if (workers := forked_workers(cluster)) is not None:
        forked = ForkedRenderer(workers)
        try:
            yield forked
        except BaseException:
            forked.cancel()
            raise
        finally:
            forked.close()
        return
    with connect(cluster) as client:
        rendering = ClusterRenderer(client)
        try:
            yield rendering
        finally:
            rendering.cancel()


def _result(future, job: RenderJob, distributed) -> tuple["Rendered | DeckgenError", str | None]:
    if future.status == "finished":
        return future.result(), None
    try:
        exc = future.exception()  # waits: a result lost with its worker after it finished is made again
        if exc is None:
            return future.result(), None
    except distributed.client.FutureCancelledError as cancelled:
        exc = cancelled
    except Exception as lost:  # noqa: BLE001  lost again while it was fetched: reported as what happened
        exc = lost
    if isinstance(exc, DeckgenError):
        return exc, None
    if isinstance(exc, distributed.KilledWorker):
        return BuildError(f"{job.spec}: the workers rendering it died repeatedly ({exc}); see the workers' logs"), None
    text = "".join(traceback.format_exception(exc)) if exc is not None else None
    return BuildError(f"rendering {job.spec} on the cluster failed: {type(exc).__name__}: {exc}"), text


MAX_CHARTS_SENT = 64  # the most recently used entries of the client's chart cache a worker starts with
MAX_CHART_BYTES_SENT = 16_000_000
_CHART_FILE = re.compile(r"[0-9a-f]{64}\.json")


def _recent_charts(folder: Path) -> list[tuple[str, bytes]]:
    try:
        entries = sorted((p for p in folder.iterdir() if _CHART_FILE.fullmatch(p.name)),
                         key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return []
    sent, total = [], 0
    for path in entries[:MAX_CHARTS_SENT]:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if total + len(data) > MAX_CHART_BYTES_SENT:
            break
        sent.append((path.name, data))
        total += len(data)
    return sent


def _read(path: Path, sha: str) -> bytes:
    """The bytes the client checked: a file changed since then stops the run (nothing is sent)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BuildError(f"cannot read {display_path(path)}: {exc.strerror or exc}") from exc
    if hashlib.sha256(data).hexdigest() != sha:
        raise BuildError(f"{display_path(path)} changed while this run was starting; run it again")
    return data


# -- build: many specs ---------------------------------------------------------------------------

def build_many_on_cluster(
    specs: Sequence[Path], per_spec: Sequence[dict], cluster: "str | Client | None",
) -> Iterator[tuple[int, "SpecOutcome"]]:
    """``build_many`` on a cluster: check each spec here and hand it to the cluster at once, write what
    comes back here (under each output's lock); yield ``(index, SpecOutcome)`` as each spec is done.
    The cluster is started (or reached) only when a spec needs rendering."""
    from .build import api, outputs
    from .outcome import SpecOutcome, outcome_of

    started = time.perf_counter()
    writing: dict[int, tuple["Checked", dict]] = {}

    def failed(index: int, exc: DeckgenError, trace: str | None = None) -> "SpecOutcome":
        return SpecOutcome(specs[index], outcome_of(exc), getattr(exc, "output", None),
                                 duration=time.perf_counter() - started, error=exc, traceback=trace)

    def written(index: int, rendered, trace: str | None) -> "SpecOutcome":
        checked, options = writing.pop(index)
        try:
            if isinstance(rendered, DeckgenError):
                raise rendered
            return _outcome(_write(checked, rendered, **options), started)
        except DeckgenError as exc:
            return failed(index, exc, trace)

    with ExitStack() as stack:
        rendering: ClusterRenderer | None = None
        for index, (spec, options) in enumerate(zip(specs, per_spec)):
            options = dict(options)
            options.pop("check_only", None)
            write_options = {name: options.pop(name) for name in ("wait", "if_changed", "archive", "snapshot") if name in options}
            try:
                checked = api.check(spec, **options)
                current = outputs.current_edition(checked) if write_options.get("if_changed") else None
            except DeckgenError as exc:
                yield index, failed(index, exc)
                continue
            if current is not None:
                yield index, _outcome(api._unchanged(checked, *current, archive=write_options.get("archive", False),
                                                       snapshot=write_options.get("snapshot", False)), started)
                continue
            if rendering is None:  # no dask, or no scheduler there: the run stops, with one line
                rendering = stack.enter_context(renderer(cluster))
            writing[index] = (checked, write_options)
            try:
                rendering.submit(checked, index)
            except DeckgenError as exc:  # a file changed since it was checked
                writing.pop(index)
                yield index, failed(index, exc)
                continue
            for done, rendered, trace in rendering.finished(wait=False):
                yield done, written(done, rendered, trace)
        if rendering is not None:
            for done, rendered, trace in rendering.finished():
                yield done, written(done, rendered, trace)


def _write(checked: "Checked", rendered: Rendered, *, wait: float = 0, if_changed: bool = False, archive: bool = False,
           snapshot: bool = False):
    """Write what a worker rendered, under the output's lock; a run that had to wait renders again here
    if the inputs changed meanwhile (as ``build.render`` does)."""
    from .build import api, outputs

    with outputs.output_lock(checked.output, wait) as waited:
        if waited:
            fresh = checked.again()
            if if_changed and (current := outputs.current_edition(fresh)) is not None:
                return api._unchanged(fresh, *current, archive=archive, snapshot=snapshot)
            if fresh.input_hash != checked.input_hash:
                return api.render_and_write(fresh, archive=archive, snapshot=snapshot)
        return api.write_edition(checked, rendered.pdf, rendered.pages, rendered.outline, archive=archive,
                                   render_seconds=rendered.seconds, proof=rendered.proof, snapshot=snapshot)


def _outcome(result, started: float) -> "SpecOutcome":
    from .outcome import SpecOutcome

    return SpecOutcome(
        result.spec, result.outcome, result.output, result.pages, time.perf_counter() - started, result.input_hash,
        result.archived, tuple(p.render() for p in result.warnings), warning_problems=tuple(result.warnings),
    )


# -- send: one edition per variant ---------------------------------------------------------------

class VariantRenders:
    """A send's variants rendered on a cluster, each handed in (``add``) as soon as it has passed its
    check: the workers render while the client checks the rest. Nothing is written until ``collect``,
    which the caller reaches only once every variant has passed, so a send refused for a problem found
    late writes nothing; leaving the context cancels what is still rendering and releases the
    cluster's copies of the files. A variant that cannot be handed in (a file changed since it was
    checked) is kept as failed and reported by ``collect``, never raised while the others are checked."""

    def __init__(self, cluster: "StartingCluster | str | Client | None"):
        self._cluster = cluster
        self._stack = ExitStack()
        self._rendering: ClusterRenderer | None = None
        self._waiting: deque[tuple[tuple[str, ...], "Checked"]] = deque()
        self.current: set[tuple[str, ...]] = set()  # variants whose edition on disk is up to date
        self.out_of_date: dict[tuple[str, ...], "Checked"] = {}  # the others: handed in, or waiting for the cluster
        self.failed: dict[tuple[str, ...], DeckgenError] = {}

    def __enter__(self) -> "VariantRenders":
        return self

    def __exit__(self, *exc_info) -> None:
        self._stack.close()

    def add(self, variant: tuple[str, ...], checked: "Checked") -> None:
        """Render ``variant`` if its edition is out of date: now if the cluster is up, else once it is."""
        from .build import outputs

        if variant in self.current or variant in self.out_of_date:
            return
        if outputs.up_to_date(checked):
            self.current.add(variant)
            return
        self.out_of_date[variant] = checked
        self._waiting.append((variant, checked))
        if self._rendering is not None or (hasattr(self._cluster, "started") and self._cluster.started()):
            self._submit_waiting()

    def _submit_waiting(self) -> None:
        if self._rendering is None:
            self._rendering = self._stack.enter_context(renderer(self._cluster))
        while self._waiting:
            variant, checked = self._waiting[0]
            try:
                self._rendering.submit(checked, variant)
            except DeckgenError as exc:  # a file changed since it was checked: this variant fails, the others go on
                self.failed[variant] = exc
            self._waiting.popleft()

    def collect(
        self, variants: Mapping[tuple[str, ...], "Checked"], *, log: Callable[[str], None] = lambda line: None,
        on_progress: Callable[[int, int], None] = lambda done, total: None,
    ) -> tuple[dict[tuple[str, ...], bytes], list[Path], dict[tuple[str, ...], DeckgenError]]:
        """Render what of ``variants`` is out of date and not yet handed in, and write each edition here
        as it arrives; return every variant's PDF bytes, the PDFs written, and the variants that failed
        (the others go on). The cluster's copies are released once the last edition is in."""
        from .build import api, outputs

        for variant, checked in variants.items():
            self.add(variant, checked)
        pdfs = {variant: variants[variant].output.read_bytes() for variant in self.current}
        failed: dict[tuple[str, ...], DeckgenError] = {}

        def fail(variant: tuple[str, ...], exc: DeckgenError) -> None:
            failed[variant] = exc
            log(f"could not build {display_path(variants[variant].output)}: {' '.join(exc.lines())}")

        built: list[Path] = []
        on_progress(len(pdfs), len(variants))
        if self._waiting:
            self._submit_waiting()
        for variant, exc in self.failed.items():
            fail(variant, exc)
            on_progress(len(pdfs) + len(failed), len(variants))
        with self._stack:
            for variant, rendered, _ in self._rendering.finished() if self._rendering is not None else ():
                checked = self.out_of_date[variant]
                try:
                    if isinstance(rendered, DeckgenError):
                        raise rendered
                    with outputs.output_lock(checked.output):
                        api.write_edition(checked, rendered.pdf, rendered.pages, rendered.outline,
                                            render_seconds=rendered.seconds, proof=rendered.proof)
                except DeckgenError as exc:
                    fail(variant, exc)
                else:
                    pdfs[variant] = rendered.pdf
                    built.append(checked.output)
                    log(f"built {display_path(checked.output)}")
                on_progress(len(pdfs) + len(failed), len(variants))
        return pdfs, built, failed
