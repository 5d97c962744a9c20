"""The API killed (SIGKILL) and restarted while traders trade: no settlement lost or doubled.

Ground truth is the engine's own `trades.v1`: every trade in this test's symbol must be
settled exactly once on each side, the clearing account must net to zero, every asset's total
must be unchanged, and each account's balance must equal its deposits plus its fills.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path

import httpx
import psycopg
import pytest
from kafka import KafkaConsumer, TopicPartition

from tests.engine_service.harness import free_port
from tests.trading_api.api.trading import Trader, market_of, new_trader
from trading_api.ledger import operations as ops
from trading_api.ledger.journal import asset_totals, balances, system_account
from xi import markets, topics
from xi.api_server import api_server
from xi.markets import Market
from xi.settings import Settings

TRADERS = 4
DEPOSIT = {"USDT": Decimal("1000000"), "BTC": Decimal("20")}


@pytest.fixture
def api_settings(database: Settings, tmp_path: Path) -> Settings:
    return database.model_copy(
        update={
            "markets_file": markets.write_private_copy(tmp_path),
            "trading_api_port": free_port(),
        }
    )


def _trade_loop(trader: Trader, market: Market, side: str, stop: threading.Event) -> None:
    """Place crossing orders until stopped; requests fail while the API is down."""
    while not stop.is_set():
        try:
            trader.signed(
                "POST",
                "/api/v3/order",
                {
                    "symbol": market.symbol,
                    "side": side,
                    "type": "LIMIT",
                    "timeInForce": "GTC",
                    "quantity": "0.001",
                    "price": "60000",
                    "newOrderRespType": "ACK",
                },
            )
        except httpx.HTTPError:
            time.sleep(0.05)


def _engine_trades(settings: Settings, symbol: str, since_ms: int) -> list[dict]:
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap, isolation_level="read_committed"
    )
    try:
        partitions = [
            TopicPartition(topics.TRADES, p) for p in consumer.partitions_for_topic(topics.TRADES)
        ]
        consumer.assign(partitions)
        starts = consumer.offsets_for_times({p: since_ms for p in partitions})
        ends = consumer.end_offsets(partitions)
        for partition in partitions:
            start = starts[partition]
            consumer.seek(partition, start.offset if start else ends[partition])
        found = []
        while any(consumer.position(p) < ends[p] for p in partitions):
            for records in consumer.poll(timeout_ms=500).values():
                found += [json.loads(r.value) for r in records]
        return [t for t in found if t["symbol"] == symbol]
    finally:
        consumer.close()


def _settled_sides(settings: Settings, symbol: str) -> Counter:
    with psycopg.connect(settings.postgres_dsn) as conn:
        rows = conn.execute("SELECT shard, seq FROM fills WHERE symbol = %s", (symbol,)).fetchall()
    return Counter((shard, seq) for shard, seq in rows)


def test_a_killed_api_loses_and_doubles_no_settlement(api_settings: Settings, tmp_path) -> None:
    market = market_of(api_settings, "BTC")
    log = tmp_path / "api.log"
    started_ms = int(time.time() * 1000)
    stop = threading.Event()
    with httpx.Client(base_url=api_settings.trading_api_url, timeout=10) as client:
        traders = [new_trader(client, api_settings) for _ in range(TRADERS)]
        with psycopg.connect(api_settings.postgres_dsn, autocommit=True) as conn:
            for trader in traders:
                for asset, amount in DEPOSIT.items():
                    ops.deposit(
                        conn,
                        account_id=trader.account_id,
                        asset=asset,
                        amount=amount,
                        reference=uuid.uuid4().hex,
                    )
        with api_server(api_settings, log) as first:
            loops = [
                threading.Thread(target=_trade_loop, args=(t, market, ("BUY", "SELL")[i % 2], stop))
                for i, t in enumerate(traders)
            ]
            for loop in loops:
                loop.start()
            time.sleep(4)
            first.kill()  # SIGKILL: no shutdown, mid-batch
            first.wait()
        settled_before_restart = sum(_settled_sides(api_settings, market.symbol).values())
        with api_server(api_settings, log):
            time.sleep(4)
            stop.set()
            for loop in loops:
                loop.join()
            trades = _engine_trades(api_settings, market.symbol, started_ms)
            # The restarted reader works through its backlog; on a loaded machine that is slow.
            deadline = time.monotonic() + 180
            while (done := sum(_settled_sides(api_settings, market.symbol).values())) < 2 * len(
                trades
            ):
                assert time.monotonic() < deadline, f"{done} of {2 * len(trades)} sides settled"
                time.sleep(0.5)
            time.sleep(1)  # anything doubled would show up now
            settled = _settled_sides(api_settings, market.symbol)

    assert settled_before_restart > 0 and len(trades) * 2 > settled_before_restart
    assert settled == Counter({(t["shard"], t["seq"]): 2 for t in trades})
    _assert_ledger_consistent(api_settings, market, traders)


def _assert_ledger_consistent(settings: Settings, market: Market, traders: list[Trader]) -> None:
    with psycopg.connect(settings.postgres_dsn) as conn:
        assert all(total == 0 for total in asset_totals(conn).values())
        clearing = balances(conn, system_account(conn, "clearing"))
        assert all(b.free == 0 and b.locked == 0 for b in clearing.values())
        for trader in traders:
            fills = conn.execute(
                "SELECT side, qty, quote_qty, commission FROM fills WHERE account_id = %s",
                (trader.account_id,),
            ).fetchall()
            expected = dict(DEPOSIT)
            for side, qty, quote_qty, commission in fills:
                sign = 1 if side == "BUY" else -1
                expected["BTC"] += sign * qty - (commission if side == "BUY" else 0)
                expected["USDT"] -= sign * quote_qty + (commission if side == "SELL" else 0)
            held = conn.execute(
                "SELECT hold_asset, sum(hold_amount - hold_used) FROM orders "
                "WHERE account_id = %s AND status IN ('PENDING_NEW', 'NEW', 'PARTIALLY_FILLED') "
                "GROUP BY hold_asset",
                (trader.account_id,),
            ).fetchall()
            locked = dict.fromkeys(DEPOSIT, Decimal(0)) | dict(held)
            actual = balances(conn, trader.account_id)
            for asset in DEPOSIT:
                assert actual[asset].free + actual[asset].locked == expected[asset]
                assert actual[asset].locked == locked[asset]
