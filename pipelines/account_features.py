"""Surveillance features per account and symbol over tumbling windows, from both engine topics.

Per window (``XI_PIPELINES_FEATURE_WINDOW_S``) Spark adds up an account's execution reports
(new orders, cancels, fills: :func:`order_parts`) and its traded lots per counterparty from
``trades.v1`` (:func:`volume_parts`). Totals of two sets of events merge
(:meth:`AccountTotals.merge`), so the stream merges micro-batches into the windows it holds
and the batch job adds up the lake at once; :func:`features` turns the same integer totals
into the same feature values either way.

- ``order_to_trade_ratio``: new orders / fills (new orders when there was no fill);
- ``cancel_rate``: cancels / new orders (cancels when there was no new order);
- ``traded_lots``: lots the account bought or sold (a self-matched trade counts once);
- ``self_matched_lots``: lots where the account was maker and taker;
- ``share_of_volume``: ``traded_lots`` / the symbol's lots traded in the window;
- ``counterparty_hhi``: Herfindahl index of the lots traded with each other account
  (1 = a single counterparty; 0 when the account only traded with itself or not at all).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd
from pyspark.sql import Column, DataFrame, Row
from pyspark.sql import functions as F

WindowKey = tuple[int, str, int]  # account, symbol, window start (ns since the epoch)
SymbolWindow = tuple[str, int]  # symbol, window start


def _start(window_ns: int) -> Column:
    return (F.expr(f"ts_ns div {window_ns}") * window_ns).alias("start_ns")


def order_parts(executions: DataFrame, window_ns: int) -> DataFrame:
    """Per account, symbol and window: new orders, cancels and fills in ``executions.v1``."""
    kind = F.col("exec_type")
    return (
        executions.where(kind.isin("NEW", "CANCELED", "TRADE"))
        .groupBy("account", "symbol", _start(window_ns))
        .agg(
            F.count_if(kind == "NEW").alias("new_orders"),
            F.count_if(kind == "CANCELED").alias("cancels"),
            F.count_if(kind == "TRADE").alias("fills"),
            F.max("ts_ns").alias("last_ts_ns"),
        )
    )


def volume_parts(trades: DataFrame, window_ns: int) -> DataFrame:
    """Per account, counterparty, symbol and window: lots traded, from ``trades.v1``.

    Each trade counts for both its accounts; a self-matched trade once, with the account as
    its own counterparty.
    """
    sides = F.array(
        F.struct(
            F.col("maker_account").alias("account"), F.col("taker_account").alias("counterparty")
        ),
        F.struct(
            F.col("taker_account").alias("account"), F.col("maker_account").alias("counterparty")
        ),
    )
    return (
        trades.select("symbol", "ts_ns", "qty", F.posexplode(sides).alias("side", "pair"))
        .where((F.col("side") == 0) | (F.col("pair.account") != F.col("pair.counterparty")))
        .groupBy("pair.account", "pair.counterparty", "symbol", _start(window_ns))
        .agg(F.sum("qty").alias("lots"), F.max("ts_ns").alias("last_ts_ns"))
    )


@dataclass
class AccountTotals:
    new_orders: int = 0
    cancels: int = 0
    fills: int = 0
    lots_by_counterparty: dict[int, int] = field(default_factory=dict)
    last_ts_ns: int = 0

    def merge(self, other: AccountTotals) -> AccountTotals:
        lots = dict(self.lots_by_counterparty)
        for counterparty, traded in other.lots_by_counterparty.items():
            lots[counterparty] = lots.get(counterparty, 0) + traded
        return AccountTotals(
            new_orders=self.new_orders + other.new_orders,
            cancels=self.cancels + other.cancels,
            fills=self.fills + other.fills,
            lots_by_counterparty=lots,
            last_ts_ns=max(self.last_ts_ns, other.last_ts_ns),
        )

    def to_list(self) -> list[object]:
        pairs = sorted(self.lots_by_counterparty.items())
        return [self.new_orders, self.cancels, self.fills, pairs, self.last_ts_ns]

    @classmethod
    def from_list(cls, values: list) -> AccountTotals:
        new_orders, cancels, fills, pairs, last_ts_ns = values
        return cls(new_orders, cancels, fills, {int(c): int(v) for c, v in pairs}, last_ts_ns)


@dataclass
class Activity:
    """What a set of events adds to each window: per account, and per symbol's lots."""

    accounts: dict[WindowKey, AccountTotals] = field(default_factory=dict)
    symbol_lots: dict[SymbolWindow, int] = field(default_factory=dict)

    def merge(self, other: Activity) -> set[WindowKey]:
        """Add ``other`` in place; the account windows it changed."""
        for key, totals in other.accounts.items():
            held = self.accounts.get(key)
            self.accounts[key] = totals if held is None else held.merge(totals)
        for key, lots in other.symbol_lots.items():
            self.symbol_lots[key] = self.symbol_lots.get(key, 0) + lots
        return set(other.accounts)

    def close(self, before_ns: int, window_ns: int) -> Activity:
        """Take out and return every window that ended by ``before_ns``."""
        closed = Activity(
            {k: v for k, v in self.accounts.items() if k[2] + window_ns <= before_ns},
            {k: v for k, v in self.symbol_lots.items() if k[1] + window_ns <= before_ns},
        )
        for key in closed.accounts:
            del self.accounts[key]
        for symbol_window in closed.symbol_lots:
            del self.symbol_lots[symbol_window]
        return closed

    def to_json(self) -> dict[str, list]:
        return {
            "accounts": [[*key, totals.to_list()] for key, totals in self.accounts.items()],
            "symbol_lots": [[*key, lots] for key, lots in self.symbol_lots.items()],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, list]) -> Activity:
        return cls(
            {(a, s, t): AccountTotals.from_list(v) for a, s, t, v in data["accounts"]},
            {(s, t): lots for s, t, lots in data["symbol_lots"]},
        )


