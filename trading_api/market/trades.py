"""Trades from trades.v1 in PostgreSQL: stored once each, read back for the public endpoints."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from psycopg import Connection


@dataclass(frozen=True)
class Trade:
    symbol: str
    trade_id: int
    price: int  # ticks
    qty: int  # lots
    buyer_is_maker: bool
    time_ms: int

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> Trade:
        return cls(
            symbol=message["symbol"],
            trade_id=message["trade_id"],
            price=message["price"],
            qty=message["qty"],
            # The aggressor is the taker: a selling aggressor hit a resting (maker) bid.
            buyer_is_maker=message["aggressor"] == "SELL",
            time_ms=message["ts_ns"] // 1_000_000,
        )


COLUMNS = "symbol, trade_id, price, qty, buyer_is_maker, trade_time_ms"


def store(
    conn: Connection,
    messages: Iterable[dict[str, Any]],
    *,
    topic: str,
    next_offsets: dict[int, int],
) -> None:
    """Store trades and the feed position that follows them in one transaction (idempotent)."""
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO market_trades ({COLUMNS}, seq) VALUES (%s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (symbol, trade_id) DO NOTHING",
            [
                (t.symbol, t.trade_id, t.price, t.qty, t.buyer_is_maker, t.time_ms, m["seq"])
                for m in messages
                for t in [Trade.from_message(m)]
            ],
        )
        cur.executemany(
            "INSERT INTO market_feed_offsets (topic, partition, next_offset) VALUES (%s, %s, %s) "
            "ON CONFLICT (topic, partition) DO UPDATE "
            "SET next_offset = GREATEST(market_feed_offsets.next_offset, EXCLUDED.next_offset)",
            [(topic, partition, offset) for partition, offset in next_offsets.items()],
        )


def positions(conn: Connection, topic: str) -> dict[int, int]:
    rows = conn.execute(
        "SELECT partition, next_offset FROM market_feed_offsets WHERE topic = %s", (topic,)
    )
    return {partition: offset for partition, offset in rows}


def _trades(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[Trade]:
    return [
        Trade(*row) for row in conn.execute(f"SELECT {COLUMNS} FROM market_trades " + sql, params)
    ]


def recent(conn: Connection, symbol: str, limit: int) -> list[Trade]:
    """The latest ``limit`` trades, oldest first."""
    trades = _trades(conn, "WHERE symbol = %s ORDER BY trade_id DESC LIMIT %s", (symbol, limit))
    return trades[::-1]


def from_id(conn: Connection, symbol: str, first_id: int, limit: int) -> list[Trade]:
    return _trades(
        conn,
        "WHERE symbol = %s AND trade_id >= %s ORDER BY trade_id LIMIT %s",
        (symbol, first_id, limit),
    )


def in_time_range(
    conn: Connection, symbol: str, start_ms: int | None, end_ms: int | None, limit: int
) -> list[Trade]:
    """Trades with start <= time <= end, oldest first; only an end: the last ``limit`` of them."""
    where = "WHERE symbol = %s AND trade_time_ms >= %s AND trade_time_ms <= %s"
    low, high = start_ms if start_ms is not None else 0, end_ms if end_ms is not None else 2**62
    if start_ms is None:
        newest = _trades(
            conn, where + " ORDER BY trade_id DESC LIMIT %s", (symbol, low, high, limit)
        )
        return newest[::-1]
    return _trades(conn, where + " ORDER BY trade_id LIMIT %s", (symbol, low, high, limit))


def last_before(conn: Connection, symbol: str, time_ms: int) -> Trade | None:
    found = _trades(
        conn,
        "WHERE symbol = %s AND trade_time_ms < %s ORDER BY trade_id DESC LIMIT 1",
        (symbol, time_ms),
    )
    return found[0] if found else None


@dataclass(frozen=True)
class Summary:
    """Open, high, low, close and volumes of a run of trades, in ticks and lots."""

    count: int
    first_id: int
    last_id: int
    open: int
    high: int
    low: int
    close: int
    last_qty: int
    volume: int
    quote_volume: int  # ticks x lots
    taker_buy_volume: int
    taker_buy_quote_volume: int


# The columns of a Summary, over the rows of one group.
SUMMARY = (
    "count(*), min(trade_id), max(trade_id), (array_agg(price ORDER BY trade_id))[1], "
    "max(price), min(price), (array_agg(price ORDER BY trade_id DESC))[1], "
    "(array_agg(qty ORDER BY trade_id DESC))[1], sum(qty), sum(price::numeric * qty), "
    "coalesce(sum(qty) FILTER (WHERE NOT buyer_is_maker), 0), "
    "coalesce(sum(price::numeric * qty) FILTER (WHERE NOT buyer_is_maker), 0)"
)


def summary(row: tuple[Any, ...]) -> Summary:
    return Summary(*(int(value) for value in row))


def summarise_since(conn: Connection, symbol: str, time_ms: int) -> Summary | None:
    """The summary of every trade at or after ``time_ms`` (a ticker's window), if any."""
    row = conn.execute(
        f"SELECT {SUMMARY} FROM market_trades WHERE symbol = %s AND trade_time_ms >= %s "
        "HAVING count(*) > 0",
        (symbol, time_ms),
    ).fetchone()
    return summary(row) if row else None
