"""Orders and fills in PostgreSQL: the rows the order endpoints read and the consumer updates."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from psycopg import Connection
from psycopg.rows import class_row

from trading_api.ledger.operations import FillAmounts
from trading_api.orders.request import OrderIntent
from trading_api.risk.pretrade import Hold, RiskDecision

OPEN_STATUSES = ("PENDING_NEW", "NEW", "PARTIALLY_FILLED")


@dataclass
class Order:
    id: int
    account_id: int
    symbol: str
    client_order_id: str
    command_id: str
    engine_order_id: int | None
    side: str
    type: str
    time_in_force: str
    stp_mode: str
    price: Decimal
    stop_price: Decimal
    iceberg_qty: Decimal
    orig_qty: Decimal
    orig_quote_qty: Decimal
    executed_qty: Decimal
    cummulative_quote_qty: Decimal
    status: str
    reject_reason: str | None
    hold_asset: str
    hold_amount: Decimal
    hold_used: Decimal
    risk_decision: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass
class Fill:
    id: int
    order_id: int
    account_id: int
    symbol: str
    shard: int
    seq: int
    trade_id: int
    side: str
    price: Decimal
    qty: Decimal
    quote_qty: Decimal
    commission: Decimal
    commission_asset: str
    is_maker: bool
    created_at: datetime


def insert_order(
    conn: Connection,
    *,
    account_id: int,
    intent: OrderIntent,
    client_order_id: str,
    command_id: str,
    hold: Hold,
    decision: RiskDecision,
) -> Order:
    market = intent.market
    row = (
        conn.cursor(row_factory=class_row(Order))
        .execute(
            "INSERT INTO orders (account_id, symbol, client_order_id, command_id, side, type, "
            "time_in_force, stp_mode, price, stop_price, iceberg_qty, orig_qty, orig_quote_qty, "
            "status, hold_asset, hold_amount, risk_decision) VALUES "
            "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'PENDING_NEW', %s, %s, %s) "
            "RETURNING *",
            (
                account_id,
                market.symbol,
                client_order_id,
                command_id,
                intent.side.value,
                intent.order_type.value,
                intent.time_in_force.value,
                intent.stp.value,
                market.price(intent.price_ticks),
                market.price(intent.stop_price_ticks),
                market.quantity(intent.iceberg_lots),
                market.quantity(intent.qty_lots),
                intent.quote_qty_units * market.notional_unit,
                hold.asset,
                hold.amount,
                json.dumps(decision.as_dict()),
            ),
        )
        .fetchone()
    )
    assert row is not None
    return row


def _orders(conn: Connection, where: str, params: tuple[Any, ...], tail: str = "") -> list[Order]:
    query = f"SELECT * FROM orders WHERE {where} {tail}"
    return conn.cursor(row_factory=class_row(Order)).execute(query, params).fetchall()


def order_by_client_id(conn: Connection, account_id: int, client_order_id: str) -> Order | None:
    found = _orders(conn, "account_id = %s AND client_order_id = %s", (account_id, client_order_id))
    return found[0] if found else None


def find_order(
    conn: Connection,
    *,
    account_id: int,
    symbol: str,
    order_id: int | None,
    client_order_id: str | None,
) -> Order | None:
    if order_id is not None:
        found = _orders(
            conn, "account_id = %s AND symbol = %s AND id = %s", (account_id, symbol, order_id)
        )
    else:
        found = _orders(
            conn,
            "account_id = %s AND symbol = %s AND client_order_id = %s",
            (account_id, symbol, client_order_id),
        )
    return found[0] if found else None


def order_for_update(
    conn: Connection, *, command_id: str | None, engine_order_id: int
) -> Order | None:
    """The order a report is about, locked: by its engine id, else by the command that placed it."""
    if engine_order_id:
        found = _orders(conn, "engine_order_id = %s", (engine_order_id,), "FOR UPDATE")
        if found:
            return found[0]
    if command_id:
        found = _orders(conn, "command_id = %s", (command_id,), "FOR UPDATE")
        if found:
            return found[0]
    return None


def open_orders(conn: Connection, *, account_id: int, symbol: str | None) -> list[Order]:
    statuses = list(OPEN_STATUSES)
    if symbol is None:
        return _orders(
            conn, "account_id = %s AND status = ANY(%s)", (account_id, statuses), "ORDER BY id"
        )
    return _orders(
        conn,
        "account_id = %s AND symbol = %s AND status = ANY(%s)",
        (account_id, symbol, statuses),
        "ORDER BY id",
    )


@dataclass(frozen=True)
class Page:
    """Binance's list window: from an id (inclusive) or a time range, oldest first, at most limit.

    Without a starting point Binance returns the most recent rows, still oldest first.
    """

    from_id: int | None
    start: datetime | None
    end: datetime | None
    limit: int

    def where(self, id_column: str = "id") -> tuple[str, list[Any]]:
        parts, params = [], []
        for condition, value in (
            (f" AND {id_column} >= %s", self.from_id),
            (" AND created_at >= %s", self.start),
            (" AND created_at <= %s", self.end),
        ):
            if value is not None:
                parts.append(condition)
                params.append(value)
        return "".join(parts), params

    def order_by(self, id_column: str = "id") -> str:
        newest = self.from_id is None and self.start is None
        return f"ORDER BY {id_column} {'DESC' if newest else 'ASC'} LIMIT {int(self.limit)}"


def all_orders(conn: Connection, *, account_id: int, symbol: str, page: Page) -> list[Order]:
    where, params = page.where()
    found = _orders(
        conn,
        f"account_id = %s AND symbol = %s{where}",
        (account_id, symbol, *params),
        page.order_by(),
    )
    return sorted(found, key=lambda o: o.id)


def _fills(conn: Connection, where: str, params: tuple[Any, ...], tail: str = "") -> list[Fill]:
    query = f"SELECT * FROM fills WHERE {where} {tail}"
    return conn.cursor(row_factory=class_row(Fill)).execute(query, params).fetchall()


def fills_of(conn: Connection, order_id: int) -> list[Fill]:
    return _fills(conn, "order_id = %s", (order_id,), "ORDER BY id")


def my_trades(
    conn: Connection, *, account_id: int, symbol: str, order_id: int | None, page: Page
) -> list[Fill]:
    # Binance pages an account's trades by trade id, the id public trades carry too.
    where, params = page.where("trade_id")
    if order_id is not None:
        where += " AND order_id = %s"
        params.append(order_id)
    found = _fills(
        conn,
        f"account_id = %s AND symbol = %s{where}",
        (account_id, symbol, *params),
        page.order_by("trade_id"),
    )
    return sorted(found, key=lambda f: (f.trade_id, f.id))


@dataclass(frozen=True)
class PretradeFacts:
    last_price: Decimal | None
    kill_switch: bool
    free: dict[str, Decimal]  # asset -> free balance


def pretrade_facts(conn: Connection, account_id: int, symbol: str) -> PretradeFacts:
    """What the checks before trade read from the database, in one round trip."""
    row = conn.execute(
        "SELECT (SELECT price FROM fills WHERE symbol = %s ORDER BY id DESC LIMIT 1), "
        "(SELECT kill_switch FROM accounts WHERE id = %s), "
        # As text: JSON numbers would come back as floats.
        "(SELECT json_object_agg(asset, free::text) FROM balances WHERE account_id = %s)",
        (symbol, account_id, account_id),
    ).fetchone()
    assert row is not None
    price, kill, free = row
    return PretradeFacts(
        price, bool(kill), {asset: Decimal(text) for asset, text in (free or {}).items()}
    )


def mark_applied(conn: Connection, *, shard: int, seq: int, order_id: int, exec_type: str) -> bool:
    """Record that a report was applied; False if it had been already."""
    row = conn.execute(
        "INSERT INTO applied_reports (shard, seq, order_id, exec_type) "
        "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1",
        (shard, seq, order_id, exec_type),
    ).fetchone()
    return row is not None


def save_progress(conn: Connection, order: Order) -> None:
    """Write back what a report changed on an order."""
    conn.execute(
        "UPDATE orders SET engine_order_id = %s, executed_qty = %s, cummulative_quote_qty = %s, "
        "status = %s, reject_reason = %s, hold_used = %s, updated_at = now() WHERE id = %s",
        (
            order.engine_order_id,
            order.executed_qty,
            order.cummulative_quote_qty,
            order.status,
            order.reject_reason,
            order.hold_used,
            order.id,
        ),
    )


def insert_fill(
    conn: Connection,
    order: Order,
    *,
    shard: int,
    seq: int,
    trade_id: int,
    price: Decimal,
    amounts: FillAmounts,
    is_maker: bool,
) -> Fill:
    row = (
        conn.cursor(row_factory=class_row(Fill))
        .execute(
            "INSERT INTO fills (order_id, account_id, symbol, shard, seq, trade_id, side, price, "
            "qty, quote_qty, commission, commission_asset, is_maker) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING *",
            (
                order.id,
                order.account_id,
                order.symbol,
                shard,
                seq,
                trade_id,
                order.side,
                price,
                amounts.quantity,
                amounts.notional,
                amounts.commission,
                amounts.commission_asset,
                is_maker,
            ),
        )
        .fetchone()
    )
    assert row is not None
    return row
