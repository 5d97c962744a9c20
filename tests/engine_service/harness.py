"""Run engine-service processes on the real local Kafka and read what they wrote."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from xi import clients, topics
from xi.settings import Settings

OUTPUTS = (topics.EXECUTIONS, topics.TRADES, topics.BOOK)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create_topics(settings: Settings, names: Iterable[str], partitions: int) -> None:
    admin = clients.kafka_admin(settings)
    try:
        admin.create_topics(
            [NewTopic(n, num_partitions=partitions, replication_factor=1) for n in names]
        )
    finally:
        admin.close()


def produce(settings: Settings, topic: str, messages: Iterable[tuple[bytes, bytes]]) -> int:
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        linger_ms=20,
        batch_size=256 * 1024,
        acks=1,
        max_in_flight_requests_per_connection=1,
    )
    count = 0
    for key, value in messages:
        producer.send(topic, key=key, value=value)
        count += 1
    producer.flush(timeout=120)
    producer.close()
    return count


@dataclass
class EngineProcess:
    """One engine-service process with its own log file."""

    binary: Path
    settings: Settings
    orders_topic: str
    output_prefix: str
    group: str
    transactional_id: str
    snapshot_dir: Path
    log_dir: Path
    extra: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> EngineProcess:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{self.transactional_id}.log").open("ab")
        self.process = subprocess.Popen(
            [
                str(self.binary),
                "--bootstrap-servers",
                self.settings.kafka_bootstrap,
                "--group-id",
                self.group,
                "--transactional-id",
                self.transactional_id,
                "--orders-topic",
                self.orders_topic,
                "--executions-topic",
                f"{self.output_prefix}{topics.EXECUTIONS}",
                "--trades-topic",
                f"{self.output_prefix}{topics.TRADES}",
                "--book-topic",
                f"{self.output_prefix}{topics.BOOK}",
                "--snapshot-dir",
                str(self.snapshot_dir),
                "--metrics-port",
                str(self.port),
                "--session-timeout-ms",
                "6000",
                *self.extra,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    def get(self, path: str) -> httpx.Response | None:
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}{path}", timeout=2)
        except httpx.HTTPError:
            return None

    def wait_ready(self, timeout_s: float = 90) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, self.log_tail()
            response = self.get("/ready")
            if response is not None and response.status_code == 200:
                return
            time.sleep(0.1)
        raise TimeoutError(f"engine not ready in {timeout_s}s\n{self.log_tail()}")

    def metric(self, name: str) -> float:
        response = self.get("/metrics")
        assert response is not None
        for line in response.text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        raise KeyError(name)

    def kill(self) -> None:
        """kill -9, no goodbye."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        path = self.log_dir / f"{self.transactional_id}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def committed_lag(settings: Settings, group: str, topic: str) -> int:
    """How many input offsets the group has not committed yet."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap, group_id=group, enable_auto_commit=False
    )
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        ends = consumer.end_offsets(parts)
        return sum(ends[tp] - (consumer.committed(tp) or 0) for tp in parts)
    finally:
        consumer.close()


def wait_caught_up(settings: Settings, group: str, topic: str, timeout_s: float = 240) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if committed_lag(settings, group, topic) == 0:
            return
        time.sleep(0.5)
    raise TimeoutError(f"group {group} did not commit all of {topic} in {timeout_s}s")


def read_committed(settings: Settings, topic: str) -> list[tuple[bytes, bytes]]:
    """Every committed (key, value) of `topic`, partition by partition, in offset order."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        isolation_level="read_committed",
        enable_auto_commit=False,
        max_partition_fetch_bytes=8 * 1024 * 1024,
        fetch_max_bytes=64 * 1024 * 1024,
    )
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends = consumer.end_offsets(parts)
        out: dict[int, list[tuple[bytes, bytes]]] = defaultdict(list)
        deadline = time.monotonic() + 300
        while any(consumer.position(tp) < ends[tp] for tp in parts):
            assert time.monotonic() < deadline, f"reading {topic} timed out"
            for tp, records in consumer.poll(timeout_ms=500, max_records=100_000).items():
                out[tp.partition].extend((r.key, r.value) for r in records)
    finally:
        consumer.close()
    return [kv for p in sorted(out) for kv in out[p]]


def by_stream(settings: Settings, output_prefix: str) -> dict[tuple[str, bytes, int], list[bytes]]:
    """Output messages grouped by (topic, key, shard), each group in topic order: the unit
    whose order the engine guarantees whatever the batching or the process count."""
    streams: dict[tuple[str, bytes, int], list[bytes]] = defaultdict(list)
    for topic in OUTPUTS:
        for key, value in read_committed(settings, f"{output_prefix}{topic}"):
            shard = json.loads(value)["shard"]
            streams[(topic, key, shard)].append(value)
    return dict(streams)
