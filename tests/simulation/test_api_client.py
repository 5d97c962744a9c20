"""The API mode's signed REST client: the API's own signature check accepts its requests, its
order parameters parse back to the command's ticks and lots, and it talks to the running API."""

from __future__ import annotations

import time
import uuid

import pytest

from trading_api import signing
from trading_api.errors import ApiError
from trading_api.orders.request import parse_new_order
from xi import clients, markets
from xi.settings import Settings
from xi.simulation.api_client import Credentials, SignedClient, order_params
from xi.simulation.config import SimulationConfig
from xi.simulation.generate import simulate

CREDENTIALS = Credentials(account_id=1, api_key="k" * 64, secret=uuid.uuid4().hex)


def _client(settings: Settings) -> SignedClient:
    return SignedClient(f"http://127.0.0.1:{settings.trading_api_port}", CREDENTIALS)


def test_signed_requests_pass_the_api_signature_check(running_stack: Settings) -> None:
    client = _client(running_stack)
    redis = clients.redis(running_stack)
    request = client.signed_request("POST", "/order", {"symbol": "BTCUSDT", "side": "BUY"})
    payload = signing.parse(request.url.query.decode(), "")
    signing.verify(payload, CREDENTIALS.secret, int(time.time() * 1000), redis)
    with pytest.raises(ApiError, match="already received"):
        signing.verify(payload, CREDENTIALS.secret, int(time.time() * 1000), redis)
    tampered = signing.parse(request.url.query.decode().replace("BUY", "SELL"), "")
    with pytest.raises(ApiError, match="Signature"):
        signing.verify(tampered, CREDENTIALS.secret, int(time.time() * 1000), redis)
    client.close()


def test_order_parameters_parse_back_to_the_commands_ticks_and_lots() -> None:
    listed = markets.load()
    run = simulate(SimulationConfig(minutes=0.2, seed=5))
    orders = [c for c in run.commands if c["type"] == "NEW_ORDER"]
    assert {c["symbol"] for c in orders} == set(run.config.symbols)
    for command in orders:
        intent = parse_new_order(order_params(command, listed), listed)
        assert intent.market.symbol == command["symbol"]
        assert (intent.price_ticks, intent.qty_lots) == (command["price"], command["qty"])
        assert intent.side == command["side"] and intent.time_in_force == command["time_in_force"]
        assert intent.client_order_id == command["command_id"]


def test_client_reads_the_running_api_clock(running_stack: Settings) -> None:
    client = _client(running_stack)
    assert abs(client.server_time() - time.time() * 1000) < 5_000
    client.close()
