"""Bad order requests: each gets a 4xx with a clear Binance code and changes nothing."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

import psycopg
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from tests.trading_api.api.trading import Trader, market_of, new_trader
from trading_api import signing
from trading_api.auth import Role
from xi.markets import Market
from xi.settings import Settings


def _order(market: Market, **changes: str) -> dict[str, str]:
    params = {
        "symbol": market.symbol,
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.01",
        "price": "60000",
    }
    return {k: v for k, v in {**params, **changes}.items() if v is not None}


def _signed_body(trader: Trader, params: dict[str, str], *, timestamp: int | None = None) -> str:
    stamp = timestamp if timestamp is not None else int(time.time() * 1000)
    query = urlencode({**params, "timestamp": stamp, "nonce": uuid.uuid4().hex})
    return f"{query}&signature={signing.sign(trader.secret, query)}"


def _post(trader: Trader, body: str, api_key: str | None = None) -> Response:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if api_key != "":
        headers["X-MBX-APIKEY"] = api_key or trader.api_key
    return trader.client.post("/api/v3/order", content=body, headers=headers)


NO_LIMIT = {"quantity": None, "price": None, "timeInForce": None}
Case = Callable[[Trader, Market, Trader], Response]


def _bad_params(**changes: str) -> Case:
    return lambda trader, market, _other: _post(
        trader, _signed_body(trader, _order(market, **changes))
    )


def _replayed(trader: Trader, market: Market, _other: Trader) -> Response:
    body = _signed_body(trader, _order(market, price="50000", quantity="0.0001"))
    _post(trader, body)  # refused for its notional, but its signature is now spent
    return _post(trader, body)


CASES: dict[str, tuple[Case, int, int]] = {
    "negative quantity": (_bad_params(quantity="-0.01"), 400, -1102),
    "zero quantity": (_bad_params(quantity="0"), 400, -1013),
    "NaN quantity": (_bad_params(quantity="NaN"), 400, -1102),
    "infinite price": (_bad_params(price="Infinity"), 400, -1102),
    "huge quantity": (_bad_params(quantity="9" * 19), 400, -1013),
    "absurdly long number": (_bad_params(quantity="1" * 40), 400, -1102),
    "exponent notation": (_bad_params(quantity="1e-2"), 400, -1102),
    "price off the tick": (_bad_params(price="60000.001"), 400, -1013),
    "quantity off the lot": (_bad_params(quantity="0.000001"), 400, -1013),
    "below the minimum notional": (_bad_params(quantity="0.00001"), 400, -1013),
    "unknown symbol": (_bad_params(symbol="NOPEUSDT"), 400, -1121),
    "unknown side": (_bad_params(side="HOLD"), 400, -1100),
    "unknown type": (_bad_params(type="TRAILING"), 400, -1100),
    "missing price": (_bad_params(price=None), 400, -1102),
    "bad newOrderRespType": (_bad_params(newOrderRespType="ALL"), 400, -1100),
    "market sell for a quote amount": (
        _bad_params(side="SELL", type="MARKET", quoteOrderQty="100", **NO_LIMIT),
        400,
        -1106,
    ),
    "quantity and quoteOrderQty both": (
        _bad_params(type="MARKET", quoteOrderQty="100", price=None, timeInForce=None),
        400,
        -1102,
    ),
    "malformed body": (
        lambda trader, _m, _o: _post(trader, '{"symbol": "BTCUSDT", "side": "BUY"}'),
        400,
        -1102,
    ),
    "missing signature": (
        lambda trader, market, _o: _post(trader, urlencode(_order(market, timestamp="1"))),
        400,
        -1102,
    ),
    "wrong signature": (
        lambda trader, market, other: _post(trader, _signed_body(other, _order(market))),
        400,
        -1022,
    ),
    "expired timestamp": (
        lambda trader, market, _o: _post(
            trader, _signed_body(trader, _order(market), timestamp=int(time.time() * 1000) - 60_000)
        ),
        400,
        -1021,
    ),
    "replayed request": (_replayed, 400, -1099),
    "no API key": (
        lambda trader, market, _o: _post(trader, _signed_body(trader, _order(market)), ""),
        401,
        -2014,
    ),
    "unknown API key": (
        lambda trader, market, _o: _post(trader, _signed_body(trader, _order(market)), "f" * 64),
        401,
        -2015,
    ),
    "wrong role": (
        lambda _t, market, analyst: _post(analyst, _signed_body(analyst, _order(market))),
        403,
        -2015,
    ),
}


def _state(settings: Settings) -> tuple:
    with psycopg.connect(settings.postgres_dsn) as conn:
        return (
            conn.execute("SELECT count(*) FROM orders").fetchone(),
            conn.execute("SELECT count(*) FROM journal").fetchone(),
            conn.execute(
                "SELECT account_id, asset, free, locked FROM balances ORDER BY 1, 2"
            ).fetchall(),
        )


@pytest.mark.parametrize("case", list(CASES))
def test_bad_order_request_is_refused_and_changes_nothing(
    case: str, exchange: TestClient, exchange_settings: Settings, funded
) -> None:
    send, status, code = CASES[case]
    trader: Trader = funded(USDT="10000", BTC="1")
    analyst = new_trader(exchange, exchange_settings, Role.ANALYST)
    market = market_of(exchange_settings, "BTC")
    before = _state(exchange_settings)
    response = send(trader, market, analyst)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert response.json()["msg"]
    assert _state(exchange_settings) == before


def test_a_risk_refusal_carries_the_decision_and_changes_nothing(
    exchange_settings: Settings, funded
) -> None:
    trader: Trader = funded(USDT="100")
    before = _state(exchange_settings)
    market = market_of(exchange_settings, "BTC")
    response = _post(trader, _signed_body(trader, _order(market)))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == -2010
    assert body["msg"] == "Account has insufficient balance for requested action."
    assert body["riskDecision"] == {
        "decision": "REJECT",
        "checksPassed": ["KILL_SWITCH", "RATE_LIMIT", "MAX_NOTIONAL", "PRICE_BAND"],
        "failedCheck": "BALANCE",
        "reason": "needs 600.00000000 USDT, 100.00000000 available",
    }
    assert _state(exchange_settings) == before


def test_cancelling_an_unknown_order_is_refused(exchange_settings: Settings, funded) -> None:
    trader: Trader = funded(USDT="100")
    market = market_of(exchange_settings, "BTC")
    response = trader.signed(
        "DELETE", "/api/v3/order", {"symbol": market.symbol, "orderId": "999999"}
    )
    assert (response.status_code, response.json()["code"]) == (400, -2013)
    neither = trader.signed("DELETE", "/api/v3/order", {"symbol": market.symbol})
    assert (neither.status_code, neither.json()["code"]) == (400, -1102)


def test_the_kill_switch_stops_an_accounts_orders_until_lifted(
    exchange_settings: Settings, funded, admin: Trader
) -> None:
    trader: Trader = funded(USDT="10000")
    market = market_of(exchange_settings, "BTC")
    params = {"accountId": str(trader.account_id)}
    assert admin.signed("POST", "/admin/v1/killSwitch", {**params, "enabled": "true"}).is_success
    before = _state(exchange_settings)
    refused = _post(trader, _signed_body(trader, _order(market, price="59000")))
    assert (refused.status_code, refused.json()["riskDecision"]["failedCheck"]) == (
        400,
        "KILL_SWITCH",
    )
    assert _state(exchange_settings) == before
    assert admin.signed("POST", "/admin/v1/killSwitch", {**params, "enabled": "false"}).is_success
    placed = _post(trader, _signed_body(trader, _order(market, price="59000")))
    assert placed.status_code == 200 and placed.json()["status"] == "NEW"
    # Only an admin may throw the switch.
    denied = trader.signed("POST", "/admin/v1/killSwitch", {**params, "enabled": "true"})
    assert denied.status_code == 403
