"""Hot-path SQL, run on the DBAPI cursor of a pooled connection.

The action path runs about eight statements per check-in. Through SQLAlchemy Core each costs
~5x the driver's own execute (execution context, result proxy, type processors), which was
most of the server's CPU per action. These statements are plain SQL over the tables in
``server.models`` (the Alembic schema), written once with ``:name`` parameters and translated to
each driver's parameter style. Values are converted exactly as SQLAlchemy stores them (SQLite:
naive-UTC ``YYYY-MM-DD HH:MM:SS.ffffff`` text and JSON text), so rows written here and rows
written through SQLAlchemy are interchangeable. The hot path opens and commits its own
transactions on the bare connection (``server.db``: SQLite's group-committed writer and the
pipelined PostgreSQL transaction); everything else stays with SQLAlchemy's ``write_tx``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection

from server.models import utc_for_db, utc_from_db

_NAMED = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")


class Stmt:
    """One SQL text with ``:name`` parameters, pre-translated for sqlite3 and psycopg."""

    __slots__ = ("pg", "pg_parts", "sqlite")

    def __init__(self, sql: str, *, pg_suffix: str = "") -> None:
        sql = " ".join(sql.split())
        if "%" in sql:
            raise ValueError("'%' would need escaping for psycopg")
        self.sqlite = sql
        self.pg = _NAMED.sub(r"%(\1)s", sql) + pg_suffix
        # For client-side binding (``Raw.postgres``): text, name, text, name, ..., text
        self.pg_parts = tuple(_NAMED.split(sql + pg_suffix))


class JsonText(str):
    """Serialised JSON for a json column (rendered as a literal cast to json)."""


class PgLiterals:
    """Renders ``Stmt`` parameters as PostgreSQL literals, for the hot path's client-side binding.

    The parameter types are the few the hot path binds (str, int, bool, None, aware datetime, date,
    JSON); strings go through libpq's own ``PQescapeLiteral`` on the connection (its encoding and
    quoting rules), anything else is an error. psycopg's ``ClientCursor.mogrify`` does the same
    through its generic adapter machinery, at several times the CPU."""

    __slots__ = ("by_type", "escape")

    def __init__(self, driver_conn: Any) -> None:
        from psycopg.pq import Escaping

        self.escape = Escaping(driver_conn.pgconn).escape_literal
        # The common exact types, looked up once per value (``literal`` handles the rest).
        self.by_type: dict[type, Any] = {
            str: self.text, int: str, datetime: _pg_timestamptz, type(None): _null, JsonText: self.json_text,
        }

    def text(self, value: str) -> str:
        # Most bound strings are ids, codes and enum values: ASCII without a quote, backslash or
        # NUL, which PQescapeLiteral returns unchanged between single quotes (it doubles quotes and
        # backslashes, E-prefixes the latter, and stops at a NUL).
        if value.isascii() and "'" not in value and "\\" not in value and "\0" not in value:
            return f"'{value}'"
        return self.escape(value.encode("utf-8")).decode("utf-8")

    def json_text(self, value: str) -> str:
        return self.text(value) + "::json"

    def literal(self, value: Any) -> str:
        if value is None:
            return "NULL"
        if value is True or value is False:
            return "true" if value else "false"
        if isinstance(value, int):
            return str(int(value))
        if isinstance(value, JsonText):
            return self.text(value) + "::json"
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, datetime):
            return _pg_timestamptz(value)
        if isinstance(value, date):
            return f"'{value.isoformat()}'::date"
        if isinstance(value, _pg_json()):
            return self.text(json.dumps(value.obj)) + "::json"
        raise TypeError(f"no PostgreSQL literal for {type(value).__name__}")

    def render(self, stmt: Stmt, params: Mapping[str, Any]) -> str:
        parts = stmt.pg_parts
        out = [parts[0]]
        append = out.append
        by_type, literal = self.by_type, self.literal
        for i in range(1, len(parts), 2):
            value = params[parts[i]]
            # The plain string of ``text``, inline (most parameters are ids): no call per value.
            if type(value) is str and value.isascii() and "'" not in value and "\\" not in value and "\0" not in value:
                append(f"'{value}'")
            else:
                append((by_type.get(type(value)) or literal)(value))
            append(parts[i + 1])
        return "".join(out)


class PgWire:
    """A psycopg connection driven on libpq directly, for the hot path's batches (``Raw.postgres``).

    ``exchange`` (``server.pgloop.LoopWire``: awaited on the event loop) sends one simple-protocol
    message (several statements, literals already bound) and returns libpq's results, raising the
    first error as psycopg's own exception class (``checked``: a unique violation is still a
    ``psycopg.IntegrityError``); ``rows`` loads a result's rows with the connection's own loaders
    (the values ``cursor.fetchall()`` gives). ``Cursor.execute`` does the same through its query
    conversion, prepared-statement bookkeeping and result selection, which cost the server more
    CPU than the libpq work itself.
    """

    __slots__ = ("driver", "encoding", "literals", "pgconn", "transformer")

    def __init__(self, driver_conn: Any) -> None:
        from psycopg.adapt import Transformer

        self.driver = driver_conn
        self.pgconn = driver_conn.pgconn
        self.literals = PgLiterals(driver_conn)
        self.transformer = Transformer(driver_conn)
        self.encoding = driver_conn.info.encoding

    def exchange(self, sql: str) -> list[Any]:
        """Send ``sql`` and wait for all its results (libpq ``PGresult``s), ``checked``."""
        raise NotImplementedError

    def checked(self, results: list[Any]) -> list[Any]:
        """``results``, or the first failed one raised as psycopg's exception for it."""
        for res in results:
            if res.status in _FAILED:
                from psycopg.errors import error_from_result

                raise error_from_result(res, encoding=self.encoding)
        return results

    def rows(self, res: Any) -> list[tuple[Any, ...]]:
        tx = self.transformer
        tx.set_pgresult(res)
        return tx.load_rows(0, res.ntuples, tuple)


