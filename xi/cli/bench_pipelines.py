"""`xi bench pipelines`: the market streaming job's throughput and trade-to-InfluxDB latency.

Runs on its own topic, InfluxDB bucket, checkpoints and lake, removed at the end:
1. throughput: a backlog of made-up ``trades.v1`` records is produced first, then the job
   (lake and both bar queries) works it off; trades/s = backlog / wall time of that run;
2. latency: the job runs on its processing-time trigger while trades are sent at a fixed rate
   with their time of sending; InfluxDB's 1 s bars are polled, and a trade counts as visible
   when its bar's trade count includes it (one symbol's trades reach a bar in sending order).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from kafka import KafkaProducer
from kafka.admin import NewTopic

from xi import clients, topics
from xi.cli.progress import steps
from xi.settings import Settings, get_settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SECOND_NS = 1_000_000_000
Report = Callable[[str], None]
SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XITUSDT"]
BarKey = tuple[str, int]  # symbol, 1 s bar start in ns


def _producer(settings: Settings) -> KafkaProducer:
    return KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, linger_ms=5, batch_size=256 * 1024, acks=1
    )


def _scratch_settings(settings: Settings, root: Path) -> Settings:
    return settings.model_copy(
        update={
            "pipelines_topic_prefix": f"bench-{uuid.uuid4().hex[:8]}.",
            "influxdb_bucket": f"bench-bars-{uuid.uuid4().hex[:8]}",
            "pipelines_checkpoint_dir": root / "checkpoints",
            "lake_dir": root / "lake",
        }
    )


def _seconds(value: float) -> float | None:
    """A latency for the JSON line: None when some trade never showed up."""
    return None if math.isinf(value) else round(value, 3)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class BarCounts:
    """Polls InfluxDB's 1 s bars and remembers when each bar first reached each trade count."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.first_seen: dict[BarKey, list[tuple[int, float]]] = defaultdict(list)
        self.stop = threading.Event()

    def poll_once(self) -> None:
        flux = f"""
            from(bucket: "{self.settings.influxdb_bucket}")
              |> range(start: -10m)
              |> filter(fn: (r) => r._measurement == "bars" and r.interval == "1s"
                                   and r._field == "trade_count")
        """
        with clients.influxdb(self.settings) as client:
            tables = client.query_api().query(flux, org=self.settings.influxdb_org)
        now = time.time()
        for table in tables:
            for record in table.records:
                key = (record["symbol"], int(record.get_time().timestamp()) * SECOND_NS)
                seen = self.first_seen[key]
                if not seen or record.get_value() > seen[-1][0]:
                    seen.append((record.get_value(), now))

    def run(self, every_s: float) -> None:
        while not self.stop.is_set():
            self.poll_once()
            self.stop.wait(every_s)

    def visible_at(self, key: BarKey, index: int) -> float | None:
        """When the bar first counted its ``index``-th trade (0-based), if it has."""
        for count, at in self.first_seen.get(key, []):
            if count > index:
                return at
        return None


def _throughput(spark: SparkSession, settings: Settings, trades: int, report: Report) -> float:
    from pipelines.jobs import await_all, start_market_jobs
    from pipelines.workload import TradeWorkload, encode

    topic = f"{settings.pipelines_topic_prefix}{topics.TRADES}"
    report(f"producing a backlog of {trades:,} trades")
    producer = _producer(settings)
    start_ns = time.time_ns() - 30 * 60 * SECOND_NS
    for trade in TradeWorkload(SYMBOLS, seed=1).trades(start_ns, trades, 5_000_000):
        key, value = encode(trade)
        producer.send(topic, key=key, value=value)
    producer.flush()
    producer.close()
    report("working off the backlog (lake and bars)")
    began = time.monotonic()
    await_all(start_market_jobs(spark, settings, available_now=True))
    return trades / (time.monotonic() - began)


