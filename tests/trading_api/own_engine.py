"""An engine of a test's own: its own topics, every symbol listed, fed only by that test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kafka import KafkaProducer

from tests.engine_service import harness
from xi import engine_client, markets, topics
from xi.settings import Settings

# Input offsets between book snapshots: often, so that books are checked often.
BOOK_SNAPSHOT_INTERVAL = 7


@contextmanager
def own_engine(database: Settings, engine_binary: Path, scratch: Path) -> Iterator[Settings]:
    """Settings of an app that reads a new engine's topics (others' trades stay out of them);
    the engine lists every symbol and runs until the block ends."""
    prefix = f"{harness.unique('md')}."
    orders = f"{prefix}{topics.ORDERS}"
    harness.create_topics(
        database, [orders, *(f"{prefix}{t}" for t in harness.OUTPUTS)], partitions=2
    )
    engine = harness.EngineProcess(
        binary=engine_binary,
        settings=database,
        orders_topic=orders,
        output_prefix=prefix,
        group=harness.unique("md-engine"),
        transactional_id=harness.unique("md-engine"),
        snapshot_dir=scratch / "snapshots",
        log_dir=scratch / "logs",
        extra=["--book-snapshot-interval", str(BOOK_SNAPSHOT_INTERVAL)],
    ).start()
    try:
        engine.wait_ready()
        settings = database.model_copy(
            update={"engine_topic_prefix": prefix, "api_request_weight_per_minute": 10**9}
        )
        producer = KafkaProducer(bootstrap_servers=database.kafka_bootstrap)
        for market in markets.load().symbols.values():
            rules = market.engine_rules()
            key, value = engine_client.encode(
                engine_client.create_symbol(
                    market.symbol,
                    reference_price=market.ticks(market.reference_price),
                    **rules,
                )
            )
            producer.send(orders, key=key, value=value).get(timeout=10)
        producer.close()
        yield settings
    finally:
        engine.kill()
