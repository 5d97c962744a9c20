"""`xi bench engine-kafka`: the engine service end to end on the local Kafka.

Creates fresh topics, starts an engine-service process on them, then runs the Rust load
generator (`engine-kafka-bench`) twice: at full speed (throughput) and at a fixed offered load
(latency). Each run prints one JSON line; the last line is the mode asked for with `--rate`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Annotated

import typer
from kafka.admin import NewTopic

from xi import cargo, clients, topics
from xi.settings import Settings, get_settings
from xi.stack.engine import binary
from xi.stack.service import StackError, port_is_free


def _free_port() -> int:
    port = 18700
    while not port_is_free(port):
        port += 1
    return port


def _wait_ready(port: int, process: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError("engine-service exited during start")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise StackError("engine-service did not become ready")


def run_once(
    settings: Settings, *, orders: int, rate: float, partitions: int, symbols: int
) -> dict[str, float]:
    """One bench run on fresh topics with a fresh engine process."""
    prefix = f"bench-{uuid.uuid4().hex[:8]}."
    bench_topics = [
        f"{prefix}{t}" for t in (topics.ORDERS, topics.EXECUTIONS, topics.TRADES, topics.BOOK)
    ]
    admin = clients.kafka_admin(settings)
    try:
        admin.create_topics(
            [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in bench_topics]
        )
    finally:
        admin.close()
    try:
        return _measure(settings, prefix, orders=orders, rate=rate, symbols=symbols)
    finally:
        # A run's topics hold hundreds of megabytes that nothing reads again.
        admin = clients.kafka_admin(settings)
        try:
            admin.delete_topics(bench_topics)
        finally:
            admin.close()


def _measure(
    settings: Settings, prefix: str, *, orders: int, rate: float, symbols: int
) -> dict[str, float]:
    port = _free_port()
    snapshots = Path(tempfile.mkdtemp(prefix="engine-bench-"))
    engine = subprocess.Popen(
        [
            str(binary(settings)),
            "--bootstrap-servers",
            settings.kafka_bootstrap,
            "--group-id",
            f"{prefix}engine",
            "--transactional-id",
            f"{prefix}engine-0",
            "--topic-prefix",
            prefix,
            "--snapshot-dir",
            str(snapshots),
            "--metrics-port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(port, engine)
        result = subprocess.run(
            [
                str(binary(settings, "engine-kafka-bench")),
                "--bootstrap-servers",
                settings.kafka_bootstrap,
                "--orders-topic",
                f"{prefix}{topics.ORDERS}",
                "--executions-topic",
                f"{prefix}{topics.EXECUTIONS}",
                "--orders",
                str(orders),
                "--rate",
                str(rate),
                "--symbols",
                str(symbols),
                "--create-symbols",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        engine.kill()
        engine.wait()
        shutil.rmtree(snapshots, ignore_errors=True)
    lines = result.stdout.strip().splitlines()
    if not lines:
        raise StackError(f"engine-kafka-bench printed nothing:\n{result.stderr[-2000:]}")
    return json.loads(lines[-1])


def engine_kafka(
    rate: Annotated[
        float, typer.Option(help="offered orders/s of the run printed last; 0 = full speed")
    ] = 0,
    orders: Annotated[int, typer.Option(help="orders of the full-speed run")] = 500_000,
    latency_rate: Annotated[float, typer.Option(help="offered load of the latency run")] = 10_000,
    latency_seconds: Annotated[float, typer.Option(help="length of the latency run")] = 15,
    partitions: Annotated[int, typer.Option(help="partitions of the bench topics")] = 4,
    symbols: Annotated[int, typer.Option(help="symbols listed and traded")] = 16,
    only: Annotated[bool, typer.Option(help="run only the mode asked for")] = False,
) -> None:
    """Throughput and latency of the engine service, commands in to execution reports out."""
    settings = get_settings()
    cargo.build_release(settings, "engine-service")
    asked = rate if rate > 0 else 0.0
    other = latency_rate if asked == 0 else 0.0
    modes = [asked] if only else [other, asked]
    for mode in modes:
        n = orders if mode == 0 else int(mode * latency_seconds)
        result = run_once(settings, orders=n, rate=mode, partitions=partitions, symbols=symbols)
        typer.echo(json.dumps(result))
