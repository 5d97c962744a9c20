"""The market data feeds: two threads that read the engine's book.v1 and trades.v1.

Both read with ``read_committed``, so an aborted engine transaction is never seen.

- The book feed starts every partition at its symbols' latest SNAPSHOT (searching back from
  the end in growing windows), then applies the changes in order (see `books`). If its
  position falls off the start of the log, it drops the books and starts again the same way.
- The trade feed resumes from the position stored with the trades in PostgreSQL, so a
  restart neither skips nor repeats a trade.

A feed that fails (a server restart, a lost connection) logs, waits a second and starts over.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from functools import partial
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Message, TopicPartition
from psycopg import Connection

from trading_api.market import trades, wire
from trading_api.market.books import Books
from trading_api.market.hub import Hub
from xi import contracts, markets, topics
from xi.kafka_batches import next_batch
from xi.settings import Settings

log = logging.getLogger(__name__)

POLL_S = 0.2
MAX_BATCH = 1000
METADATA_TIMEOUT_S = 5.0
FIRST_SCAN_WINDOW = 2_000  # book.v1 offsets read back from the end before widening
PARTIAL_DEPTHS = (5, 10, 20)


class Feed(threading.Thread):
    """A daemon thread that runs ``follow`` until stopped, restarting it after a failure."""

    def __init__(self, settings: Settings, topic: str) -> None:
        super().__init__(name=f"feed-{topic}", daemon=True)
        self.settings = settings
        self.topic = f"{settings.engine_topic_prefix}{topic}"
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.follow()
            except Exception:
                log.exception("market data feed %s failed; starting over", self.topic)
                self.stopping.wait(1.0)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)

    def follow(self) -> None:
        raise NotImplementedError

    def consumer(self) -> Consumer:
        return Consumer(
            {
                "bootstrap.servers": self.settings.kafka_bootstrap,
                # Partitions are assigned by hand and nothing is committed: the id only names
                # the client to the broker.
                "group.id": f"trading-api-{self.topic}",
                "isolation.level": "read_committed",
                "enable.auto.commit": False,
                "auto.offset.reset": "error",
                "client.id": f"trading-api-{self.topic}",
            }
        )

    def partitions(self, consumer: Consumer) -> list[TopicPartition]:
        """The topic's partitions, waiting for the topic to exist."""
        while not self.stopping.is_set():
            found = consumer.list_topics(self.topic, timeout=METADATA_TIMEOUT_S).topics
            known = found.get(self.topic)
            if known is not None and known.error is None and known.partitions:
                return [TopicPartition(self.topic, p) for p in sorted(known.partitions)]
            self.stopping.wait(1.0)
        return []

    def records(self, consumer: Consumer) -> Iterator[list[Message]]:
        """Batches of records until stopped; `FellOffTheLog` when a position left the log."""
        while not self.stopping.is_set():
            batch = []
            for message in next_batch(consumer, MAX_BATCH, POLL_S):
                error = message.error()
                if error is None:
                    batch.append(message)
                elif error.code() in (
                    KafkaError._AUTO_OFFSET_RESET,
                    KafkaError.OFFSET_OUT_OF_RANGE,
                ):
                    raise FellOffTheLog(str(error))
                else:
                    log.warning("market data feed %s: %s", self.topic, error)
            if batch:
                yield batch


class FellOffTheLog(RuntimeError):
    """A feed's position is no longer in the log (retention removed it)."""


def decode(topic: str, value: bytes | None) -> dict[str, Any] | None:
    """The message, or None (logged) when it breaks its topic's contract."""
    try:
        message = json.loads(value or b"")
        contracts.validate(topic, message)
    except (ValueError, contracts.ContractError) as error:
        log.error("market data message skipped: %s: %r", error, (value or b"")[:200])
        return None
    return message


def now_ms() -> int:
    return int(time.time() * 1000)


