"""New-order parameters: good ones become engine units, bad ones get Binance's codes."""

from __future__ import annotations

import pytest

from trading_api.errors import ApiError
from trading_api.orders.request import OrderType, Side, StpMode, TimeInForce, parse_new_order
from xi import markets

MARKETS = markets.load()
LIMIT = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.01",
    "price": "60000.50",
}


def test_limit_order_in_engine_units() -> None:
    intent = parse_new_order(LIMIT, MARKETS)
    assert (intent.side, intent.order_type, intent.time_in_force) == (
        Side.BUY,
        OrderType.LIMIT,
        TimeInForce.GTC,
    )
    assert (intent.price_ticks, intent.qty_lots) == (6_000_050, 1_000)
    assert intent.stp is StpMode.EXPIRE_MAKER  # Binance's default


def test_market_buy_by_quote_amount() -> None:
    intent = parse_new_order(
        {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quoteOrderQty": "100"}, MARKETS
    )
    assert intent.qty_lots == 0
    assert intent.quote_qty_units * MARKETS.market("BTCUSDT").notional_unit == 100


def test_iceberg_and_stop_limit() -> None:
    iceberg = parse_new_order({**LIMIT, "quantity": "1", "icebergQty": "0.1"}, MARKETS)
    assert iceberg.iceberg_lots == 10_000
    stop = parse_new_order({**LIMIT, "type": "STOP_LOSS_LIMIT", "stopPrice": "59000"}, MARKETS)
    assert stop.stop_price_ticks == 5_900_000


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"quantity": "-1"}, -1102, "'quantity'"),
        ({"quantity": "0"}, -1013, "greater than zero"),
        ({"quantity": "NaN"}, -1102, "'quantity'"),
        ({"price": "Infinity"}, -1102, "'price'"),
        ({"quantity": "1e3"}, -1102, "'quantity'"),
        ({"quantity": "99999999999999999999999"}, -1102, "'quantity'"),
        ({"quantity": "9001"}, -1013, "LOT_SIZE"),
        ({"price": "60000.005"}, -1013, "tick size"),
        ({"quantity": "0.000001"}, -1013, "step size"),
        ({"quantity": "0.00001", "price": "100"}, -1013, "NOTIONAL"),
        ({"symbol": "NOPEUSDT"}, -1121, "Invalid symbol"),
        ({"symbol": ""}, -1102, "'symbol'"),
        ({"side": "HOLD"}, -1100, "Invalid side"),
        ({"type": "TRAILING"}, -1100, "Invalid type"),
        ({"timeInForce": "GTD"}, -1100, "Invalid timeInForce"),
        ({"price": ""}, -1102, "'price'"),
        ({"stopPrice": "1"}, -1106, "'stopPrice' sent when not required"),
        ({"quoteOrderQty": "10"}, -1106, "'quoteOrderQty'"),
        ({"icebergQty": "0.01"}, -1013, "ICEBERG_PARTS"),
        ({"icebergQty": "0.001", "timeInForce": "IOC"}, -1013, "GTC"),
        ({"newClientOrderId": "has spaces!"}, -1100, "newClientOrderId"),
        ({"selfTradePreventionMode": "SOMETIMES"}, -1100, "selfTradePreventionMode"),
    ],
)
def test_bad_order_parameters_are_refused(change: dict, code: int, words: str) -> None:
    with pytest.raises(ApiError) as refused:
        parse_new_order({**LIMIT, **change}, MARKETS)
    assert refused.value.status == 400
    assert refused.value.code == code and words in refused.value.msg


@pytest.mark.parametrize(
    "params",
    [
        {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET"},
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "MARKET",
            "quantity": "1",
            "quoteOrderQty": "10",
        },
    ],
)
def test_market_order_needs_exactly_one_of_quantity_and_quote(params: dict) -> None:
    with pytest.raises(ApiError, match="but not both"):
        parse_new_order(params, MARKETS)
