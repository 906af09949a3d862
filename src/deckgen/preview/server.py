"""``deckgen preview --watch``: the brief's pages on http://127.0.0.1:PORT/, rebuilt and reloaded on every change.

The page long-polls ``/state``; when a rebuild finishes (good or bad) the request returns and the
page reloads itself. A failed rebuild shows its problems above the last good pages. Served on the
loopback interface only, with the standard library's threading HTTP server.
"""

from __future__ import annotations

import errno
import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from ..errors import UsageError
from .live import LiveBrief, Snapshot

HOST = "127.0.0.1"
LONG_POLL_SECONDS = 20.0

_STYLE = """
body { margin: 0; background: #e9ecef; font: 14px/1.4 system-ui, sans-serif; color: #1b1f24; }
header { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #c9d1db; padding: .6em 1.2em; z-index: 1; }
header h1 { font-size: 1.1em; margin: 0; }
.status { margin: .2em 0 0; color: #5c677d; }
.problems { background: #fdecee; border-left: 4px solid #b23a48; margin: 1em auto; max-width: 60em; padding: .6em 1em; }
.problems h2 { font-size: 1em; margin: 0 0 .4em; color: #b23a48; }
.problems pre, details pre { white-space: pre-wrap; margin: 0; font: 12px/1.4 ui-monospace, monospace; }
main { display: flex; flex-direction: column; align-items: center; gap: 1.2em; padding: 1.2em; }
figure { margin: 0; }
figure img { display: block; max-width: min(100%, 900px); height: auto; background: #fff; box-shadow: 0 1px 4px rgba(0,0,0,.2); }
figcaption { color: #5c677d; font-size: .85em; margin-top: .3em; }
details { max-width: 900px; color: #5c677d; font-size: .85em; }
"""

_SCRIPT = """
(async function follow() {
  const seen = document.body.dataset.generation;
  for (;;) {
    try {
      const reply = await fetch('/state?since=' + seen, {cache: 'no-store'});
      const state = await reply.json();
      if (String(state.generation) !== seen) { location.reload(); return; }
    } catch (error) {
      await new Promise(resolve => setTimeout(resolve, 1000));  // the server restarts or is gone: try again
    }
  }
})();
"""


def page_html(snapshot: Snapshot, spec_name: str) -> str:
    """The preview page: title, status, the problems of a failed rebuild, then every page image."""
    title = html.escape(snapshot.title or spec_name)
    if snapshot.pdf is None:
        status = "building…" if not snapshot.problems else "no pages yet: fix the problems below"
    else:
        status = f"{snapshot.pages} page(s), built in {snapshot.duration:.2f} s · <a href=\"/brief.pdf\">PDF</a>"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title} · deckgen preview</title><style>{_STYLE}</style></head>",
        f'<body data-generation="{snapshot.generation}">',
        f'<header><h1>{title}</h1><p class="status">{html.escape(spec_name)} · {status}</p></header>',
    ]
    if snapshot.problems:
        failed = not snapshot.ok
        heading = ("The last change did not build" + ("; showing the last good pages" if snapshot.pdf else "")
                   if failed else "Warnings")
        lines = "\n".join(html.escape(problem.render()) for problem in snapshot.problems)
        parts.append(f'<section class="problems" role="alert" id="problems"><h2>{heading}</h2><pre>{lines}</pre></section>')
    parts.append("<main>")
    for number, text in enumerate(snapshot.page_texts, start=1):
        parts.append(
            f'<figure id="page-{number}"><img src="/page-{number}.png?build={snapshot.built_generation}" '
            f'alt="Page {number}" width="595"><figcaption>Page {number} of {snapshot.pages}</figcaption>'
            f"<details><summary>Text of page {number}</summary><pre>{html.escape(text)}</pre></details></figure>"
        )
    parts.append(f"</main><script>{_SCRIPT}</script></body></html>")
    return "\n".join(parts)


def state_json(snapshot: Snapshot) -> dict:
    return {
        "generation": snapshot.generation, "ok": snapshot.ok, "pages": snapshot.pages, "title": snapshot.title,
        "duration": round(snapshot.duration, 4), "problems": [problem.as_json() for problem in snapshot.problems],
    }


def _handler(brief: LiveBrief):
    spec_name = brief.spec.name

    class Handler(BaseHTTPRequestHandler):
        server_version = "deckgen-preview"

        def log_message(self, format, *args):  # noqa: A002 - the standard library's name
            pass  # requests are not news; rebuilds and problems are reported by LiveBrief

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self) -> None:  # noqa: N802
            self.do_GET()

        def do_GET(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            try:
                if url.path in ("/", "/index.html"):
                    self._send(200, page_html(brief.snapshot, spec_name).encode(), "text/html; charset=utf-8")
                elif url.path == "/state":
                    since = parse_qs(url.query).get("since", [None])[0]
                    snapshot = brief.snapshot
                    if since is not None and since.lstrip("-").isdigit():
                        snapshot = brief.wait_for_change(int(since), LONG_POLL_SECONDS)
                    self._send(200, json.dumps(state_json(snapshot)).encode(), "application/json")
                elif url.path.startswith("/page-") and url.path.endswith(".png") and url.path[6:-4].isdigit():
                    png = brief.page_png(int(url.path[6:-4]))
                    if png is None:
                        self._send(404, b"no such page", "text/plain")
                    else:
                        self._send(200, png, "image/png")
                elif url.path == "/brief.pdf" and brief.snapshot.pdf is not None:
                    self._send(200, brief.snapshot.pdf, "application/pdf")
                else:
                    self._send(404, b"not found", "text/plain")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the browser went away (a reload): nothing to answer

    return Handler


def serve(spec: Path | str, *, port: int = 8765, scale: float = 1.5, on_ready: Callable[[str], None] = print,
          on_event: Callable[[str, bool], None] = lambda line, problem: None, **options) -> int:
    """Build ``spec``, serve it on 127.0.0.1:``port`` (0: any free port), rebuild on every change of its
    inputs, until interrupted (Ctrl-C). ``on_ready`` gets the URL once the first build is done; ``on_event``
    gets each rebuild's outcome and problems (``problem=True`` for those). ``options`` are ``check``'s."""
    brief = LiveBrief(Path(spec), options, scale, on_event)
    try:
        server = ThreadingHTTPServer((HOST, port), _handler(brief))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on {HOST} is in use; pass --port N (0 picks a free one)") from None
        raise
    server.daemon_threads = True
    stop = threading.Event()
    watcher = threading.Thread(target=brief.watch, args=(stop,), name="deckgen-watch", daemon=True)
    try:
        brief.rebuild()
        watcher.start()
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="deckgen-http", daemon=True).start()
        on_ready(f"http://{HOST}:{server.server_address[1]}/")
        stop.wait()  # until Ctrl-C
    except KeyboardInterrupt:
        on_event("stopped", False)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        if watcher.is_alive():
            watcher.join(timeout=2)
    return 0
