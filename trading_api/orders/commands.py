"""Sending commands to the engine: an idempotent librdkafka producer shared by all requests.

Each request blocks until its own command is acknowledged by every in-sync replica; a thread
of the producer's own serves the acknowledgements, so concurrent requests share batches.
"""

from __future__ import annotations

import threading
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from xi import engine_client

POLL_S = 0.1


class CommandNotSent(RuntimeError):
    """The command was not acknowledged by Kafka in time, or was refused."""


class CommandProducer:
    def __init__(self, bootstrap: str, topic: str, timeout_s: float) -> None:
        self._topic, self._timeout_s = topic, timeout_s
        self._producer = Producer(
            {
                "bootstrap.servers": bootstrap,
                "client.id": "trading-api",
                "enable.idempotence": True,
                # The Java client's partitioner, which every producer of orders.v1 uses: one
                # symbol's commands land in the partition that holds its book.
                "partitioner": "murmur2_random",
                "linger.ms": 1,
                "message.timeout.ms": int(timeout_s * 1000),
            }
        )
        self._stopping = threading.Event()
        self._poller = threading.Thread(target=self._serve, name="orders-producer", daemon=True)
        self._poller.start()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            self._producer.poll(POLL_S)

    def send(self, command: dict[str, Any]) -> None:
        key, value = engine_client.encode(command)
        acknowledged = threading.Event()
        failure: list[KafkaError] = []

        def delivered(error: KafkaError | None, _message: Message) -> None:
            if error is not None:
                failure.append(error)
            acknowledged.set()

        self._producer.produce(self._topic, value=value, key=key, on_delivery=delivered)
        if not acknowledged.wait(self._timeout_s + 1):
            raise CommandNotSent(f"no acknowledgement from Kafka within {self._timeout_s} s")
        if failure:
            raise CommandNotSent(str(failure[0]))

    def close(self) -> None:
        self._stopping.set()
        self._poller.join(timeout=5)
        self._producer.flush(self._timeout_s)
