"""A small TCP fault proxy for HTTP/1.1 on loopback: what a lobby network does to the sync.

Between the client and the real server, each request gets one fault (or none):

- ``pass``: forwarded, the answer sent back;
- ``drop``: the connection is closed before anything is forwarded;
- ``stall``: nothing happens until ``stall_s`` passed (the client's read times out), then closed;
- ``500``, ``503`` (with Retry-After), ``429`` (with Retry-After): answered by the proxy itself;
- ``lost_ack``: forwarded, the server answers (it committed), and the answer is cut: the client
  hears nothing;
- ``401``: a 401 that is not the server's (an HTML page from a captive portal or a proxy).

Faults come from ``script`` (one-shot ``(substring of the request line, fault)`` rules, the first
match is used and removed) and otherwise are drawn from ``weights`` with a seeded RNG. ``counts`` says how many of each were injected. One thread per connection; keep-alive
connections are served request after request, each with its own fault.
"""

from __future__ import annotations

import random
import socket
import threading
from collections import Counter
from collections.abc import Mapping

FAULTS = ("pass", "drop", "stall", "500", "503", "429", "lost_ack", "401")


def _canned(status: int, reason: str, retry_after: float | None) -> bytes:
    if status == 401:
        body, kind = b"<html><body>Please log in to the lobby Wi-Fi</body></html>", "text/html"
    else:
        body = (b'{"error": {"code": "%s", "message": "injected by the fault proxy"}}'
                % (b"rate_limited" if status == 429 else b"unavailable" if status == 503 else b"internal"))
        kind = "application/json"
    head = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {kind}", f"Content-Length: {len(body)}"]
    if retry_after is not None:
        head.append(f"Retry-After: {retry_after:g}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def _read_message(sock: socket.socket, buf: bytearray) -> bytes | None:
    """One HTTP/1.1 message (head + Content-Length body) from ``sock``; None on EOF before a head."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf += chunk
    end = buf.index(b"\r\n\r\n") + 4
    head = bytes(buf[:end])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(buf) < end + length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf += chunk
    message = bytes(buf[: end + length])
    del buf[: end + length]
    return message


class FaultProxy:
    """``with FaultProxy(upstream_port, weights={...}) as proxy: proxy.url``."""

    def __init__(
        self,
        upstream_port: int,
        *,
        weights: Mapping[str, float] | None = None,
        seed: int = 0,
        stall_s: float = 10.0,
        retry_after_s: float = 1.0,
    ) -> None:
        unknown = set(weights or {}) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults {sorted(unknown)}")
        self.upstream_port = upstream_port
        self.weights = dict(weights or {"pass": 1.0})
        self.rng = random.Random(seed)
        self.stall_s = stall_s
        self.retry_after_s = retry_after_s
        self.script: list[tuple[str, str]] = []
        self.counts: Counter[str] = Counter()
        self.paths: list[tuple[str, str]] = []  # (request line, fault) in order
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set_weights(self, weights: Mapping[str, float]) -> None:
        with self._lock:
            self.weights = dict(weights)

    def _choose(self, request_line: str) -> str:
        with self._lock:
            rule = next((r for r in self.script if r[0] in request_line), None)
            if rule is not None:
                self.script.remove(rule)
                fault = rule[1]
            else:
                kinds = list(self.weights)
                fault = self.rng.choices(kinds, [self.weights[k] for k in kinds])[0]
            self.counts[fault] += 1
            self.paths.append((request_line, fault))
            return fault

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        buf = bytearray()
        try:
            while not self._closing.is_set():
                request = _read_message(client, buf)
                if request is None:
                    return
                line = request.split(b"\r\n", 1)[0].decode("latin-1")
                fault = self._choose(line)
                if fault == "drop":
                    return
                if fault == "stall":
                    self._closing.wait(self.stall_s)
                    return
                if fault in ("500", "503", "429", "401"):
                    reason = {"500": "Internal Server Error", "503": "Service Unavailable", "429": "Too Many Requests",
                              "401": "Unauthorized"}
                    wait = self.retry_after_s if fault in ("503", "429") else None
                    client.sendall(_canned(int(fault), reason[fault], wait))
                    continue
                answer = self._forward(request)
                if answer is None or fault == "lost_ack":
                    return  # the server may well have committed: the client never hears it
                client.sendall(answer)
        except OSError:
            return
        finally:
            client.close()

    def _forward(self, request: bytes) -> bytes | None:
        with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30) as up:
            up.sendall(request)
            return _read_message(up, bytearray())

    def close(self) -> None:
        self._closing.set()
        self._listener.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
