"""Traders the risk model must learn to notice, each labelled: a balance concentrated in one
position, fat-finger orders, and an account whose behaviour changes when it is taken over."""

from __future__ import annotations

from dataclasses import dataclass

from xi.simulation.agents import SIDES, trade_size
from xi.simulation.labels import Evidence
from xi.simulation.world import World


@dataclass
class ConcentratedTrader:
    """Spends most of a balance buying one symbol, slice by slice."""

    evidence: Evidence
    balance_usdt: int
    share: float = 0.9
    slice_share: float = 0.04
    _spent: float = 0.0

    def act(self, world: World) -> None:
        if self._spent >= self.balance_usdt * self.share or not world.every(2_000):
            return
        m = world.markets[self.evidence.symbol]
        usdt = self.balance_usdt * self.slice_share
        taken = world.flow.take(m, self.evidence.accounts[0], "BUY", m.lots(usdt))
        self.evidence.record(taken, world.clock.now_ns)
        self._spent += usdt


@dataclass
class FatFinger:
    """One mistyped order at `at_ns`: either the size is eighty times too large (an IOC at the
    best quote) or the price is off by a factor of ten (the engine's price band refuses it)."""

    evidence: Evidence
    at_ns: int
    wrong_price: bool
    _done: bool = False

    def act(self, world: World) -> None:
        now = world.clock.now_ns
        if self._done or now < self.at_ns:
            return
        self._done = True
        m = world.markets[self.evidence.symbol]
        account, side = self.evidence.accounts[0], self.evidence.side or "BUY"
        if self.wrong_price:
            price = m.mid * 10 if side == "BUY" else max(1, m.mid // 10)
            self.evidence.record(world.flow.limit(m, account, side, price, m.lots(500)), now)
        else:
            lots = trade_size(world, m, 80.0)
            self.evidence.record(world.flow.take(m, account, side, lots), now)


@dataclass
class TakenOverAccount:
    """Trades rarely and small in its home symbol; from `switch_ns` on (the takeover), often,
    five times larger and in symbols it never traded. Only the new behaviour is labelled."""

    home: str
    account: int
    switch_ns: int
    evidence: Evidence

    def act(self, world: World) -> None:
        now = world.clock.now_ns
        side = world.rng.choice(SIDES)
        if now < self.switch_ns:
            if world.rng.random() < 0.03:
                m = world.markets[self.home]
                world.flow.take(m, self.account, side, trade_size(world, m, 0.5))
            return
        others = sorted(s for s in world.markets if s != self.home) or [self.home]
        if world.rng.random() < 0.15:
            m = world.markets[world.rng.choice(others)]
            taken = world.flow.take(m, self.account, side, trade_size(world, m, 5.0))
            self.evidence.record(taken, now)
