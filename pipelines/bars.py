"""OHLCV, VWAP and trade-count bars per symbol, counted in ticks and lots, shown in decimals.

Spark aggregates in the engine's integers, so nothing is rounded while trades are added up;
a bar becomes decimals only when it is written out (:func:`decimal_bar`), through the
symbol's tick and step sizes. VWAP is the one value that cannot be exact: it is rounded half
even to the quote asset's precision.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F

from pipelines import markets as spark_markets
from xi import markets
from xi.markets import Market

# Bar name -> Spark window duration.
INTERVALS = {"1s": "1 second", "1m": "1 minute"}


def bars(trades: DataFrame, interval: str, watermark_s: int) -> DataFrame:
    """Streaming bars of one interval; a late trade counts until the watermark passes its bar."""
    # Trades of one symbol come from one engine shard, so (ts_ns, seq) orders them.
    order = F.struct("ts_ns", "seq")
    listed = trades.where(F.col("symbol").isin(spark_markets.known_symbols()))
    return (
        listed.withWatermark("event_time", f"{watermark_s} seconds")
        .groupBy(F.window("event_time", INTERVALS[interval]), "symbol")
        .agg(
            F.min_by("price", order).alias("open_ticks"),
            F.max("price").alias("high_ticks"),
            F.min("price").alias("low_ticks"),
            F.max_by("price", order).alias("close_ticks"),
            F.sum("qty").alias("volume_lots"),
            F.sum(
                F.col("price").cast(spark_markets.COUNT) * F.col("qty").cast(spark_markets.COUNT)
            ).alias("turnover_ticks_lots"),
            F.count(F.lit(1)).alias("trade_count"),
            F.max("ts_ns").alias("last_ts_ns"),
        )
        .select(
            "symbol",
            F.lit(interval).alias("interval"),
            # Epoch nanoseconds: a naive datetime would take the Python process's zone.
            (F.unix_micros(F.col("window.start")) * 1000).alias("start_ns"),
            "open_ticks",
            "high_ticks",
            "low_ticks",
            "close_ticks",
            "volume_lots",
            "turnover_ticks_lots",
            "trade_count",
            "last_ts_ns",
        )
    )


@dataclass(frozen=True)
class Bar:
    symbol: str
    interval: str
    start_ns: int  # bar start, ns since the epoch
    open: decimal.Decimal
    high: decimal.Decimal
    low: decimal.Decimal
    close: decimal.Decimal
    volume: decimal.Decimal
    vwap: decimal.Decimal
    trade_count: int
    last_ts_ns: int  # the latest trade counted so far: the time the bar's values hold as of
    ticks: Mapping[str, int]  # open, high, low, close in ticks and volume in lots, exact


def vwap(market: Market, turnover_ticks_lots: int, volume_lots: int) -> decimal.Decimal:
    """Volume-weighted average price, rounded half even to the quote asset's unit."""
    # Wide enough that turnover (up to 38 digits) times the tick size is exact before rounding.
    with decimal.localcontext(prec=80, rounding=decimal.ROUND_HALF_EVEN):
        exact = market.tick_size * decimal.Decimal(turnover_ticks_lots) / volume_lots
        return exact.quantize(market.quote.unit)


def decimal_bar(row: Mapping[str, Any], market: Market) -> Bar:
    """A bar row of :func:`bars` in the symbol's decimals."""
    return Bar(
        symbol=row["symbol"],
        interval=row["interval"],
        start_ns=row["start_ns"],
        open=market.price(row["open_ticks"]),
        high=market.price(row["high_ticks"]),
        low=market.price(row["low_ticks"]),
        close=market.price(row["close_ticks"]),
        volume=market.quantity(row["volume_lots"]),
        vwap=vwap(market, int(row["turnover_ticks_lots"]), row["volume_lots"]),
        trade_count=row["trade_count"],
        last_ts_ns=row["last_ts_ns"],
        ticks={
            "open_ticks": row["open_ticks"],
            "high_ticks": row["high_ticks"],
            "low_ticks": row["low_ticks"],
            "close_ticks": row["close_ticks"],
            "volume_lots": row["volume_lots"],
        },
    )


def decimal_bars(rows: Iterable[Row]) -> list[Bar]:
    """Collected rows of :func:`bars`, each in its symbol's decimals."""
    catalogue = markets.load()
    return [decimal_bar(row.asDict(), catalogue.market(row["symbol"])) for row in rows]
