"""Bad input to the market data endpoints: a 4xx with Binance's code, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

CASES: list[tuple[str, dict[str, Any], int]] = [
    ("/api/v3/depth", {"symbol": "NOPEUSDT"}, -1121),
    ("/api/v3/depth", {}, -1102),
    ("/api/v3/depth", {"symbol": "btcusdt"}, -1100),
    ("/api/v3/depth", {"symbol": "BTCUSDT", "limit": 0}, -1100),
    ("/api/v3/depth", {"symbol": "BTCUSDT", "limit": 5001}, -1100),
    ("/api/v3/depth", {"symbol": "BTCUSDT", "limit": "ten"}, -1100),
    ("/api/v3/trades", {"symbol": "BTCUSDT", "limit": 1001}, -1100),
    ("/api/v3/trades", {"symbol": "BTC USDT"}, -1100),
    ("/api/v3/historicalTrades", {"symbol": "BTCUSDT", "fromId": -1}, -1100),
    ("/api/v3/historicalTrades", {"symbol": "BTCUSDT", "fromId": "1e3"}, -1100),
    ("/api/v3/aggTrades", {"symbol": "BTCUSDT", "fromId": 1, "startTime": 0}, -1128),
    ("/api/v3/aggTrades", {"symbol": "BTCUSDT", "startTime": 0, "endTime": 3_600_001}, -1127),
    ("/api/v3/aggTrades", {"symbol": "BTCUSDT", "startTime": 10, "endTime": 5}, -1128),
    ("/api/v3/klines", {"symbol": "BTCUSDT", "interval": "7m"}, -1120),
    ("/api/v3/klines", {"symbol": "BTCUSDT"}, -1102),
    ("/api/v3/klines", {"symbol": "NOPEUSDT", "interval": "1m"}, -1121),
    ("/api/v3/klines", {"symbol": "BTCUSDT", "interval": "1m", "limit": 1001}, -1100),
    ("/api/v3/klines", {"symbol": "BTCUSDT", "interval": "1m", "startTime": "yesterday"}, -1100),
    (
        "/api/v3/uiKlines",
        {"symbol": "BTCUSDT", "interval": "1m", "startTime": 9, "endTime": 1},
        -1128,
    ),
    ("/api/v3/ticker/24hr", {"symbol": "BTCUSDT", "symbols": '["ETHUSDT"]'}, -1128),
    ("/api/v3/ticker/24hr", {"symbols": '["BTCUSDT","NOPEUSDT"]'}, -1121),
    ("/api/v3/ticker/24hr", {"symbol": "BTCUSDT", "type": "HUGE"}, -1100),
    ("/api/v3/ticker/price", {"symbol": "NOPEUSDT"}, -1121),
    ("/api/v3/ticker/bookTicker", {"symbol": "NOPEUSDT"}, -1121),
    ("/api/v3/avgPrice", {"symbol": "NOPEUSDT"}, -1121),
]


@pytest.mark.parametrize(("path", "params", "code"), CASES)
def test_bad_market_data_request(
    client: TestClient, path: str, params: dict[str, Any], code: int
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"code", "msg"} and body["code"] == code and body["msg"]


def test_unknown_path_answers_in_the_error_shape(client: TestClient) -> None:
    response = client.get("/api/v3/nothingHere")
    assert response.status_code == 404
    assert set(response.json()) == {"code", "msg"}
