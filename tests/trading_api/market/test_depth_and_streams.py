"""The order book the API shows, and the WebSocket streams, against orders sent to the engine."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.trading_api.market.conftest import Exchange, wait_for
from trading_api.main import create_app
from xi.settings import Settings

SYMBOL = "SOLUSDT"
EXPECTED = {
    "bids": [["149.00", "0.600"], ["148.00", "2.500"]],
    "asks": [["155.00", "0.200"]],
}


def _place_series(exchange: Exchange) -> None:
    exchange.order(SYMBOL, 11, "BUY", "149.00", "1.000")
    exchange.order(SYMBOL, 11, "BUY", "148.00", "2.000")
    exchange.order(SYMBOL, 11, "BUY", "148.00", "0.500")
    exchange.order(SYMBOL, 12, "SELL", "152.00", "1.500")
    exchange.order(SYMBOL, 12, "SELL", "153.00", "0.700")
    exchange.order(SYMBOL, 13, "SELL", "149.00", "0.400")  # trades 0.4 against the best bid
    exchange.cancel_all(SYMBOL, 12)
    exchange.order(SYMBOL, 14, "SELL", "155.00", "0.200")


def _depth(client: TestClient, **params: Any) -> dict[str, Any]:
    return client.get("/api/v3/depth", params={"symbol": SYMBOL, **params}).json()


def _settled(client: TestClient) -> dict[str, Any] | None:
    """The depth once the series' last order shows in it."""
    found = _depth(client)
    return found if found["asks"] == EXPECTED["asks"] else None


def _apply(book: dict[str, dict[str, str]], side: str, levels: list[list[str]]) -> None:
    for price, qty in levels:
        if Decimal(qty) == 0:
            book[side].pop(price, None)
        else:
            book[side][price] = qty


@pytest.mark.timeout(180)
def test_depth_and_diff_stream_match_the_engine_book(
    market_client: TestClient, exchange: Exchange, market_settings: Settings
) -> None:
    streams = f"{SYMBOL.lower()}@depth/{SYMBOL.lower()}@depth5@100ms"
    with market_client.websocket_connect(f"/stream?streams={streams}") as ws:
        _place_series(exchange)
        final = wait_for(lambda: _settled(market_client), "the book after the series")
        assert {"bids": final["bids"], "asks": final["asks"]} == EXPECTED
        diffs: list[dict[str, Any]] = []
        partial: dict[str, Any] = {}
        while not diffs or diffs[-1]["u"] < final["lastUpdateId"]:
            event = ws.receive_json()
            if event["stream"].endswith("@depth"):
                diffs.append(event["data"])
            else:
                partial = event["data"]
    # The diff events chain without holes and rebuild the same book from the empty one.
    assert all(b["U"] == a["u"] + 1 for a, b in itertools.pairwise(diffs))
    assert diffs[-1]["u"] == final["lastUpdateId"]
    assert all(d["e"] == "depthUpdate" and d["s"] == SYMBOL for d in diffs)
    rebuilt: dict[str, dict[str, str]] = {"bids": {}, "asks": {}}
    for diff in diffs:
        _apply(rebuilt, "bids", diff["b"])
        _apply(rebuilt, "asks", diff["a"])
    assert sorted(rebuilt["bids"].items(), reverse=True) == [tuple(x) for x in EXPECTED["bids"]]
    assert sorted(rebuilt["asks"].items()) == [tuple(x) for x in EXPECTED["asks"]]
    assert set(partial) == {"lastUpdateId", "bids", "asks"}

    top = _depth(market_client, limit=1)
    assert (top["bids"], top["asks"]) == (EXPECTED["bids"][:1], EXPECTED["asks"])
    best = market_client.get("/api/v3/ticker/bookTicker", params={"symbol": SYMBOL}).json()
    assert best == {
        "symbol": SYMBOL,
        "bidPrice": "149.00",
        "bidQty": "0.600",
        "askPrice": "155.00",
        "askQty": "0.200",
    }

    # A new API instance starts from the latest snapshot and shows the same book. It serves
    # beside the first, so on another port (which also names it in the executions group).
    second = market_settings.model_copy(
        update={"trading_api_port": market_settings.trading_api_port + 1}
    )
    with TestClient(create_app(second)) as fresh:
        restarted = wait_for(
            lambda: _depth(fresh) if _depth(fresh)["asks"] else None, "a book after a restart"
        )
        # Its start lists the symbols with the engine again, which takes sequence numbers on
        # the shard: the book is the same, its update id only moves on.
        assert (restarted["bids"], restarted["asks"]) == (final["bids"], final["asks"])
        assert restarted["lastUpdateId"] >= final["lastUpdateId"]


@pytest.mark.timeout(120)
def test_trade_streams_raw_and_subscribed(market_client: TestClient, exchange: Exchange) -> None:
    with (
        market_client.websocket_connect(f"/ws/{SYMBOL.lower()}@trade") as raw,
        market_client.websocket_connect("/ws") as bare,
    ):
        bare.send_json({"method": "SUBSCRIBE", "params": [f"{SYMBOL.lower()}@aggTrade"], "id": 7})
        assert bare.receive_json() == {"result": None, "id": 7}
        bare.send_json({"method": "LIST_SUBSCRIPTIONS", "id": 8})
        assert bare.receive_json() == {"result": [f"{SYMBOL.lower()}@aggTrade"], "id": 8}
        bare.send_json({"method": "SUBSCRIBE", "params": ["nope@trade"], "id": 9})
        assert bare.receive_json()["error"]["code"] == 2
        exchange.order(SYMBOL, 21, "SELL", "150.50", "0.300")
        exchange.order(SYMBOL, 22, "BUY", "150.50", "0.100")
        trade = raw.receive_json()
        aggregate = bare.receive_json()
    assert trade["e"] == "trade" and trade["s"] == SYMBOL
    assert (trade["p"], trade["q"], trade["m"]) == ("150.50", "0.100", False)
    assert aggregate["e"] == "aggTrade"
    assert (aggregate["a"], aggregate["p"], aggregate["q"]) == (trade["t"], "150.50", "0.100")


def test_unknown_stream_is_refused(market_client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect), market_client.websocket_connect("/ws/nopeusdt@trade"):
        pass
