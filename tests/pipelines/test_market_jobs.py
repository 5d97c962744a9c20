"""The market job on the real stack: trades from Kafka become bars in InfluxDB and a lake."""

from __future__ import annotations

import decimal
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from pyspark.sql import SparkSession

from features.store import feature_store
from pipelines import lake
from pipelines.jobs import await_all, start_market_jobs
from pipelines.workload import Trade, TradeWorkload, encode
from tests.engine_service.harness import produce
from xi import clients, contracts, markets, topics
from xi.settings import Settings

SECOND_NS = 1_000_000_000
INTERVAL_NS = {"1s": SECOND_NS, "1m": 60 * SECOND_NS}
SYMBOLS = ["BTCUSDT", "XITUSDT"]


@dataclass(frozen=True)
class ExpectedBar:
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    vwap: Decimal
    trade_count: int


def expected_bars(trades: list[Trade]) -> dict[tuple[str, str, int], ExpectedBar]:
    """The bars of ``trades`` computed in plain Python, in decimals, trade by trade."""
    catalogue = markets.load()
    groups: dict[tuple[str, str, int], list[Trade]] = defaultdict(list)
    for trade in trades:
        for interval, size in INTERVAL_NS.items():
            groups[(trade["symbol"], interval, trade["ts_ns"] // size * size)].append(trade)
    bars = {}
    for key, group in groups.items():
        market = catalogue.market(key[0])
        ordered = sorted(group, key=lambda t: (t["ts_ns"], t["seq"]))
        prices = [market.price(t["price"]) for t in ordered]
        quantities = [market.quantity(t["qty"]) for t in ordered]
        with decimal.localcontext(prec=80, rounding=decimal.ROUND_HALF_EVEN):
            notional = sum((p * q for p, q in zip(prices, quantities, strict=True)), Decimal(0))
            volume = sum(quantities, Decimal(0))
            vwap = (notional / volume).quantize(market.quote.unit)
        bars[key] = ExpectedBar(
            prices[0], max(prices), min(prices), prices[-1], volume, vwap, len(ordered)
        )
    return bars


def influx_bars(settings: Settings) -> dict[tuple[str, str, int], dict]:
    flux = f"""
        from(bucket: "{settings.influxdb_bucket}")
          |> range(start: 0)
          |> filter(fn: (r) => r._measurement == "bars")
          |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
    """
    with clients.influxdb(settings) as client:
        tables = client.query_api().query(flux, org=settings.influxdb_org)
    bars = {}
    for table in tables:
        for record in table.records:
            start_ns = int(record.get_time().timestamp()) * SECOND_NS
            bars[(record["symbol"], record["interval"], start_ns)] = record.values
    return bars


def run_job_once(spark: SparkSession, settings: Settings) -> None:
    """Work off what the topic holds, from the checkpoints, and stop: a restart each time."""
    await_all(start_market_jobs(spark, settings, available_now=True))


def assert_online_features_are_the_last_minute_bars(
    settings: Settings, expected: dict[tuple[str, str, int], ExpectedBar]
) -> None:
    store = feature_store(settings)
    online = store.get_online_features(
        features=store.get_feature_service("market_v1"),
        entity_rows=[{"symbol": symbol} for symbol in SYMBOLS],
    ).to_dict()
    for index, symbol in enumerate(SYMBOLS):
        last_minute = max(key for key in expected if key[:2] == (symbol, "1m"))
        bar = expected[last_minute]
        assert online["trade_count"][index] == bar.trade_count, symbol
        assert online["close"][index] == float(bar.close), symbol
        assert online["vwap"][index] == float(bar.vwap), symbol
        assert online["volume"][index] == float(bar.volume), symbol


def test_trades_become_exact_bars_and_land_in_the_lake_once_across_a_restart(
    spark: SparkSession, pipeline_settings: Settings
) -> None:
    topic = f"{pipeline_settings.pipelines_topic_prefix}{topics.TRADES}"
    # Five minutes ago, on a minute's edge; a command every 0.3 s for about two minutes.
    start_ns = (time.time_ns() // (60 * SECOND_NS) - 5) * 60 * SECOND_NS
    trades = list(TradeWorkload(SYMBOLS, seed=7).trades(start_ns, 600, 300_000_000))
    for trade in trades:
        contracts.validate(topics.TRADES, trade)
    # The second part goes on inside the first part's last minute and second: those bars are
    # finished only after the restart, from the state in the checkpoint.
    first, second = trades[:350], trades[350:]
    malformed = [(b"BTCUSDT", b"not json"), (b"BTCUSDT", b'{"symbol": "BTCUSDT"}')]

    produce(pipeline_settings, topic, [*map(encode, first), *malformed])
    run_job_once(spark, pipeline_settings)
    produce(pipeline_settings, topic, map(encode, second))
    run_job_once(spark, pipeline_settings)

    expected = expected_bars(trades)
    written = influx_bars(pipeline_settings)
    assert sorted(written) == sorted(expected)
    for key, bar in expected.items():
        point = written[key]
        catalogue_market = markets.load().market(key[0])
        assert (point["open_ticks"], point["high_ticks"]) == (
            catalogue_market.ticks(bar.open),
            catalogue_market.ticks(bar.high),
        ), key
        assert (point["low_ticks"], point["close_ticks"], point["volume_lots"]) == (
            catalogue_market.ticks(bar.low),
            catalogue_market.ticks(bar.close),
            catalogue_market.lots(bar.volume),
        ), key
        assert point["trade_count"] == bar.trade_count, key
        for name in ("open", "high", "low", "close", "volume", "vwap"):
            assert point[name] == float(getattr(bar, name)), (key, name)
    assert_online_features_are_the_last_minute_bars(pipeline_settings, expected)

    rows = (
        spark.read.parquet(str(lake.table_path(pipeline_settings, lake.TRADES_TABLE)))
        .select("symbol", "trade_id", "price", "qty", "price_decimal", "qty_decimal", "date")
        .collect()
    )
    assert len(rows) == len(trades)
    by_id = {(row["symbol"], row["trade_id"]): row for row in rows}
    assert len(by_id) == len(trades)
    for trade in trades:
        row = by_id[(trade["symbol"], trade["trade_id"])]
        market = markets.load().market(trade["symbol"])
        assert row["price_decimal"] == market.price(trade["price"])
        assert row["qty_decimal"] == market.quantity(trade["qty"])
