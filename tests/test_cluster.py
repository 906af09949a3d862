"""--cluster: rendering on a real Dask LocalCluster (2 worker processes on 127.0.0.1), mailing through a
real SMTP server (aiosmtpd): every recipient gets exactly one message with their own variant, even
when a worker dies mid-run; a re-run sends nothing. One cluster for the whole module."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from distributed import Client, LocalCluster
from pypdf import PdfReader

from conftest import copy_project
from deckgen import delivery
from deckgen.delivery.service import NotSent
from deckgen.errors import ExitCode
from test_delivery import Handler, Server, _attachments, _free_port

SPEC = Path("specs") / "investor.yaml"


@pytest.fixture(scope="module")
def dask_client():
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as cluster, Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def example_project(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("cluster-example"))


@pytest.fixture
def project(example_project: Path, tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "project"
    shutil.copytree(example_project, root)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def smtp_server():
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield Server(handler, controller.port, controller)
    controller.stop()


def _smtp_environ(server: Server) -> dict[str, str]:
    return {"DECKGEN_SMTP_HOST": "127.0.0.1", "DECKGEN_SMTP_PORT": str(server.port),
            "DECKGEN_SMTP_SECURITY": "none", "DECKGEN_MAIL_FROM": "Briefs <briefs@example.com>"}


def _recipients(root: Path, count: int, edition: str) -> dict[str, str]:
    """A CSV of ``count`` recipients, each with their own subtitle (so their own variant); address -> subtitle."""
    subtitles = {f"client{n:02d}@example.com": f"{edition} edition for client {n:02d}" for n in range(1, count + 1)}
    lines = ["email,name,subtitle"] + [f"{address},Client {address[6:8]},{subtitle}" for address, subtitle in subtitles.items()]
    (root / "clients.csv").write_text("\n".join(lines) + "\n", "utf-8")
    return subtitles


def _first_page(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def _assert_each_got_their_own_variant_once(server: Server, subtitles: dict[str, str]) -> None:
    assert sorted(r.rcpt_tos[0] for r in server.handler.received) == sorted(subtitles), "one message per recipient"
    attached = {}
    for received in server.handler.received:
        [(kind, _, pdf)] = _attachments(received.message)
        assert kind == "application/pdf"
        attached[received.rcpt_tos[0]] = pdf
    assert len({hashlib.sha256(pdf).digest() for pdf in attached.values()}) == len(subtitles), "distinct editions"
    for address, subtitle in subtitles.items():
        assert subtitle in " ".join(_first_page(attached[address]).split()), address


def _ledger(root: Path) -> list[dict]:
    with sqlite3.connect(root / "dist" / ".deckgen" / "delivery.sqlite") as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM deliveries ORDER BY recipient")]


def test_24_recipients_each_receive_their_own_variant_once_and_a_rerun_sends_nothing(project, smtp_server, dask_client):
    subtitles = _recipients(project, 24, "Morning")
    progress = []

    report = delivery.send(SPEC, recipients_files=["clients.csv"], environ=_smtp_environ(smtp_server),
                           cluster=dask_client, connections=4, on_build_progress=lambda *seen: progress.append(seen))

    assert (report.sent, report.failed) == (24, 0), [o.detail for o in report.outcomes if o.status == "failed"]
    assert len(report.built) == 24 and progress[-1] == (24, 24)
    _assert_each_got_their_own_variant_once(smtp_server, subtitles)
    rows = _ledger(project)
    assert [(r["recipient"], r["status"], r["copies"]) for r in rows] == [(a, "sent", 1) for a in sorted(subtitles)]
    for pdf in (project / "dist" / ".deckgen" / "variants").glob("*.pdf"):  # written here, atomically, with a manifest
        manifest = json.loads(pdf.with_suffix(".manifest.json").read_text())
        assert manifest["pdf_sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()

    again = delivery.send(SPEC, recipients_files=["clients.csv"], environ=_smtp_environ(smtp_server),
                          cluster=dask_client, connections=4)

    assert (again.sent, again.skipped, again.failed, again.built) == (0, 24, 0, ())
    assert len(smtp_server.handler.received) == 24


def test_a_worker_killed_mid_run_still_yields_every_variant_once(project, smtp_server, dask_client):
    subtitles = _recipients(project, 12, "Evening")
    victim = sorted(dask_client.run(os.getpid).values())[0]
    killed_after = []

    def kill_a_worker(done: int, total: int) -> None:
        if done >= 1 and not killed_after:
            killed_after.append(done)
            os.kill(victim, signal.SIGKILL)

    report = delivery.send(SPEC, recipients_files=["clients.csv"], environ=_smtp_environ(smtp_server),
                           cluster=dask_client, connections=2, on_build_progress=kill_a_worker)

    assert killed_after and killed_after[0] < 12, "the worker died while variants were still rendering"
    assert (report.sent, report.failed) == (12, 0), [o.detail for o in report.outcomes if o.status == "failed"]
    _assert_each_got_their_own_variant_once(smtp_server, subtitles)
    assert [r["copies"] for r in _ledger(project)] == [1] * 12
    dask_client.wait_for_workers(2, timeout=60)  # the nanny restarted it: the next test has two workers again


def test_a_variant_that_fails_is_reported_with_its_recipient_and_the_others_are_sent(
    project, smtp_server, dask_client, monkeypatch, cli,
):
    subtitles = _recipients(project, 4, "Noon")
    for name, value in _smtp_environ(smtp_server).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DECKGEN_DASK_SCHEDULER", dask_client.scheduler.address)  # an existing scheduler
    # where the lock file of client03's variant PDF must go there is a folder: its build fails, on the client
    tag = hashlib.sha256(f"subtitle={subtitles['client03@example.com']}".encode()).hexdigest()[:12]
    (project / "dist" / ".deckgen" / "variants" / ".deckgen" / f"investor-{tag}.pdf.lock").mkdir(parents=True)

    result = cli("send", SPEC, "--recipients", "clients.csv", "--log-format", "json")

    assert result.code == ExitCode.DELIVERY_FAILED, result.stderr
    sent = [json.loads(line) for line in result.stdout.splitlines()]
    failed = [json.loads(line) for line in result.stderr.splitlines() if '"recipient"' in line]
    assert sorted(r["recipient"] for r in sent if r.get("status") == "sent") == [
        "client01@example.com", "client02@example.com", "client04@example.com"]
    [failure] = failed
    assert failure["recipient"] == "client03@example.com" and failure["status"] == "failed"
    assert "could not be built" in failure["detail"] and "cannot lock" in failure["detail"]
    assert sent[-1] == {"sent": 3, "skipped": 0, "failed": 1, "unknown": 0, "possible_duplicates": 0, "ok": False}
    del subtitles["client03@example.com"]
    _assert_each_got_their_own_variant_once(smtp_server, subtitles)


def test_build_on_the_cluster_writes_the_same_pdfs_as_a_local_build(project, dask_client, example_pdf, cli):
    result = cli("build", "specs/investor.yaml", "specs/grid-storage.yaml", "-o", "out/",
                 "--cluster", dask_client.scheduler.address, "--log-format", "json")

    assert result.code == 0, result.stderr
    records = {Path(r["spec"]).name: r for r in map(json.loads, result.stdout.splitlines())}
    assert {name: r["outcome"] for name, r in records.items()} == {"investor.yaml": "built", "grid-storage.yaml": "built"}
    assert (project / "out" / "investor.pdf").read_bytes() == example_pdf.read_bytes(), "byte for byte"
    manifest = json.loads((project / "out" / "investor.manifest.json").read_text())
    assert manifest["output"] == "out/investor.pdf" and manifest["pdf_sha256"] == hashlib.sha256(example_pdf.read_bytes()).hexdigest()

    again = cli("build", "specs/investor.yaml", "specs/grid-storage.yaml", "-o", "out/", "--if-changed",
                "--cluster", dask_client.scheduler.address)

    assert again.code == 0 and again.stdout.split() == ["out/investor.pdf", "unchanged", "out/grid-storage.pdf", "unchanged"]

    # the workers keep their copy of the project: a changed file is sent and rendered anew
    spec = project / "specs" / "investor.yaml"
    spec.write_text(spec.read_text("utf-8").replace("subtitle: ", 'subtitle: "Changed overnight" #', 1), "utf-8")

    changed = cli("build", "specs/investor.yaml", "-o", "out/", "--if-changed", "--cluster", dask_client.scheduler.address)

    assert changed.code == 0 and changed.stdout.split() == ["out/investor.pdf"], changed.stderr
    assert "Changed overnight" in _first_page((project / "out" / "investor.pdf").read_bytes())


def test_a_pdfa_3b_edition_built_on_the_cluster_carries_what_a_local_build_carries(project, dask_client, cli):
    """The worker embeds the manifest the client made (its options, not the worker's) and the same files."""
    local = cli("build", "specs/grid-storage.yaml", "--set", "archive=pdfa-3b", "-o", "here/")
    remote = cli("build", "specs/grid-storage.yaml", "--set", "archive=pdfa-3b", "-o", "out/",
                 "--cluster", dask_client.scheduler.address)

    assert local.code == remote.code == 0, remote.stderr
    built = (project / "out" / "grid-storage.pdf").read_bytes()
    assert built == (project / "here" / "grid-storage.pdf").read_bytes(), "byte for byte"
    assert b"/Type /EmbeddedFile" in built
    assert cli("proof", "out/grid-storage.pdf").code == 0


def test_without_dask_installed_a_scheduler_address_says_how_to_install_it_and_local_needs_no_dask(project):
    def run(address: str) -> subprocess.CompletedProcess:
        script = ("import sys; sys.modules['distributed'] = None; from deckgen.cli import main; "
                  f"sys.argv = ['deckgen', 'build', 'specs/investor.yaml', '--cluster', {address!r}]; main()")
        return subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True, timeout=120)

    done = run("tcp://127.0.0.1:8786")
    assert done.returncode == ExitCode.USAGE
    assert done.stderr.strip().splitlines() == [
        "error: --cluster needs dask.distributed, which is not installed: "
        "pip install 'deckgen[cluster]' (or: uv sync --extra cluster)"
    ]
    done = run("local:2")  # copies of this process, forked: no Dask
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "dist/investor.pdf"