def _null(_value: None) -> str:
    return "NULL"


@functools.lru_cache(maxsize=1 << 12)  # a check-in binds the same few instants several times
def _pg_timestamptz(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database")
    return f"'{value.isoformat()}'::timestamptz"


@functools.lru_cache(maxsize=1 << 12)  # a check-in writes the same few instants several times
def _sqlite_ts(u: datetime) -> str:
    # SQLAlchemy's SQLite DATETIME storage format of ``u``, already in UTC (``models.utc_for_db``).
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d} {u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}"
    )


# A player's ledger is read again on every action, so the same stored timestamps are parsed over
# and over; these pure parsers are memoised (bounded; datetimes and dates are immutable).
@functools.lru_cache(maxsize=1 << 16)
def _sqlite_dt(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


@functools.lru_cache(maxsize=1 << 12)
def _sqlite_day(value: str) -> date:
    return date.fromisoformat(value)


class Raw:
    """The driver cursor of a SQLAlchemy connection, with per-dialect value conversion.

    Driver errors surface as the DBAPI's own exceptions; ``driver_integrity_errors()`` lists the
    classes to catch for unique-constraint races.
    """

    __slots__ = ("begun", "cache", "cur", "deferred", "literals", "pg", "remembered", "revs", "touched", "wire")

    def __init__(self, conn: Connection | None) -> None:
        # SQLite's hot writer only: its committed-progress cache (``server.ledger.ProgressCache``)
        # and the players whose entry this transaction wrote (dropped again if it rolls back).
        self.cache: Any = None
        self.touched: list[str] = []
        # PostgreSQL's hot path: ``run`` statements queued here, sent with the COMMIT (server.db).
        self.deferred: list[tuple[Stmt, Mapping[str, Any]]] | None = None
        self.literals: PgLiterals | None = None
        self.wire: PgWire | None = None
        # PostgreSQL's hot path: the per-worker progress cache (``server.ledger.RevisionedProgress``),
        # each read player's ledger revision in this transaction, and the (player, revision,
        # progress) entries to put in the cache once the transaction committed.
        self.revs: dict[str, int] = {}
        self.remembered: list[tuple[str, int, Any]] = []
        self.begun = True  # PostgreSQL's hot path: False until BEGIN went out with the first statements
        if conn is not None:
            self.pg = conn.dialect.name == "postgresql"
            self.cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]

    @classmethod
    def postgres(cls, wire: PgWire, cache: Any = None) -> Raw:
        """Over a bare psycopg connection in autocommit mode (``server.db.raw_write_tx``): BEGIN goes
        out with the first statements, the writes are deferred to the COMMIT, and each round trip is
        one simple-protocol message of several statements, bound client-side (``PgLiterals``) and
        exchanged on libpq directly (``PgWire``).

        psycopg's pipeline mode did the same in as many round trips, but its Python machinery
        (a generator hop per message, a wait per sync point) cost more of the server's CPU than the
        rest of the check-in; one message per round trip costs a fraction of it."""
        raw = cls(None)
        raw.pg = True
        raw.wire = wire
        raw.cache = cache
        raw.cur, raw.literals = None, wire.literals
        raw.deferred = []
        raw.begun = False
        return raw

    @classmethod
    def sqlite(cls, cursor: Any, cache: Any = None) -> Raw:
        """Over a bare sqlite3 cursor (``server.db.raw_write_tx``), with the writer's progress cache."""
        raw = cls(None)
        raw.pg = False
        raw.cur = cursor
        raw.cache = cache
        return raw

    # ---- execution -----------------------------------------------------------------------

    def _sql(self, stmt: Stmt) -> str:
        """(Server-side binding: the hot PostgreSQL path renders through ``literals`` instead.)"""
        return stmt.pg if self.pg else stmt.sqlite

    def one(self, stmt: Stmt, params: Mapping[str, Any]) -> Sequence[Any] | None:
        if self.wire is not None:
            rows = self._batch([(stmt, params)])[0]
            return rows[0] if rows else None
        self.cur.execute(self._sql(stmt), params)
        return self.cur.fetchone()

    def all(self, stmt: Stmt, params: Mapping[str, Any]) -> list[Sequence[Any]]:
        if self.wire is not None:
            return self._batch([(stmt, params)])[0]
        self.cur.execute(self._sql(stmt), params)
        return self.cur.fetchall()

    def changed(self, stmt: Stmt, params: Mapping[str, Any]) -> int:
        """Execute a write now; the number of rows it changed."""
        if self.wire is not None:
            parts = [self.wire.literals.render(stmt, params)]
            if not self.begun:
                parts.insert(0, "BEGIN")
                self.begun = True
            return int(self.wire.exchange("; ".join(parts))[-1].command_tuples or 0)
        self.cur.execute(self._sql(stmt), params)
        return self.cur.rowcount

    def run(self, stmt: Stmt, params: Mapping[str, Any]) -> None:
        """A write whose result is not needed: executed now, or queued for the commit (``deferred``)."""
        if self.deferred is not None:
            self.deferred.append((stmt, params))
        else:
            self.cur.execute(self._sql(stmt), params)

    def fetch(self, reads: Sequence[tuple[Stmt, Mapping[str, Any]]]) -> list[list[Sequence[Any]]]:
        """The rows of each read, executed in order; on PostgreSQL's hot path in one round trip."""
        if self.wire is None:
            return [self.all(stmt, params) for stmt, params in reads]
        return self._batch(reads)

    def _batch(self, reads: Sequence[tuple[Stmt, Mapping[str, Any]]]) -> list[list[Sequence[Any]]]:
        """PostgreSQL, hot path: BEGIN (the first time) and the reads as one message; their rows.
        (A write queued with ``run`` goes out with the COMMIT, after every read.)"""
        wire = self.wire
        assert wire is not None
        render = wire.literals.render
        parts = [render(stmt, params) for stmt, params in reads]
        if not self.begun:
            parts.insert(0, "BEGIN")
            self.begun = True
        rows = wire.rows
        # (BEGIN has no rows; every read has, even when there are none)
        return [rows(res) for res in wire.exchange("; ".join(parts)) if res.status == _TUPLES_OK]

    def flush(self) -> None:
        """PostgreSQL: send the queued writes and COMMIT in one round trip (raises what they raise)."""
        assert self.pg and self.deferred is not None
        if not self.begun:  # nothing was sent: nothing to commit
            self.deferred.clear()
            return
        wire = self.wire
        assert wire is not None
        render = wire.literals.render
        parts = [render(stmt, params) for stmt, params in self.deferred]
        parts.append("COMMIT")
        self.deferred.clear()
        wire.exchange("; ".join(parts))

    # ---- values --------------------------------------------------------------------------

    def ts(self, value: datetime | None) -> Any:
        """An aware datetime as the column stores it."""
        if value is None:
            return None
        utc = utc_for_db(value)
        return utc if self.pg else _sqlite_ts(utc)

    def to_dt(self, value: Any) -> datetime:
        return utc_from_db(value) if isinstance(value, datetime) else _sqlite_dt(value)

    def day(self, value: date) -> Any:
        return value if self.pg else value.isoformat()

    def to_day(self, value: Any) -> date:
        return value if isinstance(value, date) else _sqlite_day(value)

    def json(self, value: Any) -> Any:
        if self.pg:
            return _pg_json()(value)
        return json.dumps(value)

    def model_json(self, model: BaseModel, *, exclude_defaults: bool = False) -> Any:
        """A pydantic model for a JSON column (SQLite: serialised once by pydantic, no dict detour)."""
        if self.pg and self.literals is None:
            return self.json(model.model_dump(mode="json", exclude_defaults=exclude_defaults))
        text = model.__pydantic_serializer__.to_json(model, exclude_defaults=exclude_defaults).decode()
        return JsonText(text) if self.pg else text

    def from_json(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str | bytes) else value