def _latency(
    spark: SparkSession, settings: Settings, rate: float, seconds: float, report: Report
) -> list[float]:
    from pipelines import jobs
    from pipelines.workload import TradeWorkload, encode

    topic = f"{settings.pipelines_topic_prefix}{topics.TRADES}"
    queries = jobs.start_market_jobs(spark, settings)
    counts = BarCounts(settings)
    poller = threading.Thread(target=counts.run, args=(0.2,), daemon=True)
    sent: dict[BarKey, list[float]] = defaultdict(list)
    try:
        while any(q.lastProgress is None for q in queries):
            time.sleep(0.5)
        report(f"sending {rate:,.0f} trades/s for {seconds:.0f} s")
        poller.start()
        producer = _producer(settings)
        workload = TradeWorkload(SYMBOLS, seed=2)
        began = time.monotonic()
        total = int(rate * seconds)
        for n in range(total):
            # Pace by the clock: trade n leaves at began + n / rate.
            delay = began + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            ts_ns = time.time_ns()
            trade = workload.trade(SYMBOLS[n % len(SYMBOLS)], ts_ns)
            key, value = encode(trade)
            producer.send(topic, key=key, value=value)
            sent[(trade["symbol"], ts_ns // SECOND_NS * SECOND_NS)].append(ts_ns / SECOND_NS)
        producer.flush()
        producer.close()
        report("waiting for the last bars")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all(counts.visible_at(k, len(v) - 1) for k, v in sent.items()):
                break
            time.sleep(0.5)
    finally:
        counts.stop.set()
        jobs.stop_all(queries)
    latencies = []
    for key, times in sent.items():
        for index, sent_at in enumerate(times):
            seen = counts.visible_at(key, index)
            latencies.append(seen - sent_at if seen is not None else float("inf"))
    return latencies


def pipelines_bench(
    trades: Annotated[int, typer.Option(help="backlog of the throughput run")] = 200_000,
    rate: Annotated[float, typer.Option(help="trades/s sent in the latency run")] = 1000,
    seconds: Annotated[float, typer.Option(help="length of the latency run")] = 20,
) -> None:
    """Trades/s the market job keeps up with, and trade-to-InfluxDB latency at a set rate."""
    from pipelines.spark_session import spark_session

    root = Path(tempfile.mkdtemp(prefix="pipelines-bench-"))
    settings = _scratch_settings(get_settings(), root)
    admin = clients.kafka_admin(settings)
    topic = f"{settings.pipelines_topic_prefix}{topics.TRADES}"
    admin.create_topics([NewTopic(topic, num_partitions=4, replication_factor=1)])
    with clients.influxdb(settings) as client:
        bucket = client.buckets_api().create_bucket(
            bucket_name=settings.influxdb_bucket, org=settings.influxdb_org
        )
    try:
        with steps("bench pipelines") as report:
            report(f"starting Spark ({settings.spark_master}, load {os.getloadavg()[0]:.2f})")
            spark = spark_session(settings, app_name="xi-bench-pipelines")
            try:
                per_second = _throughput(spark, settings, trades, report)
                report(f"throughput {per_second:,.0f} trades/s (load {os.getloadavg()[0]:.2f})")
                latencies = _latency(spark, settings, rate, seconds, report)
            finally:
                spark.stop()
    finally:
        with clients.influxdb(settings) as client:
            client.buckets_api().delete_bucket(bucket)
        admin.delete_topics([topic])
        admin.close()
        shutil.rmtree(root, ignore_errors=True)
    seen = [value for value in latencies if value != float("inf")]
    typer.echo(
        json.dumps(
            {
                "load_average_1m": round(os.getloadavg()[0], 2),
                "trades_sent_for_latency": len(latencies),
                "trades_never_seen": len(latencies) - len(seen),
            }
        )
    )
    typer.echo(
        json.dumps(
            {
                "trades_per_sec": round(per_second, 1),
                "trade_to_influx_p50_s": _seconds(statistics.median(latencies)),
                "trade_to_influx_p99_s": _seconds(_percentile(latencies, 0.99)),
                # The Feast online store is not fed by the pipelines yet.
                "trade_to_online_feature_p99_s": None,
            }
        )
    )
