"""Binance's public market data endpoints: depth, trades, klines, tickers, average price.

Weights follow Binance's (some depend on the parameters); every list takes a bounded
``limit``. Books come from the API's in-memory copy of the engine's book stream, trades and
klines from the trades stored in PostgreSQL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Depends, Query, Request

from trading_api.api.deps import DbDep
from trading_api.api.limits import charge, weight
from trading_api.api.symbols import OptionalSymbol, SymbolParam, SymbolsParam, chosen, market
from trading_api.errors import BAD_COMBINATION, BAD_INTERVAL, MORE_THAN_XX_HOURS, ApiError
from trading_api.market import klines as kline_store
from trading_api.market import schemas, tickers, trades, wire
from trading_api.market.books import Books
from trading_api.market.klines import HOUR_MS, INTERVALS
from xi import markets

router = APIRouter(prefix="/api/v3", tags=["market"])

T = TypeVar("T")
TradeLimit = Annotated[int, Query(ge=1, le=1000, description="Default 500; max 1000.")]
TimeParam = Annotated[int | None, Query(ge=0, le=2**53, description="ms since the epoch")]
FromId = Annotated[int | None, Query(ge=0, le=2**63 - 1, description="First trade id returned")]
DEPTH_WEIGHTS = ((100, 5), (500, 25), (1000, 50), (5000, 250))


def _books(request: Request) -> Books:
    return request.app.state.market.books


BooksDep = Annotated[Books, Depends(_books)]


def _now_ms() -> int:
    return int(time.time() * 1000)


def _check_range(start: int | None, end: int | None) -> None:
    if start is not None and end is not None and start > end:
        raise ApiError(400, BAD_COMBINATION, "startTime must not be after endTime.")


def _depth_weight(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=5000, description="Default 100; max 5000.")] = 100,
) -> int:
    charge(request, next(w for top, w in DEPTH_WEIGHTS if limit <= top))
    return limit


@router.get("/depth")
def depth(
    symbol: SymbolParam,
    books: BooksDep,
    limit: Annotated[int, Depends(_depth_weight)],
) -> schemas.Depth:
    """Order book. Weight 5 (limit 1-100), 25 (-500), 50 (-1000), 250 (-5000)."""
    m = market(symbol)
    seq, bids, asks = books.top(m.symbol, limit)
    return schemas.Depth.model_validate(wire.partial_depth(m, seq, bids, asks))


@router.get("/trades", dependencies=[weight(25)])
def recent_trades(conn: DbDep, symbol: SymbolParam, limit: TradeLimit = 500) -> list[schemas.Trade]:
    """Recent trades, oldest first. Weight 25."""
    m = market(symbol)
    return [
        schemas.Trade.model_validate(wire.trade(m, t)) for t in trades.recent(conn, m.symbol, limit)
    ]


@router.get("/historicalTrades", dependencies=[weight(25)])
def historical_trades(
    conn: DbDep, symbol: SymbolParam, limit: TradeLimit = 500, fromId: FromId = None
) -> list[schemas.Trade]:
    """Older trades from ``fromId`` on (default: the most recent). Weight 25."""
    m = market(symbol)
    found = (
        trades.recent(conn, m.symbol, limit)
        if fromId is None
        else trades.from_id(conn, m.symbol, fromId, limit)
    )
    return [schemas.Trade.model_validate(wire.trade(m, t)) for t in found]


@router.get("/aggTrades", dependencies=[weight(4)])
def aggregate_trades(
    conn: DbDep,
    symbol: SymbolParam,
    fromId: FromId = None,
    startTime: TimeParam = None,
    endTime: TimeParam = None,
    limit: TradeLimit = 500,
) -> list[schemas.AggTrade]:
    """Compressed trades: here one aggregate per trade (aggregate id = trade id). Weight 4.

    ``startTime`` and ``endTime`` together may span at most one hour; ``fromId`` goes alone.
    """
    m = market(symbol)
    _check_range(startTime, endTime)
    if fromId is not None and (startTime is not None or endTime is not None):
        raise ApiError(400, BAD_COMBINATION, "fromId cannot be sent with startTime or endTime.")
    if startTime is not None and endTime is not None and endTime - startTime > HOUR_MS:
        raise ApiError(400, MORE_THAN_XX_HOURS, "More than 1 hours between startTime and endTime.")
    if fromId is not None:
        found = trades.from_id(conn, m.symbol, fromId, limit)
    elif startTime is None and endTime is None:
        found = trades.recent(conn, m.symbol, limit)
    else:
        found = trades.in_time_range(conn, m.symbol, startTime, endTime, limit)
    return [schemas.AggTrade.model_validate(wire.agg_trade(m, t)) for t in found]


def _klines(
    conn: DbDep,
    symbol: SymbolParam,
    interval: Annotated[str, Query(max_length=8, json_schema_extra={"enum": list(INTERVALS)})],
    startTime: TimeParam = None,
    endTime: TimeParam = None,
    limit: TradeLimit = 500,
) -> list[schemas.Kline]:
    m = market(symbol)
    if interval not in INTERVALS:
        raise ApiError(400, BAD_INTERVAL, "Invalid interval.")
    _check_range(startTime, endTime)
    found = kline_store.klines(
        conn,
        symbol=m.symbol,
        interval=INTERVALS[interval],
        start_ms=startTime,
        end_ms=endTime,
        limit=limit,
    )
    return [wire.kline(m, k) for k in found]


@router.get("/klines", dependencies=[weight(2)])
def klines(rows: Annotated[list[schemas.Kline], Depends(_klines)]) -> list[schemas.Kline]:
    """Candlesticks, oldest first, from the stored trades (intervals without trades are left
    out). Without startTime, the latest ``limit``. Weight 2."""
    return rows


@router.get("/uiKlines", dependencies=[weight(2)])
def ui_klines(rows: Annotated[list[schemas.Kline], Depends(_klines)]) -> list[schemas.Kline]:
    """Candlesticks for presentation; the same as /klines here. Weight 2."""
    return rows


@router.get("/ticker/24hr")
def ticker_24hr(
    request: Request,
    conn: DbDep,
    books: BooksDep,
    symbol: OptionalSymbol = None,
    symbols: SymbolsParam = None,
    type: Literal["FULL", "MINI"] = "FULL",
) -> schemas.Ticker | schemas.MiniTicker | list[schemas.Ticker] | list[schemas.MiniTicker]:
    """Rolling 24-hour statistics. Weight 2 for one symbol (or up to 20 in ``symbols``), 40 for
    up to 100, 80 for more or for all."""
    wanted = chosen(symbol, symbols)
    count = len(wanted) if wanted is not None else 101
    charge(request, 2 if count <= 20 else 40 if count <= 100 else 80)
    now = _now_ms()
    found = [
        tickers.day(conn, books, m, now, full=type == "FULL")
        for m in wanted or markets.load().symbols.values()
    ]
    model = schemas.Ticker if type == "FULL" else schemas.MiniTicker
    shaped = [model.model_validate(t) for t in found]
    return shaped[0] if symbol is not None else shaped


@router.get("/ticker/price")
def ticker_price(
    request: Request, conn: DbDep, symbol: OptionalSymbol = None, symbols: SymbolsParam = None
) -> schemas.PriceTicker | list[schemas.PriceTicker]:
    """Last trade price. Weight 2 for one symbol, 4 otherwise."""
    return _one_or_each(
        request,
        symbol,
        symbols,
        lambda m: schemas.PriceTicker.model_validate(tickers.last_price(conn, m)),
    )


@router.get("/ticker/bookTicker")
def book_ticker(
    request: Request, books: BooksDep, symbol: OptionalSymbol = None, symbols: SymbolsParam = None
) -> schemas.BookTicker | list[schemas.BookTicker]:
    """Best bid and ask. Weight 2 for one symbol, 4 otherwise."""
    return _one_or_each(
        request,
        symbol,
        symbols,
        lambda m: schemas.BookTicker.model_validate(tickers.book_ticker(books, m)),
    )


def _one_or_each(
    request: Request,
    symbol: str | None,
    symbols: str | None,
    shape: Callable[[markets.Market], T],
) -> T | list[T]:
    """One symbol's answer, or a list for the named symbols (all when none): weight 2 or 4."""
    wanted = chosen(symbol, symbols)
    charge(request, 2 if symbol is not None else 4)
    found = [shape(m) for m in wanted or markets.load().symbols.values()]
    return found[0] if symbol is not None else found


@router.get("/avgPrice", dependencies=[weight(2)])
def average_price(conn: DbDep, symbol: SymbolParam) -> schemas.AvgPrice:
    """Volume-weighted average price of the last five minutes. Weight 2."""
    return schemas.AvgPrice.model_validate(tickers.average_price(conn, market(symbol), _now_ms()))
