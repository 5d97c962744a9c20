"""Pre-trade checks: a fixed order, the first failure decides, holds cover the worst case."""

from __future__ import annotations

from decimal import Decimal

import pytest

from trading_api.orders.request import parse_new_order
from trading_api.risk.pretrade import PretradeContext, RiskLimits, check
from xi import markets

MARKETS = markets.load()
BUY = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.1",
    "price": "60000",
}
CALM = PretradeContext(
    last_price_ticks=6_000_000, kill_switch=False, orders_in_window=0, available=Decimal("100000")
)


def _decide(params: dict, **context: object):
    return check(parse_new_order(params, MARKETS), PretradeContext(**{**CALM.__dict__, **context}))


def test_an_affordable_order_passes_every_check_and_holds_its_notional() -> None:
    decision = _decide(BUY)
    assert decision.accepted
    assert decision.passed == ["KILL_SWITCH", "RATE_LIMIT", "MAX_NOTIONAL", "PRICE_BAND", "BALANCE"]
    assert (decision.hold.asset, decision.hold.amount) == ("USDT", Decimal("6000"))
    assert decision.as_dict()["decision"] == "ACCEPT"


@pytest.mark.parametrize(
    ("params", "context", "failed", "passed_before"),
    [
        (BUY, {"kill_switch": True}, "KILL_SWITCH", 0),
        (BUY, {"orders_in_window": 100}, "RATE_LIMIT", 1),
        ({**BUY, "quantity": "20"}, {}, "MAX_NOTIONAL", 2),
        ({**BUY, "price": "70000"}, {}, "PRICE_BAND", 3),
        (BUY, {"available": Decimal("5999.99")}, "BALANCE", 4),
    ],
)
def test_first_failing_check_decides(params, context, failed: str, passed_before: int) -> None:
    decision = _decide(params, **context)
    assert not decision.accepted and decision.failed == failed
    assert len(decision.passed) == passed_before
    assert decision.as_dict()["failedCheck"] == failed and decision.reason


def test_a_sell_holds_its_base_quantity() -> None:
    decision = _decide({**BUY, "side": "SELL"}, available=Decimal("0.1"))
    assert decision.accepted and (decision.hold.asset, decision.hold.amount) == (
        "BTC",
        Decimal("0.1"),
    )


def test_a_market_buy_holds_up_to_the_top_of_the_band() -> None:
    market_buy = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.1"}
    decision = _decide(market_buy)
    # 10% band over the last price of 60,000: at most 66,000 per BTC.
    assert decision.hold.amount == Decimal("6600")


def test_before_the_first_trade_the_reference_price_anchors_the_band() -> None:
    decision = _decide({**BUY, "price": "66000.01"}, last_price_ticks=None)
    assert decision.failed == "PRICE_BAND"


def test_platform_limits_are_configurable() -> None:
    intent = parse_new_order(BUY, MARKETS)
    assert not check(intent, CALM, RiskLimits(max_order_notional=Decimal("5000"))).accepted
