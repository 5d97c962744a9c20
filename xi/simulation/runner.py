"""Send a run's commands through the engine over Kafka and read back what the engine made of
them.

Commands go to `orders.v1` keyed by symbol (one symbol's commands stay in order in one
partition). The run is complete when the engine's consumer group has committed every offset
the run produced: the engine commits its input offsets in the same transaction as its
outputs, so by then every report and trade of the run is readable (read_committed).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import (
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    Producer,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient, NewTopic

from xi import topics
from xi.settings import Settings
from xi.simulation.clock import NS_PER_S
from xi.simulation.generate import Simulation
from xi.simulation.labels import Label

Report = Callable[[str], None]


class RunError(RuntimeError):
    """The engine did not take the run's commands in time; the message says how far it got."""


@dataclass(frozen=True)
class Pace:
    """`full_speed` sends as fast as Kafka takes it; otherwise simulated time runs `speedup`
    times faster than the wall clock (1 = real time)."""

    full_speed: bool = True
    speedup: float = 1.0


@dataclass(frozen=True)
class Route:
    """Where the engine reads and writes: the stack's topics, or prefixed ones of a test."""

    prefix: str = ""
    engine_group: str = "engine"

    def topic(self, name: str) -> str:
        return f"{self.prefix}{name}"


@dataclass
class EngineOutcome:
    reports: list[dict[str, Any]] = field(default_factory=list)  # executions of run accounts
    trades: list[dict[str, Any]] = field(default_factory=list)  # trades with a run account
    first_send_ms: int = 0
    last_send_ms: int = 0
    engine_done_ms: int = 0  # Kafka timestamp of the last output of the run

    def order_ids(self) -> dict[str, int]:
        """command id -> engine order id, from the NEW reports."""
        return {
            r["command_id"]: r["order_id"]
            for r in self.reports
            if r["exec_type"] == "NEW" and r["command_id"]
        }


def producer(settings: Settings) -> Producer:
    # murmur2 partitions by key as the Java and kafka-python clients do, so a symbol lands in
    # the same partition whoever sends it; idempotence keeps each partition in send order.
    return Producer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "partitioner": "murmur2_random",
            "enable.idempotence": True,
            "linger.ms": 5,
            "batch.size": 1024 * 1024,
            "queue.buffering.max.messages": 1_000_000,
        }
    )


def _consumer(settings: Settings, group: str | None = None) -> Consumer:
    return Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "group.id": group or f"xi-simulate-{uuid.uuid4().hex[:8]}",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
            "enable.partition.eof": False,
        }
    )


def end_offsets(settings: Settings, topic: str) -> dict[int, int]:
    consumer = _consumer(settings)
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        return {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
            for p in sorted(partitions)
        }
    finally:
        consumer.close()


def send(
    settings: Settings,
    simulation: Simulation,
    route: Route,
    pace: Pace,
    report: Report,
) -> tuple[dict[int, int], int, int]:
    """Produce every command; return the last offset per partition and the first and last
    send times (ms)."""
    orders_topic = route.topic(topics.ORDERS)
    out = producer(settings)
    last: dict[int, int] = {}
    failures: list[str] = []

    def delivered(error: KafkaError | None, message: Message) -> None:
        partition, offset = message.partition(), message.offset()
        if error is not None or partition is None or offset is None:
            failures.append(str(error))
            return
        last[partition] = max(last.get(partition, -1), offset)

    records = simulation.encoded()
    start_ns = simulation.config.start_ns
    started = time.monotonic()
    first_ms = int(time.time() * 1000)
    for number, ((key, value), command) in enumerate(
        zip(records, simulation.commands, strict=True)
    ):
        if not pace.full_speed:
            due = (command["ts_ns"] - start_ns) / NS_PER_S / pace.speedup
            wait = due - (time.monotonic() - started)
            if wait > 0:
                time.sleep(wait)
        out.produce(orders_topic, key=key, value=value, on_delivery=delivered)
        out.poll(0)
        if number % 5_000 == 0:
            report(f"sent {number:,} of {len(records):,} commands")
    remaining = out.flush(120)
    last_ms = int(time.time() * 1000)
    if remaining or failures:
        raise RunError(f"{remaining} commands not delivered; errors: {failures[:3]}")
    return last, first_ms, last_ms


