"""Apply the engine's execution reports to orders and the ledger, each report exactly once.

A report is applied in the caller's transaction together with the row that records it
(`applied_reports`), so a redelivered report changes nothing. Reports about orders this
database does not know are ignored: other deployments share the topic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import Connection

from trading_api.ledger import operations as ops
from trading_api.orders import store
from trading_api.orders.store import Order
from xi.markets import Market, Markets

Report = dict[str, Any]


@dataclass(frozen=True)
class Applied:
    """What one report did to one of this database's orders."""

    order: Order
    report: Report
    fill: store.Fill | None = None


def _release_rest(conn: Connection, order: Order) -> None:
    """Give back what a finished order did not spend."""
    rest = order.hold_amount - order.hold_used
    if rest > 0:
        ops.release(
            conn,
            account_id=order.account_id,
            asset=order.hold_asset,
            amount=rest,
            reference=f"order:{order.id}",
        )


def _is_filled(order: Order) -> bool:
    if order.orig_quote_qty > 0:
        return order.cummulative_quote_qty >= order.orig_quote_qty
    return order.executed_qty >= order.orig_qty


def _apply_trade(conn: Connection, market: Market, order: Order, report: Report) -> store.Fill:
    side = ops.FillSide(
        symbol=order.symbol,
        shard=report["shard"],
        sequence=report["seq"],
        engine_order_id=report["order_id"],
        account_id=order.account_id,
        is_buyer=order.side == "BUY",
        is_maker=report["liquidity"] == "MAKER",
        price_ticks=report["price"],
        qty_lots=report["qty"],
    )
    ops.settle(conn, market=market, fill=side)
    amounts = ops.fill_amounts(market, side)
    fill = store.insert_fill(
        conn,
        order,
        shard=side.shard,
        seq=side.sequence,
        trade_id=report["trade_id"],
        price=market.price(side.price_ticks),
        amounts=amounts,
        is_maker=side.is_maker,
    )
    order.executed_qty += amounts.quantity
    order.cummulative_quote_qty += amounts.notional
    order.hold_used += amounts.notional if side.is_buyer else amounts.quantity
    order.status = "FILLED" if _is_filled(order) else "PARTIALLY_FILLED"
    return fill


def _finish(conn: Connection, order: Order, status: str, reason: str | None = None) -> None:
    order.status = status
    order.reject_reason = reason
    _release_rest(conn, order)


def apply_report(conn: Connection, markets: Markets, report: Report) -> Applied | None:
    """Apply one report in the caller's transaction; None when it is not for us or seen before."""
    exec_type = report.get("exec_type")
    if exec_type not in ("NEW", "REJECTED", "TRADE", "CANCELED", "EXPIRED"):
        return None  # listings, triggers and amendments change nothing here
    # Placement reports are matched by the command that placed the order; the rest by the
    # engine's order id (a rejected cancel names the order but is not about placing it).
    by_command = exec_type in ("NEW", "REJECTED")
    order = store.order_for_update(
        conn,
        command_id=report.get("command_id") if by_command else None,
        engine_order_id=0 if by_command else report.get("order_id", 0),
    )
    if order is None:
        return None
    first_time = store.mark_applied(
        conn,
        shard=report["shard"],
        seq=report["seq"],
        order_id=order.id,
        exec_type=exec_type,
    )
    if not first_time:
        return None
    market = markets.symbols[order.symbol]
    fill = None
    if exec_type == "NEW":
        order.engine_order_id = report["order_id"]
        if order.status == "PENDING_NEW":
            order.status = "NEW"
    elif exec_type == "REJECTED":
        # Binance reports a fill-or-kill that could not fill as expired, not rejected.
        reason = report.get("reason")
        _finish(conn, order, "EXPIRED" if reason == "FOK_NOT_FILLED" else "REJECTED", reason)
    elif exec_type == "TRADE":
        fill = _apply_trade(conn, market, order, report)
        if order.status == "FILLED":
            _release_rest(conn, order)
    elif report.get("remaining_qty", 0) == 0 and order.is_open:
        expired_by_stp = exec_type == "EXPIRED" and report.get("reason") == "STP"
        status = "EXPIRED_IN_MATCH" if expired_by_stp else exec_type
        _finish(conn, order, status, report.get("reason"))
    store.save_progress(conn, order)
    return Applied(order, report, fill)