@pytest.mark.parametrize("address, message", [
    ("local:0", "error: --cluster local:0: N in local:N must be a whole number of workers, 1 or more"),
    ("cluster.example.com", "error: --cluster cluster.example.com: expected local, local:N or a scheduler address such as tcp://HOST:8786"),
])
def test_a_wrong_cluster_address_is_one_line_and_exit_2(project, cli, address, message):
    result = cli("build", "specs/investor.yaml", "--cluster", address)

    assert result.code == ExitCode.USAGE
    assert result.stderr.strip() == message


def test_the_proof_runs_on_the_workers_as_here_strict_and_located_in_this_project(project, dask_client, cli):
    wide = ("--set", "figures.usdjpy=123456789012.5", "--set", "checks.proof=warn")  # a KPI value its tile splits
    address = dask_client.scheduler.address
    here = cli("build", "specs/investor.yaml", *wide, "-o", "here.pdf", "--strict")
    there = cli("build", "specs/investor.yaml", *wide, "-o", "there.pdf", "--strict", "--cluster", address)
    assert here.code == there.code == 1
    spec_lines = (project / "specs" / "investor.yaml").read_text("utf-8").splitlines()
    tile = next(number for number, line in enumerate(spec_lines, 1) if "{figure: usdjpy" in line)
    located = f"specs/investor.yaml:{tile}:18: 'USD/JPY 123,456,789,012.5' is split across lines"
    assert located in here.stderr and located in there.stderr, there.stderr
    warned = cli("build", "specs/investor.yaml", *wide, "-o", "there.pdf", "--cluster", address)
    assert warned.code == 0, warned.stderr
    manifest = json.loads((project / "there.manifest.json").read_text())
    assert manifest["proof"]["status"] == "warnings"
    assert manifest["proof"]["problems"][0].startswith(f"specs/investor.yaml:{tile}:18: warning: 'USD/JPY 123,456,789,012.5' is split")


