"""Binance's spot order endpoints (v3): place, test, cancel, cancel-replace, query, list."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from trading_api.api.deps import DbDep, ParamsDep, SignedTraderDep
from trading_api.errors import BAD_PARAMETER, ApiError
from trading_api.orders import store, wire
from trading_api.orders.service import OrderService

router = APIRouter(prefix="/api/v3", tags=["orders"])
DEFAULT_LIMIT, MAX_LIMIT = 500, 1000


def _service(request: Request) -> OrderService:
    return request.app.state.orders


ServiceDep = Annotated[OrderService, Depends(_service)]


def _integer(params: dict[str, str], name: str) -> int | None:
    text = params.get(name)
    if not text:
        return None
    if not text.isdigit() or len(text) > 19:
        raise ApiError(400, BAD_PARAMETER, f"Param '{name}' must be a non-negative integer.")
    return int(text)


def _page(params: dict[str, str], id_param: str) -> store.Page:
    limit = _integer(params, "limit") or DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, BAD_PARAMETER, f"Param 'limit' must be in 1..{MAX_LIMIT}.")

    def moment(name: str) -> datetime | None:
        ms = _integer(params, name)
        return datetime.fromtimestamp(ms / 1000, UTC) if ms is not None else None

    return store.Page(_integer(params, id_param), moment("startTime"), moment("endTime"), limit)


@router.post("/order")
def new_order(service: ServiceDep, trader: SignedTraderDep, params: ParamsDep) -> dict[str, Any]:
    """Send in a new order; the answer carries this platform's `riskDecision`."""
    return service.place(trader.account_id, params)


@router.post("/order/test")
def test_new_order(
    service: ServiceDep, trader: SignedTraderDep, params: ParamsDep
) -> dict[str, Any]:
    """Check a new order (parameters and pre-trade checks) without sending it."""
    return service.place(trader.account_id, params, test=True)


@router.delete("/order")
def cancel_order(service: ServiceDep, trader: SignedTraderDep, params: ParamsDep) -> dict[str, Any]:
    return service.cancel(trader.account_id, params)


@router.post("/order/cancelReplace")
def cancel_replace(
    service: ServiceDep, trader: SignedTraderDep, params: ParamsDep
) -> dict[str, Any]:
    return service.cancel_replace(trader.account_id, params)


@router.delete("/openOrders")
def cancel_open_orders(
    service: ServiceDep, trader: SignedTraderDep, params: ParamsDep
) -> list[dict[str, Any]]:
    """Cancel every open order of the account in one symbol."""
    return service.cancel_all(trader.account_id, params.get("symbol", ""))


@router.get("/order")
def query_order(
    service: ServiceDep, conn: DbDep, trader: SignedTraderDep, params: ParamsDep
) -> dict[str, Any]:
    market = service.market(params.get("symbol", ""))
    order = service.find(
        conn,
        trader.account_id,
        market.symbol,
        params.get("orderId"),
        params.get("origClientOrderId"),
    )
    return wire.query(order, market)


@router.get("/openOrders")
def open_orders(
    service: ServiceDep, conn: DbDep, trader: SignedTraderDep, params: ParamsDep
) -> list[dict[str, Any]]:
    symbol = params.get("symbol") or None
    if symbol is not None:
        service.market(symbol)
    orders = store.open_orders(conn, account_id=trader.account_id, symbol=symbol)
    return [wire.query(o, service.markets.symbols[o.symbol]) for o in orders]


@router.get("/allOrders")
def all_orders(
    service: ServiceDep, conn: DbDep, trader: SignedTraderDep, params: ParamsDep
) -> list[dict[str, Any]]:
    """The account's orders in one symbol: from `orderId`, or in a time range, or the newest."""
    market = service.market(params.get("symbol", ""))
    page = _page(params, "orderId")
    orders = store.all_orders(conn, account_id=trader.account_id, symbol=market.symbol, page=page)
    return [wire.query(o, market) for o in orders]


@router.get("/myTrades")
def my_trades(
    service: ServiceDep, conn: DbDep, trader: SignedTraderDep, params: ParamsDep
) -> list[dict[str, Any]]:
    """The account's trades in one symbol: from `fromId`, or in a time range, or the newest."""
    market = service.market(params.get("symbol", ""))
    fills = store.my_trades(
        conn,
        account_id=trader.account_id,
        symbol=market.symbol,
        order_id=_integer(params, "orderId"),
        page=_page(params, "fromId"),
    )
    return [wire.trade(f, market) for f in fills]
