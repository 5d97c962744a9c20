"""Reading a librdkafka consumer in batches without waiting for a batch to fill."""

from __future__ import annotations

from confluent_kafka import Consumer, Message


def next_batch(consumer: Consumer, max_messages: int, timeout_s: float) -> list[Message]:
    """The messages that arrive first, at most `max_messages`; empty after `timeout_s` of none.

    `Consumer.consume(n, timeout)` waits until it has n messages or the timeout passes, which
    would add the whole timeout to every quiet moment's latency: here only the first message is
    waited for, and the rest are what has already arrived.
    """
    first = consumer.poll(timeout_s)
    if first is None:
        return []
    return [first, *consumer.consume(max_messages - 1, 0)]