class BookFeed(Feed):
    def __init__(self, settings: Settings, books: Books, hub: Hub) -> None:
        super().__init__(settings, topics.BOOK)
        self.books, self.hub = books, hub

    def follow(self) -> None:
        consumer = self.consumer()
        try:
            parts = self.partitions(consumer)
            consumer.assign(
                [
                    TopicPartition(tp.topic, tp.partition, self._latest_snapshot(consumer, tp))
                    for tp in parts
                ]
            )
            try:
                for batch in self.records(consumer):
                    for record in batch:
                        message = decode(self.topic, record.value())
                        if message is not None:
                            self._apply(message)
            except FellOffTheLog:
                log.warning("book feed fell off the log of %s; resyncing", self.topic)
                self.books.drop(set(self.books.symbols()))
        finally:
            consumer.close()

    def _apply(self, message: dict[str, Any]) -> None:
        change = self.books.apply(message)
        market = markets.load().symbols.get(message["symbol"])
        if change is None or market is None:
            return
        stream = market.symbol.lower()
        self.hub.publish(f"{stream}@depth", lambda: wire.depth_event(market, change))
        for depth in PARTIAL_DEPTHS:
            self.hub.publish(
                f"{stream}@depth{depth}",
                lambda depth=depth: wire.partial_depth(
                    market, *self.books.top(market.symbol, depth)
                ),
            )

    def _latest_snapshot(self, consumer: Consumer, tp: TopicPartition) -> int:
        """The offset from which every symbol of the partition starts at its latest snapshot."""
        begin, end = consumer.get_watermark_offsets(tp, timeout=METADATA_TIMEOUT_S)
        window = FIRST_SCAN_WINDOW
        while True:
            low = max(begin, end - window)
            snapshots: dict[str, int] = {}
            seen: set[str] = set()
            for offset, message in self._read(consumer, tp, low, end):
                seen.add(message["symbol"])
                if message["type"] == "SNAPSHOT":
                    snapshots[message["symbol"]] = offset
            if low == begin or (snapshots and seen <= snapshots.keys()):
                return min(snapshots.values(), default=low)
            window *= 4

    def _read(
        self, consumer: Consumer, tp: TopicPartition, low: int, end: int
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        consumer.assign([TopicPartition(tp.topic, tp.partition, low)])
        # The position, not the last record, tells the end: transaction markers take offsets.
        while low < end and not self.stopping.is_set():
            for record in next_batch(consumer, MAX_BATCH, POLL_S):
                ours = record.error() is None and record.partition() == tp.partition
                if ours and record.offset() < end:
                    message = decode(self.topic, record.value())
                    if message is not None:
                        yield record.offset(), message
            [position] = consumer.position([tp])
            low = max(low, position.offset)


class TradeFeed(Feed):
    def __init__(self, settings: Settings, hub: Hub) -> None:
        super().__init__(settings, topics.TRADES)
        self.hub = hub

    def follow(self) -> None:
        consumer = self.consumer()
        try:
            with Connection.connect(self.settings.postgres_dsn) as conn:
                parts = self.partitions(consumer)
                stored = trades.positions(conn, self.topic)
                conn.commit()
                consumer.assign(
                    [
                        TopicPartition(
                            tp.topic, tp.partition, stored.get(tp.partition, OFFSET_BEGINNING)
                        )
                        for tp in parts
                    ]
                )
                for batch in self.records(consumer):
                    self._store(conn, batch)
        finally:
            consumer.close()

    def _store(self, conn: Connection, batch: list[Message]) -> None:
        messages = [m for r in batch if (m := decode(self.topic, r.value())) is not None]
        trades.store(
            conn,
            messages,
            topic=self.topic,
            next_offsets={r.partition(): r.offset() + 1 for r in batch},
        )
        now = now_ms()
        for message in messages:
            market = markets.load().symbols.get(message["symbol"])
            if market is None:
                continue
            trade = trades.Trade.from_message(message)
            stream = market.symbol.lower()
            self.hub.publish(f"{stream}@trade", partial(wire.trade_event, market, trade, now))
            self.hub.publish(
                f"{stream}@aggTrade", partial(wire.agg_trade_event, market, trade, now)
            )
