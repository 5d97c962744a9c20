"""The API's reader of `executions.v1`: applies reports, then wakes the requests that wait.

One thread, one consumer (read_committed, so only the engine's committed output is seen, in
its consumer group of one per deployment). A polled batch is applied in one database
transaction; the offsets are committed to Kafka only after that transaction commits. A crash
between the two redelivers the batch, which the database then recognises and skips.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from confluent_kafka import Consumer, KafkaException, Message, TopicPartition
from psycopg_pool import ConnectionPool
from redis import Redis

from trading_api.orders import user_stream
from trading_api.orders.executions import Applied, apply_report
from trading_api.orders.store import Order
from xi import topics
from xi.kafka_batches import next_batch
from xi.markets import Markets
from xi.settings import Settings

log = logging.getLogger(__name__)

MAX_BATCH = 500
POLL_S = 0.1
RETRY_AFTER_S = 0.5
SESSION_TIMEOUT_MS = 10_000
COMMIT_TIMEOUT_S = 10.0


@dataclass
class Waiter:
    order_id: int  # this database's id of the order the command is about
    done: threading.Event = field(default_factory=threading.Event)
    rejected: str | None = None
    # The order as the command's last applied report left it (committed), so that the
    # request answers without reading it back.
    order: Order | None = None


class Waiters:
    """Requests waiting for the engine's answer to a command, by command id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_command: dict[str, Waiter] = {}

    @contextmanager
    def expect(self, command_id: str, order_id: int) -> Iterator[Waiter]:
        waiter = Waiter(order_id)
        with self._lock:
            self._by_command[command_id] = waiter
        try:
            yield waiter
        finally:
            with self._lock:
                self._by_command.pop(command_id, None)

    def get(self, command_id: str | None) -> Waiter | None:
        if command_id is None:
            return None
        with self._lock:
            return self._by_command.get(command_id)


class ExecutionsConsumer(threading.Thread):
    def __init__(
        self,
        settings: Settings,
        pool: ConnectionPool,
        markets: Markets,
        waiters: Waiters,
        redis: Redis,
    ) -> None:
        super().__init__(name="executions-consumer", daemon=True)
        self._settings, self._pool, self._markets = settings, pool, markets
        self._waiters, self._redis = waiters, redis
        self._stopping = threading.Event()
        self.ready = threading.Event()
        self._rejected: dict[str | None, str] = {}  # command id -> reason, in this batch
        self._unwoken: set[str | None] = set()

    def stop(self) -> None:
        self._stopping.set()

    def _consumer(self) -> Consumer:
        s = self._settings
        consumer = Consumer(
            {
                "bootstrap.servers": s.kafka_bootstrap,
                "group.id": s.executions_group_id,
                # Static membership: a restarted process (same host and port) takes its
                # partitions back at once instead of waiting for the dead one's session to end.
                "group.instance.id": f"{socket.gethostname()}:{s.trading_api_port}",
                "session.timeout.ms": SESSION_TIMEOUT_MS,
                "client.id": "trading-api",
                "enable.auto.commit": False,
                "isolation.level": "read_committed",
            }
        )
        consumer.subscribe([f"{s.engine_topic_prefix}{topics.EXECUTIONS}"], on_assign=self._start)
        return consumer

    def _start(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Fix where each assigned partition starts: its committed offset, or for a new group
        the end of the log (a new deployment's ledger has no orders yet: nothing before now is
        about it), committed at once so that a restart resumes there."""
        committed = consumer.committed(partitions, timeout=COMMIT_TIMEOUT_S)
        fresh = []
        for partition in committed:
            if partition.offset < 0:
                _low, high = consumer.get_watermark_offsets(partition, timeout=COMMIT_TIMEOUT_S)
                partition.offset = high
                fresh.append(partition)
        if fresh:
            consumer.commit(offsets=fresh, asynchronous=False)
        consumer.assign(committed)
        self.ready.set()

    def run(self) -> None:
        consumer = self._consumer()
        try:
            while not self._stopping.is_set():
                try:
                    messages = next_batch(consumer, MAX_BATCH, POLL_S)
                except KafkaException:
                    # The client reconnects by itself; orders wait (bounded) meanwhile.
                    log.exception("reading executions failed; reading again")
                    self._stopping.wait(RETRY_AFTER_S)
                    continue
                for message in messages:
                    if message.error() is not None:
                        log.warning("executions: %s", message.error())
                records = [m for m in messages if m.error() is None]
                if records:
                    self._handle(consumer, records, len(messages) < MAX_BATCH)
        finally:
            consumer.close()

    def _handle(self, consumer: Consumer, records: list[Message], drained: bool) -> None:
        try:
            applied = self._apply(records)
        except Exception:
            # Nothing of the batch was committed: read it again.
            log.exception("applying execution reports failed; retrying the batch")
            self._rejected.clear()
            for first in {(m.topic(), m.partition()): m for m in reversed(records)}.values():
                consumer.seek(TopicPartition(first.topic(), first.partition(), first.offset()))
            self._stopping.wait(RETRY_AFTER_S)
            return
        # The batch is committed in the ledger: its requests can answer now. The offsets only
        # spare a restart from reading the batch again, which would change nothing.
        self._wake(applied, drained)
        try:
            consumer.commit(asynchronous=False)
        except KafkaException:
            # The group moved the partitions: their new reader re-applies, which changes nothing.
            log.warning("offset commit failed after a rebalance", exc_info=True)
        if applied:
            with self._pool.connection() as conn:
                user_stream.publish(self._redis, conn, applied, self._markets)

    def _apply(self, records: list[Message]) -> list[Applied]:
        applied = []
        with self._pool.connection() as conn, conn.transaction():
            for record in records:
                try:
                    report = json.loads(record.value() or b"")
                except ValueError:
                    report = None
                if not isinstance(report, dict):
                    log.warning(
                        "skipping a report that is not a JSON object at %s", record.offset()
                    )
                    continue
                done = apply_report(conn, self._markets, report)
                if done is not None:
                    applied.append(done)
                elif report.get("exec_type") == "REJECTED":
                    # A refused cancel: its request learns the reason.
                    self._rejected[report.get("command_id")] = report.get("reason", "REJECTED")
        return applied

    def _wake(self, applied: list[Applied], drained: bool) -> None:
        """Wake the requests whose commands were answered, handing each its order.

        A request for an order still open is woken once a fetch was drained: the engine commits
        a command's reports together, so they arrive in one fetch (a batch cut short by its
        size wakes its requests after the next one).
        """
        wake, self._unwoken = self._unwoken, set()
        for command_id, reason in self._rejected.items():
            waiter = self._waiters.get(command_id)
            if waiter is not None:
                waiter.rejected = reason
                waiter.done.set()
        self._rejected.clear()
        for item in applied:
            command_id = item.report.get("command_id")
            waiter = self._waiters.get(command_id)
            # A self-trade's maker report carries the taker's command id: not its order.
            if waiter is not None and item.order.id == waiter.order_id:
                waiter.order = item.order
            if drained or not item.order.is_open:
                wake.add(command_id)
            else:
                self._unwoken.add(command_id)
        for command_id in wake:
            waiter = self._waiters.get(command_id)
            if waiter is not None:
                waiter.done.set()
