"""Each server of the local stack answers a real request over a real connection."""

from __future__ import annotations

import uuid

from xi.settings import Settings
from xi.stack import probes


def test_kafka_transaction_is_read_committed(running_stack: Settings) -> None:
    messages = [f"message {i}".encode() for i in range(5)]
    assert probes.kafka_transaction(running_stack, messages) == messages


def test_postgres_sql_round_trip(running_stack: Settings) -> None:
    value = f"row-{uuid.uuid4()}"
    assert probes.postgres_round_trip(running_stack, value) == value


def test_redis_set_and_get(running_stack: Settings) -> None:
    value = str(uuid.uuid4())
    assert probes.redis_round_trip(running_stack, f"test:{value}", value) == value


def test_influxdb_point_read_back_with_flux(running_stack: Settings) -> None:
    assert probes.influxdb_round_trip(running_stack, 424242) == 424242


def test_elasticsearch_finds_document_by_word(running_stack: Settings) -> None:
    marker = uuid.uuid4().hex
    text = f"how a stop loss order works {marker}"
    assert probes.elasticsearch_round_trip(running_stack, text) == [text]