_TUPLES_OK = 2  # libpq's PGRES_TUPLES_OK (psycopg.pq.ExecStatus.TUPLES_OK)
_FAILED = (5, 7)  # PGRES_BAD_RESPONSE, PGRES_FATAL_ERROR


@functools.cache
def _pg_json() -> Any:
    """psycopg's ``Json`` wrapper, imported on first use (psycopg is optional: see below)."""
    from psycopg.types.json import Json

    return Json


@functools.cache
def driver_integrity_errors() -> tuple[type[BaseException], ...]:
    """IntegrityError of every installed driver (psycopg is optional: the embedded client lacks it)."""
    import sqlite3

    found: list[type[BaseException]] = [sqlite3.IntegrityError]
    try:
        import psycopg
    except ImportError:
        pass
    else:
        found.append(psycopg.IntegrityError)
    return tuple(found)


# ---- statements --------------------------------------------------------------------------------

# The device and when it came into being for the offline-credit floor: when its enrolment code was
# issued (a kiosk installed with its code may serve players offline before it reaches the server).
DEVICE_BY_TOKEN = Stmt(
    """SELECT devices.id, devices.kind, devices.landmark_id,
              COALESCE(enrollment_codes.created_at, devices.created_at),
              devices.revoked_at, devices.last_seen_at, devices.prev_seen_at
       FROM devices LEFT JOIN enrollment_codes ON enrollment_codes.device_id = devices.id
       WHERE devices.token_hash = :token_hash"""
)
# Last contact, recorded at most once per :cutoff interval; the value it replaces becomes prev_seen_at.
TOUCH_DEVICE = Stmt(
    """UPDATE devices SET prev_seen_at = last_seen_at, last_seen_at = :now
       WHERE id = :id AND (last_seen_at IS NULL OR last_seen_at < :cutoff)"""
)

