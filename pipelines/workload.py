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

from xi import markets, topics

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


Message = dict[str, Any]


class ActivityWorkload:
    """Execution reports and the trades they make, shaped per ``executions.v1`` and ``trades.v1``.

    Each step one account rests an order; then either another account (now and then the same
    one: a self-matched trade) takes it in full, or its owner cancels it. Sequence numbers are
    gap-free per symbol's shard over both topics, as the engine numbers them.
    """

    def __init__(self, symbols: list[str], accounts: list[int], seed: int) -> None:
        self.trades = TradeWorkload(symbols, seed)
        self.random = self.trades.random
        self.accounts = accounts
        self.order_id = 0

    def _report(self, symbol: str, ts_ns: int, account: int, order_id: int) -> Message:
        self.trades.seq[symbol] += 1
        return {
            "seq": self.trades.seq[symbol],
            "shard": self.trades.symbols.index(symbol),
            "ts_ns": ts_ns,
            "symbol": symbol,
            "account": account,
            "order_id": order_id,
            "command_id": None,
            "client_order_id": None,
        }

    def _new(self, symbol: str, ts_ns: int, account: int, side: str, qty: int) -> Message:
        self.order_id += 1
        return {
            **self._report(symbol, ts_ns, account, self.order_id),
            "exec_type": "NEW",
            "side": side,
            "order_type": "LIMIT",
            "time_in_force": "GTC",
            "price": self.trades.ticks[symbol],
            "qty": qty,
            "quote_qty": 0,
        }

    def step(self, ts_ns: int) -> list[tuple[str, Message]]:
        """One resting order and what became of it, as (topic, message) in engine order."""
        symbol = self.random.choice(self.trades.symbols)
        maker = self.random.choice(self.accounts)
        qty = self.random.randint(1, 5000)
        side = self.random.choice(("BUY", "SELL"))
        rest = self._new(symbol, ts_ns, maker, side, qty)
        events: list[tuple[str, Message]] = [(topics.EXECUTIONS, rest)]
        if self.random.random() < 0.3:
            cancel = {
                **self._report(symbol, ts_ns, maker, rest["order_id"]),
                "exec_type": "CANCELED",
                "qty": qty,
                "remaining_qty": 0,
                "reason": "USER",
            }
            return [*events, (topics.EXECUTIONS, cancel)]
        taker = maker if self.random.random() < 0.15 else self.random.choice(self.accounts)
        taker_side = "SELL" if side == "BUY" else "BUY"
        take = self._new(symbol, ts_ns, taker, taker_side, qty)
        self.trades.trade_id[symbol] += 1
        trade = {
            **self._report(symbol, ts_ns, 0, 0),
            "trade_id": self.trades.trade_id[symbol],
            "price": rest["price"],
            "qty": qty,
            "aggressor": taker_side,
            "maker_order_id": rest["order_id"],
            "taker_order_id": take["order_id"],
            "maker_account": maker,
            "taker_account": taker,
        }
        del trade["account"], trade["order_id"], trade["command_id"], trade["client_order_id"]
        fills = [
            {
                **self._report(symbol, ts_ns, account, order["order_id"]),
                "exec_type": "TRADE",
                "side": order["side"],
                "price": rest["price"],
                "qty": qty,
                "trade_id": trade["trade_id"],
                "liquidity": liquidity,
                "counter_order_id": counter["order_id"],
            }
            for account, order, counter, liquidity in (
                (maker, rest, take, "MAKER"),
                (taker, take, rest, "TAKER"),
            )
        ]
        return [
            *events,
            (topics.EXECUTIONS, take),
            (topics.TRADES, trade),
            *((topics.EXECUTIONS, fill) for fill in fills),
        ]

    def events(self, start_ns: int, steps: int, spacing_ns: int) -> list[tuple[str, Message]]:
        """``steps`` steps from ``start_ns``, one every ``spacing_ns``."""
        return [event for n in range(steps) for event in self.step(start_ns + n * spacing_ns)]


def encode_event(topic: str, message: Message) -> tuple[bytes, bytes]:
    """The Kafka (key, value) of an event: reports by account, the others by symbol."""
    key = str(message["account"]) if topic == topics.EXECUTIONS else message["symbol"]
    return key.encode(), json.dumps(message, separators=(",", ":")).encode()
