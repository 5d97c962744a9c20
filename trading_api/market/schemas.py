"""Response shapes of the market data endpoints, as Binance sends them (decimals as strings)."""

from __future__ import annotations

from pydantic import BaseModel

PriceLevel = tuple[str, str]  # [price, quantity]
Kline = tuple[int, str, str, str, str, str, int, str, int, str, str, str]


class Depth(BaseModel):
    lastUpdateId: int
    bids: list[PriceLevel]
    asks: list[PriceLevel]


class Trade(BaseModel):
    id: int
    price: str
    qty: str
    quoteQty: str
    time: int
    isBuyerMaker: bool
    isBestMatch: bool


class AggTrade(BaseModel):
    a: int
    p: str
    q: str
    f: int
    l: int  # noqa: E741 - Binance's field name
    T: int
    m: bool
    M: bool


class MiniTicker(BaseModel):
    symbol: str
    openPrice: str
    highPrice: str
    lowPrice: str
    lastPrice: str
    volume: str
    quoteVolume: str
    openTime: int
    closeTime: int
    firstId: int
    lastId: int
    count: int


class Ticker(MiniTicker):
    priceChange: str
    priceChangePercent: str
    weightedAvgPrice: str
    prevClosePrice: str
    lastQty: str
    bidPrice: str
    bidQty: str
    askPrice: str
    askQty: str


class PriceTicker(BaseModel):
    symbol: str
    price: str


class BookTicker(BaseModel):
    symbol: str
    bidPrice: str
    bidQty: str
    askPrice: str
    askQty: str


class AvgPrice(BaseModel):
    mins: int
    price: str
    closeTime: int


class ListenKey(BaseModel):
    listenKey: str