# Access: the player, if this device created or claimed it, with the stored outcome of the action
# if its id was seen (for any player), and its ledger revision. PostgreSQL also locks the player row, so one player's
# actions are decided one at a time (SQLite: BEGIN IMMEDIATE serialises writers).
PLAYER_FOR_DEVICE = Stmt(
    """SELECT players.id, players.campaign_id, actions.player_id, actions.result, actions.fingerprint,
              players.ledger_rev FROM players
       JOIN player_devices ON player_devices.player_id = players.id
       LEFT JOIN actions ON actions.action_id = :action_id
       WHERE players.id = :player_id AND player_devices.device_id = :device_id""",
    pg_suffix=" FOR UPDATE OF players",
)
PLAYER_LOCK = Stmt("SELECT id FROM players WHERE id = :player_id", pg_suffix=" FOR UPDATE")


# The whole ledger in one round trip: k = 0 grants, 1 check-ins, 2 owned, 3 tasks, 4 shares.
_LEDGER_ROWS = """SELECT 0 AS k, id, source AS s1, NULL AS s2, steps AS n, NULL AS day, at FROM grants WHERE player_id = :p
       UNION ALL SELECT 1, id, landmark_id, mode, NULL, day, at FROM checkins WHERE player_id = :p
       UNION ALL SELECT 2, id, collectible_id, NULL, serial, NULL, at FROM owned WHERE player_id = :p
       UNION ALL SELECT 3, id, task_id, NULL, NULL, NULL, at FROM tasks_done WHERE player_id = :p
       UNION ALL SELECT 4, id, NULL, NULL, NULL, NULL, at FROM shares WHERE player_id = :p"""
