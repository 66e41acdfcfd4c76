"""The REST API as seen by the client: one requests session, typed errors, no retries of its own
beyond urllib3's connection-level ``Retry`` (the sync worker owns the backoff between rounds)."""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

TIMEOUT = (3.05, 10.0)  # (connect, read) seconds: a pulled cable must not hang the worker


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


class Unreachable(Exception):
    """No answer at all (server down, network gone, timeout)."""


class ApiClient:
    def __init__(self, base_url: str, token: str | None = None, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.http = session or requests.Session()
        # Actions are idempotent by action_id, so even POSTs may be retried after a dropped connection.
        retry = Retry(total=2, connect=2, read=1, status=0, backoff_factor=0.2, allowed_methods=None)
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
                err = resp.json().get("error", {})
            except ValueError:
                err = {}
            retry_after = resp.headers.get("Retry-After")
            raise ApiError(
                resp.status_code,
                str(err.get("code", "http_error")),
                str(err.get("message", resp.reason)),
                float(retry_after) if retry_after and retry_after.isdigit() else None,
            )
        return resp.json() if resp.content else {}

    def health(self) -> dict[str, Any]:
        return self._call("GET", "/v1/health")

    def enroll(self, code: str, name: str, kind: str, landmark_id: str | None) -> dict[str, Any]:
        body = {"enrollment_code": code, "name": name, "kind": kind, "landmark_id": landmark_id}
        return self._call("POST", "/v1/devices/enroll", body)

    def create_player(self, campaign_id: str) -> dict[str, Any]:
        return self._call("POST", "/v1/players", {"campaign_id": campaign_id})

    def claim(self, claim_code: str) -> dict[str, Any]:
        return self._call("POST", "/v1/players/claim", {"claim_code": claim_code})

    def progress(self, player_id: str) -> dict[str, Any]:
        return self._call("GET", f"/v1/players/{player_id}/progress")

    def post_actions(self, player_id: str, actions: list[dict[str, Any]]) -> dict[str, Any]:
        return self._call("POST", f"/v1/players/{player_id}/actions", {"actions": actions})

    def close(self) -> None:
        self.http.close()
