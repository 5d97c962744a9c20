"""OHLCV, VWAP and trade-count bars per symbol, counted in ticks and lots, shown in decimals.

Spark adds up a set of trades into :class:`BarTotals` per symbol, interval and bar start
(:func:`bar_parts`), in the engine's integers, so nothing is rounded. Totals of two sets of
trades merge into the totals of both (:meth:`BarTotals.merge`): the stream merges each
micro-batch into the bars it holds, the batch job adds up every trade at once, and both give
the same bar. A bar becomes decimals only when it is written out (:func:`decimal_bar`); VWAP
is the one value that cannot be exact: it is rounded half even to the quote asset's unit.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F

from pipelines import markets as spark_markets
from xi import markets
from xi.markets import Market

SECOND_NS = 1_000_000_000
# Bar name -> length in nanoseconds.
INTERVALS = {"1s": SECOND_NS, "1m": 60 * SECOND_NS}

BarKey = tuple[str, str, int]  # symbol, interval, start (ns since the epoch)


@dataclass(frozen=True)
class BarTotals:
    """A bar over some trades; a trade's place in time is (ts_ns, seq) within its symbol."""

    open_at: tuple[int, int]
    open_ticks: int
    high_ticks: int
    low_ticks: int
    close_at: tuple[int, int]
    close_ticks: int
    volume_lots: int
    turnover_ticks_lots: int
    trade_count: int

    @property
    def last_ts_ns(self) -> int:
        """The latest trade counted: the time the bar's values hold as of."""
        return self.close_at[0]

    def merge(self, other: BarTotals) -> BarTotals:
        first = self if self.open_at <= other.open_at else other
        last = self if self.close_at >= other.close_at else other
        return BarTotals(
            open_at=first.open_at,
            open_ticks=first.open_ticks,
            high_ticks=max(self.high_ticks, other.high_ticks),
            low_ticks=min(self.low_ticks, other.low_ticks),
            close_at=last.close_at,
            close_ticks=last.close_ticks,
            volume_lots=self.volume_lots + other.volume_lots,
            turnover_ticks_lots=self.turnover_ticks_lots + other.turnover_ticks_lots,
            trade_count=self.trade_count + other.trade_count,
        )

    def to_list(self) -> list[int]:
        return [
            *self.open_at,
            self.open_ticks,
            self.high_ticks,
            self.low_ticks,
            *self.close_at,
            self.close_ticks,
            self.volume_lots,
            self.turnover_ticks_lots,
            self.trade_count,
        ]

    @classmethod
    def from_list(cls, values: list[int]) -> BarTotals:
        o_ts, o_seq, open_, high, low, c_ts, c_seq, close, volume, turnover, count = values
        return cls((o_ts, o_seq), open_, high, low, (c_ts, c_seq), close, volume, turnover, count)


def bar_parts(trades: DataFrame) -> DataFrame:
    """Per symbol, interval and bar start, the totals of ``trades`` (rows of ``trades.v1``)."""
    # Trades of one symbol come from one engine shard, so (ts_ns, seq) orders them.
    at = F.struct("ts_ns", "seq")
    starts = F.array(
        *[
            F.struct(
                F.lit(name).alias("interval"),
                (F.expr(f"ts_ns div {size}") * size).alias("start_ns"),
            )
            for name, size in INTERVALS.items()
        ]
    )
    return (
        trades.where(F.col("symbol").isin(spark_markets.known_symbols()))
        .select("symbol", "ts_ns", "seq", "price", "qty", F.explode(starts).alias("bar"))
        .groupBy("symbol", "bar.interval", "bar.start_ns")
        .agg(
            F.min(at).alias("open_at"),
            F.min_by("price", at).alias("open_ticks"),
            F.max("price").alias("high_ticks"),
            F.min("price").alias("low_ticks"),
            F.max(at).alias("close_at"),
            F.max_by("price", at).alias("close_ticks"),
            F.sum("qty").alias("volume_lots"),
            F.sum(
                F.col("price").cast(spark_markets.COUNT) * F.col("qty").cast(spark_markets.COUNT)
            ).alias("turnover_ticks_lots"),
            F.count(F.lit(1)).alias("trade_count"),
        )
    )


def totals_by_bar(rows: Iterable[Row]) -> dict[BarKey, BarTotals]:
    """Collected rows of :func:`bar_parts`, by bar."""
    return {
        (row["symbol"], row["interval"], row["start_ns"]): BarTotals(
            open_at=(row["open_at"]["ts_ns"], row["open_at"]["seq"]),
            open_ticks=row["open_ticks"],
            high_ticks=row["high_ticks"],
            low_ticks=row["low_ticks"],
            close_at=(row["close_at"]["ts_ns"], row["close_at"]["seq"]),
            close_ticks=row["close_ticks"],
            volume_lots=row["volume_lots"],
            turnover_ticks_lots=int(row["turnover_ticks_lots"]),
            trade_count=row["trade_count"],
        )
        for row in rows
    }


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


def decimal_bar(key: BarKey, totals: BarTotals, market: Market) -> Bar:
    """A bar in the symbol's decimals."""
    symbol, interval, start_ns = key
    return Bar(
        symbol=symbol,
        interval=interval,
        start_ns=start_ns,
        open=market.price(totals.open_ticks),
        high=market.price(totals.high_ticks),
        low=market.price(totals.low_ticks),
        close=market.price(totals.close_ticks),
        volume=market.quantity(totals.volume_lots),
        vwap=vwap(market, totals.turnover_ticks_lots, totals.volume_lots),
        trade_count=totals.trade_count,
        last_ts_ns=totals.last_ts_ns,
        ticks={
            "open_ticks": totals.open_ticks,
            "high_ticks": totals.high_ticks,
            "low_ticks": totals.low_ticks,
            "close_ticks": totals.close_ticks,
            "volume_lots": totals.volume_lots,
        },
    )


def decimal_bars(totals: Mapping[BarKey, BarTotals]) -> list[Bar]:
    """Bars in their symbols' decimals, in key order."""
    catalogue = markets.load()
    return [decimal_bar(key, totals[key], catalogue.market(key[0])) for key in sorted(totals)]
