"""`xi bench api`: concurrent clients placing and cancelling signed orders through the API.

By default the bench starts its own trading API process (this code) on a temporary database
with symbols of its own on the running engine, so it disturbs no one's books; `--url` points
it at a running API instead (accounts are then created in the configured database). Each
client places a passive limit order, waits for the answer, cancels it, and repeats. Latency is
request sent to response read, for the placement (the engine's acceptance included).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

import httpx
import psycopg
import typer

from trading_api import db, signing
from trading_api.auth import Role, SecretBox, create_account, issue_api_key
from trading_api.ledger import operations as ops
from xi import markets
from xi.api_server import api_server
from xi.cli.progress import console, steps
from xi.markets import Market
from xi.settings import Settings, get_settings
from xi.stack.service import port_is_free


@dataclass(frozen=True)
class Key:
    api_key: str
    secret: str


@dataclass
class Timings:
    place_ms: list[float] = field(default_factory=list)
    cancel_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2) if ordered else 0.0


def _free_port(start: int = 18800) -> int:
    port = start
    while not port_is_free(port):
        port += 1
    return port


@contextmanager
def _own_api(settings: Settings, report) -> Iterator[Settings]:  # type: ignore[no-untyped-def]
    """A temporary database, symbols of its own and an API process serving them."""
    with ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        report("creating a temporary database")
        bench = stack.enter_context(db.temporary_database(settings, "xi_bench"))
        bench = bench.model_copy(
            update={
                "markets_file": markets.write_private_copy(directory),
                "trading_api_port": _free_port(),
            }
        )
        report(f"starting a trading API on port {bench.trading_api_port}")
        stack.enter_context(api_server(bench, settings.state_dir / "logs" / "bench-api.log"))
        yield bench


def _accounts(settings: Settings, count: int, market: Market) -> list[Key]:
    box = SecretBox(settings.secret_key.get_secret_value())
    keys = []
    with psycopg.connect(settings.postgres_dsn, autocommit=True) as conn:
        for _ in range(count):
            account = create_account(conn, name=f"bench-{uuid.uuid4().hex[:10]}", role=Role.TRADER)
            ops.deposit(
                conn,
                account_id=account,
                asset=market.quote.code,
                amount=Decimal(10**9),
                reference=uuid.uuid4().hex,
            )
            issued = issue_api_key(conn, box, account_id=account)
            keys.append(Key(issued.api_key, issued.secret))
    return keys


def _signed(key: Key, params: dict[str, str]) -> tuple[str, dict[str, str]]:
    query = urlencode({**params, "timestamp": int(time.time() * 1000)})
    body = f"{query}&signature={signing.sign(key.secret, query)}"
    return body, {"X-MBX-APIKEY": key.api_key, "Content-Type": "application/x-www-form-urlencoded"}


async def _client(
    http: httpx.AsyncClient, key: Key, market: Market, orders: int, timings: Timings
) -> None:
    # Passive bids 1-4% under the reference price: they rest, so every one can be cancelled.
    reference = market.ticks(market.reference_price)
    for _ in range(orders):
        price = market.price(reference * random.randint(9600, 9900) // 10_000)
        body, headers = _signed(
            key,
            {
                "symbol": market.symbol,
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": format(market.min_qty * 10, "f"),
                "price": format(price, "f"),
                "newOrderRespType": "ACK",
            },
        )
        start = time.perf_counter()
        try:
            placed = await http.post("/api/v3/order", content=body, headers=headers)
        except httpx.TransportError as error:
            timings.error(f"place {type(error).__name__}")
            continue
        timings.place_ms.append((time.perf_counter() - start) * 1000)
        if placed.status_code != 200:
            timings.error(f"place {placed.status_code} {placed.json().get('code')}")
            continue
        body, headers = _signed(
            key, {"symbol": market.symbol, "orderId": str(placed.json()["orderId"])}
        )
        start = time.perf_counter()
        try:
            canceled = await http.request("DELETE", "/api/v3/order", content=body, headers=headers)
        except httpx.TransportError as error:
            timings.error(f"cancel {type(error).__name__}")
            continue
        timings.cancel_ms.append((time.perf_counter() - start) * 1000)
        if canceled.status_code != 200:
            timings.error(f"cancel {canceled.status_code} {canceled.json().get('code')}")


async def _run(url: str, keys: list[Key], market: Market, orders: int) -> tuple[Timings, float]:
    timings = Timings()
    limits = httpx.Limits(max_connections=len(keys), max_keepalive_connections=len(keys))
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as http:
        started = time.perf_counter()
        await asyncio.gather(
            *(_client(http, key, market, orders // len(keys), timings) for key in keys)
        )
        return timings, time.perf_counter() - started


def bench_api(
    clients: Annotated[int, typer.Option(help="concurrent clients, one account each")] = 32,
    orders: Annotated[int, typer.Option(help="orders in all (each also cancelled)")] = 4000,
    url: Annotated[
        str | None, typer.Option(help="a running API (default: start one from this code)")
    ] = None,
) -> None:
    """Place and cancel signed orders from concurrent clients; JSON on the last line."""
    settings = get_settings()
    with ExitStack() as stack, steps("bench api") as report:
        target = settings if url else stack.enter_context(_own_api(settings, report))
        market = next(iter(markets.load(target.markets_file).symbols.values()))
        report(f"creating {clients} funded accounts")
        keys = _accounts(target, clients, market)
        report(f"warming up, then {orders} orders from {clients} clients on {market.symbol}")
        asyncio.run(_run(url or target.trading_api_url, keys, market, 2 * clients))
        timings, seconds = asyncio.run(_run(url or target.trading_api_url, keys, market, orders))
    placed = len(timings.place_ms)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    console.print(
        f"{placed} orders and {len(timings.cancel_ms)} cancels in {seconds:.1f} s "
        f"({clients} clients, load average {load}); cancel p50/p99 ms "
        f"{percentile(timings.cancel_ms, 0.5)}/{percentile(timings.cancel_ms, 0.99)}; "
        f"errors {timings.errors or 'none'}",
        soft_wrap=True,
    )
    print(
        json.dumps(
            {
                "orders_per_sec": round(placed / seconds, 1),
                "p50_ms": percentile(timings.place_ms, 0.5),
                "p99_ms": percentile(timings.place_ms, 0.99),
            }
        )
    )
