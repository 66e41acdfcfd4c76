"""Engine construction (SQLite pragmas, PostgreSQL pool), transactions and lock-safe migrations."""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.pool import StaticPool

from server.ledger import ProgressCache
from server.queries import Raw
from server.settings import Settings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Arbitrary constant key for pg_advisory_xact_lock, shared by every worker.
MIGRATION_LOCK_KEY = 0x43_54_48_31  # "CTH1"
_WRITE_LOCK = "_ct_sqlite_write_lock"
_HOT_WRITER = "_ct_sqlite_hot_writer"
T = TypeVar("T")


def make_engine(settings: Settings) -> Engine:
    """An engine for ``settings.db_url``; SQLite gets WAL, busy_timeout, foreign keys and explicit BEGIN."""
    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": settings.sqlite_busy_timeout_ms / 1000},
            pool_size=max(settings.pool_size, 5),
            max_overflow=20,
            # LIFO: the hot path (inline on the event loop) keeps reusing one connection, whose page
            # cache then stays valid between its own transactions (FIFO rotates through the pool and
            # every connection re-reads pages another one changed).
            pool_use_lifo=True,
            hide_parameters=True,  # database errors never carry their parameters (codes, tokens) into logs
        )
        _install_sqlite_hooks(engine, settings.sqlite_busy_timeout_ms)
        # SQLite has one writer at a time. Queue this process's writers on a lock instead of letting
        # them spin in SQLite's busy handler (which sleeps in growing steps and wrecks p99); the
        # busy_timeout still arbitrates between processes (several workers, CLI).
        setattr(engine, _WRITE_LOCK, threading.Lock())
        if url.database and url.database != ":memory:" and not url.query:
            # A plain database file: a second connection to it sees the same data (not so for
            # :memory: or URI-style options, which keep to SQLAlchemy's pool).
            setattr(engine, _HOT_WRITER, _HotWriter(engine, settings.sqlite_busy_timeout_ms))
        return engine
    engine = create_engine(url, pool_size=settings.pool_size, max_overflow=settings.pool_size, hide_parameters=True)
    _install_idle_ping(engine)
    return engine


# A pooled PostgreSQL connection idle for this long is pinged before use (see _install_idle_ping).
PING_IDLE_S = 1.0
_IDLE_SINCE = "ct_idle_since"


