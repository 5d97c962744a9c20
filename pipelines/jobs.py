"""The market-data streaming job: raw trades to the lake, bars to InfluxDB, one query each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming import StreamingQuery

from features import store
from pipelines import lake
from pipelines.bars import INTERVALS, Bar, bars, decimal_bars
from pipelines.feature_push import FeatureBarPush
from pipelines.influx_sink import InfluxBarSink
from pipelines.sources import read_trades
from xi.settings import Settings

BarSink = Callable[[list[Bar], int], None]


class BarWriter:
    """A ``foreachBatch`` function: the micro-batch's bars in decimals, to each sink in turn."""

    def __init__(self, sinks: list[BarSink]) -> None:
        self.sinks = sinks

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        found = decimal_bars(batch.collect())
        for sink in self.sinks:
            sink(found, batch_id)


def trigger(settings: Settings, *, available_now: bool) -> dict[str, Any]:
    """``available_now`` works off what Kafka holds and stops; otherwise run every interval."""
    if available_now:
        return {"availableNow": True}
    return {"processingTime": f"{settings.pipelines_trigger_s} seconds"}


def start_market_jobs(
    spark: SparkSession, settings: Settings, *, available_now: bool = False
) -> list[StreamingQuery]:
    """Start the lake query and one bar query per interval, each with its own checkpoint.

    Every bar goes to InfluxDB; the one-minute bars also feed the Feast online store.
    """
    when = trigger(settings, available_now=available_now)
    trades = read_trades(spark, settings)
    queries = [lake.write_trades(trades, settings, when)]
    store.apply(settings)
    influx = InfluxBarSink(settings)
    sinks: dict[str, list[BarSink]] = {"1s": [influx], "1m": [influx, FeatureBarPush(settings)]}
    for interval in INTERVALS:
        name = f"bars-{interval}"
        queries.append(
            bars(trades, interval, settings.pipelines_watermark_s)
            .writeStream.queryName(name)
            .outputMode("update")
            .foreachBatch(BarWriter(sinks[interval]))
            .option("checkpointLocation", str(settings.pipelines_checkpoint_dir / name))
            .trigger(**when)
            .start()
        )
    return queries


def await_all(queries: list[StreamingQuery]) -> None:
    """Wait for every query to end; the first failure is raised."""
    for query in queries:
        query.awaitTermination()


def progress_line(queries: list[StreamingQuery]) -> str:
    """One line per check: each query's last micro-batch, its rows and its rate."""
    parts = []
    for query in queries:
        last = query.lastProgress
        if last is None:
            parts.append(f"{query.name}: starting")
            continue
        rate = last.get("processedRowsPerSecond") or 0.0
        parts.append(
            f"{query.name}: batch {last['batchId']}, {last['numInputRows']} rows, {rate:,.0f}/s"
        )
    return "; ".join(parts)


def stop_all(queries: list[StreamingQuery]) -> None:
    for query in queries:
        query.stop()


def failure(queries: list[StreamingQuery]) -> str | None:
    """The first failed query's error, if any."""
    for query in queries:
        error = query.exception()
        if error is not None:
            return f"{query.name}: {error}"
    return None