LEDGER = Stmt(_LEDGER_ROWS + " ORDER BY k, id")

# The ledger unless its revision is still :rev (PostgreSQL, after PLAYER_FOR_DEVICE locked the
# player: the revision cannot change meanwhile). No rows: the caller's cached progress is current.
LEDGER_IF_CHANGED = Stmt(
    f"""SELECT * FROM ({_LEDGER_ROWS}) AS ledger
       WHERE (SELECT ledger_rev FROM players WHERE id = :p) <> :rev ORDER BY k, id"""
)
BUMP_LEDGER_REV = Stmt("UPDATE players SET ledger_rev = ledger_rev + 1 WHERE id = :player_id")

# The rate rules of a check-in, in one statement: the device's check-ins credited in
# (since, until] and received after :recv_since (each counted only up to :limit: the index range
# scan stops there), and the player's check-ins received after :hour_ago.
RATE_COUNTS = Stmt(
    """SELECT
       (SELECT count(*) FROM (SELECT 1 FROM checkins
          WHERE device_id = :device_id AND at > :since AND at <= :until LIMIT :limit) AS credited),
       (SELECT count(*) FROM (SELECT 1 FROM checkins
          WHERE device_id = :device_id AND received_at > :recv_since LIMIT :limit) AS received),
       (SELECT count(*) FROM checkins WHERE player_id = :player_id AND received_at > :hour_ago)"""
)

# The caps of a scan (``SpawnCaps``): the player's limited attempts on the credited day or
# received in the last day; the device's special grants credited or received in the last hour;
# the campaign's limited grants on the credited day.
ROLL_COUNTS = Stmt(
    """SELECT
       (SELECT count(*) FROM rolls WHERE player_id = :player_id AND limited_attempt = 1
          AND (day = :day OR received_at > :day_ago)),
       (SELECT count(*) FROM rolls WHERE device_id = :device_id AND rarity IN ('limited', 'hidden')
          AND ((at > :hour_before AND at <= :at) OR received_at > :recv_hour)),
       (SELECT count(*) FROM rolls WHERE campaign_id = :campaign_id AND rarity = 'limited' AND day = :day)"""
)
INSERT_ROLL = Stmt(
    """INSERT INTO rolls (player_id, device_id, campaign_id, day, at, received_at, limited_attempt, collectible_id, rarity)
       VALUES (:player_id, :device_id, :campaign_id, :day, :at, :received_at, :limited_attempt, :collectible_id,
               :rarity)"""
)

# Atomic decrement: never below zero (and the CHECK constraint backs it up). The serial is
# total - remaining after the decrement, so 1..total, each handed out once.
TAKE_ONE = Stmt(
    """UPDATE supply SET remaining = remaining - 1
       WHERE campaign_id = :campaign_id AND collectible_id = :collectible_id AND remaining > 0
       RETURNING total, remaining"""
)

INSERT_ACTION = Stmt(
    """INSERT INTO actions
       (action_id, player_id, device_id, kind, status, reason, result, client_time, server_time, fingerprint)
       VALUES (:action_id, :player_id, :device_id, :kind, :status, :reason, :result, :client_time, :server_time,
               :fingerprint)"""
)
INSERT_GRANT = Stmt("INSERT INTO grants (player_id, source, steps, at) VALUES (:player_id, :source, :steps, :at)")
INSERT_CHECKIN = Stmt(
    """INSERT INTO checkins (player_id, landmark_id, mode, day, at, device_id, received_at)
       VALUES (:player_id, :landmark_id, :mode, :day, :at, :device_id, :received_at)"""
)
INSERT_OWNED = Stmt(
    """INSERT INTO owned (player_id, campaign_id, collectible_id, serial, at)
       VALUES (:player_id, :campaign_id, :collectible_id, :serial, :at)"""
)
INSERT_TASK = Stmt("INSERT INTO tasks_done (player_id, task_id, at) VALUES (:player_id, :task_id, :at)")
INSERT_SHARE = Stmt("INSERT INTO shares (player_id, channel, at) VALUES (:player_id, :channel, :at)")
