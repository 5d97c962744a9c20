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

from kafka import KafkaConsumer
from kafka.errors import CommitFailedError, KafkaError
from psycopg_pool import ConnectionPool
from redis import Redis

from trading_api.orders import user_stream
from trading_api.orders.executions import Applied, apply_report
from trading_api.orders.store import Order
from xi import topics
from xi.markets import Markets
from xi.settings import Settings

log = logging.getLogger(__name__)

MAX_BATCH = 500
RETRY_AFTER_S = 0.5
SESSION_TIMEOUT_MS = 10_000


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

    def _consumer(self) -> KafkaConsumer:
        s = self._settings
        return KafkaConsumer(
            f"{s.engine_topic_prefix}{topics.EXECUTIONS}",
            bootstrap_servers=s.kafka_bootstrap,
            group_id=s.executions_group_id,
            # Static membership: a restarted process (same host and port) takes its partitions
            # back at once instead of waiting for the dead one's session to time out.
            group_instance_id=f"{socket.gethostname()}:{s.trading_api_port}",
            session_timeout_ms=SESSION_TIMEOUT_MS,
            client_id="trading-api",
            enable_auto_commit=False,
            isolation_level="read_committed",
            # A new deployment's ledger has no orders yet: nothing before now is about it.
            auto_offset_reset="latest",
        )

    def _start_positions(self, consumer: KafkaConsumer) -> None:
        """Wait for the partitions, fix the start (committed, or the end for a new group)."""
        while not consumer.assignment() and not self._stopping.is_set():
            # The poll that completes the assignment may already return reports: they are
            # read again by the main loop, not skipped.
            for partition, records in consumer.poll(timeout_ms=100).items():
                consumer.seek(partition, records[0].offset)
        for partition in consumer.assignment():
            consumer.position(partition)
        consumer.commit()
        self.ready.set()

    def run(self) -> None:
        consumer = self._consumer()
        try:
            self._start_positions(consumer)
            while not self._stopping.is_set():
                try:
                    batch = consumer.poll(timeout_ms=100, max_records=MAX_BATCH)
                except KafkaError:
                    # The client reconnects by itself; orders wait (bounded) meanwhile.
                    log.exception("polling executions failed; polling again")
                    self._stopping.wait(RETRY_AFTER_S)
                    continue
                records = [r for partition in batch.values() for r in partition]
                if records:
                    self._handle(consumer, batch, len(records) < MAX_BATCH)
        finally:
            consumer.close(autocommit=False)

    def _handle(self, consumer: KafkaConsumer, batch: dict, drained: bool) -> None:
        try:
            applied = self._apply([r for partition in batch.values() for r in partition])
        except Exception:
            # Nothing of the batch was committed: read it again.
            log.exception("applying execution reports failed; retrying the batch")
            self._rejected.clear()
            for partition, records in batch.items():
                consumer.seek(partition, records[0].offset)
            self._stopping.wait(RETRY_AFTER_S)
            return
        # The batch is committed in the ledger: its requests can answer now. The offsets only
        # spare a restart from reading the batch again, which would change nothing.
        self._wake(applied, drained)
        try:
            consumer.commit()
        except (CommitFailedError, KafkaError):
            # The group moved the partitions: their new reader re-applies, which changes nothing.
            log.warning("offset commit failed after a rebalance", exc_info=True)
        if applied:
            with self._pool.connection() as conn:
                user_stream.publish(self._redis, conn, applied, self._markets)

    def _apply(self, records: list) -> list[Applied]:
        applied = []
        with self._pool.connection() as conn, conn.transaction():
            for record in records:
                try:
                    report = json.loads(record.value)
                except ValueError:
                    report = None
                if not isinstance(report, dict):
                    log.warning("skipping a report that is not a JSON object at %s", record.offset)
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
