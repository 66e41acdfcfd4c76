"""PostgreSQL on the event loop: the check-in path's connections, driven by the loop, no thread hop.

The action path (``server.actions.ActionProcessor``) is plain synchronous code: it decides with the
shared rules between its round trips. On PostgreSQL it used to run on a database thread, and that
hop (a queue, a thread wake-up, the GIL handed back and forth at every round trip, a wake-up of
the loop for the answer) cost the server more CPU than the check-in's own work. Here it runs on
the event loop instead, in a greenlet (``PgLoop.run``): where it waits for PostgreSQL
(``LoopWire.exchange``) the greenlet hands a future to the loop and the loop serves other requests
until the answer is in. The code between round trips is the same code SQLite runs inline.

Connections (``LoopWire``) belong to the loop: each is a libpq connection in non-blocking mode
whose socket the loop watches for as long as it is open (one reader, registered once), so a round
trip is one ``send`` and, when the answer arrives, one ``recv`` and the future's result. A
transaction (``PgLoop.transaction``) takes a connection from the worker's own set (at most
``size``; a request beyond that waits for one), sends BEGIN with its reads and its writes with the
COMMIT (``server.queries.Raw.postgres``), and gives the connection back. A connection idle for
``PING_IDLE_S`` is pinged before use; a broken one (a database restart, a failed rollback, a
round trip abandoned mid-way) is closed and replaced.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from greenlet import getcurrent, greenlet
from sqlalchemy import Engine, event

from server.ledger import RevisionedProgress
from server.queries import PgWire, Raw

log = logging.getLogger(__name__)

T = TypeVar("T")

# A connection idle for this long is pinged (an empty query) before a transaction uses it.
PING_IDLE_S = 1.0
_IDLE = 0  # libpq PQTRANS_IDLE
_CONN_OK = 0  # libpq CONNECTION_OK


class _LoopGreenlet(greenlet):  # type: ignore[misc]
    """A greenlet started by ``PgLoop.run``: the only kind ``suspend`` may leave."""


def suspend(awaitable: Any) -> Any:
    """Inside ``PgLoop.run``: wait for ``awaitable`` on the event loop and return its result
    (raise its error). The loop serves other requests meanwhile."""
    current = getcurrent()
    if not isinstance(current, _LoopGreenlet):
        if asyncio.iscoroutine(awaitable):
            awaitable.close()
        raise RuntimeError("PostgreSQL loop connection used outside PgLoop.run")
    return current.parent.switch(awaitable)


async def run_in_greenlet(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` on this event loop, in a greenlet whose ``suspend`` calls are awaited here."""
    here = getcurrent()
    child = _LoopGreenlet(fn, here)
    child.gr_context = here.gr_context  # the task's context variables
    request = child.switch(*args)
    while not child.dead:
        try:
            value = await request
        except BaseException as err:
            request = child.throw(err)
        else:
            request = child.switch(value)
    return request  # type: ignore[no-any-return]


class LoopWire(PgWire):
    """A ``PgWire`` whose round trips are awaited on the event loop (see the module docstring).

    ``exchange`` (inside ``PgLoop.run``) sends one simple-protocol message and suspends the
    greenlet until libpq has every result of it. The socket's reader stays registered while the
    connection is open: an answer, or the server closing the connection while it is idle, is read
    as soon as it arrives."""

    __slots__ = ("fairy", "fd", "idle_since", "loop", "pending", "results", "writing")

    def __init__(self, fairy: Any, driver: Any, loop: asyncio.AbstractEventLoop) -> None:
        driver.autocommit = True
        super().__init__(driver)
        self.fairy = fairy
        self.loop = loop
        self.pgconn.nonblocking = 1
        self.fd: int = self.pgconn.socket
        self.pending: asyncio.Future[list[Any]] | None = None
        self.results: list[Any] = []
        self.writing = False
        self.idle_since = time.monotonic()
        loop.add_reader(self.fd, self._readable)

    @property
    def usable(self) -> bool:
        return self.fd >= 0 and self.pending is None and self.pgconn.status == _CONN_OK

    def exchange(self, sql: str) -> list[Any]:
        return self.checked(suspend(self.send(sql)))

    def send(self, sql: str) -> asyncio.Future[list[Any]]:
        """Send ``sql``; the future gets all its results (libpq ``PGresult``s, errors included)."""
        if self.pending is not None or self.fd < 0:
            raise RuntimeError("PostgreSQL loop connection busy or closed")
        pgconn = self.pgconn
        pgconn.send_query(sql.encode(self.encoding))
        if pgconn.flush():  # the socket's buffer is full: the rest goes out when it is writable
            self.writing = True
            self.loop.add_writer(self.fd, self._writable)
        future = self.loop.create_future()
        self.pending = future
        return future

    def _writable(self) -> None:
        try:
            done = self.pgconn.flush() == 0
        except Exception as err:
            self._fail(err)
            return
        if done:
            self.writing = False
            self.loop.remove_writer(self.fd)

    def _readable(self) -> None:
        pgconn = self.pgconn
        try:
            pgconn.consume_input()
        except Exception as err:
            self._fail(err)
            return
        future = self.pending
        if future is None:  # nothing asked: the server closed the connection, or a notice
            if pgconn.status != _CONN_OK:
                self._fail(None)
            return
        results = self.results
        while not pgconn.is_busy():
            res = pgconn.get_result()
            if res is None:  # the message's last result
                self.results = []
                self.pending = None
                if not future.done():  # (cancelled: its greenlet closes this connection)
                    future.set_result(results)
                return
            results.append(res)

    def _fail(self, err: BaseException | None) -> None:
        """The connection is unusable: stop watching it; a waiting round trip gets ``err``."""
        future, self.pending = self.pending, None
        self.stop()
        if future is not None and not future.done():
            from psycopg import OperationalError

            future.set_exception(err if err is not None else OperationalError("the server closed the connection"))

    def stop(self) -> None:
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            if self.loop.is_closed():  # (closed at the engine's disposal, after its loop ended)
                return
            self.loop.remove_reader(fd)
            if self.writing:
                self.loop.remove_writer(fd)

    def close(self) -> None:
        self.stop()
        try:
            self.fairy.close()  # detached from the pool: closes the driver connection
        except Exception:
            log.debug("closing a loop PostgreSQL connection failed", exc_info=True)


