"""Writing series to InfluxDB, idempotently: one point per key and time.

Bars are keyed by symbol, interval and start; book tops by symbol and second. Writing the
same measurement, tags and timestamp again overwrites the fields, so the last write is the
full value and a micro-batch redone after a restart changes nothing. Floats are for charts;
the exact values are the integer tick and lot fields.
"""

from __future__ import annotations

from collections.abc import Iterable

from influxdb_client import Point, WritePrecision
from influxdb_client.client.write_api import SYNCHRONOUS

from pipelines.bars import Bar
from pipelines.book_series import TopOfBook
from xi import clients, markets
from xi.settings import Settings

MEASUREMENT = "bars"
BOOK_MEASUREMENT = "book"


def bar_point(bar: Bar) -> Point:
    point = (
        Point(MEASUREMENT)
        .tag("symbol", bar.symbol)
        .tag("interval", bar.interval)
        .time(bar.start_ns, WritePrecision.NS)
        .field("open", float(bar.open))
        .field("high", float(bar.high))
        .field("low", float(bar.low))
        .field("close", float(bar.close))
        .field("volume", float(bar.volume))
        .field("vwap", float(bar.vwap))
        .field("trade_count", bar.trade_count)
    )
    for name, count in bar.ticks.items():
        point = point.field(name, count)
    return point


def book_point(top: TopOfBook) -> Point:
    """Best bid and ask, spread, and lots at the best level and in the best few levels."""
    market = markets.load().market(top.symbol)
    point = (
        Point(BOOK_MEASUREMENT)
        .tag("symbol", top.symbol)
        .time(top.second_ns, WritePrecision.NS)
        .field("ts_ns", top.ts_ns)
    )
    for side, levels in (("bid", top.bids), ("ask", top.asks)):
        if not levels:
            continue
        price, lots = levels[0]
        depth = sum(qty for _, qty in levels)
        point = (
            point.field(f"best_{side}_ticks", price)
            .field(f"{side}_lots", lots)
            .field(f"{side}_depth_lots", depth)
            .field(f"best_{side}", float(market.price(price)))
            .field(f"{side}_qty", float(market.quantity(lots)))
            .field(f"{side}_depth_qty", float(market.quantity(depth)))
        )
    if top.bids and top.asks:
        spread = top.asks[0][0] - top.bids[0][0]
        point = point.field("spread_ticks", spread).field("spread", float(market.price(spread)))
    return point


class InfluxSink:
    """Writes points to the settings' bucket."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def __call__(self, points: Iterable[Point]) -> None:
        batch = list(points)
        if not batch:
            return
        with clients.influxdb(self.settings) as client:
            client.write_api(write_options=SYNCHRONOUS).write(
                bucket=self.settings.influxdb_bucket, record=batch
            )
