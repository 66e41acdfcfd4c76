"""Local progress on disk: one SQLite file holding players, their progress and the sync outbox.

Every change is one transaction (WAL, synchronous=FULL), so a killed process loses nothing that
the player saw confirmed. Only a file that is really damaged (SQLite says corrupt or not a
database, or ``PRAGMA quick_check`` fails) or is not a database of ours is moved aside
(``recovered_from`` says where) and a fresh one takes its place. A database another process holds
locked, a read-only file or data folder, and a second copy of the game on the same data folder
(``progress.db.lock``) are reported as ``StoreUnavailable`` with one line for the user; nothing is
moved. Once open, a write the database refuses for now (locked by another program, read-only, disk
full) is kept in memory after a short wait and written, in order, by the next write that succeeds
(``unsaved_count``): actions, new players, the current player and meta values; the sync worker's
other writes raise after their short wait and are retried next round.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from game.rules.codec import action_from_json, action_to_json, progress_from_json, progress_to_json
from game.rules.progress import Action, Progress

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS players (
    local_id    TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    server_id   TEXT,
    claim_code  TEXT,
    progress    TEXT NOT NULL,
    server_view TEXT
);
CREATE TABLE IF NOT EXISTS outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    action_id       TEXT NOT NULL UNIQUE,
    local_id        TEXT NOT NULL REFERENCES players(local_id),
    payload         TEXT NOT NULL,
    at              TEXT NOT NULL,
    device_landmark TEXT,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'applied', 'duplicate', 'rejected')),
    reason          TEXT,
    serial          INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(status, seq);
CREATE INDEX IF NOT EXISTS outbox_player ON outbox(local_id, status, seq);
"""


class CorruptStoreError(Exception):
    """The file exists but is not a usable progress database."""


class StoreUnavailable(Exception):
    """The progress database cannot be used right now (locked, read-only, in use by another copy of
    the game, or the data folder is unusable); the message is one line for the user."""


# SQLite primary result codes (https://www.sqlite.org/rescode.html)
SQLITE_CORRUPT = 11
SQLITE_NOTADB = 26
SQLITE_BUSY, SQLITE_LOCKED = 5, 6
SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM = 8, 14, 3
BUSY_TIMEOUT_S = 10.0
SQLITE_IOERR, SQLITE_FULL = 10, 13
# A write the disk refused for now: the action stays in memory (``unsaved_count``) and is written
# with the next write that succeeds, in order.
TRANSIENT_WRITE = (SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL)
RECORD_WAIT_S = 1.0  # how long recording an action (on the frame loop) waits for a locked database
RETRY_WAIT_S = 0.2  # how long ``save_unsaved`` (the sync worker, every round) waits for it
WRITE_WAIT_S = 1.0  # how long any other write (the sync worker's) waits for it, then raises (retried next round)


def _is_corrupt(err: BaseException) -> bool:
    """Real damage only: a busy, locked or read-only database is never treated as corrupt."""
    if isinstance(err, CorruptStoreError):
        return True
    code = getattr(err, "sqlite_errorcode", None)
    return isinstance(err, sqlite3.DatabaseError) and code is not None and code & 0xFF in (SQLITE_CORRUPT, SQLITE_NOTADB)


def _code(err: BaseException) -> int:
    """The primary SQLite result code of an error (0 when it has none)."""
    return (getattr(err, "sqlite_errorcode", None) or 0) & 0xFF


def _unavailable(path: Path, err: sqlite3.Error) -> StoreUnavailable:
    code = _code(err)
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return StoreUnavailable(f"{path} is locked by another program (waited {BUSY_TIMEOUT_S:g} s); close it and retry")
    if code in (SQLITE_READONLY, SQLITE_PERM, SQLITE_CANTOPEN):
        return StoreUnavailable(f"{path} cannot be written (read-only file or folder?): {err}")
    return StoreUnavailable(f"{path} cannot be opened: {err}")


