"""The REST API as seen by the client: one requests session, typed errors, no retries of its own
beyond urllib3's connection-level ``Retry`` (the sync worker owns the backoff between rounds).

429 and 503 become ``Busy`` with the server's Retry-After (the worker's backoff honours it); a
stalled read is one timeout, then ``Unreachable`` (no read retries: the worker retries next round).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

TIMEOUT = (3.05, 8.0)  # (connect, read) seconds: a pulled cable must not hang the worker
BUSY_DEFAULT_S = 5.0  # a 429/503 without a usable Retry-After


class ApiError(Exception):
    """A non-2xx answer; ``code`` is the server's machine-readable error code."""

    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.status == 429 or self.status >= 500


class Busy(ApiError):
    """429 or 503: the server is there but asks to come back after ``retry_after`` seconds."""

    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(status, code, message, BUSY_DEFAULT_S if retry_after is None else retry_after)


class Unreachable(Exception):
    """No answer at all (server down, network gone, timeout)."""


def retry_after_s(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), None if absent or unusable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class ApiClient:
    def __init__(self, base_url: str, token: str | None = None, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.http = session or requests.Session()
        # Actions are idempotent by action_id, so even POSTs may be retried after a dropped connection.
        # Only connection set-up is retried here. A read that timed out is not (one timeout, then
        # Unreachable), and statuses never are: 429/503 reach the worker as ``Busy`` with Retry-After.
        retry = Retry(total=2, connect=2, read=0, status=0, backoff_factor=0.2, allowed_methods=None,
                      raise_on_status=False, respect_retry_after_header=False)
        self.http.mount("http://", HTTPAdapter(max_retries=retry))
        self.http.mount("https://", HTTPAdapter(max_retries=retry))

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            resp = self.http.request(method, self.base_url + path, json=body, headers=headers, timeout=TIMEOUT)
        except requests.RequestException as err:
            raise Unreachable(str(err)) from err
        if resp.status_code >= 400:
            try:
                doc = resp.json()
            except ValueError:  # a proxy's HTML page, an empty body
                doc = None
            err = doc.get("error") if isinstance(doc, dict) else None
            if not isinstance(err, dict):
                err = {}
            kind = Busy if resp.status_code in (429, 503) else ApiError
            raise kind(
                resp.status_code,
                str(err.get("code", "http_error")),
                str(err.get("message", resp.reason)),
                retry_after_s(resp.headers.get("Retry-After")),
            )
        try:
            return resp.json() if resp.content else {}
        except ValueError as err:  # a 2xx that is not our JSON (a captive portal, a broken proxy)
            raise Unreachable(f"unreadable answer from {path}: {err}") from err

    def health(self) -> dict[str, Any]:
        return self._call("GET", "/v1/health")

    def enroll(self, code: str, name: str, kind: str, landmark_id: str | None, key: str | None = None) -> dict[str, Any]:
        """``key``: the device's enrolment key; the same key gets the same token if the answer was lost."""
        body = {"enrollment_code": code, "name": name, "kind": kind, "landmark_id": landmark_id}
        if key is not None:
            body["enrollment_key"] = key
        return self._call("POST", "/v1/devices/enroll", body)

    def create_player(self, campaign_id: str, key: str | None = None) -> dict[str, Any]:
        """``key``: the creation's idempotency key; a retry answers the player created the first time."""
        body = {"campaign_id": campaign_id}
        if key is not None:
            body["idempotency_key"] = key
        return self._call("POST", "/v1/players", body)

    def claim(self, claim_code: str) -> dict[str, Any]:
        return self._call("POST", "/v1/players/claim", {"claim_code": claim_code})

    def progress(self, player_id: str) -> dict[str, Any]:
        return self._call("GET", f"/v1/players/{player_id}/progress")

    def post_actions(self, player_id: str, actions: list[dict[str, Any]]) -> dict[str, Any]:
        return self._call("POST", f"/v1/players/{player_id}/actions", {"actions": actions})

    def sync(self, players: list[dict[str, Any]]) -> dict[str, Any]:
        """``POST /v1/sync``: several players' actions (``player_id`` or ``create_key`` each) in one request."""
        return self._call("POST", "/v1/sync", {"players": players})

    def close(self) -> None:
        self.http.close()
