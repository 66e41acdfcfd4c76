"""uvicorn's httptools protocol with one socket write per response instead of two, and JSON
for the requests its parser refuses.

uvicorn writes a response's status line and headers, then its body, as two ``transport.write``
calls; on an idle socket each is its own ``send()`` system call and its own TCP segment. On
loopback the kernel charges the whole delivery (and the wake-up of the reader) to the sender, so
the second write cost ~10 % of the server's CPU per check-in. ``CoalescingTransport`` buffers the
writes made in one turn of the event loop and sends them as one: a response's head and body
are written in the same task step (``starlette.responses.Response.__call__``), and the protocol
looks at ``is_closing()`` when the response completes, which flushes it at once.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

try:
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
except ImportError:  # httptools missing (the client's embedded server): uvicorn picks its default
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

# What a request the HTTP parser refuses (a bad Content-Length, a malformed request line) gets:
# the API's one error shape instead of uvicorn's plain-text 400.
MALFORMED_BODY = json.dumps(
    {"error": {"code": "bad_request", "message": "malformed HTTP request (e.g. an invalid Content-Length)"}}
).encode()


class CoalescingTransport:
    """Wraps a transport: ``write``s are joined until the end of the loop turn, or until anything
    else is asked of the transport (close, is_closing, pause_reading, ...), which sees every byte
    written before it. Writes keep their order."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] | None = None

    def write(self, data: bytes) -> None:
        if self._pending is None:
            self._pending = [data]
            self._loop.call_soon(self.flush)
        else:
            self._pending.append(data)

    def flush(self) -> None:
        pending, self._pending = self._pending, None
        if pending:
            self._transport.write(pending[0] if len(pending) == 1 else b"".join(pending))

    def is_closing(self) -> bool:
        self.flush()
        return self._transport.is_closing()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        self.flush()
        return getattr(self._transport, name)


if HttpToolsProtocol is not None:

    class CoalescingHttpToolsProtocol(HttpToolsProtocol):  # type: ignore[misc,valid-type]
        """``HttpToolsProtocol`` over a ``CoalescingTransport`` (pass as ``uvicorn.run(http=...)``)."""

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]

        def send_400_response(self, msg: str) -> None:
            """The parser refused the request: a JSON 400 in the API's error shape, then close."""
            content = [STATUS_LINE[400]]
            for name, value in self.server_state.default_headers:
                content.extend([name, b": ", value, b"\r\n"])
            content.extend(
                [
                    b"content-type: application/json\r\n",
                    b"content-length: " + str(len(MALFORMED_BODY)).encode("ascii") + b"\r\n",
                    b"connection: close\r\n",
                    b"\r\n",
                    MALFORMED_BODY,
                ]
            )
            self.transport.write(b"".join(content))
            self.transport.close()


def http_protocol() -> Any:
    """The ``http`` option for uvicorn: the coalescing protocol when httptools is installed, else "auto"."""
    return CoalescingHttpToolsProtocol if HttpToolsProtocol is not None else "auto"
