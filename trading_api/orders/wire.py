"""Orders and trades in Binance's JSON shapes: decimals as strings, times in milliseconds.

This platform adds one field to every order, `riskDecision` (the pre-trade checks it passed or
the one it failed); Binance clients ignore fields they do not know.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from trading_api.orders.store import Fill, Order
from xi.markets import Asset, Market


def amount(value: Decimal, asset: Asset) -> str:
    return format(value.quantize(asset.unit), "f")


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _core(order: Order, market: Market) -> dict[str, Any]:
    base, quote = market.base, market.quote
    return {
        "symbol": order.symbol,
        "orderId": order.id,
        "orderListId": -1,
        "clientOrderId": order.client_order_id,
        "price": amount(order.price, quote),
        "origQty": amount(order.orig_qty, base),
        "executedQty": amount(order.executed_qty, base),
        "origQuoteOrderQty": amount(order.orig_quote_qty, quote),
        "cummulativeQuoteQty": amount(order.cummulative_quote_qty, quote),
        "status": order.status,
        "timeInForce": order.time_in_force,
        "type": order.type,
        "side": order.side,
        "selfTradePreventionMode": order.stp_mode,
    }


def ack(order: Order) -> dict[str, Any]:
    return {
        "symbol": order.symbol,
        "orderId": order.id,
        "orderListId": -1,
        "clientOrderId": order.client_order_id,
        "transactTime": millis(order.created_at),
        "riskDecision": order.risk_decision,
    }


def fill(item: Fill, market: Market) -> dict[str, Any]:
    commission_asset = market.base if item.commission_asset == market.base.code else market.quote
    return {
        "price": amount(item.price, market.quote),
        "qty": amount(item.qty, market.base),
        "commission": amount(item.commission, commission_asset),
        "commissionAsset": item.commission_asset,
        "tradeId": item.trade_id,
    }


def result(order: Order, market: Market, fills: list[Fill] | None = None) -> dict[str, Any]:
    """RESULT, or FULL when ``fills`` is given."""
    body = {
        **_core(order, market),
        "transactTime": millis(order.created_at),
        "workingTime": millis(order.created_at),
        "riskDecision": order.risk_decision,
    }
    if fills is not None:
        body["fills"] = [fill(f, market) for f in fills]
    return body


def query(order: Order, market: Market) -> dict[str, Any]:
    """GET /api/v3/order, openOrders and allOrders."""
    return {
        **_core(order, market),
        "stopPrice": amount(order.stop_price, market.quote),
        "icebergQty": amount(order.iceberg_qty, market.base),
        "time": millis(order.created_at),
        "updateTime": millis(order.updated_at),
        "isWorking": order.stop_price == 0,  # a stop order works once triggered
        "workingTime": millis(order.created_at),
        "riskDecision": order.risk_decision,
    }


def canceled(order: Order, market: Market, cancel_client_id: str) -> dict[str, Any]:
    """DELETE /api/v3/order: the order as the cancel left it."""
    return {
        **_core(order, market),
        "origClientOrderId": order.client_order_id,
        "clientOrderId": cancel_client_id,
        "transactTime": millis(order.updated_at),
        "riskDecision": order.risk_decision,
    }


def trade(item: Fill, market: Market) -> dict[str, Any]:
    """GET /api/v3/myTrades."""
    return {
        "symbol": item.symbol,
        "id": item.trade_id,  # the trade's id, shared by both sides and public trades
        "orderId": item.order_id,
        "orderListId": -1,
        "price": amount(item.price, market.quote),
        "qty": amount(item.qty, market.base),
        "quoteQty": amount(item.quote_qty, market.quote),
        "commission": fill(item, market)["commission"],
        "commissionAsset": item.commission_asset,
        "time": millis(item.created_at),
        "isBuyer": item.side == "BUY",
        "isMaker": item.is_maker,
        "isBestMatch": True,
    }
