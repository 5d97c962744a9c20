"""The ccxt library's binance client, unchanged, against the API over HTTP: markets, market
data, balances, orders and trades, on an engine and a database of the module's own."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ccxt
import httpx
import pytest

from tests.engine_service.harness import free_port
from tests.trading_api.api.trading import Trader, deposit, new_trader
from tests.trading_api.market.conftest import wait_for
from tests.trading_api.own_engine import own_engine
from trading_api import db
from trading_api.auth import Role
from xi.api_server import api_server
from xi.settings import Settings

SYMBOL = "BTC/USDT"


@pytest.fixture(scope="module")
def api(
    running_stack: Settings, engine_binary: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """An API process reading an engine of its own, in a database of its own."""
    scratch = tmp_path_factory.mktemp("ccxt")
    with (
        db.temporary_database(running_stack, "xi_test") as database,
        own_engine(database, engine_binary, scratch) as engine_settings,
    ):
        settings = engine_settings.model_copy(update={"trading_api_port": free_port()})
        with api_server(settings, scratch / "api.log"):
            yield settings


@pytest.fixture(scope="module")
def http(api: Settings) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.trading_api_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def admin(http: httpx.Client, api: Settings) -> Trader:
    return new_trader(http, api, Role.ADMIN)


def binance(api: Settings, api_key: str = "", secret: str = "") -> ccxt.binance:
    """ccxt's binance client with every API address moved to this API (same paths): what the
    API does not serve fails here instead of reaching out."""
    addresses = {
        name: api.trading_api_url + urlsplit(url).path
        for name, url in ccxt.binance().urls["api"].items()
    }
    config: dict[str, Any] = {
        "apiKey": api_key,
        "secret": secret,
        "urls": {"api": addresses},
        # A spot exchange: no futures, options or margin markets, no wallet (sapi) currencies.
        "options": {
            "fetchMarkets": {"types": ["spot"]},
            "fetchMargins": False,
            "fetchCurrencies": False,
        },
    }
    client = ccxt.binance(config)
    client.load_markets()
    return client


@pytest.fixture
def funded(http: httpx.Client, api: Settings, admin: Trader):
    """A factory of ccxt clients of new accounts with deposits made by the admin."""

    def make(**amounts: str) -> ccxt.binance:
        trader = new_trader(http, api)
        deposit(admin, trader.account_id, **amounts)
        return binance(api, trader.api_key, trader.secret)

    return make


def _balance(client: ccxt.binance, code: str) -> tuple[float, float, float]:
    account = client.fetch_balance()[code]
    return account["free"], account["used"], account["total"]


def test_markets_follow_exchange_info_and_the_clock_is_the_servers(api: Settings) -> None:
    client = binance(api)
    market = client.market(SYMBOL)
    assert (market["id"], market["base"], market["quote"]) == ("BTCUSDT", "BTC", "USDT")
    assert market["spot"] and market["active"] and market["type"] == "spot"
    precision = market["precision"]
    assert (precision["price"], precision["amount"]) == (0.01, 0.00001)
    assert market["limits"]["amount"] == {"min": 0.00001, "max": 9000.0}
    assert market["limits"]["cost"]["min"] == 5.0 and market["limits"]["price"]["min"] == 0.01
    assert set(client.symbols) == {"BTC/USDT", "ETH/USDT", "SOL/USDT", "XIT/USDT"}
    assert abs(client.fetch_time() - time.time() * 1000) < 5_000


def test_a_resting_order_is_booked_listed_fetched_and_canceled(api: Settings, funded) -> None:
    trader = funded(USDT="10000")
    order = trader.create_order(SYMBOL, "limit", "buy", 0.1, 59000)
    assert (order["status"], order["price"], order["amount"], order["filled"]) == (
        "open",
        59000.0,
        0.1,
        0.0,
    )
    assert order["clientOrderId"].startswith("x-")  # ccxt's own client order id is kept
    assert _balance(trader, "USDT") == (4100.0, 5900.0, 10000.0)

    book = wait_for(
        lambda: (b := trader.fetch_order_book(SYMBOL, 5))["bids"] and b,
        "the bid in the book",
    )
    assert book["bids"] == [[59000.0, 0.1]] and book["asks"] == []

    assert [o["id"] for o in trader.fetch_open_orders(SYMBOL)] == [order["id"]]
    fetched = trader.fetch_order(order["id"], SYMBOL)
    assert (fetched["status"], fetched["side"], fetched["type"]) == ("open", "buy", "limit")

    canceled = trader.cancel_order(order["id"], SYMBOL)
    assert canceled["status"] == "canceled" and canceled["id"] == order["id"]
    assert trader.fetch_order(order["id"], SYMBOL)["status"] == "canceled"
    assert trader.fetch_open_orders(SYMBOL) == []
    assert _balance(trader, "USDT") == (10000.0, 0.0, 10000.0)
    wait_for(lambda: trader.fetch_order_book(SYMBOL)["bids"] == [], "an empty book")


def test_refusals_reach_ccxt_as_its_own_errors_and_change_nothing(api: Settings, funded) -> None:
    trader = funded(USDT="100")
    with pytest.raises(ccxt.InsufficientFunds):
        trader.create_order(SYMBOL, "limit", "buy", 0.1, 59000)
    with pytest.raises(ccxt.OrderNotFound):
        trader.fetch_order("999999999", SYMBOL)
    with pytest.raises(ccxt.AuthenticationError):
        binance(api, "0" * 64, "0" * 64).fetch_balance()
    assert trader.fetch_open_orders(SYMBOL) == []
    assert _balance(trader, "USDT") == (100.0, 0.0, 100.0)


def test_two_accounts_trade_and_see_trades_candles_and_balances_with_fees(
    api: Settings, funded
) -> None:
    seller = funded(BTC="1")
    buyer = funded(USDT="10000")
    rest = seller.create_order(SYMBOL, "limit", "sell", 0.1, 60000)
    assert rest["status"] == "open"
    # The buyer bids above the ask and trades at the maker's price.
    take = buyer.create_order(SYMBOL, "limit", "buy", 0.1, 60100)
    assert (take["status"], take["filled"], take["average"], take["cost"]) == (
        "closed",
        0.1,
        60000.0,
        6000.0,
    )
    # Taker fee 10 bps of 0.1 BTC, in BTC.
    assert take["fee"] == {"currency": "BTC", "cost": 0.0001}

    bought = buyer.fetch_my_trades(SYMBOL)
    assert [(t["side"], t["takerOrMaker"], t["price"], t["amount"], t["cost"]) for t in bought] == [
        ("buy", "taker", 60000.0, 0.1, 6000.0)
    ]
    assert bought[0]["order"] == take["id"]
    assert bought[0]["fee"] == {"currency": "BTC", "cost": 0.0001}
    # The maker's side is settled by the API's reader of the engine's reports.
    sold = wait_for(lambda: seller.fetch_my_trades(SYMBOL), "the seller's trade")
    assert [(t["side"], t["takerOrMaker"], t["price"], t["amount"]) for t in sold] == [
        ("sell", "maker", 60000.0, 0.1)
    ]
    # Maker fee 8 bps of 6,000 USDT, in USDT.
    assert sold[0]["fee"] == {"currency": "USDT", "cost": 4.8}
    assert sold[0]["order"] == rest["id"] and sold[0]["id"] == bought[0]["id"]
    assert seller.fetch_order(rest["id"], SYMBOL)["status"] == "closed"

    assert _balance(buyer, "USDT") == (4000.0, 0.0, 4000.0)
    assert _balance(buyer, "BTC") == (0.0999, 0.0, 0.0999)
    assert _balance(seller, "BTC") == (0.9, 0.0, 0.9)
    assert _balance(seller, "USDT") == (5995.2, 0.0, 5995.2)

    public = wait_for(lambda: seller.fetch_trades(SYMBOL), "the public trade")
    assert [(t["id"], t["price"], t["amount"], t["side"]) for t in public] == [
        (bought[0]["id"], 60000.0, 0.1, "buy")
    ]
    candles = buyer.fetch_ohlcv(SYMBOL, "1m")
    minute = public[0]["timestamp"] // 60_000 * 60_000
    assert candles == [[minute, 60000.0, 60000.0, 60000.0, 60000.0, 0.1]]
