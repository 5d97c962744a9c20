"""The application on the real stack, with keys for each role."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.trading_api.api.trading import Trader, deposit, new_trader
from trading_api.auth import Role, SecretBox, create_account, issue_api_key
from trading_api.main import create_app
from xi import markets
from xi.settings import Settings


@pytest.fixture(scope="module")
def client(database: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(database)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def api_key(database: Settings) -> dict[Role, str]:
    """One API key per role (the header value a client sends)."""
    box = SecretBox(database.secret_key.get_secret_value())
    keys = {}
    with psycopg.connect(database.postgres_dsn, autocommit=True) as conn:
        for role in Role:
            account = create_account(conn, name=f"{role}-{uuid.uuid4().hex[:8]}", role=role)
            keys[role] = issue_api_key(conn, box, account_id=account).api_key
    return keys


@pytest.fixture(scope="module")
def exchange_settings(database: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose symbols are this module's own (see `markets.write_private_copy`)."""
    path = markets.write_private_copy(tmp_path_factory.mktemp("markets"))
    return database.model_copy(update={"markets_file": path})


@pytest.fixture(scope="module")
def exchange(exchange_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(exchange_settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def admin(exchange: TestClient, exchange_settings: Settings) -> Trader:
    return new_trader(exchange, exchange_settings, Role.ADMIN)


@pytest.fixture
def funded(exchange: TestClient, exchange_settings: Settings, admin: Trader):
    """A factory of new traders with deposits made through the admin endpoint.

    Their orders still open at the end of the test are cancelled, so that the module's books
    are empty again for the next test.
    """
    made: list[Trader] = []

    def make(**amounts: str) -> Trader:
        trader = new_trader(exchange, exchange_settings)
        made.append(trader)
        deposit(admin, trader.account_id, **amounts)
        return trader

    yield make
    for trader in made:
        for order in trader.signed("GET", "/api/v3/openOrders").json():
            trader.signed(
                "DELETE", "/api/v3/order", {"symbol": order["symbol"], "orderId": order["orderId"]}
            )
