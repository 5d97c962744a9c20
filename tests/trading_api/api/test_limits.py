"""Request limits: Binance's request weight per IP and minute, and the request body cap."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from trading_api.auth import Role
from trading_api.main import create_app
from xi.settings import Settings

LIMIT = 30


@pytest.fixture(scope="module")
def limited_client(database: Settings) -> Iterator[TestClient]:
    """A small weight limit, for a client address no other test uses."""
    settings = database.model_copy(update={"api_request_weight_per_minute": LIMIT})
    address = (f"limits-{uuid.uuid4().hex[:8]}", 50000)
    with TestClient(create_app(settings), client=address) as client:
        yield client


def test_weight_adds_up_per_minute_and_then_429(limited_client: TestClient) -> None:
    if time.time() % 60 > 45:  # weight is counted per clock minute: start in a fresh one
        time.sleep(61 - time.time() % 60)
    used = []
    for _ in range(LIMIT // 5):
        response = limited_client.get("/api/v3/depth", params={"symbol": "BTCUSDT", "limit": 5})
        assert response.status_code == 200
        used.append(int(response.headers["X-MBX-USED-WEIGHT-1M"]))
    assert used == list(range(5, LIMIT + 1, 5))  # depth with limit <= 100 weighs 5
    refused = limited_client.get("/api/v3/depth", params={"symbol": "BTCUSDT"})
    assert refused.status_code == 429
    assert refused.json()["code"] == -1003
    assert int(refused.headers["X-MBX-USED-WEIGHT-1M"]) > LIMIT


def test_an_oversized_body_gets_413(client: TestClient, api_key: dict[Role, str]) -> None:
    headers = {"X-MBX-APIKEY": api_key[Role.TRADER]}
    big = client.post("/api/v3/userDataStream", headers=headers, content=b"x" * (64 * 1024 + 1))
    assert big.status_code == 413
    assert big.json() == {"code": -1101, "msg": "Request body too large: at most 65536 bytes."}

    def chunks() -> Iterator[bytes]:  # no Content-Length: the middleware counts what arrives
        for _ in range(80):
            yield b"x" * 1024

    streamed = client.post("/api/v3/userDataStream", headers=headers, content=chunks())
    assert streamed.status_code == 413
    assert streamed.json()["code"] == -1101
