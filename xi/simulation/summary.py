"""What a run did, counted from the engine's own outputs: orders, trades, cancels, the rate the
engine took them at, per-symbol prices and volumes, and the injected scenarios by typology."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xi import markets
from xi.simulation.generate import Simulation
from xi.simulation.runner import EngineOutcome


@dataclass(frozen=True)
class SymbolActivity:
    symbol: str
    orders: int
    trades: int
    volume: Decimal  # base asset
    notional: Decimal  # quote asset
    first: Decimal | None
    last: Decimal | None
    high: Decimal | None
    low: Decimal | None


def by_symbol(simulation: Simulation, outcome: EngineOutcome) -> list[SymbolActivity]:
    listed = markets.load()
    orders = Counter(c["symbol"] for c in simulation.commands if c["type"] == "NEW_ORDER")
    rows = []
    for symbol in simulation.config.symbols:
        market = listed.market(symbol)
        trades = [t for t in outcome.trades if t["symbol"] == symbol]
        prices = [market.price(t["price"]) for t in trades]
        rows.append(
            SymbolActivity(
                symbol=symbol,
                orders=orders[symbol],
                trades=len(trades),
                volume=market.quantity(sum(t["qty"] for t in trades)),
                notional=sum(
                    (market.notional(t["price"], t["qty"]) for t in trades), start=Decimal(0)
                ),
                first=prices[0] if prices else None,
                last=prices[-1] if prices else None,
                high=max(prices, default=None),
                low=min(prices, default=None),
            )
        )
    return rows


def typologies(simulation: Simulation, outcome: EngineOutcome) -> dict[str, dict[str, int]]:
    """Per typology: scenarios injected, their commands, and the trades their orders made."""
    order_ids = outcome.order_ids()
    out: dict[str, dict[str, int]] = {}
    for label in simulation.labels:
        row = out.setdefault(label.typology, {"scenarios": 0, "commands": 0, "trades": 0})
        row["scenarios"] += 1
        row["commands"] += len(label.command_ids)
        ids = {order_ids[c] for c in label.command_ids if c in order_ids}
        row["trades"] += sum(
            1 for t in outcome.trades if t["maker_order_id"] in ids or t["taker_order_id"] in ids
        )
    return out


def totals(simulation: Simulation, outcome: EngineOutcome) -> dict[str, Any]:
    """The run in numbers; `orders_per_sec` is orders over the time from the first send to
    the engine's last output of the run."""
    new_orders = {c["command_id"] for c in simulation.commands if c["type"] == "NEW_ORDER"}
    kinds = Counter(r["exec_type"] for r in outcome.reports)
    rejected = sum(
        1 for r in outcome.reports if r["exec_type"] == "REJECTED" and r["command_id"] in new_orders
    )
    seconds = max(outcome.engine_done_ms - outcome.first_send_ms, 1) / 1000
    return {
        "run_id": simulation.config.run_id,
        "seed": simulation.config.seed,
        "orders": len(new_orders),
        "accepted": kinds["NEW"],
        "rejected": rejected,
        "trades": len(outcome.trades),
        "cancels": kinds["CANCELED"],
        "expired": kinds["EXPIRED"],
        "seconds": round(seconds, 3),
        "orders_per_sec": round(len(new_orders) / seconds, 1),
        "typologies": typologies(simulation, outcome),
        "abuse_planned": simulation.planned,
    }
