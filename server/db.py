"""Engine construction (SQLite pragmas, PostgreSQL pool), transactions and lock-safe migrations."""

from __future__ import annotations

import logging
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

from server.settings import Settings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Arbitrary constant key for pg_advisory_xact_lock, shared by every worker.
MIGRATION_LOCK_KEY = 0x43_54_48_31  # "CTH1"
_WRITE_LOCK = "_ct_sqlite_write_lock"


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
        return engine
    return create_engine(
        url, pool_size=settings.pool_size, max_overflow=settings.pool_size, pool_pre_ping=True
    )


def _install_sqlite_hooks(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver must not BEGIN on its own; see _on_begin
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        # Read pages through a memory map instead of one read() syscall each.
        cur.execute("PRAGMA mmap_size=268435456")
        cur.close()

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