def test_a_fresh_worker_starts_with_the_charts_drawn_here_and_never_loads_matplotlib(project, cli):
    """The charts in the client's cache go to every worker once: a worker that never drew a chart
    renders the variants without matplotlib, and the editions are the bytes of a local build."""
    drawn = subprocess.run([sys.executable, "-m", "deckgen", "-q", "build", "specs/investor.yaml"], cwd=project,
                           capture_output=True, text=True)  # a fresh process draws the charts into dist/.deckgen/charts
    assert drawn.returncode == 0, drawn.stderr
    (project / "desk.csv").write_text("email,name,subtitle\nann@example.com,Ann,For Ann\nbob@example.com,Bob,For Bob\n")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                      silence_logs=logging.ERROR) as fresh, Client(fresh) as client:
        sent = cli("send", "specs/investor.yaml", "--recipients", "desk.csv", "--dry-run", "--cluster", fresh.scheduler_address)
        assert sent.code == 0, sent.stderr
        [loaded] = client.run(lambda: "matplotlib" in sys.modules).values()
    assert loaded is False, "the worker drew a chart the client had drawn"
    alone = cli("build", "specs/investor.yaml", "--set", "subtitle=For Ann", "-o", "alone.pdf")
    assert alone.code == 0
    assert _attached_pdf(project / "dist" / "outbox" / "ann@example.com.eml") == (project / "alone.pdf").read_bytes()


