"""Response shapes of the market data endpoints, as Binance sends them (decimals as strings)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

# Fixed-length arrays as plain arrays with a length: tuple schemas (prefixItems) are not read
# alike by every OpenAPI tool.
PriceLevel = Annotated[list[str], Field(min_length=2, max_length=2, description="[price, qty]")]
Kline = Annotated[
    list[int | str],
    Field(
        min_length=12,
        max_length=12,
        description=(
            "[open time, open, high, low, close, volume, close time, quote volume, trades, "
            "taker buy volume, taker buy quote volume, unused]"
        ),
    ),
]


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
