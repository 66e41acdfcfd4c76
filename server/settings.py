"""Server settings as one immutable value, built from CLI arguments or the environment."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from game.content import CAMPAIGNS_DIR, DEFAULT_CAMPAIGN

# Only the embedded (single-laptop) server may fall back to this; documented in docs/deploy.md.
DEV_PARTNER_SECRET = "dev-partner-secret-embedded-only"


def utc_now() -> datetime:
    return datetime.now(UTC)


def aware_datetime(text: str) -> datetime:
    """An ISO 8601 instant with its UTC offset (``2027-01-20T00:00:00+08:00``); naive is an error."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{text!r} needs a UTC offset, e.g. 2027-01-20T00:00:00+08:00")
    return value.astimezone(UTC)


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'server.db').resolve()}"


@dataclass(frozen=True)
class Settings:
    """Everything the app needs; tests and the embedded server build their own."""

    data_dir: Path = Path("server-data")
    database_url: str | None = None
    campaign_id: str = DEFAULT_CAMPAIGN
    campaigns_root: Path = CAMPAIGNS_DIR
    partner_secret: str | None = None
    partner_tolerance_s: int = 300
    max_body_bytes: int = 256 * 1024
    rate_per_s: float = 20.0
    rate_burst: int = 60
    max_actions_per_batch: int = 100
    max_events_per_batch: int = 500
    max_event_props_bytes: int = 2048
    # Plausibility: check-ins one device may submit (across all players) per window.
    device_checkins_per_window: int = 30
    device_checkin_window_s: int = 60
    # Actions are credited at their client_time when it is plausible: not in the future, not older
    # than this, not before credit_not_before (the campaign start); else at server time.
    credit_max_age_s: int = 7 * 24 * 3600
    credit_not_before: datetime | None = None
    enrollment_ttl_s: int = 7 * 24 * 3600
    sqlite_busy_timeout_ms: int = 10_000
    pool_size: int = 10
    worker_threads: int | None = None  # handler threads per worker; None: 4 for SQLite, 32 for PostgreSQL
    # Run hot-path database work on the event loop instead of the thread pool; None: only for SQLite.
    db_inline: bool | None = None
    # SQLite, inline: commit the check-ins that arrive together in one transaction (server.db.GroupCommit).
    group_commit: bool = True
    clock: Callable[[], datetime] = field(default=utc_now, compare=False)

    @cached_property
    def db_url(self) -> str:
        return self.database_url or sqlite_url(self.data_dir)

    @cached_property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @cached_property
    def inline_db(self) -> bool:
        return self.is_sqlite if self.db_inline is None else self.db_inline

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read SERVER_* / DATABASE_URL / PARTNER_SECRET variables (unset ones keep defaults)."""
        env = os.environ if env is None else env
        base = cls()
        ints = {
            "SERVER_MAX_BODY_BYTES": "max_body_bytes",
            "SERVER_RATE_BURST": "rate_burst",
            "SERVER_DEVICE_CHECKINS_PER_WINDOW": "device_checkins_per_window",
            "SERVER_DEVICE_CHECKIN_WINDOW_S": "device_checkin_window_s",
            "SERVER_POOL_SIZE": "pool_size",
            "SERVER_WORKER_THREADS": "worker_threads",
            "SERVER_CREDIT_MAX_AGE_S": "credit_max_age_s",
        }
        changes: dict[str, object] = {}
        if "SERVER_DATA_DIR" in env:
            changes["data_dir"] = Path(env["SERVER_DATA_DIR"])
        if env.get("DATABASE_URL"):
            changes["database_url"] = env["DATABASE_URL"]
        if env.get("CAMPAIGN_ID"):
            changes["campaign_id"] = env["CAMPAIGN_ID"]
        if env.get("CAMPAIGNS_ROOT"):
            changes["campaigns_root"] = Path(env["CAMPAIGNS_ROOT"])
        if env.get("PARTNER_SECRET"):
            changes["partner_secret"] = env["PARTNER_SECRET"]
        if env.get("SERVER_RATE_PER_S"):
            changes["rate_per_s"] = float(env["SERVER_RATE_PER_S"])
        for var, name in ints.items():
            if env.get(var):
                changes[name] = int(env[var])
        if env.get("SERVER_CREDIT_NOT_BEFORE"):
            changes["credit_not_before"] = aware_datetime(env["SERVER_CREDIT_NOT_BEFORE"])
        if env.get("SERVER_DB_INLINE"):
            changes["db_inline"] = env["SERVER_DB_INLINE"].lower() in ("1", "true", "yes")
        if env.get("SERVER_GROUP_COMMIT"):
            changes["group_commit"] = env["SERVER_GROUP_COMMIT"].lower() in ("1", "true", "yes")
        return replace(base, **changes)  # type: ignore[arg-type]

    def to_env(self) -> dict[str, str]:
        """The inverse of ``from_env`` for the fields a worker process needs."""
        env = {
            "SERVER_DATA_DIR": str(self.data_dir),
            "DATABASE_URL": self.db_url,
            "CAMPAIGN_ID": self.campaign_id,
            "CAMPAIGNS_ROOT": str(self.campaigns_root),
            "SERVER_RATE_PER_S": str(self.rate_per_s),
            "SERVER_RATE_BURST": str(self.rate_burst),
            "SERVER_MAX_BODY_BYTES": str(self.max_body_bytes),
            "SERVER_DEVICE_CHECKINS_PER_WINDOW": str(self.device_checkins_per_window),
            "SERVER_DEVICE_CHECKIN_WINDOW_S": str(self.device_checkin_window_s),
            "SERVER_POOL_SIZE": str(self.pool_size),
            "SERVER_CREDIT_MAX_AGE_S": str(self.credit_max_age_s),
        }
        if self.credit_not_before is not None:
            env["SERVER_CREDIT_NOT_BEFORE"] = self.credit_not_before.isoformat()
        if self.worker_threads:
            env["SERVER_WORKER_THREADS"] = str(self.worker_threads)
        if self.db_inline is not None:
            env["SERVER_DB_INLINE"] = "1" if self.db_inline else "0"
        if not self.group_commit:
            env["SERVER_GROUP_COMMIT"] = "0"
        if self.partner_secret:
            env["PARTNER_SECRET"] = self.partner_secret
        return env
