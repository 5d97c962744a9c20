"""Market abuse, injected with exact ground truth.

Each scenario owns its accounts and a window of simulated time on one symbol; it records the
command id of every order and cancel it sends. Windows of scenarios (and of scheduled price
jumps) never overlap on a symbol, so one scenario's signature in the trades is its own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from xi.simulation.agents import opposite, trade_size
from xi.simulation.clock import NS_PER_S
from xi.simulation.labels import Evidence
from xi.simulation.world import World


@dataclass(frozen=True)
class Window:
    start_ns: int
    end_ns: int

    def contains(self, now_ns: int) -> bool:
        return self.start_ns <= now_ns < self.end_ns

    def elapsed_s(self, now_ns: int) -> float:
        return (now_ns - self.start_ns) / NS_PER_S


@dataclass
class WashTrading:
    """Prearranged trades at a price inside the spread: each pair's resting order is crossed
    at once by its partner. `pairs` cycles (seller, buyer): two accounts of one owner trade
    back and forth; a ring passes the position round A -> B -> C -> A."""

    evidence: Evidence
    window: Window
    pairs: list[tuple[int, int]]
    _turn: int = 0

    def act(self, world: World) -> None:
        now = world.clock.now_ns
        if not self.window.contains(now) or world.rng.random() > 0.3:
            return
        m = world.markets[self.evidence.symbol]
        price = m.inside()
        if price is None:
            return
        seller, buyer = self.pairs[self._turn % len(self.pairs)]
        self._turn += 1
        lots = trade_size(world, m)
        maker, side, taker = (seller, "SELL", buyer)
        if world.rng.random() < 0.5:
            maker, side, taker = (buyer, "BUY", seller)
        flow = world.flow
        self.evidence.record(flow.limit(m, maker, side, price, lots), now)
        taken = flow.take(m, taker, opposite(side), lots, price=price, impact=False)
        self.evidence.record(taken, now)


@dataclass
class Spoofing:
    """Large orders on `evidence.side`, below the makers' deepest quote so that nobody trades
    with them; while they show, the makers lean the price their way and the abuser executes on
    the other side; then the orders are cancelled, seconds after they were placed."""

    evidence: Evidence
    window: Window
    layers: int
    _placed_ns: int | None = None
    _hold_s: float = 0.0
    _executed: bool = False

    def act(self, world: World) -> None:
        now = world.clock.now_ns
        m = world.markets[self.evidence.symbol]
        account, side = self.evidence.accounts[0], self.evidence.side or "BUY"
        if self._placed_ns is None:
            if self.window.contains(now) and now + 4 * NS_PER_S <= self.window.end_ns:
                self._place(world, account, side)
            return
        m.push(side, m.liquidity.level_usdt * self.layers * 0.2)
        held_s = (now - self._placed_ns) / NS_PER_S
        if not self._executed and held_s >= self._hold_s * 0.6:
            taken = world.flow.take(m, account, opposite(side), trade_size(world, m, 2.0))
            self.evidence.record(taken, now)
            self._executed = True
        if held_s >= self._hold_s:
            self.evidence.record(world.flow.cancel_all(m.symbol, account), now)
            self._placed_ns, self._executed = None, False

    def _place(self, world: World, account: int, side: str) -> None:
        m = world.markets[self.evidence.symbol]
        now, gap = world.clock.now_ns, m.bps(m.liquidity.level_gap_bps)
        for layer in range(1, self.layers + 1):
            if side == "BUY":
                price = m.deepest_bid() - layer * gap
            else:
                price = m.deepest_ask() + layer * gap
            lots = m.lots(m.liquidity.level_usdt * 4, price)
            self.evidence.record(world.flow.limit(m, account, side, price, lots), now)
        self._placed_ns, self._hold_s = now, world.rng.uniform(1.0, 3.0)


@dataclass
class PumpAndDump:
    """Colluding accounts buy a thin symbol in small aggressive steps, which lifts its price,
    then sell what they bought into the rise."""

    evidence: Evidence
    window: Window
    buy_share: float = 0.65
    _bought: dict[int, int] = field(default_factory=dict)

    def act(self, world: World) -> None:
        now = world.clock.now_ns
        if not self.window.contains(now) or world.rng.random() > 0.6:
            return
        m = world.markets[self.evidence.symbol]
        length_s = (self.window.end_ns - self.window.start_ns) / NS_PER_S
        usdt = m.liquidity.level_usdt * world.rng.uniform(0.4, 0.8)
        if self.window.elapsed_s(now) < self.buy_share * length_s:
            account = world.rng.choice(self.evidence.accounts)
            lots = m.lots(usdt)
            self.evidence.record(world.flow.take(m, account, "BUY", lots), now)
            self._bought[account] = self._bought.get(account, 0) + lots
            return
        holders = sorted(a for a, lots in self._bought.items() if lots > 0)
        if holders:
            account = world.rng.choice(holders)
            lots = min(self._bought[account], m.lots(usdt * 1.5))
            self.evidence.record(world.flow.take(m, account, "SELL", lots), now)
            self._bought[account] -= lots


@dataclass
class MomentumIgnition:
    """A burst of aggressive orders that sweeps the book to start a move, a pause while
    momentum traders follow, then an exit on the other side into their orders."""

    evidence: Evidence
    window: Window
    burst_s: float = 2.0
    pause_s: float = 4.0
    _position: int = 0

    def act(self, world: World) -> None:
        now = world.clock.now_ns
        if not self.window.contains(now):
            return
        m = world.markets[self.evidence.symbol]
        account, side = self.evidence.accounts[0], self.evidence.side or "BUY"
        elapsed = self.window.elapsed_s(now)
        if elapsed < self.burst_s and world.rng.random() < 0.8:
            sweep = m.deepest_ask() if side == "BUY" else m.deepest_bid()
            lots = m.lots(m.liquidity.level_usdt * 1.5)
            self.evidence.record(world.flow.take(m, account, side, lots, price=sweep), now)
            self._position += lots
        elif elapsed >= self.burst_s + self.pause_s and self._position > 0:
            lots = min(self._position, m.lots(m.liquidity.level_usdt))
            self.evidence.record(world.flow.take(m, account, opposite(side), lots), now)
            self._position -= lots


@dataclass
class MarkingTheClose:
    """Aggressive buying in the last seconds of a period, to lift the closing price."""

    evidence: Evidence
    window: Window

    def act(self, world: World) -> None:
        now = world.clock.now_ns
        if not self.window.contains(now) or world.rng.random() > 0.7:
            return
        m = world.markets[self.evidence.symbol]
        lots = m.lots(m.liquidity.level_usdt * 0.8)
        sweep = m.deepest_ask()
        taken = world.flow.take(m, self.evidence.accounts[0], "BUY", lots, price=sweep)
        self.evidence.record(taken, now)


@dataclass
class Calendar:
    """Busy windows per symbol, so that scenarios and price jumps never share one."""

    busy: dict[str, list[Window]] = field(default_factory=dict)

    def book(self, symbol: str, window: Window) -> None:
        self.busy.setdefault(symbol, []).append(window)

    def free(self, symbol: str, window: Window) -> bool:
        return all(
            window.end_ns <= other.start_ns or other.end_ns <= window.start_ns
            for other in self.busy.get(symbol, [])
        )

    def find(
        self, rng: random.Random, symbols: list[str], length_ns: int, earliest: int, latest: int
    ) -> tuple[str, Window] | None:
        """A free window of `length_ns` starting in [earliest, latest] on one of `symbols`."""
        if latest < earliest:
            return None
        for _ in range(50):
            start = rng.randint(earliest, latest)
            symbol = rng.choice(symbols)
            window = Window(start, start + length_ns)
            if self.free(symbol, window):
                self.book(symbol, window)
                return symbol, window
        return None
