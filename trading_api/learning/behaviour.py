"""What a learner's own trading says about what they should learn next."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TradingBehaviour:
    """Counts over the learner's recent trading, read from the trading API's ledger."""

    orders: int = 0
    rejected_by_filter: int = 0  # tick, lot, notional or price band
    rejected_post_only: int = 0
    losing_trades: int = 0
    stop_outs: int = 0
    self_trade_prevented: int = 0
    largest_position_share: float = 0.0  # of the account's value, 0..1

    def signals(self) -> dict[str, tuple[float, str]]:
        """Per skill: an urgency in 0..1 and the reason, for the behaviour seen."""
        found: dict[str, tuple[float, str]] = {}

        def rate(count: int) -> float:
            return min(1.0, count / max(self.orders, 1) * 4)

        if self.rejected_by_filter:
            found["price-filters"] = (
                rate(self.rejected_by_filter),
                f"{self.rejected_by_filter} of your orders were rejected by a price or size filter",
            )
        if self.rejected_post_only:
            found["order-types"] = (
                rate(self.rejected_post_only),
                f"{self.rejected_post_only} post-only orders were rejected because they would take",
            )
        if self.stop_outs or self.losing_trades:
            found["stop-orders"] = (
                rate(self.stop_outs + self.losing_trades),
                f"{self.losing_trades} losing trades and {self.stop_outs} stop-outs",
            )
        if self.largest_position_share >= 0.5:
            found["position-sizing"] = (
                self.largest_position_share,
                f"{self.largest_position_share:.0%} of your balance sits in one position",
            )
        if self.self_trade_prevented:
            found["self-trade"] = (
                rate(self.self_trade_prevented),
                f"self-trade prevention stopped {self.self_trade_prevented} of your orders",
            )
        return found
