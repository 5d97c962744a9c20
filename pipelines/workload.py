"""Trades shaped per ``trades.v1``, made up for the pipelines' tests and benchmark.

Each symbol trades on its own shard with gap-free sequence numbers and trade ids, at prices
that walk around the symbol's reference price, so that bars have real highs, lows and VWAPs.
The same seed gives the same trades.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

from xi import markets

Trade = dict[str, Any]


class TradeWorkload:
    def __init__(self, symbols: list[str], seed: int) -> None:
        catalogue = markets.load()
        self.random = random.Random(seed)
        self.symbols = symbols
        self.ticks = {
            s: catalogue.market(s).ticks(catalogue.market(s).reference_price) for s in symbols
        }
        self.seq = dict.fromkeys(symbols, 0)
        self.trade_id = dict.fromkeys(symbols, 0)
        self.order_id = 0

    def trade(self, symbol: str, ts_ns: int) -> Trade:
        """The next trade of ``symbol`` at ``ts_ns``."""
        step = max(1, self.ticks[symbol] // 2000)
        self.ticks[symbol] = max(1, self.ticks[symbol] + self.random.randint(-3, 3) * step)
        self.seq[symbol] += 1
        self.trade_id[symbol] += 1
        self.order_id += 2
        return {
            "seq": self.seq[symbol],
            "shard": self.symbols.index(symbol),
            "ts_ns": ts_ns,
            "symbol": symbol,
            "trade_id": self.trade_id[symbol],
            "price": self.ticks[symbol],
            "qty": self.random.randint(1, 5000),
            "aggressor": self.random.choice(("BUY", "SELL")),
            "maker_order_id": self.order_id - 1,
            "taker_order_id": self.order_id,
            "maker_account": self.random.randint(1, 50),
            "taker_account": self.random.randint(1, 50),
        }

    def trades(self, start_ns: int, count: int, spacing_ns: int) -> Iterator[Trade]:
        """``count`` trades from ``start_ns``, a command every ``spacing_ns`` filling 1-3 trades."""
        ts_ns = start_ns
        made = 0
        while made < count:
            symbol = self.random.choice(self.symbols)
            for _ in range(min(self.random.randint(1, 3), count - made)):
                yield self.trade(symbol, ts_ns)
                made += 1
            ts_ns += spacing_ns


def encode(trade: Trade) -> tuple[bytes, bytes]:
    """The Kafka (key, value) of a trade: keyed by symbol, as the engine writes it."""
    return trade["symbol"].encode(), json.dumps(trade, separators=(",", ":")).encode()