def _install_idle_ping(engine: Engine) -> None:
    """Ping pooled connections that sat idle for ``PING_IDLE_S`` or more before handing them out.

    ``pool_pre_ping`` pings on every checkout: under load that was one more round trip per check-in,
    for connections that had answered a moment before. A connection broken while idle (a server
    restart, a firewall timeout) is still caught here, before a request uses it: SQLAlchemy replaces
    it on ``DisconnectionError``.
    """

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _mark_idle(_dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is not None and time.monotonic() - since < PING_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as err:
            if engine.dialect.is_disconnect(err, dbapi_conn, None):  # type: ignore[arg-type]
                raise DisconnectionError() from err
            raise


def _configure_sqlite(dbapi_conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
    dbapi_conn.isolation_level = None  # the driver must not BEGIN on its own; see _on_begin
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL syncs at checkpoints, not at every commit: a committed transaction survives
    # an application crash, but the last commits before a power loss or OS crash may roll back
    # (the database stays consistent). See docs/deploy.md.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cur.execute("PRAGMA foreign_keys=ON")
    # Read pages through a memory map instead of one read() syscall each.
    cur.execute("PRAGMA mmap_size=268435456")
    cur.close()


def _on_begin(conn: Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get("write") else "DEFERRED"
    conn.connection.driver_connection.execute(f"BEGIN {mode}")  # type: ignore[union-attr]


def _install_sqlite_hooks(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        _configure_sqlite(dbapi_conn, busy_timeout_ms)

    event.listen(engine, "begin", _on_begin)


@contextmanager
def write_tx(engine: Engine, *, touches_ledger: bool = True) -> Iterator[Connection]:
    """A short write transaction (BEGIN IMMEDIATE on SQLite, so writers queue instead of deadlocking).

    SQLite with a hot writer: on that same connection (see ``_HotWriter``), so that this process's
    own writes never look foreign to its progress cache. Pass ``touches_ledger=False`` only when
    the transaction writes no ledger table (grants, checkins, owned, tasks_done, shares); otherwise
    the cache is cleared after it.
    """
    lock: threading.Lock | None = getattr(engine, _WRITE_LOCK, None)
    hot: _HotWriter | None = getattr(engine, _HOT_WRITER, None)
    with lock if lock is not None else nullcontext():
        if hot is None:
            with engine.connect() as conn:
                conn.execution_options(write=True)
                with conn.begin():
                    yield conn
            return
        try:
            with hot.engine().connect() as conn:
                conn.execution_options(write=True)
                with conn.begin():
                    hot.check_foreign_writes()
                    yield conn
        finally:
            if touches_ledger:
                hot.progress.clear()


class _Checkpointer:
    """Copies the WAL back into the database file from a background thread.

    SQLite's automatic checkpoint runs inside the commit that crosses 1000 WAL pages: on the hot
    path that commit runs on the event loop, so every ~200 check-ins all requests stalled for the
    checkpoint's writes and fsync (10-50 ms on a busy machine). Here a PASSIVE checkpoint (it never
    waits for readers or writers) runs every ``interval_s`` on its own connection; the sqlite3 module
    releases the GIL while SQLite works, so the loop keeps serving.

    A checkpoint that runs while writers append never catches up with them, and SQLite only starts
    the WAL over after a complete one: under steady load the WAL would grow without bound. So when
    ``restart_frames`` or more remain after a pass, one more pass runs holding this process's write
    lock (writers wait for the few frames appended since, not for the bulk), which completes it.
    """

    def __init__(self, path: str, lock: threading.Lock, interval_s: float = 0.5, restart_frames: int = 4000) -> None:
        self.path = path
        self.lock = lock
        self.interval_s = interval_s
        self.restart_frames = restart_frames
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last: tuple[int, int, int] | None = None  # (busy, WAL frames, frames checkpointed)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if not self.running:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="sqlite-wal-checkpoint", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            while not self._stop.wait(self.interval_s):
                try:
                    self.last = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    if self.last is not None and self.last[1] >= self.restart_frames:
                        with self.lock:
                            self.last = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error:
                    log.warning("WAL checkpoint failed; retrying", exc_info=True)
        finally:
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


class _HotWriter:
    """SQLite: one driver connection, outside the pool, for every write transaction of the process.

    It is used only under the engine's write lock, so one connection serves every writer of the
    process. The action path uses it bare (``raw_write_tx``, ``GroupCommit``): checking a pooled
    connection out and in through SQLAlchemy, with its begin and commit events, cost more CPU than
    the check-in's own statements. Other writers (``write_tx``) reach it through a one-connection
    SQLAlchemy engine. Its commits never run a WAL checkpoint: a ``_Checkpointer`` thread does.
    Both are closed when the engine is disposed.

    It keeps the committed progress of recent players (``progress``). Because every write of this
    process goes through this one connection, SQLite's ``PRAGMA data_version`` on it changes only
    when another connection (another worker process, the CLI, the pool during migrations)
    committed: then the cache is cleared, at the start of the next write transaction, which holds
    the write lock so nothing else can commit until it ends.
    """

    def __init__(self, engine: Engine, busy_timeout_ms: int) -> None:
        self.path = str(engine.url.database)
        self.busy_timeout_ms = busy_timeout_ms
        self.conn: sqlite3.Connection | None = None
        self.cursor: sqlite3.Cursor | None = None
        self.progress = ProgressCache()
        self.data_version: int | None = None
        self._engine: Engine | None = None
        self.checkpointer = _Checkpointer(self.path, getattr(engine, _WRITE_LOCK))
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def connection(self) -> sqlite3.Connection:
        if self.conn is None:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000, check_same_thread=False)
            _configure_sqlite(conn, self.busy_timeout_ms)
            conn.execute("PRAGMA wal_autocheckpoint=0")
            conn.execute(f"PRAGMA journal_size_limit={64 << 20}")  # a WAL that grew is cut back when it restarts
            self.checkpointer.start()
            self.conn = conn
            self.cursor = conn.cursor()  # one cursor for every transaction: it is used under the write lock
            self.data_version = None  # a new connection: nothing known about its history
        return self.conn

    def engine(self) -> Engine:
        """A SQLAlchemy engine whose one connection is this writer's (for ``write_tx``)."""
        if self._engine is None:
            self._engine = create_engine("sqlite://", creator=self.connection, poolclass=StaticPool)
            event.listen(self._engine, "begin", _on_begin)
        return self._engine

    def begin(self) -> sqlite3.Connection:
        """BEGIN IMMEDIATE on the writer's connection, then ``check_foreign_writes``."""
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            self.check_foreign_writes()
        except BaseException:
            _rollback(self, conn)
            raise
        return conn

    def check_foreign_writes(self) -> None:
        """Inside a write transaction: clear the progress cache if another connection committed
        since this one last looked (``data_version`` never changes for a connection's own commits)."""
        assert self.conn is not None
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self.data_version:
            self.progress.clear()
            self.data_version = version

    def rolled_back(self, touched: list[str]) -> None:
        """The transaction that cached ``touched`` players' progress did not commit."""
        self.progress.drop(touched)

    def close(self) -> None:
        self.checkpointer.stop()
        self.progress.clear()
        if self._engine is not None:
            self._engine.dispose()  # closes the shared connection
            self._engine = None
        if self.conn is not None:
            self.conn.close()
            self.conn = None
            self.cursor = None


@contextmanager
def raw_write_tx(engine: Engine) -> Iterator[Raw]:
    """A write transaction for the hot path, as a ``Raw`` driver cursor.

    SQLite: BEGIN IMMEDIATE on the process's hot-writer connection, under the write lock.
    Otherwise a pooled SQLAlchemy connection and transaction (``write_tx``); the PostgreSQL action
    path has its own transactions on the event loop (``server.pgloop.PgLoop.transaction``).
    """
    hot: _HotWriter | None = getattr(engine, _HOT_WRITER, None)
    if hot is None:
        with write_tx(engine) as conn:
            yield Raw(conn)
        return
    with getattr(engine, _WRITE_LOCK):
        conn = hot.begin()
        raw = Raw.sqlite(hot.cursor, hot.progress)
        try:
            yield raw
            conn.commit()
        except BaseException:
            hot.rolled_back(raw.touched)
            _rollback(hot, conn)
            raise


class DbThreads:
    """Threads for blocking database work, awaited from the event loop (PostgreSQL's ``run_db``).

    One ``SimpleQueue`` of (loop, future, call) items; a thread runs the call and hands the outcome
    back with ``call_soon_threadsafe``. ``loop.run_in_executor`` does the same through a
    ``ThreadPoolExecutor`` (its submit lock, idle semaphore and work item) and a concurrent future
    chained to an asyncio one, about twice the Python work per hop, and a check-in takes one hop.
    Threads start on first use, all at once. The call runs to its end even if its awaiter was
    cancelled meanwhile (its outcome is then dropped). ``close`` lets queued calls finish first.
    """

    def __init__(self, count: int, name: str = "db") -> None:
        self.count = count
        self.name = name
        self._queue: queue.SimpleQueue[tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Callable[[], Any]] | None]
        self._queue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def _start(self) -> None:
        with self._lock:
            while len(self._threads) < self.count:
                thread = threading.Thread(target=self._work, name=f"{self.name}-{len(self._threads)}", daemon=True)
                thread.start()
                self._threads.append(thread)

    async def run(self, call: Callable[[], T]) -> T:
        if not self._threads:
            self._start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put((loop, future, call))
        return await future

    def _work(self) -> None:
        get = self._queue.get
        while True:
            item = get()
            if item is None:
                return
            loop, future, call = item
            try:
                result = call()
            except BaseException as err:  # handed to the awaiter, as run_in_executor does
                _hand_back(loop, future, None, err)
            else:
                _hand_back(loop, future, result, None)
            del item, future, call

    def close(self) -> None:
        """Stop the threads once the queued calls ran (after the server stopped taking requests)."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _thread in threads:
            self._queue.put(None)
        for thread in threads:
            thread.join()


def _hand_back(loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    with suppress(RuntimeError):  # the loop closed meanwhile: nobody is waiting any more
        loop.call_soon_threadsafe(_settle, future, result, error)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


def _rollback(hot: _HotWriter, conn: sqlite3.Connection) -> None:
    try:
        if conn.in_transaction:
            conn.rollback()
    except sqlite3.Error:
        hot.close()  # unusable: the next transaction opens a fresh connection


TxFactory = Callable[[], AbstractContextManager[Raw]]


def group_commit(engine: Engine) -> GroupCommit | None:
    """A ``GroupCommit`` for the engine's SQLite hot writer; None without one (PostgreSQL, :memory:)."""
    return GroupCommit(engine) if getattr(engine, _HOT_WRITER, None) is not None else None


class GroupCommit:
    """SQLite: the action-path writes of concurrent requests, committed together (group commit).

    A commit on the hot writer cost ~15 % of a check-in's CPU (BEGIN, COMMIT, and writing every
    touched page to the WAL; the checkpoint copies them again). Requests that reach their write
    work in the same turn of the event loop are queued; one callback then runs them all in one
    ``BEGIN IMMEDIATE`` … ``COMMIT``, each action inside its own SAVEPOINT (an action that fails
    rolls back alone, as its own transaction would have). No request is answered before the
    COMMIT: a failed COMMIT fails every request of the group, none of whose actions is then stored
    (they are idempotent by action_id, so the clients' retries apply them once).

    Runs on the event loop (``SERVER_DB_INLINE``, the SQLite default), like the work it batches.
    """

    def __init__(self, engine: Engine, max_batch: int = 128) -> None:
        hot: _HotWriter | None = getattr(engine, _HOT_WRITER, None)
        if hot is None:
            raise ValueError("group commit needs SQLite's hot writer (a plain database file)")
        self.hot = hot
        self.lock: threading.Lock = getattr(engine, _WRITE_LOCK)
        self.max_batch = max_batch
        self._queue: list[tuple[Callable[[TxFactory], Any], asyncio.Future[Any]]] = []
        self.batches = 0  # counters for tests and the benchmark
        self.items = 0

    async def run(self, work: Callable[[TxFactory], T]) -> T:
        """``work(tx)`` inside the next group; ``tx()`` opens one action's savepoint, as a ``Raw``."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.append((work, future))
        if len(self._queue) == 1:
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        queue, self._queue = self._queue, []
        while queue:
            batch, queue = queue[: self.max_batch], queue[self.max_batch :]
            self._commit(batch)

    def _commit(self, batch: list[tuple[Callable[[TxFactory], Any], asyncio.Future[Any]]]) -> None:
        done: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        touched: list[str] = []
        with self.lock:
            try:
                conn = self.hot.begin()
            except BaseException as err:
                _fail(batch, err)
                return
            savepoint = self._savepoints(conn, touched)
            try:
                for work, future in batch:
                    if future.done():  # cancelled: the client is gone; it will send the action again
                        continue
                    try:
                        done.append((future, work(savepoint), None))
                    except Exception as err:
                        done.append((future, None, err))
                conn.commit()
            except BaseException as err:
                self.hot.rolled_back(touched)
                _rollback(self.hot, conn)
                _fail(batch, err)
                return
        self.batches += 1
        self.items += len(done)
        for future, value, error in done:
            if future.done():
                continue
            if error is None:
                future.set_result(value)
            else:
                future.set_exception(error)

    def _savepoints(self, conn: sqlite3.Connection, touched: list[str]) -> TxFactory:
        cache, cursor = self.hot.progress, self.hot.cursor

        @contextmanager
        def savepoint() -> Iterator[Raw]:
            raw = Raw.sqlite(cursor, cache)
            conn.execute("SAVEPOINT action")
            try:
                yield raw
            except BaseException:
                self.hot.rolled_back(raw.touched)
                conn.execute("ROLLBACK TO action")
                conn.execute("RELEASE action")
                raise
            conn.execute("RELEASE action")
            touched.extend(raw.touched)

        return savepoint


def _fail(batch: list[tuple[Any, asyncio.Future[Any]]], err: BaseException) -> None:
    """Every request of a group whose transaction did not commit gets its error."""
    for _work, future in batch:
        if not future.done():
            future.set_exception(err)


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade(engine: Engine, after: Callable[[Connection], object] | None = None) -> None:
    """``alembic upgrade head`` under a lock, so several workers starting together migrate once.

    SQLite: the migration runs inside one BEGIN IMMEDIATE transaction (others wait on busy_timeout,
    then find the schema at head). PostgreSQL: a transaction-scoped advisory lock, and transactional DDL.
    ``after`` runs in the same locked transaction (seeding supply rows).
    """
    for attempt in range(1, 6):
        try:
            _upgrade_once(engine, after)
            break
        except OperationalError as err:
            # SQLite can answer "database is locked" at once (not after busy_timeout) while another
            # process switches a fresh file to WAL; the other side's migration then finishes first.
            if engine.dialect.name != "sqlite" or "locked" not in str(err) or attempt == 5:
                raise
            log.info("database locked during migration; retrying (%d)", attempt)
            time.sleep(0.2 * attempt)
    log.info("database at migration head")


def _upgrade_once(engine: Engine, after: Callable[[Connection], object] | None) -> None:
    cfg = alembic_config()
    lock: threading.Lock | None = getattr(engine, _WRITE_LOCK, None)
    with lock if lock is not None else nullcontext(), engine.connect() as conn:
        conn.execution_options(write=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            if after is not None:
                after(conn)


def ping(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        log.warning("database ping failed", exc_info=True)
        return False