def _attached_pdf(eml: Path) -> bytes:
    import email
    import email.policy

    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.SMTP)
    [pdf] = [part.get_content() for part in message.iter_attachments()]
    return pdf


def test_a_worker_renders_the_clients_checked_spec_without_checking_it_or_reading_the_clients_folder(
        project, example_pdf, monkeypatch):
    """What a remote worker sees: the job and the files' bytes, no shared folder. It renders the spec
    the client checked (not a check of its own) to the bytes of a local build."""
    from deckgen import build, cluster
    from deckgen.build import api

    checked = build.check(SPEC)  # as the CLI gives it: relative to the client's folder
    job = cluster.render_job(checked)
    blobs = {sha: (project / relative).read_bytes() for relative, sha in job.files}
    away = project.with_name("moved-away")
    project.rename(away)  # nothing of the client's folder is where the Checked says it was
    monkeypatch.chdir(away)

    def checked_again(*args, **kwargs):
        raise AssertionError("the worker checked the spec again")

    monkeypatch.setattr(api, "check", checked_again)
    rendered = cluster.render_on_worker(job, blobs)

    assert rendered.pdf == example_pdf.read_bytes(), "byte for byte"
    assert rendered.proof is not None and not [p for p in rendered.proof.problems if p.is_error]


def test_a_worker_with_other_versions_refuses_the_job(project):
    from dataclasses import replace

    from deckgen import build, cluster
    from deckgen.errors import BuildError

    checked = build.check(SPEC)
    job = cluster.render_job(checked)
    blobs = {sha: (project / relative).read_bytes() for relative, sha in job.files}

    with pytest.raises(BuildError, match=r"would render something else than the client checked \(versions there: deckgen "):
        cluster.render_on_worker(replace(job, code=(("deckgen", "0.0.1"),)), blobs)
    with pytest.raises(BuildError, match="install the same deckgen and libraries on the workers"):
        cluster.render_on_worker(replace(job, checked=b"not a pickle"), blobs)


def test_a_checked_spec_too_large_to_send_is_checked_again_on_the_worker(project, example_pdf):
    from dataclasses import replace

    from deckgen import build, cluster

    checked = build.check(SPEC)
    job = replace(cluster.render_job(checked), checked=b"")  # what render_job sends past MAX_PACKED_BYTES
    blobs = {sha: (project / relative).read_bytes() for relative, sha in job.files}

    assert cluster.render_on_worker(job, blobs).pdf == example_pdf.read_bytes()


def test_a_checked_spec_travels_with_its_project_paths_by_their_place_in_the_project(project, tmp_path):
    from deckgen import build, cluster

    checked = build.check(SPEC)
    folder = tmp_path / "worker-copy"
    there = cluster.unpacked(cluster.packed(checked), folder)

    assert there.root == folder
    assert there.report.loaded.path == folder / "specs" / "investor.yaml"
    assert {item.path for item in there.inputs} == {folder / item.path.resolve().relative_to(project.resolve())
                                                   for item in checked.inputs}
    assert there.input_hash == checked.input_hash and there.report.spec == checked.report.spec


