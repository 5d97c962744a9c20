"""Market data in Binance's wire shapes: decimal strings converted from ticks and lots."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from trading_api.market.books import DepthChange, Level
from trading_api.market.klines import Kline
from trading_api.market.trades import Trade
from xi.markets import Market


def decimal(value: Decimal) -> str:
    return format(value, "f")


def price(market: Market, ticks: int) -> str:
    return decimal(market.price(ticks))


def qty(market: Market, lots: int) -> str:
    return decimal(market.quantity(lots))


def quote(market: Market, ticks_times_lots: int) -> str:
    return decimal(market.notional_unit * ticks_times_lots)


def levels(market: Market, side: list[Level]) -> list[list[str]]:
    return [[price(market, p), qty(market, q)] for p, q in side]


def trade(market: Market, t: Trade) -> dict[str, Any]:
    return {
        "id": t.trade_id,
        "price": price(market, t.price),
        "qty": qty(market, t.qty),
        "quoteQty": decimal(market.notional(t.price, t.qty)),
        "time": t.time_ms,
        "isBuyerMaker": t.buyer_is_maker,
        "isBestMatch": True,
    }


def agg_trade(market: Market, t: Trade) -> dict[str, Any]:
    """One aggregate per trade: the aggregate id is the trade id."""
    return {
        "a": t.trade_id,
        "p": price(market, t.price),
        "q": qty(market, t.qty),
        "f": t.trade_id,
        "l": t.trade_id,
        "T": t.time_ms,
        "m": t.buyer_is_maker,
        "M": True,
    }


def kline(market: Market, k: Kline) -> list[Any]:
    s = k.summary
    return [
        k.open_time,
        price(market, s.open),
        price(market, s.high),
        price(market, s.low),
        price(market, s.close),
        qty(market, s.volume),
        k.close_time,
        quote(market, s.quote_volume),
        s.count,
        qty(market, s.taker_buy_volume),
        quote(market, s.taker_buy_quote_volume),
        "0",
    ]


def trade_event(market: Market, t: Trade, now_ms: int) -> dict[str, Any]:
    return {
        "e": "trade",
        "E": now_ms,
        "s": market.symbol,
        "t": t.trade_id,
        "p": price(market, t.price),
        "q": qty(market, t.qty),
        "T": t.time_ms,
        "m": t.buyer_is_maker,
        "M": True,
    }


def agg_trade_event(market: Market, t: Trade, now_ms: int) -> dict[str, Any]:
    return {"e": "aggTrade", "E": now_ms, "s": market.symbol, **agg_trade(market, t)}


def depth_event(market: Market, change: DepthChange) -> dict[str, Any]:
    return {
        "e": "depthUpdate",
        "E": change.event_time_ms,
        "s": market.symbol,
        "U": change.first_update_id,
        "u": change.last_update_id,
        "b": levels(market, change.bids),
        "a": levels(market, change.asks),
    }


def partial_depth(market: Market, seq: int, bids: list[Level], asks: list[Level]) -> dict[str, Any]:
    return {"lastUpdateId": seq, "bids": levels(market, bids), "asks": levels(market, asks)}
