"""Spread and top-of-book depth per symbol and second, from the engine's ``book.v1``.

The books are rebuilt as the trading API rebuilds them (:class:`trading_api.market.books.Books`:
from a ``SNAPSHOT``, then every newer ``DEPTH_UPDATE``), in Kafka order (one symbol, one
partition). Each second of a symbol gets the book as it stood after the last message of that
second; InfluxDB keeps one point per symbol and second, so a redone batch overwrites it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pyspark.sql import DataFrame, Row

from trading_api.market.books import Books, Level

SECOND_NS = 1_000_000_000
DEPTH_LEVELS = 5  # the "depth" fields add up this many best levels per side


@dataclass(frozen=True)
class TopOfBook:
    symbol: str
    second_ns: int  # start of the second
    ts_ns: int  # the last book message of the second
    bids: list[Level]  # best first, at most DEPTH_LEVELS
    asks: list[Level]


def book_messages(book: DataFrame) -> list[Row]:
    """A batch's ``book.v1`` rows in Kafka order."""
    # Sorted here: a batch's book rows are few, and a Spark sort would cost two more jobs.
    return sorted(book.collect(), key=lambda row: (row["kafka_partition"], row["kafka_offset"]))


def apply_all(books: Books, messages: Iterable[Row]) -> dict[tuple[str, int], TopOfBook]:
    """Apply ``messages`` to ``books``; per (symbol, second) the top of its book after the last."""
    tops: dict[tuple[str, int], TopOfBook] = {}
    for row in messages:
        message = row.asDict()
        books.apply(message)
        seq, bids, asks = books.top(message["symbol"], DEPTH_LEVELS)
        if seq == 0:
            continue  # no snapshot of this book yet
        second = message["ts_ns"] // SECOND_NS * SECOND_NS
        tops[(message["symbol"], second)] = TopOfBook(
            message["symbol"], second, message["ts_ns"], bids, asks
        )
    return tops


def dump(books: Books) -> dict[str, Any]:
    """Every book, as ``book.v1`` snapshots (for the job's saved state)."""
    found = {}
    for symbol in books.symbols():
        seq, bids, asks = books.top(symbol, sys.maxsize)
        found[symbol] = {"seq": seq, "bids": bids, "asks": asks}
    return found


def load(saved: dict[str, Any]) -> Books:
    books = Books()
    for symbol, book in saved.items():
        books.apply(
            {
                "type": "SNAPSHOT",
                "symbol": symbol,
                "first_seq": book["seq"],
                "last_seq": book["seq"],
                "bids": book["bids"],
                "asks": book["asks"],
            }
        )
    return books
