"""--cluster local:N where the system forks: copies of deckgen render, no Dask. Each run here is a fresh
deckgen process (a copy forked from the test runner would inherit its threads), mailing to a real SMTP
server on 127.0.0.1; the editions are compared byte for byte with the same edition built alone."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from conftest import copy_project
from test_cluster import _assert_each_got_their_own_variant_once, _attachments, _recipients, _smtp_environ, smtp_server  # noqa: F401

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forked copies need os.fork")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def test_a_send_on_local_processes_mails_each_their_own_edition_the_bytes_of_a_build_alone(
        project, smtp_server, deckgen_process, tmp_path):
    subtitles = _recipients(project, 6, "Noon")
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**_smtp_environ(smtp_server), "TMPDIR": str(temp), "DECKGEN_DASK_SCHEDULER": ""}

    sent = deckgen_process("send", "specs/investor.yaml", "--recipients", "clients.csv", "--cluster", "local:2",
                           cwd=project, env=env)

    assert sent.code == 0, sent.stderr
    _assert_each_got_their_own_variant_once(smtp_server, subtitles)
    assert list(temp.iterdir()) == [], "the copies' folder is gone"
    attached = {r.rcpt_tos[0]: _attachments(r.message)[0][2] for r in smtp_server.handler.received}
    for address in ("client01@example.com", "client06@example.com"):
        alone = deckgen_process("build", "specs/investor.yaml", "--set", f"subtitle={subtitles[address]}", "-o",
                                f"alone-{address[6:8]}.pdf", cwd=project)
        assert alone.code == 0, alone.stderr
        assert attached[address] == (project / f"alone-{address[6:8]}.pdf").read_bytes(), f"{address}: byte for byte"


def test_build_on_local_processes_writes_the_pdfs_of_a_one_process_build(project, deckgen_process, example_pdf):
    result = deckgen_process("build", "specs/investor.yaml", "specs/grid-storage.yaml", "-o", "out/",
                             "--cluster", "local:2", "--log-format", "json", cwd=project)

    assert result.code == 0, result.stderr
    outcomes = {Path(r["spec"]).name: r["outcome"] for r in map(json.loads, result.stdout.splitlines())}
    assert outcomes == {"investor.yaml": "built", "grid-storage.yaml": "built"}
    assert (project / "out" / "investor.pdf").read_bytes() == example_pdf.read_bytes(), "byte for byte"
    alone = deckgen_process("build", "specs/grid-storage.yaml", "-o", "grid.pdf", cwd=project)
    assert alone.code == 0 and (project / "out" / "grid-storage.pdf").read_bytes() == (project / "grid.pdf").read_bytes()
    manifest = json.loads((project / "out" / "investor.manifest.json").read_text())
    assert manifest["pdf_sha256"] == hashlib.sha256(example_pdf.read_bytes()).hexdigest()


def test_a_copy_that_dies_fails_the_renders_it_held_and_the_others_are_rendered(project):
    script = textwrap.dedent("""
        import json, os, signal
        from pathlib import Path
        from deckgen.build import api
        from deckgen.forkpool import ForkedRenderer

        checks = [api.check(Path("specs/investor.yaml"), overrides=(f"subtitle=Reader {n}",)) for n in range(5)]
        renderer = ForkedRenderer(2)
        for n, checked in enumerate(checks):
            renderer.submit(checked, n)
        victim = max(renderer.held, key=lambda pid: len(renderer.held[pid]))  # each holds two, the fifth waits
        held = [renderer.jobs[job][0] for job in renderer.held[victim]]
        os.kill(victim, signal.SIGKILL)
        answers = {token: rendered for token, rendered, _ in renderer.finished()}
        folder = renderer.folder
        renderer.close()
        print(json.dumps({
            "held": held,
            "failed": {token: str(answer) for token, answer in answers.items() if isinstance(answer, Exception)},
            "same": sorted(token for token, answer in answers.items() if not isinstance(answer, Exception)
                           and answer.pdf == api.render_in_memory(checks[token])[0]),
            "folder_left": folder.exists(),
        }))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    failed = {int(token): message for token, message in seen["failed"].items()}
    assert failed and set(failed) <= set(seen["held"]), seen
    for message in failed.values():
        assert message.endswith("was not rendered: the process rendering it ended (killed by signal 9); run it again")
    assert sorted([*failed, *seen["same"]]) == [0, 1, 2, 3, 4], "each render failed or is the bytes of one made here"
    assert not seen["folder_left"]


@pytest.mark.parametrize("command", [
    ["build", "specs/investor.yaml", "specs/grid-storage.yaml", "-o", "out/"],
    ["send", "specs/investor.yaml", "--recipients", "clients.csv", "--dry-run"],
])
def test_on_a_terminal_the_progress_bar_leaves_local_processes_forkable(project, command):
    """A progress bar redrawn by a thread of its own would keep the copies from being forked (and
    local:2 would need Dask, blocked here): with --cluster, the bar is redrawn as work finishes."""
    import pty

    _recipients(project, 3, "Dusk")
    script = ("import sys; sys.modules['distributed'] = None; from deckgen.cli import main; "
              f"sys.argv = ['deckgen', *{command!r}, '--cluster', 'local:2']; main()")
    leader, follower = pty.openpty()
    shown = bytearray()

    def read_the_terminal() -> None:  # as it is written: a full terminal would stop deckgen
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=read_the_terminal)
    reader.start()
    try:
        done = subprocess.run([sys.executable, "-c", script], cwd=project, stdin=follower, stdout=follower,
                              stderr=follower, env={**os.environ, "TERM": "xterm", "DECKGEN_DASK_SCHEDULER": ""}, timeout=300)
    finally:
        os.close(follower)
        reader.join(timeout=30)
        os.close(leader)
    shown = bytes(shown)
    assert done.returncode == 0, shown.decode(errors="replace")
    assert b"building" in shown, "a progress bar was drawn"
    if command[0] == "build":
        assert (project / "out" / "investor.pdf").exists() and (project / "out" / "grid-storage.pdf").exists()
    else:
        assert len(list((project / "dist" / "outbox").glob("*.eml"))) == 3


def test_copies_that_cannot_all_be_started_leave_nothing_behind(project):
    """The system refuses the second fork: the first copy is stopped, every pipe closed, the folder
    removed, and the run says so in one line."""
    script = textwrap.dedent("""
        import errno, json, os, tempfile
        from deckgen.errors import BuildError
        from deckgen.forkpool import ForkedRenderer
        from deckgen.render import chart_worker

        real_fork, forks = chart_worker.fork_helper, []
        def fork_twice(work):
            if forks:
                raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
            forks.append(real_fork(work))
            return forks[-1]
        chart_worker.fork_helper = fork_twice
        before = sorted(os.listdir("/proc/self/fd"))
        try:
            ForkedRenderer(3)
        except BuildError as exc:
            message = str(exc)
        try:
            os.waitpid(forks[0], os.WNOHANG)
            reaped = False
        except ChildProcessError:
            reaped = True
        print(json.dumps({"message": message, "fds": sorted(os.listdir("/proc/self/fd")) == before, "reaped": reaped,
                          "folders": [n for n in os.listdir(tempfile.gettempdir()) if n.startswith("deckgen-local-")]}))
    """)
    temp = project / "temp"
    temp.mkdir()
    done = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TMPDIR": str(temp)})
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["message"] == ("could not start 3 processes to render in: Resource temporarily unavailable; "
                               "run with fewer (--cluster local:N) or without --cluster")
    assert seen["fds"] and seen["reaped"] and seen["folders"] == [], seen