def _profiler_enabled() -> bool:
    import dask.config

    return bool(dask.config.get("distributed.worker.profile.enabled"))


def test_a_local_cluster_starts_its_workers_without_the_dashboards_profiler():
    from deckgen import cluster

    with cluster.connect("local:1") as client:
        assert set(client.run(_profiler_enabled).values()) == {False}
    assert _profiler_enabled(), "the caller's own configuration is left as it was"


@contextmanager
def _cluster_up_first(monkeypatch):
    """send's cluster counts as started before the first variant is checked (it starts in the
    background: without this, when it comes up would decide how many variants go to it early)."""
    from deckgen import cluster as cluster_module

    starting = cluster_module.starting

    @contextmanager
    def started(cluster):
        with starting(cluster) as begun:
            begun.client()
            yield begun

    monkeypatch.setattr(cluster_module, "starting", started)
    yield


def _submissions(monkeypatch, fail_for: str | None = None) -> list:
    """What reaches the cluster, in order; ``fail_for``: the variant whose files changed since its check."""
    from deckgen.cluster import ClusterRenderer
    from deckgen.errors import BuildError

    submitted, submit = [], ClusterRenderer.submit

    def recorded(self, checked, token):
        if fail_for is not None and any(fail_for in value for value in token):
            raise BuildError("data/holdings.csv changed while this run was starting; run it again")
        submitted.append(token)
        return submit(self, checked, token)

    monkeypatch.setattr(ClusterRenderer, "submit", recorded)
    return submitted


def test_variants_render_as_they_pass_their_checks_and_a_later_problem_writes_nothing(project, dask_client, monkeypatch):
    subtitles = _recipients(project, 5, "Dawn")
    lines = (project / "clients.csv").read_text("utf-8").splitlines()
    dates = ["2026-02-16", "2026-02-16", "2026-02-31", "2026-02-16", "2026-02-16"]  # the third recipient's is wrong
    (project / "clients.csv").write_text("\n".join([lines[0] + ",date"] + [f"{line},{date}" for line, date in zip(lines[1:], dates)]) + "\n")
    submitted = _submissions(monkeypatch)

    with _cluster_up_first(monkeypatch), pytest.raises(NotSent) as refused:
        delivery.send(SPEC, recipients_files=["clients.csv"], dry_run=True, cluster=dask_client)

    [problem] = refused.value.problems
    assert problem.render().startswith("clients.csv:4:1: variant of client03@example.com: date=2026-02-31: ")
    assert [dict(o.split("=", 1) for o in variant)["subtitle"] for variant in submitted] == [
        subtitles["client01@example.com"], subtitles["client02@example.com"]], "the two before the problem, none after"
    assert not list((project / "dist" / ".deckgen" / "variants").glob("*.pdf")), "nothing written"
    assert not (project / "dist" / "outbox").exists()


def test_a_variant_that_cannot_go_to_the_cluster_fails_alone_and_the_others_are_written(project, dask_client, monkeypatch):
    subtitles = _recipients(project, 4, "Dusk")
    submitted = _submissions(monkeypatch, fail_for="client 02")

    with _cluster_up_first(monkeypatch):
        report = delivery.send(SPEC, recipients_files=["clients.csv"], dry_run=True, cluster=dask_client)

    assert len(submitted) == 3 and len(report.built) == 3
    outcomes = {o.recipient.address: o for o in report.outcomes}
    assert outcomes["client02@example.com"].status == "failed"
    assert "could not be built" in outcomes["client02@example.com"].detail and "changed while this run" in outcomes["client02@example.com"].detail
    written = sorted(eml.name.removesuffix(".eml") for eml in (project / "dist" / "outbox").glob("*.eml"))
    assert written == ["client01@example.com", "client03@example.com", "client04@example.com"]
    for address in written:
        pdf = _attached_pdf(project / "dist" / "outbox" / f"{address}.eml")
        assert subtitles[address] in " ".join(_first_page(pdf).split())
