"""Per-account features on the real stack: the stream's closed windows, the batch recomputation
from the lake and a plain count of the same events all agree, across a restart."""

from __future__ import annotations

import time
from collections import defaultdict

import pandas as pd
from pyspark.sql import SparkSession

from features.definitions import ACCOUNT_ACTIVITY_TABLE
from features.store import feature_store
from pipelines import account_features, lake
from pipelines.backfill import batch_account_activity
from pipelines.jobs import await_all, start_market_jobs
from pipelines.workload import ActivityWorkload, Message, encode_event
from tests.engine_service.harness import produce
from xi import contracts, topics
from xi.settings import Settings

MINUTE_NS = 60 * 1_000_000_000
SYMBOLS = ["BTCUSDT", "XITUSDT"]
ACCOUNTS = [11, 12, 13, 14, 15]
KEY = ["account", "symbol", "window_start"]


def send(settings: Settings, events: list[tuple[str, Message]]) -> None:
    by_topic: dict[str, list[tuple[bytes, bytes]]] = defaultdict(list)
    for topic, message in events:
        contracts.validate(topic, message)
        by_topic[topic].append(encode_event(topic, message))
    for topic, records in by_topic.items():
        produce(settings, f"{settings.pipelines_topic_prefix}{topic}", records)


def plain_counts(events: list[tuple[str, Message]]) -> dict[tuple[int, str, int], dict]:
    """Per account window: what the features count, counted message by message."""
    found: dict[tuple[int, str, int], dict] = defaultdict(lambda: defaultdict(int))
    for topic, m in events:
        start = m["ts_ns"] // MINUTE_NS * MINUTE_NS
        if topic == topics.EXECUTIONS:
            name = {"NEW": "new_orders", "CANCELED": "cancels", "TRADE": "fills"}
            found[(m["account"], m["symbol"], start)][name[m["exec_type"]]] += 1
            continue
        for account in {m["maker_account"], m["taker_account"]}:
            found[(account, m["symbol"], start)]["traded_lots"] += m["qty"]
        if m["maker_account"] == m["taker_account"]:
            found[(m["maker_account"], m["symbol"], start)]["self_matched_lots"] += m["qty"]
    return found


def stream_rows(settings: Settings) -> pd.DataFrame:
    return pd.read_parquet(settings.lake_dir / ACCOUNT_ACTIVITY_TABLE)


def test_stream_and_batch_features_agree_with_each_other_and_with_a_plain_count(
    spark: SparkSession, pipeline_settings: Settings
) -> None:
    start_ns = (time.time_ns() // MINUTE_NS - 6) * MINUTE_NS
    workload = ActivityWorkload(SYMBOLS, ACCOUNTS, seed=5)
    # Three minutes of activity, then one late step that moves the watermark past them all.
    events = workload.events(start_ns, 360, 500_000_000)
    closing = workload.step(start_ns + 4 * MINUTE_NS)
    half = len(events) // 2
    label = {
        "scenario_id": "run-1/wash_trading/1",
        "run_id": "run-1",
        "seed": 5,
        "category": "abuse",
        "typology": "wash_trading",
        "symbol": SYMBOLS[0],
        "accounts": ACCOUNTS[:2],
        "owner": None,
        "side": None,
        "start_ns": start_ns,
        "end_ns": start_ns + MINUTE_NS,
        "command_ids": ["run-1-1", "run-1-2"],
    }

    send(pipeline_settings, events[:half])
    await_all(start_market_jobs(spark, pipeline_settings, available_now=True))
    send(pipeline_settings, [*events[half:], *closing, (topics.LABELS, label)])
    await_all(start_market_jobs(spark, pipeline_settings, available_now=True))

    streamed = stream_rows(pipeline_settings).sort_values(KEY).reset_index(drop=True)
    batch = batch_account_activity(spark, pipeline_settings)
    closed = batch[batch["window_start"] < pd.Timestamp(start_ns + 4 * MINUTE_NS, tz="UTC")]
    closed = closed.sort_values(KEY).reset_index(drop=True)
    # Every closed window once, with the batch job's values exactly.
    assert not streamed.duplicated(KEY).any()
    pd.testing.assert_frame_equal(streamed, closed, check_dtype=False)

    counted = plain_counts(events)
    assert len(streamed) == len(counted)
    for row in streamed.to_dict("records"):
        key = (row["account"], row["symbol"], row["window_start"].value)
        for name in ("new_orders", "cancels", "fills", "traded_lots", "self_matched_lots"):
            assert row[name] == counted[key][name], (key, name)
    assert streamed["self_matched_lots"].sum() > 0
    assert ((streamed["counterparty_hhi"] > 0) & (streamed["counterparty_hhi"] <= 1)).all()

    labels = pd.read_parquet(pipeline_settings.lake_dir / lake.LABELS_TABLE)
    assert labels["scenario_id"].tolist() == [label["scenario_id"]]
    assert labels["accounts"].tolist()[0].tolist() == label["accounts"]

    # Online: each (account, symbol)'s newest window, through the surveillance service (but
    # for the accounts of the closing step, whose newest window is still open).
    still_open = {m.get("account", m.get("maker_account")) for _, m in closing}
    still_open |= {m["taker_account"] for topic, m in closing if topic == topics.TRADES}
    newest = (
        streamed[~streamed["account"].isin(still_open)]
        .sort_values("window_start")
        .groupby(["account", "symbol"])
        .tail(1)
    )
    store = feature_store(pipeline_settings)
    online = store.get_online_features(
        features=store.get_feature_service("surveillance_v1"),
        entity_rows=[{"account": r.account, "symbol": r.symbol} for r in newest.itertuples()],
    ).to_dict()
    for index, row in enumerate(newest.to_dict("records")):
        for name in account_features.FEATURE_COLUMNS:
            assert online[name][index] == row[name], (row["account"], row["symbol"], name)
