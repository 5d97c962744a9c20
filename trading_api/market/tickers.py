"""Binance's tickers: rolling 24-hour statistics, last price, best bid and ask, average price."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from psycopg import Connection

from trading_api.market import trades, wire
from trading_api.market.books import Books
from trading_api.market.klines import DAY_MS, MINUTE_MS
from xi.markets import Market

EIGHT_PLACES = Decimal("1E-8")
PERCENT_PLACES = Decimal("0.001")
AVERAGE_PRICE_MINUTES = 5


def _ratio(numerator: Decimal, denominator: Decimal, places: Decimal) -> str:
    return wire.decimal((numerator / denominator).quantize(places)) if denominator else "0"


def day(conn: Connection, books: Books, market: Market, now_ms: int, full: bool) -> dict[str, Any]:
    """The rolling 24-hour ticker; a window without trades has zero prices and ids of -1."""
    open_ms = now_ms - DAY_MS
    s = trades.summarise_since(conn, market.symbol, open_ms)
    zero = market.price(0)
    open_, high, low, last = (
        (market.price(s.open), market.price(s.high), market.price(s.low), market.price(s.close))
        if s
        else (zero, zero, zero, zero)
    )
    volume = market.quantity(s.volume) if s else market.quantity(0)
    quote_volume = market.notional_unit * (s.quote_volume if s else 0)
    ticker: dict[str, Any] = {
        "symbol": market.symbol,
        "openPrice": wire.decimal(open_),
        "highPrice": wire.decimal(high),
        "lowPrice": wire.decimal(low),
        "lastPrice": wire.decimal(last),
        "volume": wire.decimal(volume),
        "quoteVolume": wire.decimal(quote_volume),
        "openTime": open_ms,
        "closeTime": now_ms,
        "firstId": s.first_id if s else -1,
        "lastId": s.last_id if s else -1,
        "count": s.count if s else 0,
    }
    if not full:
        return ticker
    before = trades.last_before(conn, market.symbol, open_ms)
    best = book_ticker(books, market)
    return {
        "symbol": market.symbol,
        "priceChange": wire.decimal(last - open_),
        "priceChangePercent": _ratio((last - open_) * 100, open_, PERCENT_PLACES),
        "weightedAvgPrice": _ratio(quote_volume, volume, EIGHT_PLACES),
        "prevClosePrice": wire.decimal(market.price(before.price) if before else zero),
        "lastQty": wire.decimal(market.quantity(s.last_qty if s else 0)),
        **{k: best[k] for k in ("bidPrice", "bidQty", "askPrice", "askQty")},
        **ticker,
    }


def book_ticker(books: Books, market: Market) -> dict[str, Any]:
    """The best bid and ask; an empty side shows zero."""
    _, bids, asks = books.top(market.symbol, 1)
    bid, ask = (bids or [(0, 0)])[0], (asks or [(0, 0)])[0]
    return {
        "symbol": market.symbol,
        "bidPrice": wire.price(market, bid[0]),
        "bidQty": wire.qty(market, bid[1]),
        "askPrice": wire.price(market, ask[0]),
        "askQty": wire.qty(market, ask[1]),
    }


def last_price(conn: Connection, market: Market) -> dict[str, Any]:
    latest = trades.recent(conn, market.symbol, 1)
    return {"symbol": market.symbol, "price": wire.price(market, latest[0].price if latest else 0)}


def average_price(conn: Connection, market: Market, now_ms: int) -> dict[str, Any]:
    """Volume-weighted price of the last five minutes.

    With no trade in them: the last trade's price, or before any trade the symbol's reference
    price (the centre of the engine's price band).
    """
    s = trades.summarise_since(conn, market.symbol, now_ms - AVERAGE_PRICE_MINUTES * MINUTE_MS)
    if s:
        volume = market.quantity(s.volume)
        price = _ratio(market.notional_unit * s.quote_volume, volume, EIGHT_PLACES)
    else:
        latest = trades.recent(conn, market.symbol, 1)
        price = wire.decimal(market.price(latest[0].price) if latest else market.reference_price)
    return {"mins": AVERAGE_PRICE_MINUTES, "price": price, "closeTime": now_ms}
