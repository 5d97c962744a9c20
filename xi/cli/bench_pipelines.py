"""`xi bench pipelines`: the market job's trades/s, and trade-to-InfluxDB and -online latency.

Runs on its own topics, InfluxDB bucket, checkpoints, lake and Feast store, removed at the end.
The job reads what the engine writes for each trade: the trade on ``trades.v1`` and the
execution reports around it on ``executions.v1`` (the new orders, both fills, some cancels).
1. throughput: after a warm-up run on a fiftieth of it (Spark compiles the query's code once
   per process), a backlog of made-up events is produced, then the job works it off in
   micro-batches of ``XI_PIPELINES_MAX_OFFSETS_PER_TRIGGER`` records; trades/s = trades / the
   summed duration of those micro-batches (the query's own progress reports);
2. latency: the job runs on its processing-time trigger while events are sent so that trades
   go out at a fixed rate, each stamped with its time of sending; InfluxDB's 1 s bars are
   polled, and a trade counts as visible when its bar's trade count includes it (one symbol's
   trades reach a bar in sending order); likewise the Feast online store's minute bar per
   symbol (its minute and trade count).
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
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from kafka import KafkaProducer
from kafka.admin import NewTopic

from xi import clients, topics
from xi.cli.progress import steps
from xi.settings import Settings, get_settings

if TYPE_CHECKING:
    from feast import FeatureStore
    from pyspark.sql import SparkSession

    from pipelines.workload import Message

SECOND_NS = 1_000_000_000
Report = Callable[[str], None]
SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XITUSDT"]
ACCOUNTS = list(range(1, 51))


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
            "feast_dir": root / "feast",
        }
    )


def _seconds(value: float) -> float | None:
    """A latency for the JSON line: None when some trade never showed up."""
    return None if math.isinf(value) else round(value, 3)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Visibility:
    """When each observed thing first reached each position (positions only grow)."""

    def __init__(self) -> None:
        self.seen: dict[Hashable, list[tuple[tuple[int, ...], float]]] = defaultdict(list)

    def observe(self, key: Hashable, position: tuple[int, ...], at: float) -> None:
        history = self.seen[key]
        if not history or position > history[-1][0]:
            history.append((position, at))

    def visible_at(self, key: Hashable, needed: tuple[int, ...]) -> float | None:
        for position, at in self.seen.get(key, []):
            if position >= needed:
                return at
        return None


def _influx_counts(settings: Settings) -> list[tuple[Hashable, tuple[int, ...]]]:
    """Per 1 s bar (symbol, start): its trade count so far."""
    flux = f"""
        from(bucket: "{settings.influxdb_bucket}")
          |> range(start: -10m)
          |> filter(fn: (r) => r._measurement == "bars" and r.interval == "1s"
                               and r._field == "trade_count")
    """
    with clients.influxdb(settings) as client:
        tables = client.query_api().query(flux, org=settings.influxdb_org)
    return [
        ((record["symbol"], int(record.get_time().timestamp())), (record.get_value(),))
        for table in tables
        for record in table.records
    ]


def _online_counts(store: FeatureStore) -> list[tuple[Hashable, tuple[int, ...]]]:
    """Per symbol: the minute its online bar is of and that bar's trade count."""
    values = store.get_online_features(
        features=["symbol_market_1m:trade_count"],
        entity_rows=[{"symbol": symbol} for symbol in SYMBOLS],
    ).to_dict(include_event_timestamps=True)
    found = []
    for symbol, count, stamp in zip(
        SYMBOLS, values["trade_count"], values["trade_count__ts"], strict=True
    ):
        if count is not None:
            found.append((symbol, (int(stamp) // 60, count)))
    return found


def _poll(
    settings: Settings, influx: Visibility, online: Visibility, stop: threading.Event
) -> None:
    from features.store import feature_store

    store = feature_store(settings)
    while not stop.is_set():
        for key, position in _influx_counts(settings):
            influx.observe(key, position, time.time())
        for key, position in _online_counts(store):
            online.observe(key, position, time.time())
        stop.wait(0.2)


def _send(producer: KafkaProducer, settings: Settings, events: list[tuple[str, Message]]) -> int:
    """Send engine events; the number of trades among them."""
    from pipelines.workload import encode_event

    for topic, message in events:
        key, value = encode_event(topic, message)
        producer.send(f"{settings.pipelines_topic_prefix}{topic}", key=key, value=value)
    return sum(topic == topics.TRADES for topic, _ in events)


def _work_off(
    spark: SparkSession, settings: Settings, events: list[tuple[str, Message]]
) -> tuple[int, float, int]:
    """Send ``events`` and run the job until it has read them: (trades, busy s, batches)."""
    from pipelines.jobs import await_all, start_market_jobs

    producer = _producer(settings)
    trades = _send(producer, settings, events)
    producer.flush()
    producer.close()
    queries = start_market_jobs(spark, settings, available_now=True)
    await_all(queries)
    progress = queries[0].recentProgress
    busy_s = sum(batch["durationMs"]["triggerExecution"] for batch in progress) / 1000
    return trades, busy_s, len(progress)


def _throughput(
    spark: SparkSession, settings: Settings, backlog: int, reports: bool, report: Report
) -> float:
    from pipelines.workload import ActivityWorkload

    start_ns = time.time_ns() - 30 * 60 * SECOND_NS
    workload = ActivityWorkload(SYMBOLS, ACCOUNTS, seed=1)
    events = workload.events(start_ns, backlog, 5_000_000)
    if not reports:
        events = [(topic, message) for topic, message in events if topic == topics.TRADES]
    # A first small run compiles the query's code: paid once per process, not per trade.
    warm_up = len(events) // 50
    report(f"warming up on {warm_up:,} events")
    _work_off(spark, settings, events[:warm_up])
    trades, busy_s, batches = _work_off(spark, settings, events[warm_up:])
    report(
        f"{trades:,} trades ({len(events) - warm_up:,} events): {batches} micro-batches, "
        f"{busy_s:.1f} s in them"
    )
    return trades / busy_s


def _latency(
    spark: SparkSession,
    settings: Settings,
    rate: float,
    seconds: float,
    reports: bool,
    report: Report,
) -> tuple[list[float], list[float]]:
    """Seconds from sending to InfluxDB and to the online store, per trade (inf: never seen)."""
    from pipelines import jobs
    from pipelines.workload import ActivityWorkload

    queries = jobs.start_market_jobs(spark, settings)
    influx, online, stop = Visibility(), Visibility(), threading.Event()
    poller = threading.Thread(target=_poll, args=(settings, influx, online, stop), daemon=True)
    # Per trade: its 1 s bar, its place in it, its minute, its place in that, when it left.
    sent: list[tuple[Hashable, int, Hashable, tuple[int, int], float]] = []
    in_second: dict[Hashable, int] = defaultdict(int)
    in_minute: dict[tuple[str, int], int] = defaultdict(int)
    try:
        while any(q.lastProgress is None for q in queries):
            time.sleep(0.5)
        report(f"sending {rate:,.0f} trades/s and their reports for {seconds:.0f} s")
        poller.start()
        producer = _producer(settings)
        workload = ActivityWorkload(SYMBOLS, ACCOUNTS, seed=2)
        began = time.monotonic()
        while len(sent) < int(rate * seconds):
            # Pace by the clock: trade n leaves at began + n / rate.
            delay = began + len(sent) / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            ts_ns = time.time_ns()
            step = [(t, m) for t, m in workload.step(ts_ns) if reports or t == topics.TRADES]
            if not _send(producer, settings, step):
                continue
            symbol = step[0][1]["symbol"]
            second = (symbol, ts_ns // SECOND_NS)
            minute = (symbol, ts_ns // (60 * SECOND_NS))
            in_second[second] += 1
            in_minute[minute] += 1
            sent.append(
                (
                    second,
                    in_second[second],
                    symbol,
                    (minute[1], in_minute[minute]),
                    ts_ns / SECOND_NS,
                )
            )
        producer.flush()
        producer.close()
        report("waiting for the last bars")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            last = sent[-1]
            if influx.visible_at(last[0], (last[1],)) and online.visible_at(last[2], last[3]):
                break
            time.sleep(0.5)
    finally:
        stop.set()
        jobs.stop_all(queries)
    to_influx, to_online = [], []
    for second, count, symbol, minute_count, sent_at in sent:
        for visibility, key, needed, out in (
            (influx, second, (count,), to_influx),
            (online, symbol, minute_count, to_online),
        ):
            at = visibility.visible_at(key, needed)
            out.append(at - sent_at if at is not None else math.inf)
    return to_influx, to_online


def pipelines_bench(
    backlog: Annotated[
        int, typer.Option(help="resting orders of the throughput run (7 in 10 trade)")
    ] = 60_000,
    rate: Annotated[float, typer.Option(help="trades/s sent in the latency run")] = 1000,
    seconds: Annotated[float, typer.Option(help="length of the latency run")] = 20,
    reports: Annotated[
        bool, typer.Option(help="send the execution reports of each trade too")
    ] = True,
) -> None:
    """Trades/s the market job keeps up with; trade-to-InfluxDB and -online latency at a rate."""
    from pipelines.spark_session import spark_session

    root = Path(tempfile.mkdtemp(prefix="pipelines-bench-"))
    settings = _scratch_settings(get_settings(), root)
    from pipelines.jobs import TOPICS

    admin = clients.kafka_admin(settings)
    names = [f"{settings.pipelines_topic_prefix}{topic}" for topic in TOPICS]
    admin.create_topics([NewTopic(name, num_partitions=4, replication_factor=1) for name in names])
    with clients.influxdb(settings) as client:
        bucket = client.buckets_api().create_bucket(
            bucket_name=settings.influxdb_bucket, org=settings.influxdb_org
        )
    try:
        with steps("bench pipelines") as report:
            report(f"starting Spark ({settings.spark_master}, load {os.getloadavg()[0]:.2f})")
            spark = spark_session(settings, app_name="xi-bench-pipelines")
            try:
                per_second = _throughput(spark, settings, backlog, reports, report)
                report(f"throughput {per_second:,.0f} trades/s (load {os.getloadavg()[0]:.2f})")
                to_influx, to_online = _latency(spark, settings, rate, seconds, reports, report)
            finally:
                spark.stop()
    finally:
        with clients.influxdb(settings) as client:
            client.buckets_api().delete_bucket(bucket)
        admin.delete_topics(names)
        admin.close()
        shutil.rmtree(root, ignore_errors=True)
    typer.echo(
        json.dumps(
            {
                "load_average_1m": round(os.getloadavg()[0], 2),
                "with_execution_reports": reports,
                "trades_sent_for_latency": len(to_influx),
                "never_in_influx": sum(math.isinf(value) for value in to_influx),
                "never_online": sum(math.isinf(value) for value in to_online),
            }
        )
    )
    typer.echo(
        json.dumps(
            {
                "trades_per_sec": round(per_second, 1),
                "trade_to_influx_p50_s": _seconds(statistics.median(to_influx)),
                "trade_to_influx_p99_s": _seconds(_percentile(to_influx, 0.99)),
                "trade_to_online_feature_p99_s": _seconds(_percentile(to_online, 0.99)),
            }
        )
    )
