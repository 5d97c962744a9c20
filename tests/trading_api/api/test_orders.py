"""The order path end to end: API, Kafka, the running engine, the executions reader, the ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.trading_api.api.trading import Trader, market_of
from xi.markets import Market
from xi.settings import Settings


@pytest.fixture(scope="module")
def btc(exchange_settings: Settings) -> Market:
    return market_of(exchange_settings, "BTC")


def _limit(market: Market, side: str, qty: str, price: str, **extra: str) -> dict[str, str]:
    return {
        "symbol": market.symbol,
        "side": side,
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": qty,
        "price": price,
        **extra,
    }


def test_a_resting_limit_order_is_new_holds_its_notional_and_cancels(funded, btc: Market) -> None:
    trader: Trader = funded(USDT="10000")
    placed = trader.signed("POST", "/api/v3/order", _limit(btc, "BUY", "0.1", "59000"))
    assert placed.status_code == 200, placed.text
    order = placed.json()
    assert order["status"] == "NEW" and order["fills"] == []
    assert order["origQty"] == "0.10000000" and order["price"] == "59000.00000000"
    assert order["riskDecision"]["decision"] == "ACCEPT"
    assert trader.balances()["USDT"] == (Decimal("4100"), Decimal("5900"))

    canceled = trader.signed(
        "DELETE", "/api/v3/order", {"symbol": btc.symbol, "orderId": str(order["orderId"])}
    )
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["status"] == "CANCELED"
    assert trader.balances()["USDT"] == (Decimal("10000"), Decimal("0"))
