"""The topic schemas load, accept what the engine client builds, and refuse what breaks them."""

from __future__ import annotations

import pytest

from xi import contracts, engine_client


def test_every_topic_schema_loads() -> None:
    for topic in contracts.TOPICS:
        assert contracts.schema(topic)["title"] == topic


def test_client_commands_match_orders_schema() -> None:
    commands = [
        engine_client.create_symbol("BTCUSDT", tick_size=1, lot_size=1, reference_price=100),
        engine_client.new_order("BTCUSDT", account=1, side="BUY", price=100, qty=2),
        engine_client.new_order(
            "BTCUSDT", account=1, side="SELL", order_type="MARKET", qty=1, stp="EXPIRE_BOTH"
        ),
        engine_client.cancel("BTCUSDT", account=1, order_id=7),
        engine_client.replace("BTCUSDT", account=1, order_id=7, new_price=101, new_qty=1),
        engine_client.cancel_all("BTCUSDT", account=1),
    ]
    for command in commands:
        contracts.validate("orders.v1", command)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"price": 100.5}, "price"),
        ({"side": "buy"}, "side"),
        ({"qty": 2**63}, "qty"),
        ({"pirce": 1}, "<root>"),
    ],
)
def test_orders_schema_refuses_floats_spellings_overflow_and_typos(
    change: dict[str, object], where: str
) -> None:
    command = engine_client.new_order("BTCUSDT", account=1, side="BUY", price=100, qty=2)
    command.update(change)
    with pytest.raises(contracts.ContractError):
        contracts.validate("orders.v1", command)


def test_execution_report_contract() -> None:
    report = {
        "seq": 5,
        "shard": 0,
        "ts_ns": 1,
        "symbol": "BTCUSDT",
        "exec_type": "TRADE",
        "account": 2,
        "order_id": 3,
        "command_id": None,
        "client_order_id": None,
        "side": "SELL",
        "price": 100,
        "qty": 1,
        "trade_id": 1,
        "liquidity": "MAKER",
        "counter_order_id": 4,
    }
    contracts.validate("prefix-1.executions.v1", report)
    del report["trade_id"]
    assert contracts.errors("executions.v1", report)


def test_book_and_trade_contracts() -> None:
    contracts.validate(
        "book.v1",
        {
            "type": "DEPTH_UPDATE",
            "shard": 1,
            "ts_ns": 1,
            "symbol": "ETHUSDT",
            "first_seq": 4,
            "last_seq": 5,
            "bids": [[100, 0]],
            "asks": [],
        },
    )
    with pytest.raises(contracts.ContractError):
        contracts.validate("book.v1", {"type": "SNAPSHOT", "bids": [[1.5, 2]]})
    with pytest.raises(KeyError):
        contracts.validate("alerts.v1", {})


def test_label_contract() -> None:
    label = {
        "scenario_id": "ab12-wash_trading-0",
        "run_id": "ab12",
        "seed": 7,
        "category": "abuse",
        "typology": "wash_trading",
        "symbol": "BTCUSDT",
        "accounts": [1_000_009, 1_000_010],
        "owner": 1_000_009,
        "side": None,
        "start_ns": 1,
        "end_ns": 2,
        "command_ids": ["ab12-0000010", "ab12-0000011"],
    }
    contracts.validate("labels.v1", label)
    for change in ({"accounts": []}, {"side": "buy"}, {"owner": -1}, {"extra": 1}):
        assert contracts.errors("labels.v1", {**label, **change})
