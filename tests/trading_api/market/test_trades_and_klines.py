"""Trades made by the engine, as /trades, /aggTrades, /klines and /ticker/24hr show them,
checked against a computation from the trades read straight from the engine's topic."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from tests.engine_service import harness
from tests.trading_api.market.conftest import Exchange, wait_for
from xi import markets, topics
from xi.settings import Settings

SYMBOL = "ETHUSDT"
MINUTE_MS = 60_000


def _engine_trades(settings: Settings) -> list[dict[str, Any]]:
    topic = f"{settings.engine_topic_prefix}{topics.TRADES}"
    found = [json.loads(value) for _, value in harness.read_committed(settings, topic)]
    return sorted((t for t in found if t["symbol"] == SYMBOL), key=lambda t: t["trade_id"])


def _expected_klines(trades: list[dict[str, Any]], interval_ms: int) -> list[list[Any]]:
    """Binance klines from raw engine trades, computed independently of the API's SQL."""
    market = markets.load().market(SYMBOL)
    buckets: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for t in trades:
        time_ms = t["ts_ns"] // 1_000_000
        buckets[time_ms - time_ms % interval_ms].append(t)
    rows = []
    for open_ms, group in sorted(buckets.items()):
        prices = [market.price(t["price"]) for t in group]
        volume = sum((market.quantity(t["qty"]) for t in group), Decimal(0))
        quote = sum((market.notional(t["price"], t["qty"]) for t in group), Decimal(0))
        taker_buys = [t for t in group if t["aggressor"] == "BUY"]
        rows.append(
            [
                open_ms,
                prices[0],
                max(prices),
                min(prices),
                prices[-1],
                volume,
                open_ms + interval_ms - 1,
                quote,
                len(group),
                sum((market.quantity(t["qty"]) for t in taker_buys), Decimal(0)),
                sum((market.notional(t["price"], t["qty"]) for t in taker_buys), Decimal(0)),
            ]
        )
    return rows


def _as_numbers(kline: list[Any]) -> list[Any]:
    return [Decimal(v) if isinstance(v, str) else v for v in kline[:11]]


def test_engine_trades_appear_in_trades_klines_and_ticker(
    market_client: TestClient, exchange: Exchange, market_settings: Settings
) -> None:
    now = int(time.time() * 1000)
    start = now - now % MINUTE_MS - 5 * MINUTE_MS
    # Five minutes of trading, three trades a minute at moving prices, alternating aggressors.
    for minute in range(5):
        at = start + minute * MINUTE_MS + 1_000
        price = Decimal("3000") + minute * 3
        exchange.order(SYMBOL, 1, "SELL", str(price), "0.5", ts_ms=at)
        exchange.order(SYMBOL, 2, "BUY", str(price), "0.2", ts_ms=at + 1)
        exchange.order(SYMBOL, 2, "BUY", str(price + 1), "0.4", ts_ms=at + 2)
        exchange.order(SYMBOL, 1, "SELL", str(price + 1), "0.1", ts_ms=at + 3)

    def fifteen_trades() -> list[dict[str, Any]] | None:
        found = market_client.get("/api/v3/trades", params={"symbol": SYMBOL}).json()
        return found if len(found) >= 15 else None

    trades = wait_for(fifteen_trades, "15 trades in /trades")
    engine = _engine_trades(market_settings)
    assert len(engine) == 15
    market = markets.load().market(SYMBOL)
    assert [t["id"] for t in trades] == [t["trade_id"] for t in engine]
    assert [Decimal(t["price"]) for t in trades] == [market.price(t["price"]) for t in engine]
    assert [Decimal(t["qty"]) for t in trades] == [market.quantity(t["qty"]) for t in engine]
    assert [t["isBuyerMaker"] for t in trades] == [t["aggressor"] == "SELL" for t in engine]
    assert trades[0]["price"] == "3000.00" and trades[0]["qty"] == "0.2000"

    limited = market_client.get("/api/v3/trades", params={"symbol": SYMBOL, "limit": 3}).json()
    assert limited == trades[-3:]
    later = market_client.get(
        "/api/v3/historicalTrades",
        params={"symbol": SYMBOL, "fromId": trades[4]["id"], "limit": 2},
    ).json()
    assert later == trades[4:6]
    aggregates = market_client.get(
        "/api/v3/aggTrades",
        params={"symbol": SYMBOL, "startTime": start, "endTime": start + 2 * MINUTE_MS},
    ).json()
    assert [a["a"] for a in aggregates] == [
        t["trade_id"] for t in engine if t["ts_ns"] // 1_000_000 <= start + 2 * MINUTE_MS
    ]

    for interval, length in (("1m", MINUTE_MS), ("5m", 5 * MINUTE_MS), ("1s", 1000)):
        got = market_client.get(
            "/api/v3/klines", params={"symbol": SYMBOL, "interval": interval}
        ).json()
        assert [_as_numbers(k) for k in got] == _expected_klines(engine, length), interval
    first_two = market_client.get(
        "/api/v3/uiKlines",
        params={"symbol": SYMBOL, "interval": "1m", "startTime": start, "limit": 2},
    ).json()
    assert [k[0] for k in first_two] == [start, start + MINUTE_MS]
    last_one = market_client.get(
        "/api/v3/klines",
        params={"symbol": SYMBOL, "interval": "1m", "endTime": start + 3 * MINUTE_MS, "limit": 1},
    ).json()
    assert [k[0] for k in last_one] == [start + 3 * MINUTE_MS]

    ticker = market_client.get("/api/v3/ticker/24hr", params={"symbol": SYMBOL}).json()
    prices = [market.price(t["price"]) for t in engine]
    volume = sum(market.quantity(t["qty"]) for t in engine)
    quote = sum(market.notional(t["price"], t["qty"]) for t in engine)
    assert Decimal(ticker["openPrice"]) == prices[0]
    assert Decimal(ticker["lastPrice"]) == prices[-1]
    assert Decimal(ticker["highPrice"]) == max(prices)
    assert Decimal(ticker["lowPrice"]) == min(prices)
    assert Decimal(ticker["volume"]) == volume
    assert Decimal(ticker["quoteVolume"]) == quote
    assert Decimal(ticker["priceChange"]) == prices[-1] - prices[0]
    assert Decimal(ticker["weightedAvgPrice"]) == (quote / volume).quantize(Decimal("1E-8"))
    assert (ticker["firstId"], ticker["lastId"], ticker["count"]) == (
        engine[0]["trade_id"],
        engine[-1]["trade_id"],
        15,
    )
    last = market_client.get("/api/v3/ticker/price", params={"symbol": SYMBOL}).json()
    assert last == {"symbol": SYMBOL, "price": ticker["lastPrice"]}
    every = market_client.get("/api/v3/ticker/24hr", params={"type": "MINI"}).json()
    assert {t["symbol"] for t in every} == set(markets.load().symbols)
