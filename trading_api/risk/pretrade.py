"""Deterministic pre-trade checks, in a fixed order, with a machine-readable decision.

Every order passes these before it reaches Kafka. The first failing check decides; the
decision lists the checks that passed before it, so a trader sees exactly where it stopped.
The caller gathers the context (balances, last price, counters); the checks do no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from trading_api.orders.request import OrderIntent, OrderType, Side
from xi.markets import BPS


@dataclass(frozen=True)
class RiskLimits:
    """The platform's own limits, beyond a symbol's filters."""

    max_order_notional: Decimal = Decimal("1000000")
    orders_per_10s: int = 100


@dataclass(frozen=True)
class PretradeContext:
    last_price_ticks: int | None  # None before the symbol's first trade: the reference price
    kill_switch: bool
    orders_in_window: int  # this key's orders in the current 10 s window, this one excluded
    available: Decimal  # free balance of the asset the order spends


@dataclass(frozen=True)
class Hold:
    asset: str
    amount: Decimal


@dataclass(frozen=True)
class RiskDecision:
    accepted: bool
    passed: list[str] = field(default_factory=list)
    failed: str | None = None
    reason: str | None = None
    hold: Hold | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "decision": "ACCEPT" if self.accepted else "REJECT",
            "checksPassed": self.passed,
            "failedCheck": self.failed,
            "reason": self.reason,
        }


def required_hold(intent: OrderIntent, reference_ticks: int) -> Hold:
    """What the order may spend at most: base for a sell, quote for a buy.

    A buy without a price (market, stop-loss, take-profit) may sweep up to the top of the price
    band, so that is what it holds; the rest comes back when the order is done.
    """
    market = intent.market
    if intent.side is Side.SELL:
        return Hold(market.base.code, market.quantity(intent.qty_lots))
    if intent.quote_qty_units:
        return Hold(market.quote.code, intent.quote_qty_units * market.notional_unit)
    has_price = intent.order_type in (
        OrderType.LIMIT,
        OrderType.LIMIT_MAKER,
        OrderType.STOP_LOSS_LIMIT,
        OrderType.TAKE_PROFIT_LIMIT,
    )
    if has_price:
        price_ticks = intent.price_ticks
    else:
        price_ticks = -(-reference_ticks * (BPS + market.price_band_bps) // BPS)  # ceiling
    return Hold(market.quote.code, market.notional(int(price_ticks), intent.qty_lots))


def check(
    intent: OrderIntent, context: PretradeContext, limits: RiskLimits = RiskLimits()
) -> RiskDecision:
    market = intent.market
    reference = context.last_price_ticks or market.ticks(market.reference_price)
    hold = required_hold(intent, reference)
    passed: list[str] = []

    def reject(name: str, reason: str) -> RiskDecision:
        return RiskDecision(False, passed, name, reason)

    if context.kill_switch:
        return reject("KILL_SWITCH", "trading is switched off for this account")
    passed.append("KILL_SWITCH")
    if context.orders_in_window >= limits.orders_per_10s:
        return reject("RATE_LIMIT", f"more than {limits.orders_per_10s} orders in 10 seconds")
    passed.append("RATE_LIMIT")
    notional = (
        hold.amount
        if hold.asset == market.quote.code
        else (market.notional(reference, intent.qty_lots))
    )
    if notional > limits.max_order_notional:
        return reject(
            "MAX_NOTIONAL",
            f"order notional {notional} exceeds {limits.max_order_notional} {market.quote.code}",
        )
    passed.append("MAX_NOTIONAL")
    if intent.price_ticks and market.price_band_bps:
        distance_bps = abs(intent.price_ticks - reference) * BPS / reference
        if distance_bps > market.price_band_bps:
            return reject(
                "PRICE_BAND",
                f"price is {distance_bps:.0f} bps from the last price "
                f"{market.price(reference)}; the band is "
                f"{market.price_band_bps} bps",
            )
    passed.append("PRICE_BAND")
    if hold.amount > context.available:
        unit = (market.base if hold.asset == market.base.code else market.quote).unit
        needs, available = hold.amount.quantize(unit), context.available.quantize(unit)
        return reject("BALANCE", f"needs {needs} {hold.asset}, {available} available")
    passed.append("BALANCE")
    return RiskDecision(True, passed, hold=hold)
