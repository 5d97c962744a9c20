"""A new-order request in Binance's parameters, checked and turned into engine units.

Every rule refuses with Binance's code and message shape; nothing is rounded: a price that is
not a whole number of ticks is refused, not moved.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from trading_api.errors import ApiError
from xi.markets import Market, MarketError, Markets

E = TypeVar("E", bound=StrEnum)

MANDATORY = -1102
NOT_REQUIRED = -1106
FILTER_FAILURE = -1013
INVALID_SYMBOL = -1121
BAD_ENUM = -1100
ILLEGAL_CHARS = -1100
# Decimals as Binance accepts them: digits with an optional fraction, no sign or exponent.
DECIMAL_TEXT = re.compile(r"^\d{1,20}(\.\d{1,18})?$")
CLIENT_ORDER_ID = re.compile(r"^[a-zA-Z0-9\-_.]{1,36}$")


class Side(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


class OrderType(StrEnum):
    LIMIT = "LIMIT"
    MARKET = "MARKET"
    LIMIT_MAKER = "LIMIT_MAKER"
    STOP_LOSS = "STOP_LOSS"
    STOP_LOSS_LIMIT = "STOP_LOSS_LIMIT"
    TAKE_PROFIT = "TAKE_PROFIT"
    TAKE_PROFIT_LIMIT = "TAKE_PROFIT_LIMIT"


class TimeInForce(StrEnum):
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"


class StpMode(StrEnum):
    NONE = "NONE"
    EXPIRE_TAKER = "EXPIRE_TAKER"
    EXPIRE_MAKER = "EXPIRE_MAKER"
    EXPIRE_BOTH = "EXPIRE_BOTH"
    DECREMENT = "DECREMENT"


# Which parameters each type needs (besides symbol, side and type) and which it may not carry.
REQUIRED: dict[OrderType, set[str]] = {
    OrderType.LIMIT: {"timeInForce", "quantity", "price"},
    OrderType.MARKET: set(),  # quantity or quoteOrderQty, checked apart
    OrderType.LIMIT_MAKER: {"quantity", "price"},
    OrderType.STOP_LOSS: {"quantity", "stopPrice"},
    OrderType.STOP_LOSS_LIMIT: {"timeInForce", "quantity", "price", "stopPrice"},
    OrderType.TAKE_PROFIT: {"quantity", "stopPrice"},
    OrderType.TAKE_PROFIT_LIMIT: {"timeInForce", "quantity", "price", "stopPrice"},
}
OPTIONAL_NUMBERS = {"price", "stopPrice", "icebergQty", "quoteOrderQty", "timeInForce"}


@dataclass(frozen=True)
class OrderIntent:
    """A checked order in engine units (ticks, lots; quote amounts in notional units)."""

    market: Market
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    price_ticks: int
    qty_lots: int
    quote_qty_units: int
    stop_price_ticks: int
    iceberg_lots: int
    stp: StpMode
    client_order_id: str | None


def _missing(name: str) -> ApiError:
    return ApiError(
        400,
        MANDATORY,
        f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.",
    )


def _decimal(params: dict[str, str], name: str) -> Decimal | None:
    text = params.get(name)
    if text is None or text == "":
        return None
    if not DECIMAL_TEXT.match(text):
        raise _missing(name)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _missing(name) from None
    if value <= 0:
        raise ApiError(400, FILTER_FAILURE, f"Filter failure: {name} must be greater than zero")
    return value


def _enum(kind: type[E], params: dict[str, str], name: str, default: E | None) -> E:
    text = params.get(name)
    if text is None or text == "":
        if default is None:
            raise _missing(name)
        return default
    try:
        return kind(text)
    except ValueError:
        raise ApiError(400, BAD_ENUM, f"Invalid {name}: {text!r}") from None


def _units(convert: Callable[[Decimal], int], value: Decimal) -> int:
    try:
        return convert(value)
    except MarketError as error:
        raise ApiError(400, FILTER_FAILURE, f"Filter failure: {error}") from None


def parse_new_order(params: dict[str, str], markets: Markets) -> OrderIntent:
    symbol = params.get("symbol") or ""
    if not symbol:
        raise _missing("symbol")
    market = markets.symbols.get(symbol)
    if market is None:
        raise ApiError(400, INVALID_SYMBOL, "Invalid symbol.")
    side = _enum(Side, params, "side", None)
    order_type = _enum(OrderType, params, "type", None)
    required = REQUIRED[order_type]
    for name in required:
        if not params.get(name):
            raise _missing(name)
    for name in OPTIONAL_NUMBERS - required - {"icebergQty", "quoteOrderQty"}:
        if params.get(name):
            raise ApiError(400, NOT_REQUIRED, f"Parameter '{name}' sent when not required.")

    quantity = _decimal(params, "quantity")
    quote_qty = _decimal(params, "quoteOrderQty")
    if order_type is OrderType.MARKET:
        if (quantity is None) == (quote_qty is None):
            raise ApiError(
                400, MANDATORY, "Param 'quantity' or 'quoteOrderQty' must be sent, but not both."
            )
    elif quote_qty is not None:
        raise ApiError(400, NOT_REQUIRED, "Parameter 'quoteOrderQty' sent when not required.")
    if quote_qty is not None and side is Side.SELL:
        raise ApiError(
            400,
            NOT_REQUIRED,
            "Parameter 'quoteOrderQty' sent when not required: "
            "the matching engine spends a quote amount on market buys only.",
        )

    price = _decimal(params, "price")
    stop_price = _decimal(params, "stopPrice")
    iceberg = _decimal(params, "icebergQty")
    if iceberg is not None and order_type not in (OrderType.LIMIT, OrderType.LIMIT_MAKER):
        raise ApiError(400, NOT_REQUIRED, "Parameter 'icebergQty' sent when not required.")

    default_tif = TimeInForce.IOC if order_type is OrderType.MARKET else TimeInForce.GTC
    tif = _enum(TimeInForce, params, "timeInForce", default_tif)
    if iceberg is not None and tif is not TimeInForce.GTC:
        raise ApiError(400, FILTER_FAILURE, "Filter failure: an iceberg order must be GTC")
    client_order_id = params.get("newClientOrderId") or None
    if client_order_id is not None and not CLIENT_ORDER_ID.match(client_order_id):
        raise ApiError(
            400,
            ILLEGAL_CHARS,
            "Illegal characters found in parameter "
            "'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.",
        )

    qty_lots = _units(market.lots, quantity) if quantity is not None else 0
    if quantity is not None and not market.min_qty <= quantity <= market.max_qty:
        raise ApiError(400, FILTER_FAILURE, "Filter failure: LOT_SIZE")
    price_ticks = _units(market.ticks, price) if price is not None else 0
    if price is not None and quantity is not None and price * quantity < market.min_notional:
        raise ApiError(400, FILTER_FAILURE, "Filter failure: NOTIONAL")
    quote_units = 0
    if quote_qty is not None:
        if quote_qty < market.min_notional:
            raise ApiError(400, FILTER_FAILURE, "Filter failure: NOTIONAL")
        quote_units = int(quote_qty / market.notional_unit)  # whole units; dust stays unspent
    iceberg_lots = _units(market.lots, iceberg) if iceberg is not None else 0
    if iceberg is not None and iceberg >= (quantity or Decimal(0)):
        raise ApiError(400, FILTER_FAILURE, "Filter failure: ICEBERG_PARTS")
    return OrderIntent(
        market=market,
        side=side,
        order_type=order_type,
        time_in_force=tif,
        price_ticks=price_ticks,
        qty_lots=qty_lots,
        quote_qty_units=quote_units,
        stop_price_ticks=_units(market.ticks, stop_price) if stop_price is not None else 0,
        iceberg_lots=iceberg_lots,
        stp=_enum(StpMode, params, "selfTradePreventionMode", StpMode.EXPIRE_MAKER),
        client_order_id=client_order_id,
    )
