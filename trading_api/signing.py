"""Binance's signed requests: HMAC-SHA256 over the query string and body, a timestamp that
must fall within the receive window, and no request accepted twice."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import parse_qsl

from redis import Redis

from trading_api.errors import ApiError

DEFAULT_RECV_WINDOW_MS = 5_000
MAX_RECV_WINDOW_MS = 60_000
# Binance accepts a timestamp up to one second ahead of the server's clock.
CLOCK_AHEAD_MS = 1_000

INVALID_TIMESTAMP = -1021
INVALID_SIGNATURE = -1022
MANDATORY_PARAM_EMPTY = -1102
BAD_RECV_WINDOW = -1131
REPLAYED = -1099  # this platform's: the same signed request was already received


@dataclass(frozen=True)
class SignedPayload:
    total_params: str  # query string and body, concatenated, without the signature
    signature: str
    timestamp_ms: int
    recv_window_ms: int


def sign(secret: str, total_params: str) -> str:
    return hmac.new(secret.encode(), total_params.encode(), hashlib.sha256).hexdigest()


def parse(query: str, body: str) -> SignedPayload:
    """Split the signature from the rest and read timestamp and recvWindow."""
    total = query + body
    head, separator, signature = total.rpartition("&signature=")
    if not separator:
        head, separator, signature = total.rpartition("signature=")
    if not separator or not signature:
        raise ApiError(400, MANDATORY_PARAM_EMPTY, "Mandatory parameter 'signature' was not sent")
    params = dict(parse_qsl(query + ("&" if query and body else "") + body))
    try:
        timestamp = int(params["timestamp"])
    except (KeyError, ValueError):
        raise ApiError(
            400, MANDATORY_PARAM_EMPTY, "Mandatory parameter 'timestamp' was not sent or invalid"
        ) from None
    try:
        recv_window = int(params.get("recvWindow", DEFAULT_RECV_WINDOW_MS))
    except ValueError:
        raise ApiError(400, BAD_RECV_WINDOW, "recvWindow must be an integer") from None
    if not 0 < recv_window <= MAX_RECV_WINDOW_MS:
        raise ApiError(400, BAD_RECV_WINDOW, f"recvWindow must be in 1..{MAX_RECV_WINDOW_MS}")
    return SignedPayload(head, signature.split("&", 1)[0], timestamp, recv_window)


def verify(payload: SignedPayload, secret: str, now_ms: int, seen: Redis) -> None:
    """Refuse a bad signature, a stale or future timestamp, or a request seen before."""
    expected = sign(secret, payload.total_params)
    if not hmac.compare_digest(expected, payload.signature.lower()):
        raise ApiError(400, INVALID_SIGNATURE, "Signature for this request is not valid.")
    if payload.timestamp_ms >= now_ms + CLOCK_AHEAD_MS or (
        now_ms - payload.timestamp_ms > payload.recv_window_ms
    ):
        raise ApiError(
            400, INVALID_TIMESTAMP, "Timestamp for this request is outside of the recvWindow."
        )
    # A signature is remembered for as long as its request could still be accepted.
    ttl_ms = payload.timestamp_ms + payload.recv_window_ms + CLOCK_AHEAD_MS - now_ms + 1_000
    if not seen.set(f"signed:{payload.signature.lower()}", 1, nx=True, px=max(ttl_ms, 1)):
        raise ApiError(400, REPLAYED, "This signed request was already received.")
