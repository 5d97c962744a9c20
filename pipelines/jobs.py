"""The market job: one streaming query over the engine's topics, each record read once.

Every micro-batch of Kafka records is read and parsed once (each record by its topic's
contract, kept in Spark's cache) and then, in ``foreachBatch`` (:class:`MarketBatch`): the
trades update the 1 s and 1 min bars (to InfluxDB, the minute bars also online), trades and
execution reports update the per-account feature windows (online while open, to the lake once
closed), book updates the spread and depth series, and the raw events go to the lake. Each
write is
idempotent by batch id or by key, and the state the batch starts from is the one saved by the
batch before it, so a batch redone after a crash changes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery

from features import store
from features.definitions import ACCOUNT_ACTIVITY_TABLE
from pipelines import account_features, bars, book_series, lake, markets
from pipelines.feature_push import push_account_activity, push_minute_bars
from pipelines.influx_sink import InfluxSink, bar_point, book_point
from pipelines.job_state import SECOND_NS, JobState
from pipelines.sources import messages, parse_all, read_topics, topic_name
from pipelines.state_log import StateLog
from xi import topics
from xi.settings import Settings

QUERY = "market"
TOPICS = [topics.TRADES, topics.EXECUTIONS, topics.BOOK, topics.LABELS]
# Windowed by event time: what comes later than the watermark is left out of them.
WINDOWED = (topics.TRADES, topics.EXECUTIONS)
log = logging.getLogger(__name__)


class StepTimes:
    """Seconds each step of a micro-batch took, for the log."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        began = time.monotonic()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.monotonic() - began

    def __str__(self) -> str:
        return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.seconds.items())


class MarketBatch:
    """The ``foreachBatch`` function of the market query."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.window_ns = settings.pipelines_feature_window_s * SECOND_NS
        self.states = StateLog(settings.pipelines_checkpoint_dir / QUERY / "state")
        self.influx = InfluxSink(settings)
        self.store = store.apply(settings)

    def __call__(self, records: DataFrame, batch_id: int) -> None:
        times = StepTimes()
        state = JobState.from_json(self.states.before(batch_id))
        parsed = parse_all(records, self.settings, TOPICS).persist(StorageLevel.MEMORY_AND_DISK)
        try:
            with times.step("read"):
                counts = parsed.groupBy("topic").count().collect()
            present = {row["topic"] for row in counts}
            frames = {
                topic: messages(parsed, self.settings, topic)
                for topic in TOPICS
                if topic_name(self.settings, topic) in present
            }
            self._process(frames, state, batch_id, times)
        finally:
            parsed.unpersist()
        with times.step("state"):
            self.states.save(batch_id, state.to_json())
        log.info("batch %d: %s", batch_id, times)

    def _process(
        self, frames: dict[str, DataFrame], state: JobState, batch_id: int, times: StepTimes
    ) -> None:
        # An event older than the watermark of the batches before this one is late: the lake
        # keeps it, the bars and windows it would have counted in may be closed already.
        watermark = state.watermark_ns(self.settings.pipelines_watermark_s)
        on_time = {
            topic: frame.where(F.col("ts_ns") >= watermark)
            for topic, frame in frames.items()
            if topic in WINDOWED
        }
        with times.step("bars"):
            latest = self._bars(on_time.get(topics.TRADES), state)
        with times.step("features"):
            latest = max(latest, self._activity(on_time, state))
        with times.step("book"):
            self._book(frames.get(topics.BOOK), state)
        # Last: what is waited for (InfluxDB, the online store) goes out first.
        with times.step("lake"):
            self._lake(frames, batch_id)
        with times.step("close"):
            state.max_event_ns = max(state.max_event_ns, latest)
            self._close(state, batch_id)

    def _book(self, book: DataFrame | None, state: JobState) -> None:
        """Apply the batch's book messages (late or not: a book is a sequence, not a window)."""
        if book is None:
            return
        listed = book.where(F.col("symbol").isin(markets.known_symbols()))
        tops = book_series.apply_all(state.books, book_series.book_messages(listed))
        self.influx(book_point(top) for top in tops.values())

    def _lake(self, frames: dict[str, DataFrame], batch_id: int) -> None:
        tables = {
            topics.TRADES: (lake.TRADES_TABLE, lake.lake_trades),
            topics.EXECUTIONS: (lake.EXECUTIONS_TABLE, lake.lake_events),
            topics.LABELS: (lake.LABELS_TABLE, lake.lake_labels),
        }
        for topic, (table, shape) in tables.items():
            if topic in frames:
                lake.write_batch(shape(frames[topic]), self.settings, table, batch_id)

    def _bars(self, trades: DataFrame | None, state: JobState) -> int:
        """Merge the batch's trades into the bars, write the bars they changed; latest trade."""
        if trades is None:
            return 0
        new_bars = bars.totals_by_bar(bars.bar_parts(trades).collect())
        for key, totals in new_bars.items():
            held = state.bars.get(key)
            state.bars[key] = totals if held is None else held.merge(totals)
        updated = bars.decimal_bars({key: state.bars[key] for key in new_bars})
        self.influx(bar_point(bar) for bar in updated)
        push_minute_bars(self.store, updated, state.bars_online)
        return max((totals.last_ts_ns for totals in new_bars.values()), default=0)

    def _activity(self, frames: dict[str, DataFrame], state: JobState) -> int:
        """Merge the batch into the account windows, push the changed ones; latest event."""
        executions, trades = frames.get(topics.EXECUTIONS), frames.get(topics.TRADES)
        found = account_features.activity(
            []
            if executions is None
            else account_features.order_parts(executions, self.window_ns).collect(),
            []
            if trades is None
            else account_features.volume_parts(trades, self.window_ns).collect(),
        )
        updated = state.activity.merge(found)
        push_account_activity(
            self.store, state.activity, updated, self.window_ns, state.activity_online
        )
        return max((totals.last_ts_ns for totals in found.accounts.values()), default=0)

    def _close(self, state: JobState, batch_id: int) -> None:
        """Drop what the new watermark closed; closed feature windows go to the lake."""
        watermark = state.watermark_ns(self.settings.pipelines_watermark_s)
        state.bars = {
            key: totals
            for key, totals in state.bars.items()
            if key[2] + bars.INTERVALS[key[1]] > watermark
        }
        closed = state.activity.close(watermark, self.window_ns)
        if closed.accounts:
            rows = account_features.feature_rows(
                closed, closed.accounts, self.window_ns, as_of="end"
            )
            folder = lake.table_path(self.settings, ACCOUNT_ACTIVITY_TABLE)
            folder.mkdir(parents=True, exist_ok=True)
            lake.write_frame(rows, folder / lake.batch_file_name(batch_id))


def trigger(settings: Settings, *, available_now: bool) -> dict[str, Any]:
    """``available_now`` works off what Kafka holds and stops; otherwise run every interval."""
    if available_now:
        return {"availableNow": True}
    return {"processingTime": f"{settings.pipelines_trigger_s} seconds"}


def start_market_jobs(
    spark: SparkSession, settings: Settings, *, available_now: bool = False
) -> list[StreamingQuery]:
    """Start the market query from its checkpoint."""
    query = (
        read_topics(spark, settings, TOPICS)
        .writeStream.queryName(QUERY)
        .foreachBatch(MarketBatch(settings))
        .option("checkpointLocation", str(settings.pipelines_checkpoint_dir / QUERY))
        .trigger(**trigger(settings, available_now=available_now))
        .start()
    )
    return [query]


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
