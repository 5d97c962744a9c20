"""Signed requests: signature, receive window and replay, checked with the real Redis."""

from __future__ import annotations

import time
import uuid

import pytest
from redis import Redis

from trading_api import signing
from trading_api.errors import ApiError
from xi import clients
from xi.settings import Settings

SECRET = "s3cr3t"


@pytest.fixture
def seen(running_stack: Settings) -> Redis:
    return clients.redis(running_stack)


def _now() -> int:
    return int(time.time() * 1000)


def _signed_query(timestamp: int, extra: str = "", secret: str = SECRET) -> str:
    params = f"symbol=BTCUSDT&side=BUY&nonce={uuid.uuid4().hex}{extra}&timestamp={timestamp}"
    return f"{params}&signature={signing.sign(secret, params)}"


def _check(query: str, body: str, seen: Redis, now: int | None = None) -> None:
    signing.verify(signing.parse(query, body), SECRET, now or _now(), seen)


def test_valid_signature_in_query_or_body_is_accepted(seen: Redis) -> None:
    _check(_signed_query(_now()), "", seen)
    _check("", _signed_query(_now()), seen)


def test_signature_over_query_and_body_together(seen: Redis) -> None:
    query = f"symbol=BTCUSDT&nonce={uuid.uuid4().hex}"
    body = f"quantity=1&timestamp={_now()}"
    signature = signing.sign(SECRET, query + body)
    _check(query, f"{body}&signature={signature}", seen)


@pytest.mark.parametrize(
    ("make_query", "code"),
    [
        (lambda: _signed_query(_now(), secret="wrong"), signing.INVALID_SIGNATURE),
        (lambda: _signed_query(_now() - 6_000), signing.INVALID_TIMESTAMP),
        (lambda: _signed_query(_now() + 5_000), signing.INVALID_TIMESTAMP),
        (lambda: _signed_query(_now(), "&recvWindow=70000"), signing.BAD_RECV_WINDOW),
        (lambda: f"symbol=BTCUSDT&timestamp={_now()}", signing.MANDATORY_PARAM_EMPTY),
        (lambda: "symbol=BTCUSDT&signature=abc", signing.MANDATORY_PARAM_EMPTY),
    ],
)
def test_bad_signed_requests_are_refused_with_their_code(seen: Redis, make_query, code: int):
    with pytest.raises(ApiError) as refused:
        _check(make_query(), "", seen)
    assert refused.value.code == code and refused.value.status == 400


def test_wider_receive_window_accepts_an_older_timestamp(seen: Redis) -> None:
    _check(_signed_query(_now() - 6_000, "&recvWindow=10000"), "", seen)


def test_a_replayed_request_is_refused(seen: Redis) -> None:
    query = _signed_query(_now())
    _check(query, "", seen)
    with pytest.raises(ApiError) as replayed:
        _check(query, "", seen)
    assert replayed.value.code == signing.REPLAYED
