"""The market-data streaming job: raw trades to the lake, bars to InfluxDB, one query each."""

from __future__ import annotations

from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql.streaming import StreamingQuery

from pipelines import lake
from pipelines.bars import INTERVALS, bars
from pipelines.influx_sink import InfluxBarSink
from pipelines.sources import read_trades
from xi.settings import Settings


def trigger(settings: Settings, *, available_now: bool) -> dict[str, Any]:
    """``available_now`` works off what Kafka holds and stops; otherwise run every interval."""
    if available_now:
        return {"availableNow": True}
    return {"processingTime": f"{settings.pipelines_trigger_s} seconds"}


def start_market_jobs(
    spark: SparkSession, settings: Settings, *, available_now: bool = False
) -> list[StreamingQuery]:
    """Start the lake query and one bar query per interval, each with its own checkpoint."""
    when = trigger(settings, available_now=available_now)
    trades = read_trades(spark, settings)
    queries = [lake.write_trades(trades, settings, when)]
    sink = InfluxBarSink(settings)
    for interval in INTERVALS:
        name = f"bars-{interval}"
        queries.append(
            bars(trades, interval, settings.pipelines_watermark_s)
            .writeStream.queryName(name)
            .outputMode("update")
            .foreachBatch(sink)
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
