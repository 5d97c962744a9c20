"""The engine service on the real local Kafka: a scripted session, malformed input, kill -9
recovery and two processes sharing the partitions, compared event for event."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from kafka import KafkaProducer

from tests.engine_service import harness, workload
from xi import contracts, engine_client, topics
from xi.settings import Settings


def _engine(binary: Path, settings: Settings, tmp: Path, orders: str, out: str, **kw):
    return harness.EngineProcess(
        binary=binary,
        settings=settings,
        orders_topic=orders,
        output_prefix=out,
        group=kw.pop("group", harness.unique("g")),
        transactional_id=kw.pop("transactional_id", harness.unique("tx")),
        snapshot_dir=tmp / "snapshots",
        log_dir=tmp / "logs",
        extra=kw.pop("extra", []),
    )


def _outputs(prefix: str) -> list[str]:
    return [f"{prefix}{t}" for t in harness.OUTPUTS]


def test_scripted_session_gives_expected_reports(
    running_kafka: Settings, engine_binary: Path, tmp_path: Path
) -> None:
    prefix = harness.unique("t") + "."
    orders = f"{prefix}{topics.ORDERS}"
    harness.create_topics(running_kafka, [orders, *_outputs(prefix)], partitions=2)
    engine = _engine(engine_binary, running_kafka, tmp_path, orders, prefix).start()
    try:
        engine.wait_ready()
        producer = KafkaProducer(bootstrap_servers=running_kafka.kafka_bootstrap)

        def send(command: dict[str, object] | bytes, key: bytes = b"BTCUSDT"):
            if isinstance(command, dict):
                key, value = engine_client.encode(command)
            else:
                value = command
            return producer.send(orders, key=key, value=value).get(timeout=10)

        send(
            engine_client.create_symbol(
                "BTCUSDT", tick_size=5, lot_size=1, reference_price=100, command_id="list"
            )
        )
        sell = send(
            engine_client.new_order(
                "BTCUSDT",
                account=1,
                side="SELL",
                price=100,
                qty=5,
                command_id="s1",
                client_order_id="sell-1",
            )
        )
        send(
            engine_client.new_order(
                "BTCUSDT", account=2, side="BUY", price=100, qty=3, command_id="b1"
            )
        )
        send(b'{"type":"NEW_ORDER","command_id":"bad","account":2,"qty":1.5}')
        send(
            engine_client.new_order(
                "BTCUSDT", account=2, side="BUY", price=101, qty=1, command_id="tick"
            )
        )
        sell_id = (sell.partition << 40) | (sell.offset + 1)
        send(engine_client.cancel("BTCUSDT", account=1, order_id=sell_id, command_id="x1"))
        producer.close()
        harness.wait_caught_up(running_kafka, engine.group, orders, timeout_s=60)
        assert engine.metric("engine_commands_total") == 6
        assert engine.metric("engine_rejects_total") == 2
    finally:
        engine.kill()

    messages = {t: harness.read_committed(running_kafka, f"{prefix}{t}") for t in harness.OUTPUTS}
    for topic, records in messages.items():
        for _, value in records:
            contracts.validate(topic, json.loads(value))
    reports = [json.loads(v) for _, v in messages[topics.EXECUTIONS]]
    reports.sort(key=lambda r: (r["seq"], r["account"]))
    got = [
        (r["account"], r["exec_type"], r["command_id"], r.get("qty"), r.get("reason"))
        for r in reports
    ]
    assert got == [
        (0, "SYMBOL_CREATED", "list", None, None),
        (1, "NEW", "s1", 5, None),
        (2, "NEW", "b1", 3, None),
        (1, "TRADE", None, 3, None),
        (2, "TRADE", "b1", 3, None),
        (2, "REJECTED", "bad", None, "MALFORMED"),
        (2, "REJECTED", "tick", None, "TICK_SIZE"),
        (1, "CANCELED", "x1", 2, "USER"),
    ]
    assert reports[1]["client_order_id"] == "sell-1"
    assert reports[1]["order_id"] == sell_id
    seqs = [r["seq"] for r in reports]
    assert seqs == sorted(seqs)
    trades = [json.loads(v) for _, v in messages[topics.TRADES]]
    assert [(t["price"], t["qty"], t["aggressor"]) for t in trades] == [(100, 3, "BUY")]
    book = [json.loads(v) for _, v in messages[topics.BOOK]]
    assert [(b["type"], b["asks"]) for b in book] == [
        ("SNAPSHOT", []),
        ("DEPTH_UPDATE", [[100, 5]]),
        ("DEPTH_UPDATE", [[100, 2]]),
        ("DEPTH_UPDATE", [[100, 0]]),
    ]
    # Every engine seq of the shard shows up exactly once over the three topics.
    all_seqs = set(seqs) | {t["seq"] for t in trades}
    for b in book:
        if b["type"] == "DEPTH_UPDATE":
            all_seqs |= set(range(b["first_seq"], b["last_seq"] + 1))
    assert all_seqs == set(range(1, max(all_seqs) + 1))


def test_kill_9_at_random_moments_gives_identical_output(
    running_kafka: Settings, engine_binary: Path, tmp_path: Path
) -> None:
    n = 100_000
    orders = f"{harness.unique('k')}.{topics.ORDERS}"
    calm, killed = harness.unique("calm") + ".", harness.unique("kill") + "."
    harness.create_topics(running_kafka, [orders, *_outputs(calm), *_outputs(killed)], 4)
    produced = harness.produce(running_kafka, orders, workload.commands(n))
    assert produced > n

    reference = _engine(engine_binary, running_kafka, tmp_path / "calm", orders, calm).start()
    group, txn = harness.unique("g"), harness.unique("tx")
    rng = random.Random(11)
    kills_mid_run = 0
    attempts = 0
    try:
        while kills_mid_run < 10:
            attempts += 1
            assert attempts < 40, "the killed engine makes no progress"
            victim = _engine(
                engine_binary,
                running_kafka,
                tmp_path / "kill",
                orders,
                killed,
                group=group,
                transactional_id=txn,
                extra=["--snapshot-interval", "4000", "--batch-size", "300"],
            ).start()
            time.sleep(rng.uniform(0.5, 3.0))
            victim.kill()
            if harness.committed_lag(running_kafka, group, orders) > 0:
                kills_mid_run += 1
        survivor = _engine(
            engine_binary,
            running_kafka,
            tmp_path / "kill",
            orders,
            killed,
            group=group,
            transactional_id=txn,
            extra=["--snapshot-interval", "4000"],
        ).start()
        try:
            harness.wait_caught_up(running_kafka, group, orders)
            harness.wait_caught_up(running_kafka, reference.group, orders)
            assert survivor.metric("engine_commands_replayed_total") >= 0
        finally:
            survivor.kill()
    finally:
        reference.kill()
    expected = harness.by_stream(running_kafka, calm)
    got = harness.by_stream(running_kafka, killed)
    assert sum(len(v) for v in expected.values()) > 2 * n
    assert got.keys() == expected.keys()
    for stream, values in expected.items():
        assert got[stream] == values, f"stream {stream} differs"
    snapshots = list((tmp_path / "kill" / "snapshots" / group).glob("*.snap"))
    assert snapshots, "the killed engines wrote snapshots"


def test_two_processes_share_partitions_with_the_same_output(
    running_kafka: Settings, engine_binary: Path, tmp_path: Path
) -> None:
    orders = f"{harness.unique('s')}.{topics.ORDERS}"
    one, two = harness.unique("one") + ".", harness.unique("two") + "."
    harness.create_topics(running_kafka, [orders, *_outputs(one), *_outputs(two)], 4)
    stream = list(workload.commands(30_000, symbols=12, seed=3))
    half = len(stream) // 2
    harness.produce(running_kafka, orders, stream[:half])

    single = _engine(engine_binary, running_kafka, tmp_path / "one", orders, one).start()
    group = harness.unique("g")
    a = _engine(
        engine_binary,
        running_kafka,
        tmp_path / "two",
        orders,
        two,
        group=group,
        extra=["--snapshot-interval", "3000"],
    ).start()
    b = _engine(
        engine_binary,
        running_kafka,
        tmp_path / "two",
        orders,
        two,
        group=group,
        extra=["--snapshot-interval", "3000"],
    )
    try:
        a.wait_ready()
        b.start()  # joins while a works: partitions move from a to b with their state
        harness.produce(running_kafka, orders, stream[half:])
        b.wait_ready()
        harness.wait_caught_up(running_kafka, group, orders)
        harness.wait_caught_up(running_kafka, single.group, orders)
        assert a.metric("engine_commands_total") > 0
        assert b.metric("engine_commands_total") > 0
    finally:
        for engine in (single, a, b):
            engine.kill()
    expected = harness.by_stream(running_kafka, one)
    got = harness.by_stream(running_kafka, two)
    assert got == expected
