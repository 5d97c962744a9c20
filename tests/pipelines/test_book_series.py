"""Spread and top-of-book depth on the real stack: book.v1 messages become one InfluxDB point
per symbol and second, equal to the book rebuilt by hand."""

from __future__ import annotations

import json
import random
import time

from pyspark.sql import SparkSession

from pipelines.jobs import await_all, start_market_jobs
from tests.engine_service.harness import produce
from xi import clients, contracts, topics
from xi.settings import Settings

SECOND_NS = 1_000_000_000
SYMBOL = "BTCUSDT"


def book_messages(start_ns: int, count: int) -> list[dict]:
    """A snapshot, then depth updates every 0.25 s that move levels around the mid."""
    rand = random.Random(3)
    bids = {1000 - i: rand.randint(1, 50) for i in range(1, 8)}
    asks = {1000 + i: rand.randint(1, 50) for i in range(1, 8)}
    seq = 100
    base = {"shard": 0, "symbol": SYMBOL}
    messages = [
        {
            **base,
            "type": "SNAPSHOT",
            "ts_ns": start_ns,
            "first_seq": seq,
            "last_seq": seq,
            "bids": [list(level) for level in sorted(bids.items(), reverse=True)],
            "asks": [list(level) for level in sorted(asks.items())],
        }
    ]
    for n in range(1, count):
        side, levels, sign = rand.choice([("bids", bids, -1), ("asks", asks, 1)])
        price = 1000 + sign * rand.randint(1, 9)
        qty = 0 if price in levels and rand.random() < 0.4 else rand.randint(1, 50)
        if qty:
            levels[price] = qty
        else:
            levels.pop(price, None)
        messages.append(
            {
                **base,
                "type": "DEPTH_UPDATE",
                "ts_ns": start_ns + n * SECOND_NS // 4,
                "first_seq": seq + 2 * n - 1,
                "last_seq": seq + 2 * n,
                "bids": [[price, qty]] if side == "bids" else [],
                "asks": [[price, qty]] if side == "asks" else [],
            }
        )
    return messages


def expected_tops(messages: list[dict]) -> dict[int, tuple[int, int, int, int]]:
    """Per second: (best bid, its lots, best ask, its lots) after the second's last message."""
    bids: dict[int, int] = {}
    asks: dict[int, int] = {}
    tops = {}
    for message in messages:
        for levels, changes in ((bids, message["bids"]), (asks, message["asks"])):
            if message["type"] == "SNAPSHOT":
                levels.clear()
            for price, qty in changes:
                if qty:
                    levels[price] = qty
                else:
                    levels.pop(price, None)
        bid, ask = max(bids), min(asks)
        tops[message["ts_ns"] // SECOND_NS * SECOND_NS] = (bid, bids[bid], ask, asks[ask])
    return tops


def influx_tops(settings: Settings) -> dict[int, dict]:
    flux = f"""
        from(bucket: "{settings.influxdb_bucket}")
          |> range(start: 0)
          |> filter(fn: (r) => r._measurement == "book" and r.symbol == "{SYMBOL}")
          |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
    """
    with clients.influxdb(settings) as client:
        tables = client.query_api().query(flux, org=settings.influxdb_org)
    return {
        int(record.get_time().timestamp()) * SECOND_NS: record.values
        for table in tables
        for record in table.records
    }


def test_each_second_gets_the_spread_and_depth_of_its_last_book(
    spark: SparkSession, pipeline_settings: Settings
) -> None:
    start_ns = (time.time_ns() // SECOND_NS - 120) * SECOND_NS
    messages = book_messages(start_ns, 160)
    for message in messages:
        contracts.validate(topics.BOOK, message)
    topic = f"{pipeline_settings.pipelines_topic_prefix}{topics.BOOK}"
    encoded = [(SYMBOL.encode(), json.dumps(m).encode()) for m in messages]
    # Two runs: the second starts from the book saved by the first.
    produce(pipeline_settings, topic, encoded[:70])
    await_all(start_market_jobs(spark, pipeline_settings, available_now=True))
    produce(pipeline_settings, topic, encoded[70:])
    await_all(start_market_jobs(spark, pipeline_settings, available_now=True))

    expected = expected_tops(messages)
    written = influx_tops(pipeline_settings)
    assert sorted(written) == sorted(expected)
    for second, (bid, bid_lots, ask, ask_lots) in expected.items():
        point = written[second]
        assert (point["best_bid_ticks"], point["bid_lots"]) == (bid, bid_lots), second
        assert (point["best_ask_ticks"], point["ask_lots"]) == (ask, ask_lots), second
        assert point["spread_ticks"] == ask - bid, second