def activity(order_rows: Iterable[Row], volume_rows: Iterable[Row]) -> Activity:
    """Collected rows of :func:`order_parts` and :func:`volume_parts`, added up per window."""
    found = Activity()
    for row in order_rows:
        found.merge(
            Activity(
                {
                    (row["account"], row["symbol"], row["start_ns"]): AccountTotals(
                        row["new_orders"], row["cancels"], row["fills"], {}, row["last_ts_ns"]
                    )
                }
            )
        )
    for row in volume_rows:
        account, counterparty = row["account"], row["counterparty"]
        symbol_window = (row["symbol"], row["start_ns"])
        # Each trade between two accounts has a row for each side: count the symbol once.
        symbol_lots = {symbol_window: row["lots"]} if account <= counterparty else {}
        found.merge(
            Activity(
                {
                    (account, *symbol_window): AccountTotals(
                        lots_by_counterparty={counterparty: row["lots"]},
                        last_ts_ns=row["last_ts_ns"],
                    )
                },
                symbol_lots,
            )
        )
    return found


FEATURE_COLUMNS = [
    "new_orders",
    "cancels",
    "fills",
    "order_to_trade_ratio",
    "cancel_rate",
    "traded_lots",
    "self_matched_lots",
    "share_of_volume",
    "counterparty_hhi",
    "counterparties",
]


def features(key: WindowKey, totals: AccountTotals, symbol_lots: int) -> dict[str, object]:
    """The feature values of one account window (see the module's doc)."""
    account = key[0]
    traded = sum(totals.lots_by_counterparty.values())
    others = {c: v for c, v in totals.lots_by_counterparty.items() if c != account}
    with_others = sum(others.values())
    return {
        "new_orders": totals.new_orders,
        "cancels": totals.cancels,
        "fills": totals.fills,
        "order_to_trade_ratio": totals.new_orders / max(totals.fills, 1),
        "cancel_rate": totals.cancels / max(totals.new_orders, 1),
        "traded_lots": traded,
        "self_matched_lots": totals.lots_by_counterparty.get(account, 0),
        "share_of_volume": traded / symbol_lots if symbol_lots else 0.0,
        "counterparty_hhi": (
            sum((lots / with_others) ** 2 for lots in others.values()) if with_others else 0.0
        ),
        "counterparties": len(others),
    }


def feature_rows(
    found: Activity, keys: Iterable[WindowKey], window_ns: int, *, as_of: str
) -> pd.DataFrame:
    """Feast rows of ``account_activity`` for ``keys`` of ``found``.

    ``as_of="end"`` times a row at its window's end (a closed window, for the lake);
    ``as_of="last"`` at the window's latest event (an open window, for the online store).
    """
    rows = []
    for key in sorted(keys):
        totals = found.accounts[key]
        account, symbol, start_ns = key
        stamp = start_ns + window_ns if as_of == "end" else totals.last_ts_ns
        rows.append(
            {
                "account": account,
                "symbol": symbol,
                "window_start": pd.Timestamp(start_ns, unit="ns", tz="UTC"),
                "event_timestamp": pd.Timestamp(stamp, unit="ns", tz="UTC"),
                **features(key, totals, found.symbol_lots.get((symbol, start_ns), 0)),
            }
        )
    columns = ["account", "symbol", "window_start", "event_timestamp", *FEATURE_COLUMNS]
    return pd.DataFrame(rows, columns=columns)
