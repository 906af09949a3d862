"""A local SMTP server for benchmarks that accepts every message at the speed of the socket.

aiosmtpd (the tests' server) reads a message's body one line at a time: about 35 ms for a 220 KB
message on the benchmark machine, which would time aiosmtpd rather than deckgen. A production mail
server (Postfix, Exim, a relay) reads in blocks; so does this sink: it speaks enough ESMTP for
smtplib (EHLO with SIZE and PIPELINING, MAIL, RCPT, DATA, RSET, NOOP, QUIT), reads DATA in 64 KB
blocks up to the final ``CRLF.CRLF`` and counts what it accepted. Nothing is stored.

    with SmtpSink() as sink:
        ... send to 127.0.0.1:sink.port ...
        print(sink.messages, sink.bytes)
"""

from __future__ import annotations

import asyncio
import threading


class SmtpSink:
    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.port = 0
        self.messages = 0
        self.bytes = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server = None
        self._thread: threading.Thread | None = None

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 sink ESMTP\r\n")
        try:
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    writer.write(b"250-sink\r\n250-SIZE 104857600\r\n250-8BITMIME\r\n250 PIPELINING\r\n")
                elif verb == b"DATA":
                    writer.write(b"354 end with <CRLF>.<CRLF>\r\n")
                    await writer.drain()
                    size, tail = 0, b""
                    while True:
                        block = await reader.read(65536)
                        if not block:
                            return
                        size += len(block)
                        tail = (tail + block)[-5:]
                        if tail == b"\r\n.\r\n":
                            break
                    self.messages += 1
                    self.bytes += size
                    writer.write(b"250 2.0.0 accepted\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                    return
                else:  # MAIL, RCPT, RSET, NOOP
                    writer.write(b"250 ok\r\n")
                await writer.drain()
        finally:
            writer.close()

    def __enter__(self) -> "SmtpSink":
        started = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._server = self._loop.run_until_complete(asyncio.start_server(self._session, self.host, 0))
            self.port = self._server.sockets[0].getsockname()[1]
            started.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        started.wait(10)
        return self

    def __exit__(self, *exc_info) -> None:
        assert self._loop is not None and self._server is not None
        self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
