"""Writing bars to InfluxDB, idempotently: a bar is one point keyed by symbol, interval and start.

The streaming aggregation emits a bar again each time a trade updates it; writing the same
measurement, tags and timestamp again overwrites the fields, so the last write is the full bar
and a micro-batch redone after a restart changes nothing.
"""

from __future__ import annotations

import logging

from influxdb_client import Point, WritePrecision
from influxdb_client.client.write_api import SYNCHRONOUS

from pipelines.bars import Bar
from xi import clients
from xi.settings import Settings

MEASUREMENT = "bars"
log = logging.getLogger(__name__)


def bar_point(bar: Bar) -> Point:
    # Floats are for charts; the exact values are the integer tick and lot fields.
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


class InfluxBarSink:
    """Writes a micro-batch's bars, one point each."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def __call__(self, bars: list[Bar], batch_id: int) -> None:
        points = [bar_point(bar) for bar in bars]
        if not points:
            return
        with clients.influxdb(self.settings) as client:
            client.write_api(write_options=SYNCHRONOUS).write(
                bucket=self.settings.influxdb_bucket, record=points
            )
        log.debug("batch %d: %d bars written", batch_id, len(points))
