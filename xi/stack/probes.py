"""One real request to each server of the stack, each returning what it read back.

`xi demo` prints these; the tests assert on them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from influxdb_client import Point
from influxdb_client.client.write_api import SYNCHRONOUS
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

from xi import clients
from xi.settings import Settings


def kafka_transaction(settings: Settings, messages: list[bytes]) -> list[bytes]:
    """Produce ``messages`` in one committed transaction; read them back with read_committed."""
    topic = f"probe-{uuid.uuid4().hex[:8]}"
    admin = clients.kafka_admin(settings)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        admin.close()
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        transactional_id=f"probe-{topic}",
        enable_idempotence=True,
    )
    producer.init_transactions()
    producer.begin_transaction()
    for message in messages:
        producer.send(topic, message)
    producer.commit_transaction()
    producer.close()
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        isolation_level="read_committed",
        auto_offset_reset="earliest",
        consumer_timeout_ms=10_000,
    )
    received = []
    for record in consumer:
        received.append(record.value)
        if len(received) == len(messages):
            break
    consumer.close()
    admin = clients.kafka_admin(settings)
    try:
        admin.delete_topics([topic])
    finally:
        admin.close()
    return received


def postgres_round_trip(settings: Settings, value: str) -> str:
    with clients.postgres(settings) as conn:
        conn.execute("CREATE TEMP TABLE probe (value text NOT NULL)")
        conn.execute("INSERT INTO probe (value) VALUES (%s)", (value,))
        row = conn.execute("SELECT value FROM probe").fetchone()
    assert row is not None
    return str(row[0])


def redis_round_trip(settings: Settings, key: str, value: str) -> str:
    client = clients.redis(settings)
    client.set(key, value)
    return client.get(key).decode()


def influxdb_round_trip(settings: Settings, value: int) -> int:
    """Write one point with the v2 write API, read it back with a Flux query."""
    probe_id = uuid.uuid4().hex[:8]
    with clients.influxdb(settings) as client:
        client.write_api(write_options=SYNCHRONOUS).write(
            bucket=settings.influxdb_bucket,
            record=Point("probe").tag("probe_id", probe_id).field("value", value),
        )
        tables = client.query_api().query(
            f'from(bucket: "{settings.influxdb_bucket}") |> range(start: -1h) '
            f'|> filter(fn: (r) => r._measurement == "probe" and r.probe_id == "{probe_id}")'
        )
    return int(tables[0].records[0].get_value())


def elasticsearch_round_trip(settings: Settings, text: str) -> list[str]:
    """Index one document and find it again by a word of its text."""
    client = clients.elasticsearch(settings)
    index = "probe"
    client.index(index=index, document={"text": text}, refresh="wait_for")
    word = text.split()[-1]
    hits = client.search(index=index, query={"match": {"text": word}})["hits"]["hits"]
    return [hit["_source"]["text"] for hit in hits]


def probe_all(settings: Settings, report: Callable[[str], None]) -> dict[str, str]:
    stamp = time.strftime("%H:%M:%S")
    probes: dict[str, Callable[[], object]] = {
        "kafka": lambda: kafka_transaction(settings, [f"hello at {stamp}".encode()]),
        "postgres": lambda: postgres_round_trip(settings, f"row at {stamp}"),
        "redis": lambda: redis_round_trip(settings, "probe", f"value at {stamp}"),
        "influxdb": lambda: influxdb_round_trip(settings, int(time.time())),
        "elasticsearch": lambda: elasticsearch_round_trip(settings, f"lesson at {stamp}"),
    }
    answers = {}
    for name, probe in probes.items():
        report(f"asking {name}")
        answers[name] = f"read back {probe()!r}"
    return answers