def wait_processed(
    settings: Settings, route: Route, last: dict[int, int], timeout_s: float = 300
) -> None:
    """Until the engine's group has committed every offset the run produced."""
    orders_topic = route.topic(topics.ORDERS)
    consumer = _consumer(settings, route.engine_group)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            committed = consumer.committed(
                [TopicPartition(orders_topic, p) for p in sorted(last)], timeout=10
            )
            behind = {tp.partition: last[tp.partition] + 1 - tp.offset for tp in committed}
            if all(lag <= 0 for lag in behind.values()):
                return
            if time.monotonic() > deadline:
                raise RunError(
                    f"engine group {route.engine_group!r} has not processed the run after "
                    f"{timeout_s:.0f}s; commands behind per partition: {behind}"
                )
            time.sleep(0.2)
    finally:
        consumer.close()


def read_outputs(
    settings: Settings, route: Route, since: dict[str, dict[int, int]], accounts: set[int]
) -> EngineOutcome:
    """The run's reports and trades: outputs written after `since` that concern its accounts."""
    outcome = EngineOutcome()
    for name, sink in ((topics.EXECUTIONS, outcome.reports), (topics.TRADES, outcome.trades)):
        topic = route.topic(name)
        for timestamp_ms, message in read_range(settings, topic, since[topic]):
            involved = (
                {message["account"]}
                if name == topics.EXECUTIONS
                else {message["maker_account"], message["taker_account"]}
            )
            if involved & accounts:
                sink.append(message)
                outcome.engine_done_ms = max(outcome.engine_done_ms, timestamp_ms)
    return outcome


def read_range(
    settings: Settings, topic: str, start: dict[int, int], timeout_s: float = 300
) -> list[tuple[int, dict[str, Any]]]:
    """(Kafka timestamp ms, message) of every committed record of `topic` from `start` to the
    current end, partition by partition."""
    end = end_offsets(settings, topic)
    consumer = _consumer(settings)
    out: list[tuple[int, dict[str, Any]]] = []
    try:
        wanted = {p: e for p, e in end.items() if e > start.get(p, 0)}
        consumer.assign([TopicPartition(topic, p, start.get(p, 0)) for p in sorted(wanted)])
        deadline = time.monotonic() + timeout_s
        while wanted:
            if time.monotonic() > deadline:
                raise RunError(f"reading {topic} timed out; partitions left: {sorted(wanted)}")
            for message in consumer.consume(num_messages=10_000, timeout=0.5):
                partition, offset, value = message.partition(), message.offset(), message.value()
                if message.error() is not None or partition is None or offset is None:
                    raise RunError(f"reading {topic}: {message.error()}")
                if value is not None and offset < wanted.get(partition, 0):
                    out.append((message.timestamp()[1], json.loads(value)))
            for tp in consumer.position([TopicPartition(topic, p) for p in sorted(wanted)]):
                if tp.offset >= wanted[tp.partition]:
                    del wanted[tp.partition]
    finally:
        consumer.close()
    return out


def ensure_topic(settings: Settings, topic: str) -> None:
    """Create `topic` with the engine's partition count unless it exists."""
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
    new = NewTopic(topic, num_partitions=settings.engine_partitions, replication_factor=1)
    for future in admin.create_topics([new], request_timeout=10).values():
        try:
            future.result(timeout=15)
        except KafkaException as error:
            if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise RunError(f"cannot create {topic}: {error}") from error


def publish_labels(settings: Settings, route: Route, labels: list[Label]) -> None:
    ensure_topic(settings, route.topic(topics.LABELS))
    out = producer(settings)
    for label in labels:
        key, value = label.encode()
        out.produce(route.topic(topics.LABELS), key=key, value=value)
    if out.flush(60):
        raise RunError("labels were not all delivered to Kafka within 60 s")


def run(
    settings: Settings, simulation: Simulation, route: Route, pace: Pace, report: Report
) -> EngineOutcome:
    """Send the run through the engine, wait until it is processed, and read the outcome."""
    outputs = (route.topic(topics.EXECUTIONS), route.topic(topics.TRADES))
    since = {topic: end_offsets(settings, topic) for topic in outputs}
    report(f"sending {len(simulation.commands):,} commands to {route.topic(topics.ORDERS)}")
    last, first_ms, last_ms = send(settings, simulation, route, pace, report)
    report("waiting for the engine to process the run")
    wait_processed(settings, route, last)
    report("reading the engine's reports and trades")
    outcome = read_outputs(settings, route, since, set(simulation.owners))
    outcome.first_send_ms, outcome.last_send_ms = first_ms, last_ms
    return outcome
