"""Secrets: random tokens and codes, their stored hashes, and partner HMAC signatures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# Crockford-style alphabet without 0/O/1/I/L: easy to read aloud or type from a QR fallback.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_token() -> str:
    """A 256-bit bearer token (URL-safe); only its hash is stored."""
    return secrets.token_urlsafe(32)


def keyed_token(enrollment_key: str, device_id: str) -> str:
    """The device token for an enrolment made with a device-generated key: derived, so a retry with
    the same key gets the same token although only hashes are stored (the key never is)."""
    digest = hashlib.sha256(f"ct-enrol-v1:{device_id}:{enrollment_key}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def new_code(length: int = 10) -> str:
    """A human-typable code (enrolment: 10 chars ≈ 50 bits; claim: 8 chars ≈ 40 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


CLAIM_CODE_LENGTH = 13  # 31**13 ≈ 2**64.4


def new_claim_code() -> str:
    """A player's claim code: ≥ 64 bits, shown as three dash-separated groups (dashes are ignored
    when it is typed back); only its hash is stored."""
    code = new_code(CLAIM_CODE_LENGTH)
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def normalize_code(code: str) -> str:
    return code.strip().upper().replace("-", "").replace(" ", "")


def token_hash(token: str) -> str:
    """sha256 hex: enough for high-entropy tokens (no salt or slow KDF needed, unlike passwords)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 hex over ``timestamp + "." + body``."""
    msg = timestamp.encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), msg, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Constant-time comparison of bytes (a non-ASCII header is just a wrong signature)."""
    given = signature.strip().removeprefix("sha256=").lower()
    expected = sign(secret, timestamp, body).encode("ascii")
    return hmac.compare_digest(expected, given.encode("utf-8", "surrogateescape"))
