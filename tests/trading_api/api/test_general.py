"""Binance's general endpoints, as its clients read them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from xi import markets


def test_ping_and_time(client: TestClient) -> None:
    assert client.get("/api/v3/ping").json() == {}
    assert client.get("/api/v3/time").json()["serverTime"] > 1_700_000_000_000


def test_exchange_info_lists_every_symbol_with_its_filters(client: TestClient) -> None:
    info = client.get("/api/v3/exchangeInfo").json()
    symbols = {s["symbol"]: s for s in info["symbols"]}
    assert set(symbols) == set(markets.load().symbols)
    filters = {f["filterType"]: f for f in symbols["BTCUSDT"]["filters"]}
    assert filters["PRICE_FILTER"]["tickSize"] == "0.01"
    assert filters["LOT_SIZE"]["stepSize"] == "0.00001"
    assert filters["NOTIONAL"]["minNotional"] == "5"


def test_exchange_info_for_chosen_symbols(client: TestClient) -> None:
    one = client.get("/api/v3/exchangeInfo", params={"symbol": "ETHUSDT"}).json()
    assert [s["symbol"] for s in one["symbols"]] == ["ETHUSDT"]
    two = client.get("/api/v3/exchangeInfo", params={"symbols": '["ETHUSDT","XITUSDT"]'}).json()
    assert [s["symbol"] for s in two["symbols"]] == ["ETHUSDT", "XITUSDT"]


def test_unknown_symbol_is_a_binance_error(client: TestClient) -> None:
    response = client.get("/api/v3/exchangeInfo", params={"symbol": "NOPEUSDT"})
    assert response.status_code == 400
    assert response.json() == {"code": -1121, "msg": "Invalid symbol: NOPEUSDT"}