def prepare_data_dir(data_dir: Path) -> None:
    """Create the data folder and check that it is a writable folder; ``StoreUnavailable`` if not."""
    data_dir = Path(data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        raise StoreUnavailable(f"--data-dir {data_dir} is a file, not a folder")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / f".write-test-{uuid.uuid4().hex[:8]}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise StoreUnavailable(f"--data-dir {data_dir} is not writable: {err.strerror or err}") from None


class _ProcessLock:
    """An exclusive OS lock on ``<db>.lock`` (``filelock``: fcntl on Linux and macOS, msvcrt on
    Windows), held while the store is open: one game per data folder. The OS drops it when the
    process ends, also when it is killed, so a crash never leaves the folder locked."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # no soft (file-exists) fallback: a killed process would leave it behind for good
        self._lock = FileLock(path, thread_local=False, fallback_to_soft=False)

    def acquire(self) -> None:
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise StoreUnavailable(
                f"another copy of the game is already using {self.path.parent}; close it or pick another --data-dir"
            ) from None
        except OSError as err:
            raise StoreUnavailable(f"cannot create {self.path}: {err.strerror or err}") from None

    def release(self) -> None:
        self._lock.release()


@dataclass(frozen=True)
class OutboxEntry:
    """One recorded player action, as queued for (or settled by) the server."""

    seq: int
    action_id: str
    local_id: str
    action: Action
    at: datetime
    device_landmark: str | None
    status: str
    reason: str | None = None
    serial: int | None = None
    attempts: int = 0


@dataclass(frozen=True)
class PlayerRow:
    local_id: str
    server_id: str | None
    claim_code: str | None


@dataclass(frozen=True)
class Settlement:
    """One player's share of a sync round, for ``LocalStore.settle_many``."""

    local_id: str
    results: list[tuple[str, str, str | None, int | None]]  # (action_id, status, reason, serial)
    server_view: dict | None = None
    rebuild: Callable[[list[OutboxEntry]], Progress] | None = None
    server_id: str | None = None  # the server player it was answered under (set when given)
    claim_code: str | None = None


def _entry(row: tuple) -> OutboxEntry:
    seq, aid, lid, payload, at, dl, st, rs, se, att = row
    return OutboxEntry(seq, aid, lid, action_from_json(json.loads(payload)), datetime.fromisoformat(at), dl, st, rs, se, att)


def _now() -> datetime:
    return datetime.now(UTC)


class LocalStore:
    """SQLite-backed ``ProgressStore`` plus the outbox the sync worker drains. Thread-safe."""

    def __init__(
        self, conn: sqlite3.Connection, path: Path, recovered_from: Path | None = None, lock: _ProcessLock | None = None
    ) -> None:
        # One connection per thread (WAL): the frame loop's reads never wait for the sync worker's
        # write transactions (and their fsyncs); SQLite itself serialises the writers.
        self._first = conn
        self._local = threading.local()
        self._local.conn = conn
        self._all = [conn]
        self._busy_timeout_s = conn.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
        self._lock = threading.Lock()  # guards _all
        # Writers take this for the whole transaction, so the in-memory copy of each player's
        # progress (what the frame loop reads, without touching SQLite) is set in commit order.
        self._write_lock = threading.RLock()
        self._progress: dict[str, Progress] = {}
        # writes made while the database refused them (locked, read-only, disk full), in order; each is
        # replayed, first, by the next write transaction that succeeds
        self._unsaved: list[Callable[[sqlite3.Connection], None]] = []
        self._meta: dict[str, str | None] = {}  # meta values set in this process (some maybe not on disk yet)
        self._process_lock = lock
        self.path = path
        self.recovered_from = recovered_from

    # ---- opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, busy_timeout_s: float = BUSY_TIMEOUT_S) -> LocalStore:
        """Open (or create) the store; a corrupt file is quarantined next to it and replaced.

        ``StoreUnavailable``: another copy of the game holds the data folder, the database stayed
        locked for ``busy_timeout_s``, or the file or folder is read-only."""
        path = Path(path)
        prepare_data_dir(path.parent)
        lock = _ProcessLock(path.with_name(path.name + ".lock"))
        lock.acquire()
        try:
            try:
                return cls(cls._connect(path, busy_timeout_s), path, lock=lock)
            except (sqlite3.DatabaseError, CorruptStoreError) as err:
                if not _is_corrupt(err):
                    assert isinstance(err, sqlite3.Error)
                    raise _unavailable(path, err) from None
                moved = cls._quarantine(path)
                log.warning("local store unreadable (%s); moved to %s and starting fresh", err, moved)
                try:
                    return cls(cls._connect(path, busy_timeout_s), path, recovered_from=moved, lock=lock)
                except sqlite3.Error as again:
                    raise _unavailable(path, again) from None
        except BaseException:
            lock.release()
            raise

    @staticmethod
    def _connect(path: Path, busy_timeout_s: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=busy_timeout_s)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            row = conn.execute("PRAGMA quick_check").fetchone()
            if row is None or row[0] != "ok":
                raise CorruptStoreError(f"integrity check failed: {row}")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise CorruptStoreError(f"unknown schema version {version}")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if version == 0 and tables - {"sqlite_sequence"}:
                raise CorruptStoreError(f"not a progress database (tables: {sorted(tables)})")
            conn.executescript(SCHEMA)
            # also the write probe: a read-only file fails here, a locked one after the busy timeout
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def _quarantine(path: Path) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{uuid.uuid4().hex[:6]}")
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(path) + suffix)
            if src.exists():
                src.replace(Path(str(target) + suffix))
        return target

    @property
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                                   timeout=self._busy_timeout_s)
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            with self._lock:
                self._all.append(conn)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        if self._unsaved and not self.save_unsaved():
            log.error("%d action(s) could not be saved: the progress database refused every write",
                      len(self._unsaved))
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
            if self._process_lock is not None:
                self._process_lock.release()
                self._process_lock = None

    @contextmanager
    def _tx(self, wait_s: float = WRITE_WAIT_S) -> Iterator[sqlite3.Connection]:
        """A write transaction; writes kept in memory while the database refused them go first, in order.
        It waits at most ``wait_s`` for a database another program holds locked (holding the
        in-process write lock meanwhile, so every writer here, the frame loop too, waits that long
        at most behind it), then raises ``OperationalError`` (database is locked)."""
        conn = self._conn
        with self._write_lock:
            conn.execute(f"PRAGMA busy_timeout={int(min(wait_s, self._busy_timeout_s) * 1000)}")
            try:
                conn.execute("BEGIN IMMEDIATE")
            finally:
                conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout_s * 1000)}")
            try:
                written = self._write_unsaved(conn)
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            del self._unsaved[:written]

    def _write_unsaved(self, conn: sqlite3.Connection) -> int:
        for write in self._unsaved:
            write(conn)
        return len(self._unsaved)

    def _write_or_keep(self, write: Callable[[sqlite3.Connection], None], what: str) -> None:
        """Run ``write`` in a transaction, waiting at most ``RECORD_WAIT_S`` for a locked database (it
        may run on the frame loop); if the database refuses it for now, keep it in memory, in order
        after the writes kept before it, for the next write that succeeds (``save_unsaved`` retries)."""
        with self._write_lock:
            try:
                with self._tx(RECORD_WAIT_S) as conn:
                    write(conn)
            except sqlite3.OperationalError as err:
                if _code(err) not in TRANSIENT_WRITE:
                    raise
                self._unsaved.append(write)
                log.warning("progress database refused a write (%s: %s); %d write(s) kept in memory, retrying",
                            what, err, len(self._unsaved))

    @staticmethod
    def _insert_action(
        conn: sqlite3.Connection, action_id: str, local_id: str, action: Action, progress: Progress, at: datetime,
        device_landmark: str | None,
    ) -> None:
        conn.execute(
            "INSERT INTO outbox(action_id, local_id, payload, at, device_landmark) VALUES (?, ?, ?, ?, ?)",
            (action_id, local_id, json.dumps(action_to_json(action)), at.isoformat(), device_landmark),
        )
        conn.execute("UPDATE players SET progress = ? WHERE local_id = ?",
                     (json.dumps(progress_to_json(progress)), local_id))

    def unsaved_count(self) -> int:
        """Writes (actions, new players, the current player, sync state) made while the database
        refused them (locked, read-only, disk full), kept in memory and written, in order, with the
        next write that succeeds (``save_unsaved`` retries)."""
        return len(self._unsaved)

    def save_unsaved(self) -> bool:
        """Try to write the actions kept in memory; True when none is left."""
        if not self._unsaved:
            return True
        try:
            with self._tx(RETRY_WAIT_S):
                pass
        except sqlite3.OperationalError as err:
            if _code(err) not in TRANSIENT_WRITE:
                raise
            return False
        log.info("writes kept in memory while the database refused them are saved now")
        return True

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self._conn.execute(sql, params).fetchall()

    # ---- meta (device credentials, current player) ---------------------------------------------

    def get_meta(self, key: str) -> str | None:
        if key in self._meta:
            return self._meta[key]
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str | None) -> None:
        """Store a meta value; a locked database keeps it in memory (``get_meta`` answers it) until
        the next write that succeeds."""
        def write(conn: sqlite3.Connection) -> None:
            if value is None:
                conn.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = ?",
                             (key, value, value))

        with self._write_lock:
            self._write_or_keep(write, f"meta {key}")
            self._meta[key] = value

    # ---- ProgressStore (game.session) ----------------------------------------------------------

    def new_player(self) -> str:
        """A new player with no progress; a locked database keeps the row in memory (the player can
        play: ``load_progress`` and ``record`` work) until the next write that succeeds."""
        local_id = f"local-{uuid.uuid4().hex[:12]}"
        created = _now().isoformat()

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO players(local_id, created_at, progress) VALUES (?, ?, ?)",
                         (local_id, created, json.dumps(progress_to_json(Progress()))))

        with self._write_lock:
            self._write_or_keep(write, "new player")
            self._progress[local_id] = Progress()
        return local_id

    def current_player(self) -> str | None:
        local_id = self.get_meta("current_player")
        if local_id and local_id in self._progress:  # known here (maybe not on disk yet)
            return local_id
        if local_id and self._query("SELECT 1 FROM players WHERE local_id = ?", (local_id,)):
            return local_id
        return None

    def set_current_player(self, local_id: str | None) -> None:
        self.set_meta("current_player", local_id)

    def load_progress(self, local_id: str) -> Progress:
        """The player's progress (from memory once read or written: the frame loop calls this)."""
        cached = self._progress.get(local_id)
        if cached is not None:
            return cached
        rows = self._query("SELECT progress FROM players WHERE local_id = ?", (local_id,))
        if not rows:
            raise KeyError(local_id)
        progress = progress_from_json(json.loads(rows[0][0]))
        with self._write_lock:  # not over a write that committed meanwhile
            return self._progress.setdefault(local_id, progress)

    def record(
        self, local_id: str, action: Action, outcome_progress: Progress, at: datetime, device_landmark: str | None
    ) -> str:
        """Queue an applied action and save the progress it led to, in one transaction."""
        action_id = str(uuid.uuid4())

        def write(conn: sqlite3.Connection) -> None:
            self._insert_action(conn, action_id, local_id, action, outcome_progress, at, device_landmark)

        with self._write_lock:
            # The player saw it applied: a locked database keeps it (in order) until it takes writes again.
            self._write_or_keep(write, "action")
            self._progress[local_id] = outcome_progress  # once committed (or kept), still in order
        return action_id

    def claim_code(self, local_id: str) -> str | None:
        rows = self._query("SELECT claim_code FROM players WHERE local_id = ?", (local_id,))
        return rows[0][0] if rows else None

    # ---- outbox (net.sync) ---------------------------------------------------------------------

    def pending_count(self, local_id: str | None = None) -> int:
        if local_id is not None:
            sql, params = "SELECT COUNT(*) FROM outbox WHERE local_id = ? AND status = 'pending'", (local_id,)
        else:
            sql, params = "SELECT COUNT(*) FROM outbox WHERE status = 'pending'", ()
        return int(self._query(sql, params)[0][0])

    def players(self) -> list[PlayerRow]:
        rows = self._query("SELECT local_id, server_id, claim_code FROM players ORDER BY created_at, local_id")
        return [PlayerRow(*r) for r in rows]

    def player(self, local_id: str) -> PlayerRow | None:
        rows = self._query("SELECT local_id, server_id, claim_code FROM players WHERE local_id = ?", (local_id,))
        return PlayerRow(*rows[0]) if rows else None

    def entries(self, local_id: str | None = None, status: str | None = None, limit: int = 10_000) -> list[OutboxEntry]:
        where, params = [], []
        if local_id is not None:
            where.append("local_id = ?")
            params.append(local_id)
        if status is not None:
            where.append("status = ?")
            params.append(status)
        sql = ("SELECT seq, action_id, local_id, payload, at, device_landmark, status, reason, serial, attempts "
               f"FROM outbox {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY seq LIMIT ?")
        rows = self._query(sql, (*params, limit))
        return [_entry(row) for row in rows]

    def next_batches(
        self, limit: int, players: int = 1, *, max_actions: int | None = None, skip: frozenset[str] = frozenset()
    ) -> list[list[OutboxEntry]]:
        """For the ``players`` players with the oldest pending actions (oldest first, none in ``skip``):
        each one's pending actions in order (at most ``limit`` each, ``max_actions`` in all)."""
        where = f"AND local_id NOT IN ({','.join('?' * len(skip))})" if skip else ""
        first = self._query(f"SELECT local_id, MIN(seq) AS m FROM outbox WHERE status = 'pending' {where} "
                            "GROUP BY local_id ORDER BY m LIMIT ?", (*skip, players))
        if not first:
            return []
        ids = [local_id for local_id, _ in first]
        rows = self._query(
            "SELECT seq, action_id, local_id, payload, at, device_landmark, status, reason, serial, attempts "
            f"FROM outbox WHERE status = 'pending' AND local_id IN ({','.join('?' * len(ids))}) ORDER BY seq", tuple(ids))
        by_player: dict[str, list[OutboxEntry]] = {local_id: [] for local_id in ids}
        for row in rows:
            batch = by_player[row[2]]
            if len(batch) < limit:
                batch.append(_entry(row))
        out, room = [], max_actions
        for local_id in ids:
            batch = by_player[local_id]
            if room is not None:
                if room <= 0:
                    break
                batch = batch[:room]
                room -= len(batch)
            out.append(batch)
        return out

    def players_by_id(self, local_ids: list[str]) -> dict[str, PlayerRow]:
        rows = self._query(f"SELECT local_id, server_id, claim_code FROM players WHERE local_id IN "
                           f"({','.join('?' * len(local_ids))})", tuple(local_ids)) if local_ids else []
        return {r[0]: PlayerRow(*r) for r in rows}

    def meta_keys(self, keys: list[str], make: Callable[[], str]) -> dict[str, str]:
        """The stored value of each meta key, storing ``make()`` first (one transaction) for those missing."""
        if not keys:
            return {}
        with self._tx() as conn:
            marks = ",".join("?" * len(keys))
            found = dict(conn.execute(f"SELECT key, value FROM meta WHERE key IN ({marks})", tuple(keys)).fetchall())
            missing = [(k, make()) for k in keys if k not in found]
            conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", missing)
        return found | dict(missing)

    def set_server_player(self, local_id: str, server_id: str | None, claim_code: str | None) -> None:
        with self._tx() as conn:
            conn.execute("UPDATE players SET server_id = ?, claim_code = ? WHERE local_id = ?",
                         (server_id, claim_code, local_id))

    def note_attempt(self, action_ids: list[str]) -> None:
        with self._tx() as conn:
            conn.executemany("UPDATE outbox SET attempts = attempts + 1 WHERE action_id = ?", [(a,) for a in action_ids])

    def settle(
        self,
        local_id: str,
        results: list[tuple[str, str, str | None, int | None]],
        server_view: dict | None,
        rebuild: Callable[[list[OutboxEntry]], Progress] | None,
    ) -> None:
        """Store the server's verdicts ``(action_id, status, reason, serial)`` (each one more attempt)
        and the progress ``rebuild`` derives from all of this player's entries, in one transaction
        (so an action the player takes meanwhile is never overwritten). ``rebuild=None``: the
        verdicts change nothing the player sees; the progress is kept."""
        self.settle_many([Settlement(local_id, results, server_view, rebuild)])

    def settle_many(self, settlements: list[Settlement]) -> None:
        """``settle`` for several players in one transaction (one commit for a whole sync round),
        each with the server player it was answered under (``server_id``/``claim_code``, if given)."""
        changed: dict[str, Progress] = {}
        with self._write_lock:
            with self._tx() as conn:
                for s in settlements:
                    if s.server_id is not None:
                        conn.execute("UPDATE players SET server_id = ?, claim_code = ? WHERE local_id = ?",
                                     (s.server_id, s.claim_code, s.local_id))
                    conn.executemany(
                        "UPDATE outbox SET status = ?, reason = ?, serial = COALESCE(?, serial), "
                        "attempts = attempts + 1 WHERE action_id = ?",
                        [(status, reason, serial, aid) for aid, status, reason, serial in s.results],
                    )
                    if s.rebuild is not None:
                        progress = s.rebuild(self.entries(s.local_id))
                        conn.execute("UPDATE players SET progress = ? WHERE local_id = ?",
                                     (json.dumps(progress_to_json(progress)), s.local_id))
                        changed[s.local_id] = progress
                    if s.server_view is not None:
                        conn.execute("UPDATE players SET server_view = ? WHERE local_id = ?",
                                     (json.dumps(s.server_view), s.local_id))
            self._progress.update(changed)  # once committed, still in commit order

    def server_view(self, local_id: str) -> dict | None:
        rows = self._query("SELECT server_view FROM players WHERE local_id = ?", (local_id,))
        return json.loads(rows[0][0]) if rows and rows[0][0] else None
