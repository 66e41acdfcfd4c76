"""Server settings as one immutable value, built from CLI arguments or the environment."""

from __future__ import annotations

import ipaddress
import os
import random
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


def parse_ip_list(text: str) -> tuple[str, ...]:
    """``--forwarded-allow-ips`` / FORWARDED_ALLOW_IPS: comma-separated addresses or CIDRs
    (ValueError naming the bad entry)."""
    entries = tuple(part.strip() for part in text.split(",") if part.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"not an IP address or network: {entry!r}") from None
    return entries


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
    # Offline credit (docs/api.md "Time"): an action is credited at its client_time when that is at
    # most client_skew_s ahead of server time and not before the device's enrolment, its previous
    # contact minus credit_max_age_s, or credit_not_before (the campaign start); else it is
    # rejected with client_time_out_of_range.
    credit_max_age_s: int = 30 * 24 * 3600
    credit_not_before: datetime | None = None
    client_skew_s: int = 120
    # Whether a device's enrolment (its code's issue) bounds its credited times. Off only for the
    # embedded server: it serves the machine it runs in, which enrols lazily after playing offline.
    enrolment_floor: bool = True
    enrollment_ttl_s: int = 7 * 24 * 3600
    claim_ttl_s: int = 7 * 24 * 3600
    # Failed authentication (unknown or revoked tokens, wrong enrolment or claim codes): a bucket
    # per client address and one per code; an empty bucket answers 429 before any lookup.
    auth_fail_per_min: float = 10.0
    auth_fail_burst: int = 20
    # Proxies whose X-Forwarded-For is believed (addresses or CIDRs); empty: the peer address is the client.
    forwarded_allow_ips: tuple[str, ...] = ()
    # How long a worker trusts its cached device (revocation reaches other workers within this).
    device_cache_ttl_s: float = 30.0
    sqlite_busy_timeout_ms: int = 10_000
    pool_size: int = 10
    worker_threads: int | None = None  # handler threads per worker; None: 4 for SQLite, 32 for PostgreSQL
    # PostgreSQL: the action path's connections per worker, driven by its event loop (server.pgloop).
    pg_connections: int = 32
    # Run hot-path database work on the event loop instead of the thread pool; None: only for SQLite.
    db_inline: bool | None = None
    # SQLite, inline: commit the check-ins that arrive together in one transaction (server.db.GroupCommit).
    group_commit: bool = True
    clock: Callable[[], datetime] = field(default=utc_now, compare=False)
    # The server's spawn roll: uniform [0, 1) numbers from the OS (tests inject a seeded one).
    rng: Callable[[], float] = field(default=random.SystemRandom().random, compare=False)

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
            "SERVER_PG_CONNECTIONS": "pg_connections",
            "SERVER_CREDIT_MAX_AGE_S": "credit_max_age_s",
            "SERVER_CLIENT_SKEW_S": "client_skew_s",
            "SERVER_CLAIM_TTL_S": "claim_ttl_s",
            "SERVER_AUTH_FAIL_BURST": "auth_fail_burst",
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
        if env.get("SERVER_AUTH_FAIL_PER_MIN"):
            changes["auth_fail_per_min"] = float(env["SERVER_AUTH_FAIL_PER_MIN"])
        if env.get("FORWARDED_ALLOW_IPS"):
            changes["forwarded_allow_ips"] = parse_ip_list(env["FORWARDED_ALLOW_IPS"])
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
            "SERVER_PG_CONNECTIONS": str(self.pg_connections),
            "SERVER_CREDIT_MAX_AGE_S": str(self.credit_max_age_s),
            "SERVER_CLIENT_SKEW_S": str(self.client_skew_s),
            "SERVER_CLAIM_TTL_S": str(self.claim_ttl_s),
            "SERVER_AUTH_FAIL_PER_MIN": str(self.auth_fail_per_min),
            "SERVER_AUTH_FAIL_BURST": str(self.auth_fail_burst),
        }
        if self.forwarded_allow_ips:
            env["FORWARDED_ALLOW_IPS"] = ",".join(self.forwarded_allow_ips)
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
