"""The caller's own order and balance updates, published for WebSocket user data streams.

Each applied report goes to the Redis pub/sub channel `user:{account_id}` as Binance's
`executionReport`, followed by an `outboundAccountPosition` with the account's balances of
the symbol's two assets.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

from psycopg import Connection
from redis import Redis

from trading_api.ledger.journal import Balance, balances
from trading_api.orders import wire
from trading_api.orders.executions import Applied
from xi.markets import Market, Markets


def channel(account_id: int) -> str:
    return f"user:{account_id}"


def execution_report(applied: Applied, market: Market, now_ms: int) -> dict[str, Any]:
    order, fill = applied.order, applied.fill
    base, quote = market.base, market.quote
    last = wire.fill(fill, market) if fill else None
    return {
        "e": "executionReport",
        "E": now_ms,
        "s": order.symbol,
        "c": order.client_order_id,
        "S": order.side,
        "o": order.type,
        "f": order.time_in_force,
        "q": wire.amount(order.orig_qty, base),
        "p": wire.amount(order.price, quote),
        "P": wire.amount(order.stop_price, quote),
        "F": wire.amount(order.iceberg_qty, base),
        "g": -1,
        "C": "",
        "x": applied.report["exec_type"],
        "X": order.status,
        "r": order.reject_reason or "NONE",
        "i": order.id,
        "l": last["qty"] if last else wire.amount(Decimal(0), base),
        "z": wire.amount(order.executed_qty, base),
        "L": last["price"] if last else wire.amount(Decimal(0), quote),
        "n": last["commission"] if last else "0",
        "N": last["commissionAsset"] if last else None,
        "T": now_ms,
        "t": fill.trade_id if fill else -1,
        "w": order.is_open,
        "m": bool(fill and fill.is_maker),
        "O": wire.millis(order.created_at),
        "Z": wire.amount(order.cummulative_quote_qty, quote),
        "Y": wire.amount(fill.quote_qty, quote) if fill else "0",
        "Q": wire.amount(order.orig_quote_qty, quote),
        "W": wire.millis(order.created_at),
        "V": order.stp_mode,
        # This platform's addition, as on every order.
        "riskDecision": order.risk_decision,
    }


def account_position(held: dict[str, Balance], market: Market, now_ms: int) -> dict[str, Any]:
    return {
        "e": "outboundAccountPosition",
        "E": now_ms,
        "u": now_ms,
        "B": [
            {
                "a": asset.code,
                "f": wire.amount(held[asset.code].free, asset),
                "l": wire.amount(held[asset.code].locked, asset),
            }
            for asset in (market.base, market.quote)
            if asset.code in held
        ],
    }


def publish(redis: Redis, conn: Connection, applied: list[Applied], markets: Markets) -> None:
    """Each report and the account's position after it, in one round trip to Redis.

    Runs after the batch's commit, so every position is the account's committed balance: one
    read per account serves all of its reports in the batch.
    """
    now_ms = int(time.time() * 1000)
    held: dict[int, dict[str, Balance]] = {}
    messages = redis.pipeline(transaction=False)
    for item in applied:
        account_id, market = item.order.account_id, markets.symbols[item.order.symbol]
        if account_id not in held:
            held[account_id] = balances(conn, account_id)
        target = channel(account_id)
        messages.publish(target, json.dumps(execution_report(item, market, now_ms)))
        messages.publish(target, json.dumps(account_position(held[account_id], market, now_ms)))
    messages.execute()