class PgLoop:
    """The worker's PostgreSQL connections for the action path, owned by its event loop.

    ``run(fn, ...)`` runs blocking-style database code on the loop (``run_in_greenlet``); inside it,
    ``transaction()`` is the action path's transaction factory (``server.db.TxFactory``). At most
    ``size`` connections, opened on demand (a connect runs on a thread: it happens once per
    connection), detached from the engine's pool (same URL, connect arguments and events). They
    share the worker's progress cache (``RevisionedProgress``). All are closed at the end of the
    app's lifespan (``AppContext.close``) or when the engine is disposed."""

    def __init__(self, engine: Engine, size: int) -> None:
        if size < 1:
            raise ValueError("PgLoop needs at least one connection")
        self.engine = engine
        self.size = size
        self.progress = RevisionedProgress()
        self._free: list[LoopWire] = []
        self._count = 0  # open or opening
        self._waiters: collections.deque[asyncio.Future[LoopWire | None]] = collections.deque()
        self._all: set[LoopWire] = set()
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        return await run_in_greenlet(fn, *args)

    # ---- connections ---------------------------------------------------------------------

    def _take(self) -> LoopWire | None:
        """A free connection that needs no ping, without waiting (None: ``_acquire`` must wait)."""
        free = self._free
        while free:
            wire = free.pop()
            if not wire.usable:
                self._forget(wire)
                continue
            if time.monotonic() - wire.idle_since < PING_IDLE_S:
                return wire
            free.append(wire)
            return None
        return None

    async def _acquire(self) -> LoopWire:
        while True:
            if self._free:
                wire = self._free.pop()
                if wire.usable and (time.monotonic() - wire.idle_since < PING_IDLE_S or await self._alive(wire)):
                    return wire
                self._forget(wire)
                continue
            if self._count < self.size:
                self._count += 1
                try:
                    return await self._open()
                except BaseException:
                    self._count -= 1
                    raise
            waiter: asyncio.Future[LoopWire | None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            handed = await waiter
            if handed is not None:
                return handed  # handed over straight from a release (in use a moment ago)

    async def _open(self) -> LoopWire:
        loop = asyncio.get_running_loop()

        def connect() -> tuple[Any, Any]:
            fairy = self.engine.raw_connection()
            driver = fairy.driver_connection
            fairy.detach()  # ours from now on: the pool neither counts it nor hands it out
            return fairy, driver

        fairy, driver = await loop.run_in_executor(None, connect)
        wire = LoopWire(fairy, driver, loop)
        self._all.add(wire)
        return wire

    @staticmethod
    async def _alive(wire: LoopWire) -> bool:
        try:
            wire.checked(await wire.send(""))  # an empty query: one round trip, nothing run
            return True
        except Exception:
            log.info("idle PostgreSQL loop connection broken; replacing it", exc_info=True)
            return False

    def _release(self, wire: LoopWire) -> None:
        wire.idle_since = time.monotonic()
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(wire)
                return
        self._free.append(wire)

    def _forget(self, wire: LoopWire) -> None:
        """Close ``wire`` (broken or in an unknown state); a waiter may open another in its place."""
        wire.close()
        if wire in self._all:
            self._all.discard(wire)
            self._count -= 1
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # it tries again: there is room for a new connection
                return

    # ---- transactions (inside ``run``) ---------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Raw]:
        """One action's transaction on a loop connection, as a ``Raw`` (two round trips: BEGIN with
        the reads, the writes with COMMIT). Rolled back on any error; the progress cache gets the
        transaction's entries only once it committed."""
        wire = self._take() or suspend(self._acquire())
        raw = Raw.postgres(wire, self.progress)
        try:
            yield raw
            raw.flush()
            if raw.remembered:
                self.progress.put(raw.remembered)
        except BaseException:
            self.progress.drop(list(raw.revs))
            if not self._rolled_back(wire):
                self._forget(wire)
                wire = None  # type: ignore[assignment]
            raise
        finally:
            if wire is not None:
                self._release(wire)

    @staticmethod
    def _rolled_back(wire: LoopWire) -> bool:
        """ROLLBACK if a transaction is open; False when the connection's state is unknown (a round
        trip abandoned mid-way, a broken connection), so it must not be used again."""
        if not wire.usable:
            return False
        if wire.pgconn.transaction_status == _IDLE:
            return True
        try:
            wire.exchange("ROLLBACK")
        except Exception:
            log.info("rollback on a PostgreSQL loop connection failed; closing it", exc_info=True)
            return False
        return wire.pgconn.transaction_status == _IDLE

    def close(self) -> None:
        """Close every connection (on the loop, after the server stopped taking requests)."""
        self.progress.clear()
        for wire in list(self._all):
            wire.close()
        self._all.clear()
        self._free.clear()
        self._count = 0
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.cancel()
