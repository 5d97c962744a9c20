"""Each injected typology leaves its signature in what the real engine did with the orders."""

from __future__ import annotations

from statistics import mean
from typing import Any

from tests.simulation.conftest import SimulatedMarket
from xi.simulation.clock import NS_PER_S
from xi.simulation.labels import Label


def _labels(m: SimulatedMarket, typology: str) -> list[Label]:
    found = [label for label in m.simulation.labels if label.typology == typology]
    assert found, f"no {typology} scenario in the run"
    return found


def _orders(m: SimulatedMarket, label: Label, **match: Any) -> list[dict[str, Any]]:
    """The label's NEW_ORDER commands with their engine order ids (field `order_id`)."""
    wanted = set(label.command_ids)
    order_ids = m.outcome.order_ids()
    return [
        {**c, "order_id": order_ids.get(c["command_id"])}
        for c in m.simulation.commands
        if c["command_id"] in wanted
        and c["type"] == "NEW_ORDER"
        and all(c.get(k) == v for k, v in match.items())
    ]


def _ids(orders: list[dict[str, Any]]) -> set[int]:
    return {o["order_id"] for o in orders if o["order_id"] is not None}


def _taking(m: SimulatedMarket, ids: set[int]) -> list[dict[str, Any]]:
    return [t for t in m.outcome.trades if t["taker_order_id"] in ids]


def _involving(m: SimulatedMarket, ids: set[int]) -> list[dict[str, Any]]:
    return [t for t in m.outcome.trades if t["taker_order_id"] in ids or t["maker_order_id"] in ids]


def test_every_order_of_the_run_reached_the_engine(simulated_minute: SimulatedMarket) -> None:
    m = simulated_minute
    answered = {r["command_id"] for r in m.outcome.reports if r["exec_type"] in ("NEW", "REJECTED")}
    sent = {c["command_id"] for c in m.simulation.commands if c["type"] == "NEW_ORDER"}
    assert sent <= answered
    assert len(m.outcome.trades) > 1_000


def test_wash_trades_have_one_owner_on_both_sides(simulated_minute: SimulatedMarket) -> None:
    m = simulated_minute
    for label in _labels(m, "wash_trading"):
        ids = _ids(_orders(m, label))
        trades = _involving(m, ids)
        assert len(trades) >= 10
        for trade in trades:
            assert trade["maker_order_id"] in ids and trade["taker_order_id"] in ids
            maker, taker = trade["maker_account"], trade["taker_account"]
            assert maker != taker
            assert m.simulation.owners[maker] == m.simulation.owners[taker] == label.owner


def test_wash_ring_trades_stay_inside_the_ring(simulated_minute: SimulatedMarket) -> None:
    m = simulated_minute
    for label in _labels(m, "wash_ring"):
        ids = _ids(_orders(m, label))
        trades = _involving(m, ids)
        pairs = {(t["maker_account"], t["taker_account"]) for t in trades}
        assert len(trades) >= 10
        assert all(a in label.accounts and b in label.accounts and a != b for a, b in pairs)
        # A ring: every member trades, with more than one counterparty overall.
        assert {a for pair in pairs for a in pair} == set(label.accounts)


def test_spoof_orders_are_cancelled_within_seconds_while_the_abuser_executes_opposite(
    simulated_minute: SimulatedMarket,
) -> None:
    m = simulated_minute
    cancelled = {
        r["order_id"]: r["ts_ns"] for r in m.outcome.reports if r["exec_type"] == "CANCELED"
    }
    for typology in ("spoofing", "layering"):
        for label in _labels(m, typology):
            spoofs = _orders(m, label, side=label.side, time_in_force="GTC")
            other = "SELL" if label.side == "BUY" else "BUY"
            executions = _ids(_orders(m, label, side=other))
            assert spoofs and executions
            spoof_ids = _ids(spoofs)
            assert not [t for t in m.outcome.trades if t["maker_order_id"] in spoof_ids]
            for spoof in spoofs:
                held_ns = cancelled[spoof["order_id"]] - spoof["ts_ns"]
                assert 0 < held_ns <= 5 * NS_PER_S
            fills = _taking(m, executions)
            assert fills, f"{typology}: the abuser never executed on the other side"
            assert all(t["taker_account"] == label.accounts[0] for t in fills)
            assert all(t["aggressor"] == other for t in fills)
            # Executions happen while the spoof orders show.
            first_spoof = min(s["ts_ns"] for s in spoofs)
            last_cancel = max(cancelled[s["order_id"]] for s in spoofs)
            assert all(first_spoof <= t["ts_ns"] <= last_cancel for t in fills)


def test_pump_and_dump_buys_lift_the_thin_symbol_then_sell_into_the_rise(
    simulated_minute: SimulatedMarket,
) -> None:
    m = simulated_minute
    (label,) = _labels(m, "pump_and_dump")
    buys, sells = _orders(m, label, side="BUY"), _orders(m, label, side="SELL")
    assert max(o["ts_ns"] for o in buys) < min(o["ts_ns"] for o in sells)
    bought = sorted(_taking(m, _ids(buys)), key=lambda t: t["seq"])
    sold = _taking(m, _ids(sells))
    assert len(bought) >= 20 and sold
    third = len(bought) // 3
    early = mean(t["price"] for t in bought[:third])
    late = mean(t["price"] for t in bought[-third:])
    assert late > early * 1.03, f"price did not rise in the buy phase: {early} -> {late}"
    assert mean(t["price"] for t in sold) > early


def test_marking_the_close_trades_cluster_at_the_period_end(
    simulated_minute: SimulatedMarket,
) -> None:
    m = simulated_minute
    config = m.simulation.config
    period = config.close_period_s * NS_PER_S
    for label in _labels(m, "marking_the_close"):
        trades = _taking(m, _ids(_orders(m, label)))
        assert len(trades) >= 3
        for trade in trades:
            since_start = trade["ts_ns"] - config.start_ns
            to_close = -since_start % period
            assert 0 < to_close <= 3 * NS_PER_S
        assert all(t["aggressor"] == "BUY" for t in trades)


def test_momentum_ignition_orders_precede_a_price_move(simulated_minute: SimulatedMarket) -> None:
    m = simulated_minute
    for label in _labels(m, "momentum_ignition"):
        burst = _orders(m, label, side=label.side)
        start, end = min(o["ts_ns"] for o in burst), min(o["ts_ns"] for o in burst) + 2 * NS_PER_S
        market = [t for t in m.outcome.trades if t["symbol"] == label.symbol]
        before = [t["price"] for t in market if start - 5 * NS_PER_S <= t["ts_ns"] < start]
        after = [t["price"] for t in market if end <= t["ts_ns"] < end + 5 * NS_PER_S]
        assert before and after
        move = (mean(after) - mean(before)) / mean(before)
        signed = move if label.side == "BUY" else -move
        assert signed > 0.001, f"no move after ignition: {move:+.4%}"


def test_fat_fingers_are_refused_by_the_band_or_sweep_the_touch(
    simulated_minute: SimulatedMarket,
) -> None:
    m = simulated_minute
    refused = {
        r["command_id"]: r["reason"] for r in m.outcome.reports if r["exec_type"] == "REJECTED"
    }
    outcomes = set()
    for label in _labels(m, "fat_finger"):
        (order,) = _orders(m, label)
        if order["time_in_force"] == "GTC":
            assert refused[order["command_id"]] == "PRICE_BAND"
            outcomes.add("band")
        else:
            assert _taking(m, {order["order_id"]})
            outcomes.add("sweep")
    assert outcomes == {"band", "sweep"}
