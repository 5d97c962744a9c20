"""Klines (candlesticks) computed from the stored trades, with Binance's intervals.

Buckets are aligned as Binance aligns them: fixed intervals on multiples of their length since
the epoch, weeks on Mondays 00:00 UTC, months on the first day 00:00 UTC. An interval without
trades has no kline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from psycopg import Connection

from trading_api.market.trades import SUMMARY, Summary, summary

SECOND_MS = 1000
MINUTE_MS = 60 * SECOND_MS
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
MONDAY_AFTER_EPOCH_MS = 4 * DAY_MS  # 1970-01-05, the first Monday
LONGEST_MONTH_MS = 31 * DAY_MS


@dataclass(frozen=True)
class Interval:
    name: str
    length_ms: int  # for months: the longest month, a bound only
    origin_ms: int = 0
    calendar_month: bool = False

    def bucket_sql(self) -> str:
        """The open time of a trade's kline, from its ``trade_time_ms``."""
        if self.calendar_month:
            return (
                "(extract(epoch FROM date_trunc('month', "
                "to_timestamp(trade_time_ms / 1000.0) AT TIME ZONE 'UTC')) * 1000)::bigint"
            )
        return f"trade_time_ms - (trade_time_ms - {self.origin_ms}) %% {self.length_ms}"

    def close_time(self, open_ms: int) -> int:
        if not self.calendar_month:
            return open_ms + self.length_ms - 1
        opened = datetime.fromtimestamp(open_ms / 1000, UTC)
        year, month = divmod(opened.month, 12)
        following = opened.replace(year=opened.year + year, month=month + 1)
        return int(following.timestamp() * 1000) - 1


INTERVALS = {
    interval.name: interval
    for interval in [
        Interval("1s", SECOND_MS),
        *(Interval(f"{n}m", n * MINUTE_MS) for n in (1, 3, 5, 15, 30)),
        *(Interval(f"{n}h", n * HOUR_MS) for n in (1, 2, 4, 6, 8, 12)),
        Interval("1d", DAY_MS),
        Interval("3d", 3 * DAY_MS),
        Interval("1w", 7 * DAY_MS, origin_ms=MONDAY_AFTER_EPOCH_MS),
        Interval("1M", LONGEST_MONTH_MS, calendar_month=True),
    ]
}


@dataclass(frozen=True)
class Kline:
    open_time: int
    close_time: int
    summary: Summary


def klines(
    conn: Connection,
    *,
    symbol: str,
    interval: Interval,
    start_ms: int | None,
    end_ms: int | None,
    limit: int,
) -> list[Kline]:
    """Klines opening in [start, end], oldest first: from ``start`` forwards, else the latest."""
    bucket = interval.bucket_sql()
    first_open = start_ms if start_ms is not None else 0
    last_open = end_ms if end_ms is not None else 2**62
    forwards = start_ms is not None
    rows = conn.execute(
        f"SELECT bucket, {SUMMARY} FROM ("
        f"  SELECT *, {bucket} AS bucket FROM market_trades"
        "   WHERE symbol = %s AND trade_time_ms >= %s AND trade_time_ms <= %s"
        ") AS t WHERE bucket >= %s AND bucket <= %s "
        f"GROUP BY bucket ORDER BY bucket {'ASC' if forwards else 'DESC'} LIMIT %s",
        (
            symbol,
            first_open,
            min(last_open + interval.length_ms, 2**62),
            first_open,
            last_open,
            limit,
        ),
    ).fetchall()
    found = [Kline(int(r[0]), interval.close_time(int(r[0])), summary(r[1:])) for r in rows]
    return found if forwards else found[::-1]
