"""Build `orders.v1` commands for the matching engine (see `xi/contracts/orders.v1.schema.json`).

Prices are integer ticks and quantities integer lots; the symbol travels by name and is the
Kafka key, so one symbol's commands stay in one partition in order. The engine answers on
`executions.v1` (keyed by account) with the `command_id` echoed.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

Command = dict[str, Any]


def _id(command_id: str | None) -> str:
    return command_id or uuid.uuid4().hex


def create_symbol(
    symbol: str,
    *,
    tick_size: int,
    lot_size: int,
    reference_price: int,
    min_qty: int = 0,
    max_qty: int | None = None,
    min_notional: int = 0,
    price_band_bps: int = 0,
    command_id: str | None = None,
) -> Command:
    command: Command = {
        "type": "CREATE_SYMBOL",
        "command_id": _id(command_id),
        "symbol": symbol,
        "tick_size": tick_size,
        "lot_size": lot_size,
        "reference_price": reference_price,
        "min_qty": min_qty,
        "min_notional": min_notional,
        "price_band_bps": price_band_bps,
    }
    if max_qty is not None:
        command["max_qty"] = max_qty
    return command


def new_order(
    symbol: str,
    *,
    account: int,
    side: str,
    order_type: str = "LIMIT",
    qty: int = 0,
    price: int = 0,
    time_in_force: str | None = None,
    quote_qty: int = 0,
    stop_price: int = 0,
    iceberg_qty: int = 0,
    stp: str = "NONE",
    command_id: str | None = None,
    client_order_id: str | None = None,
) -> Command:
    command: Command = {
        "type": "NEW_ORDER",
        "command_id": _id(command_id),
        "account": account,
        "symbol": symbol,
        "side": side,
        "order_type": order_type,
        "price": price,
        "qty": qty,
        "quote_qty": quote_qty,
        "stop_price": stop_price,
        "iceberg_qty": iceberg_qty,
        "stp": stp,
    }
    if time_in_force is not None:
        command["time_in_force"] = time_in_force
    if client_order_id is not None:
        command["client_order_id"] = client_order_id
    return command


def cancel(symbol: str, *, account: int, order_id: int, command_id: str | None = None) -> Command:
    return {
        "type": "CANCEL",
        "command_id": _id(command_id),
        "account": account,
        "symbol": symbol,
        "order_id": order_id,
    }


def replace(
    symbol: str,
    *,
    account: int,
    order_id: int,
    new_price: int,
    new_qty: int,
    command_id: str | None = None,
) -> Command:
    return {
        "type": "REPLACE",
        "command_id": _id(command_id),
        "account": account,
        "symbol": symbol,
        "order_id": order_id,
        "new_price": new_price,
        "new_qty": new_qty,
    }


def cancel_all(symbol: str, *, account: int, command_id: str | None = None) -> Command:
    return {
        "type": "CANCEL_ALL",
        "command_id": _id(command_id),
        "account": account,
        "symbol": symbol,
    }


def encode(command: Command) -> tuple[bytes, bytes]:
    """The Kafka (key, value) of a command: keyed by symbol name."""
    return command["symbol"].encode(), json.dumps(command, separators=(",", ":")).encode()
