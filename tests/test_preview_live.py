"""`deckgen preview --watch`: a real process serving on 127.0.0.1, a real headless chromium reading it.

Edit the spec's title and the open page shows the new text by itself; break the spec and the page
shows the problem above the last good pages, and the terminal reports it too.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import copy_project

SPEC = Path("specs/investor.yaml")
TITLE = "US–Japan Strategic Alignment"


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


@pytest.fixture
def live_preview(tmp_path):
    """`deckgen preview specs/investor.yaml --watch --port 0` on a copy of the example; yields (url, project, process)."""
    project = copy_project(tmp_path / "project")
    process = subprocess.Popen(
        [sys.executable, "-m", "deckgen", "preview", str(SPEC), "--watch", "--port", "0"],
        cwd=project, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), process.stderr.read() if process.poll() is not None else url
        yield url, project, process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _get(url: str, timeout: float = 30) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as reply:
        return reply.read()


def _state(url: str, since: int | None = None) -> dict:
    return json.loads(_get(url + "state" + (f"?since={since}" if since is not None else "")))


def _edit_title(project: Path, title: str) -> None:
    spec = project / SPEC
    text = spec.read_text("utf-8")
    spec.write_text(text.replace(f"title: {TITLE}\n", f"title: {title}\n", 1), "utf-8")


def test_the_server_rebuilds_after_an_edit_and_keeps_the_last_good_pages(live_preview):
    url, project, process = live_preview
    first = _state(url)
    assert first["ok"] and first["pages"] >= 4 and first["title"] == TITLE
    assert _get(url + "page-1.png")[:8] == b"\x89PNG\r\n\x1a\n"

    started = time.perf_counter()
    _edit_title(project, "Retitled by the test")
    rebuilt = _state(url, since=first["generation"])
    noticed = time.perf_counter() - started
    assert rebuilt["ok"] and rebuilt["title"] == "Retitled by the test"
    assert noticed < 10, f"the edit took {noticed:.2f} s to show"
    # A warm rebuild of the example takes about 0.2-0.3 s on an idle machine; the bound leaves room for
    # a busy CI runner but fails if rebuilds go cold (re-importing or re-reading everything each time).
    assert rebuilt["duration"] < 1.5, rebuilt["duration"]

    figures = project / "data/us-japan/figures.yaml"  # a data file is watched too, not only the spec
    figures.write_text(figures.read_text("utf-8").replace("usdjpy: {value: 152,", "usdjpy: {value: 149,"), "utf-8")
    refreshed = _state(url, since=rebuilt["generation"])
    page = _get(url).decode().replace("\u00a0", " ").replace("&nbsp;", " ").replace("&#160;", " ")
    assert refreshed["ok"] and "USD/JPY 149" in page and "USD/JPY 152" not in page

    spec = project / SPEC
    spec.write_text(spec.read_text("utf-8").replace("page_size: A4", "page_size: A5"), "utf-8")
    broken = _state(url, since=refreshed["generation"])
    assert not broken["ok"] and broken["pages"] == rebuilt["pages"]  # the last good pages stay
    assert any(p["file"].endswith("investor.yaml") and p["line"] > 0 and "page_size" in p["message"] for p in broken["problems"])
    page = _get(url).decode()
    assert "The last change did not build" in page and "page_size" in page and "Retitled by the test" in page


def _cdp(ws_url: str):
    """A tiny Chrome DevTools Protocol client: evaluate JavaScript in the page, return its value."""
    from websockets.sync.client import connect

    connection = connect(ws_url, max_size=None, open_timeout=30)
    ids = itertools.count(1)

    def evaluate(expression: str):
        message_id = next(ids)
        connection.send(json.dumps({"id": message_id, "method": "Runtime.evaluate",
                                    "params": {"expression": expression, "returnByValue": True}}))
        while True:
            reply = json.loads(connection.recv(timeout=30))
            if reply.get("id") == message_id:
                return reply.get("result", {}).get("result", {}).get("value")

    return connection, evaluate


def _wait_for(evaluate, expression: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while True:
        value = evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}; body: {evaluate('document.body && document.body.innerText')!r:.600}")
        time.sleep(0.1)


@pytest.mark.skipif(_chromium() is None, reason="chromium is not installed (.ci/run installs it with apt-get)")
def test_a_real_browser_shows_the_new_title_after_an_edit_and_the_error_after_a_mistake(live_preview, tmp_path):
    url, project, process = live_preview
    profile = tmp_path / "chromium-profile"
    browser = subprocess.Popen(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", url],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            assert browser.poll() is None and time.monotonic() < deadline, "chromium did not start"
            time.sleep(0.1)
        devtools = f"http://127.0.0.1:{port_file.read_text().splitlines()[0]}"
        pages = []
        while not pages:
            pages = [t for t in json.loads(_get(devtools + "/json/list")) if t["type"] == "page" and t["url"].startswith(url)]
            assert time.monotonic() < deadline, "chromium opened no page"
            time.sleep(0.1)
        connection, evaluate = _cdp(pages[0]["webSocketDebuggerUrl"])
        with connection:
            _wait_for(evaluate, f"document.querySelector('h1') && document.querySelector('h1').textContent === {json.dumps(TITLE)}")
            loaded = "document.images.length >= 4 && Array.from(document.images).every(i => i.complete && i.naturalWidth > 500)"
            _wait_for(evaluate, loaded)
            assert TITLE in evaluate("document.body.textContent")  # the page text of the brief, under each image

            _edit_title(project, "Seen in a real browser")
            _wait_for(evaluate, "document.querySelector('h1').textContent === 'Seen in a real browser'")
            _wait_for(evaluate, loaded)
            assert "Seen in a real browser" in evaluate("document.querySelector('#page-1 details pre').textContent")

            spec = project / SPEC
            spec.write_text(spec.read_text("utf-8").replace("sections:\n", "sectoins:\n", 1), "utf-8")
            _wait_for(evaluate, "!!document.querySelector('#problems')")
            problems = evaluate("document.querySelector('#problems').textContent")
            assert "unknown key 'sectoins'" in problems and "did you mean 'sections'?" in problems
            assert evaluate("document.images.length") >= 4  # the last good pages are still shown
            assert "Seen in a real browser" in evaluate("document.querySelector('h1').textContent")
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
    process.send_signal(signal.SIGINT)
    stderr = process.communicate(timeout=10)[1]
    assert "unknown key 'sectoins'" in stderr  # the terminal says so too
    assert "keeping the last good pages" in stderr
