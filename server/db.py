"""Engine construction (SQLite pragmas, PostgreSQL pool), transactions and lock-safe migrations."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from server.queries import Raw
from server.settings import Settings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Arbitrary constant key for pg_advisory_xact_lock, shared by every worker.
MIGRATION_LOCK_KEY = 0x43_54_48_31  # "CTH1"
_WRITE_LOCK = "_ct_sqlite_write_lock"
_HOT_WRITER = "_ct_sqlite_hot_writer"


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
    return create_engine(
        url, pool_size=settings.pool_size, max_overflow=settings.pool_size, pool_pre_ping=True
    )


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


def _install_sqlite_hooks(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        _configure_sqlite(dbapi_conn, busy_timeout_ms)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("write") else "DEFERRED"
        conn.connection.driver_connection.execute(f"BEGIN {mode}")  # type: ignore[union-attr]


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A short write transaction (BEGIN IMMEDIATE on SQLite, so writers queue instead of deadlocking)."""
    lock: threading.Lock | None = getattr(engine, _WRITE_LOCK, None)
    with lock if lock is not None else nullcontext(), engine.connect() as conn:
        conn.execution_options(write=True)
        with conn.begin():
            yield conn


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
    """SQLite: one driver connection, outside the pool, for the action path's write transactions.

    It is used only under the engine's write lock, so one connection serves every writer of the
    process. Checking a pooled connection out and in through SQLAlchemy, with its begin and
    commit events, cost more CPU than the check-in's own statements. Its commits never run a WAL
    checkpoint: a ``_Checkpointer`` thread does. Both are closed when the engine is disposed.
    """

    def __init__(self, engine: Engine, busy_timeout_ms: int) -> None:
        self.path = str(engine.url.database)
        self.busy_timeout_ms = busy_timeout_ms
        self.conn: sqlite3.Connection | None = None
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
        return self.conn

    def close(self) -> None:
        self.checkpointer.stop()
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@contextmanager
def raw_write_tx(engine: Engine) -> Iterator[Raw]:
    """A write transaction for the hot path, as a ``Raw`` driver cursor.

    SQLite: BEGIN IMMEDIATE on the process's hot-writer connection, under the write lock.
    PostgreSQL: a pooled SQLAlchemy connection and transaction (``write_tx``).
    """
    hot: _HotWriter | None = getattr(engine, _HOT_WRITER, None)
    if hot is None:
        with write_tx(engine) as conn:
            yield Raw(conn)
        return
    with getattr(engine, _WRITE_LOCK):
        conn = hot.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield Raw.sqlite(conn)
            conn.commit()
        except BaseException:
            try:
                if conn.in_transaction:
                    conn.rollback()
            except sqlite3.Error:
                hot.close()  # unusable: the next transaction opens a fresh connection
            raise


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
