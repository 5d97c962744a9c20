"""The order path end to end: API, Kafka, the running engine, the executions reader, the ledger."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import psycopg
import pytest

from tests.trading_api.api.trading import Trader, market_of
from trading_api.ledger.journal import asset_totals
from xi import clients
from xi.markets import Market
from xi.settings import Settings


@pytest.fixture(scope="module")
def btc(exchange_settings: Settings) -> Market:
    return market_of(exchange_settings, "BTC")


def _limit(market: Market, side: str, qty: str, price: str, **extra: str) -> dict[str, str]:
    return {
        "symbol": market.symbol,
        "side": side,
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": qty,
        "price": price,
        **extra,
    }


def test_a_resting_limit_order_is_new_holds_its_notional_and_cancels(funded, btc: Market) -> None:
    trader: Trader = funded(USDT="10000")
    placed = trader.signed("POST", "/api/v3/order", _limit(btc, "BUY", "0.1", "59000"))
    assert placed.status_code == 200, placed.text
    order = placed.json()
    assert order["status"] == "NEW" and order["fills"] == []
    assert order["origQty"] == "0.10000000" and order["price"] == "59000.00000000"
    assert order["riskDecision"]["decision"] == "ACCEPT"
    assert trader.balances()["USDT"] == (Decimal("4100"), Decimal("5900"))

    canceled = trader.signed(
        "DELETE", "/api/v3/order", {"symbol": btc.symbol, "orderId": str(order["orderId"])}
    )
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["status"] == "CANCELED"
    assert trader.balances()["USDT"] == (Decimal("10000"), Decimal("0"))


def _totals_conserved(settings: Settings) -> None:
    with psycopg.connect(settings.postgres_dsn) as conn:
        assert all(total == 0 for total in asset_totals(conn).values())


def test_two_accounts_trade_and_balances_and_fees_are_exact(
    funded, btc: Market, exchange_settings: Settings
) -> None:
    seller: Trader = funded(BTC="1")
    buyer: Trader = funded(USDT="10000")
    rest = seller.signed("POST", "/api/v3/order", _limit(btc, "SELL", "0.1", "60000"))
    assert rest.json()["status"] == "NEW", rest.text
    # The buyer bids above the ask: it trades at the maker's price, and its hold at 60,100
    # gives back what the better price saved.
    take = buyer.signed("POST", "/api/v3/order", _limit(btc, "BUY", "0.1", "60100"))
    body = take.json()
    assert body["status"] == "FILLED", take.text
    assert body["executedQty"] == "0.10000000"
    assert body["cummulativeQuoteQty"] == "6000.00000000"
    # Taker fee 10 bps of 0.1 BTC, in BTC.
    assert body["fills"] == [
        {
            "price": "60000.00000000",
            "qty": "0.10000000",
            "commission": "0.00010000",
            "commissionAsset": "BTC",
            "tradeId": body["fills"][0]["tradeId"],
        }
    ]
    assert buyer.balances() == {
        "USDT": (Decimal("4000"), Decimal("0")),
        "BTC": (Decimal("0.0999"), Decimal("0")),
    }
    # The maker's report is applied by the reader: wait until the order is filled.
    maker_order = _eventually_status(seller, btc, rest.json()["orderId"], "FILLED")
    assert maker_order["cummulativeQuoteQty"] == "6000.00000000"
    # Maker fee 8 bps of 6,000 USDT, in USDT.
    assert seller.balances() == {
        "BTC": (Decimal("0.9"), Decimal("0")),
        "USDT": (Decimal("5995.2"), Decimal("0")),
    }
    trades = seller.signed("GET", "/api/v3/myTrades", {"symbol": btc.symbol}).json()
    assert [(t["isBuyer"], t["isMaker"], t["commission"]) for t in trades] == [
        (False, True, "4.80000000")
    ]
    _totals_conserved(exchange_settings)


def _eventually_status(trader: Trader, market: Market, order_id: int, status: str) -> dict:
    deadline = time.monotonic() + 10
    while True:
        order = trader.signed(
            "GET", "/api/v3/order", {"symbol": market.symbol, "orderId": str(order_id)}
        ).json()
        if order["status"] == status or time.monotonic() > deadline:
            assert order["status"] == status, order
            return order
        time.sleep(0.05)


def test_the_same_client_order_id_places_one_order(funded, btc: Market) -> None:
    trader: Trader = funded(USDT="10000")
    params = _limit(btc, "BUY", "0.01", "59000", newClientOrderId="my-order-1")
    first = trader.signed("POST", "/api/v3/order", params).json()
    again = trader.signed("POST", "/api/v3/order", params).json()
    assert again["orderId"] == first["orderId"] and again["clientOrderId"] == "my-order-1"
    assert trader.balances()["USDT"] == (Decimal("9410"), Decimal("590"))
    opened = trader.signed("GET", "/api/v3/openOrders", {"symbol": btc.symbol}).json()
    assert [o["orderId"] for o in opened] == [first["orderId"]]


def test_market_orders_by_quantity_and_by_quote_amount(funded, btc: Market) -> None:
    maker: Trader = funded(BTC="1")
    for price in ("61000", "61500"):
        maker.signed("POST", "/api/v3/order", _limit(btc, "SELL", "0.01", price))
    taker: Trader = funded(USDT="10000")
    by_qty = taker.signed(
        "POST",
        "/api/v3/order",
        {"symbol": btc.symbol, "side": "BUY", "type": "MARKET", "quantity": "0.01"},
    ).json()
    assert (by_qty["status"], by_qty["cummulativeQuoteQty"]) == ("FILLED", "610.00000000")
    by_quote = taker.signed(
        "POST",
        "/api/v3/order",
        {"symbol": btc.symbol, "side": "BUY", "type": "MARKET", "quoteOrderQty": "307.5"},
    ).json()
    assert by_quote["status"] == "FILLED", by_quote
    assert (by_quote["executedQty"], by_quote["cummulativeQuoteQty"]) == (
        "0.00500000",
        "307.50000000",
    )
    # Every hold came back: only what was spent is gone.
    assert taker.balances()["USDT"] == (Decimal("10000") - 610 - Decimal("307.5"), Decimal(0))


def test_ioc_fok_and_limit_maker(funded, btc: Market) -> None:
    maker: Trader = funded(BTC="1")
    maker.signed("POST", "/api/v3/order", _limit(btc, "SELL", "0.01", "62000"))
    taker: Trader = funded(USDT="10000")
    ioc = taker.signed(
        "POST", "/api/v3/order", _limit(btc, "BUY", "0.02", "62000", timeInForce="IOC")
    ).json()
    assert (ioc["status"], ioc["executedQty"]) == ("EXPIRED", "0.01000000")
    fok = taker.signed(
        "POST", "/api/v3/order", _limit(btc, "BUY", "0.02", "62000", timeInForce="FOK")
    ).json()
    assert (fok["status"], fok["executedQty"]) == ("EXPIRED", "0.00000000")
    maker.signed("POST", "/api/v3/order", _limit(btc, "SELL", "0.01", "62000"))
    post_only = {k: v for k, v in _limit(btc, "BUY", "0.01", "62000").items() if k != "timeInForce"}
    refused = taker.signed("POST", "/api/v3/order", {**post_only, "type": "LIMIT_MAKER"})
    assert refused.status_code == 400
    assert refused.json()["code"] == -2010
    assert refused.json()["msg"] == "Order would immediately match and take."
    assert taker.balances()["USDT"] == (Decimal("10000") - 620, Decimal(0))


def test_cancel_replace_cancels_then_places_a_new_order(funded, btc: Market) -> None:
    trader: Trader = funded(USDT="10000")
    old = trader.signed("POST", "/api/v3/order", _limit(btc, "BUY", "0.01", "58000")).json()
    replaced = trader.signed(
        "POST",
        "/api/v3/order/cancelReplace",
        {
            **_limit(btc, "BUY", "0.02", "58500"),
            "cancelReplaceMode": "STOP_ON_FAILURE",
            "cancelOrderId": str(old["orderId"]),
        },
    )
    body = replaced.json()
    assert replaced.status_code == 200, body
    assert (body["cancelResult"], body["newOrderResult"]) == ("SUCCESS", "SUCCESS")
    assert body["cancelResponse"]["status"] == "CANCELED"
    assert body["newOrderResponse"]["status"] == "NEW"
    assert body["newOrderResponse"]["orderId"] != old["orderId"]
    assert trader.balances()["USDT"] == (Decimal("8830"), Decimal("1170"))
    # The old order cannot be cancelled twice: the whole request fails and places nothing.
    again = trader.signed(
        "POST",
        "/api/v3/order/cancelReplace",
        {
            **_limit(btc, "BUY", "0.01", "57000"),
            "cancelReplaceMode": "STOP_ON_FAILURE",
            "cancelOrderId": str(old["orderId"]),
        },
    )
    assert again.status_code == 400 and again.json()["code"] == -2022
    assert again.json()["data"]["newOrderResult"] == "NOT_ATTEMPTED"
    assert trader.balances()["USDT"] == (Decimal("8830"), Decimal("1170"))


def test_cancel_all_open_orders_of_a_symbol(funded, btc: Market) -> None:
    trader: Trader = funded(USDT="10000")
    for price in ("57000", "57100", "57200"):
        trader.signed("POST", "/api/v3/order", _limit(btc, "BUY", "0.01", price))
    canceled = trader.signed("DELETE", "/api/v3/openOrders", {"symbol": btc.symbol})
    assert canceled.status_code == 200, canceled.text
    assert [o["status"] for o in canceled.json()] == ["CANCELED"] * 3
    assert trader.signed("GET", "/api/v3/openOrders", {"symbol": btc.symbol}).json() == []
    assert trader.balances()["USDT"] == (Decimal("10000"), Decimal("0"))


def test_a_stop_loss_limit_rests_untriggered_and_an_iceberg_holds_its_whole_qty(
    funded, btc: Market
) -> None:
    trader: Trader = funded(BTC="1")
    stop = trader.signed(
        "POST",
        "/api/v3/order",
        {
            **_limit(btc, "SELL", "0.01", "58900"),
            "type": "STOP_LOSS_LIMIT",
            "stopPrice": "59000",
        },
    ).json()
    assert stop["riskDecision"]["decision"] == "ACCEPT"
    queried = trader.signed(
        "GET", "/api/v3/order", {"symbol": btc.symbol, "orderId": str(stop["orderId"])}
    ).json()
    assert (queried["type"], queried["stopPrice"], queried["isWorking"]) == (
        "STOP_LOSS_LIMIT",
        "59000.00000000",
        False,
    )
    iceberg = trader.signed(
        "POST", "/api/v3/order", _limit(btc, "SELL", "0.1", "65000", icebergQty="0.01")
    ).json()
    assert iceberg["status"] == "NEW"
    assert trader.balances()["BTC"] == (Decimal("0.89"), Decimal("0.11"))


def test_all_orders_and_my_trades_page_oldest_first(funded, btc: Market) -> None:
    maker: Trader = funded(BTC="1")
    taker: Trader = funded(USDT="10000")
    for _ in range(3):
        maker.signed("POST", "/api/v3/order", _limit(btc, "SELL", "0.01", "60000"))
        taker.signed("POST", "/api/v3/order", _limit(btc, "BUY", "0.01", "60000"))
    orders = taker.signed("GET", "/api/v3/allOrders", {"symbol": btc.symbol}).json()
    assert len(orders) == 3 and [o["status"] for o in orders] == ["FILLED"] * 3
    ids = [o["orderId"] for o in orders]
    assert ids == sorted(ids)
    page = taker.signed(
        "GET", "/api/v3/allOrders", {"symbol": btc.symbol, "orderId": str(ids[1]), "limit": "1"}
    ).json()
    assert [o["orderId"] for o in page] == [ids[1]]
    newest = taker.signed("GET", "/api/v3/allOrders", {"symbol": btc.symbol, "limit": "2"}).json()
    assert [o["orderId"] for o in newest] == ids[1:]
    trades = taker.signed("GET", "/api/v3/myTrades", {"symbol": btc.symbol}).json()
    assert len(trades) == 3 and all(t["isBuyer"] and not t["isMaker"] for t in trades)
    after = taker.signed(
        "GET", "/api/v3/myTrades", {"symbol": btc.symbol, "fromId": str(trades[2]["id"])}
    ).json()
    assert [t["id"] for t in after] == [trades[2]["id"]]


def test_the_owner_hears_its_order_and_balance_on_its_user_channel(
    funded, btc: Market, exchange_settings: Settings
) -> None:
    trader: Trader = funded(USDT="1000")
    listener = clients.redis(exchange_settings).pubsub()
    listener.subscribe(f"user:{trader.account_id}")
    listener.get_message(timeout=5)  # the subscription's confirmation
    order = trader.signed("POST", "/api/v3/order", _limit(btc, "BUY", "0.01", "59000")).json()
    heard = []
    deadline = time.monotonic() + 10
    while len(heard) < 2 and time.monotonic() < deadline:
        message = listener.get_message(timeout=1)
        if message and message["type"] == "message":
            heard.append(json.loads(message["data"]))
    listener.close()
    report, position = heard
    assert (report["e"], report["x"], report["X"], report["i"]) == (
        "executionReport",
        "NEW",
        "NEW",
        order["orderId"],
    )
    assert (report["q"], report["p"], report["riskDecision"]["decision"]) == (
        "0.01000000",
        "59000.00000000",
        "ACCEPT",
    )
    assert position["e"] == "outboundAccountPosition"
    assert position["B"] == [{"a": "USDT", "f": "410.00000000", "l": "590.00000000"}]
