"""In-memory L2 order books, rebuilt from the engine's book.v1 stream.

A book starts at a SNAPSHOT and applies every DEPTH_UPDATE whose ``first_seq`` is past the
book's sequence; older ones are replays and are skipped. A later SNAPSHOT of the same symbol
is a check: the book must equal it, otherwise an update was lost, the gap is counted and the
book is replaced by the snapshot (resync).

Prices and quantities stay in ticks and lots; the API edge converts them to decimals.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

Level = tuple[int, int]  # (price ticks, quantity lots)


@dataclass
class DepthChange:
    """What one DEPTH_UPDATE did to a book: Binance's diff depth event in integer units.

    ``first_update_id`` is one past the book's previous sequence, so the changes of one symbol
    chain without holes (U = previous u + 1) even though the engine's sequence is per shard.
    """

    symbol: str
    first_update_id: int
    last_update_id: int
    event_time_ms: int
    bids: list[Level]
    asks: list[Level]


@dataclass
class Book:
    symbol: str
    seq: int
    bids: dict[int, int] = field(default_factory=dict)
    asks: dict[int, int] = field(default_factory=dict)

    def apply(self, bids: list[list[int]], asks: list[list[int]]) -> None:
        for side, levels in ((self.bids, bids), (self.asks, asks)):
            for price, qty in levels:
                if qty == 0:
                    side.pop(price, None)
                else:
                    side[price] = qty

    def top(self, depth: int) -> tuple[list[Level], list[Level]]:
        """The best ``depth`` levels of each side, best first."""
        bids = sorted(self.bids.items(), key=lambda level: -level[0])[:depth]
        asks = sorted(self.asks.items())[:depth]
        return bids, asks


class Books:
    """Every symbol's book, shared between the feed thread and request handlers."""

    def __init__(self) -> None:
        self._books: dict[str, Book] = {}
        self._lock = threading.Lock()
        self.gaps = 0  # snapshots that disagreed with the book: updates were lost

    def apply(self, message: dict[str, Any]) -> DepthChange | None:
        """Apply one book.v1 message; return the change to publish, if it changed a book."""
        symbol, last_seq = message["symbol"], message["last_seq"]
        with self._lock:
            book = self._books.get(symbol)
            if message["type"] == "SNAPSHOT":
                fresh = Book(symbol, last_seq)
                fresh.apply(message["bids"], message["asks"])
                if book is not None and book.seq > last_seq:
                    return None  # older than what the book already shows
                if book is not None and (book.bids, book.asks) != (fresh.bids, fresh.asks):
                    self.gaps += 1
                self._books[symbol] = fresh
                return None
            if book is None or message["first_seq"] <= book.seq:
                return None
            first_update_id = book.seq + 1
            book.apply(message["bids"], message["asks"])
            book.seq = last_seq
        return DepthChange(
            symbol=symbol,
            first_update_id=first_update_id,
            last_update_id=last_seq,
            event_time_ms=message["ts_ns"] // 1_000_000,
            bids=[(price, qty) for price, qty in message["bids"]],
            asks=[(price, qty) for price, qty in message["asks"]],
        )

    def drop(self, symbols: set[str]) -> None:
        """Forget books whose stream can no longer be trusted; the next snapshot restarts them."""
        with self._lock:
            for symbol in symbols:
                self._books.pop(symbol, None)

    def symbols(self) -> list[str]:
        with self._lock:
            return list(self._books)

    def top(self, symbol: str, depth: int) -> tuple[int, list[Level], list[Level]]:
        """(sequence, bids, asks) of a symbol; an unknown or not yet synced book is empty."""
        with self._lock:
            book = self._books.get(symbol)
            if book is None:
                return 0, [], []
            bids, asks = book.top(depth)
            return book.seq, bids, asks
