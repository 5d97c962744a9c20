"""Market data on the real stack: an engine on its own topics, fed orders by the tests, and
the application reading that engine's book and trade streams."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer

from tests.trading_api.own_engine import own_engine
from trading_api import db
from trading_api.main import create_app
from xi import engine_client, markets, topics
from xi.settings import Settings

T = TypeVar("T")


@dataclass
class Exchange:
    """Sends orders, in decimals, to the tests' engine."""

    settings: Settings
    producer: KafkaProducer

    def send(self, command: dict[str, Any]) -> None:
        key, value = engine_client.encode(command)
        orders = f"{self.settings.engine_topic_prefix}{topics.ORDERS}"
        self.producer.send(orders, key=key, value=value).get(timeout=10)

    def order(
        self,
        symbol: str,
        account: int,
        side: str,
        price: str,
        qty: str,
        *,
        ts_ms: int | None = None,
        time_in_force: str = "GTC",
    ) -> None:
        market = markets.load().market(symbol)
        command = engine_client.new_order(
            symbol,
            account=account,
            side=side,
            price=market.ticks(Decimal(price)),
            qty=market.lots(Decimal(qty)),
            time_in_force=time_in_force,
        )
        if ts_ms is not None:
            command["ts_ns"] = ts_ms * 1_000_000
        self.send(command)

    def cancel_all(self, symbol: str, account: int) -> None:
        self.send(engine_client.cancel_all(symbol, account=account))


def wait_for(probe: Callable[[], T | None], what: str, timeout_s: float = 60) -> T:
    """Poll ``probe`` until it returns something truthy."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise TimeoutError(f"waited {timeout_s}s for {what}")


@pytest.fixture(scope="module")
def market_settings(
    running_stack: Settings, engine_binary: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """Settings of an app that reads a new engine's topics into its own database (trades of
    other engines stay out of it); the engine lists every symbol."""
    with (
        db.temporary_database(running_stack, "xi_test") as database,
        own_engine(database, engine_binary, tmp_path_factory.mktemp("engine")) as settings,
    ):
        yield settings


@pytest.fixture(scope="module")
def exchange(market_settings: Settings) -> Iterator[Exchange]:
    producer = KafkaProducer(bootstrap_servers=market_settings.kafka_bootstrap, linger_ms=0)
    yield Exchange(market_settings, producer)
    producer.close()


@pytest.fixture(scope="module")
def market_client(market_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(market_settings)) as client:
        yield client
