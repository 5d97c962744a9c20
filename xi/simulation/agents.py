"""The market's ordinary participants: market makers, noise, momentum and informed traders.

Only market makers rest orders; everyone else trades with immediate-or-cancel orders at the
best quote, so the book the simulator tracks is the makers' quotes and nothing in it is stale
beyond one requote interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xi.simulation.market import JumpSchedule, SymbolMarket
from xi.simulation.world import World

SIDES = ("BUY", "SELL")


def opposite(side: str) -> str:
    return "SELL" if side == "BUY" else "BUY"


def trade_size(world: World, m: SymbolMarket, scale: float = 1.0) -> int:
    """A typical aggressive order: lognormal around the symbol's trade size."""
    return m.lots(m.liquidity.trade_usdt * scale * world.rng.lognormvariate(0.0, 0.6))


@dataclass
class MarketMakers:
    """The makers of one symbol: every requote interval all cancel, then all quote again
    around the current price (cancelling first keeps a new bid from crossing a stale ask)."""

    symbol: str
    accounts: list[int]

    def act(self, world: World) -> None:
        m = world.markets[self.symbol]
        if not world.every(m.liquidity.requote_ms):
            return
        for account in self.accounts:
            if account in m.bids:
                world.flow.cancel_all(self.symbol, account)
        for account in self.accounts:
            self._quote(world, m, account)

    def _quote(self, world: World, m: SymbolMarket, account: int) -> None:
        q = m.liquidity
        half, gap = m.bps(q.half_spread_bps), m.bps(q.level_gap_bps)
        bids, asks = [], []
        for level in range(q.levels):
            jitter = world.rng.randint(0, 1)
            bids.append(m.mid - half - level * gap - jitter)
            asks.append(m.mid + half + level * gap + jitter)
        for side, prices in (("BUY", bids), ("SELL", asks)):
            for price in prices:
                usdt = q.level_usdt * world.rng.uniform(0.5, 1.5)
                world.flow.limit(m, account, side, price, m.lots(usdt, price))
        m.bids[account], m.asks[account] = bids, asks


@dataclass
class NoiseTraders:
    """Orders that carry no information: random side, size and timing."""

    accounts: list[int]

    def act(self, world: World) -> None:
        for m in world.markets.values():
            for _ in range(world.poisson(m.liquidity.noise_per_s * world.clock.step_s)):
                account = world.rng.choice(self.accounts)
                world.flow.take(m, account, world.rng.choice(SIDES), trade_size(world, m))


@dataclass
class MomentumTraders:
    """Follow a recent move: buy after a rise, sell after a fall, then wait a little."""

    accounts: list[int]
    lookback_s: float = 3.0
    cooldown_s: float = 2.0
    _next_ns: dict[tuple[int, str], int] = field(default_factory=dict)

    def act(self, world: World) -> None:
        now = world.clock.now_ns
        for m in world.markets.values():
            move = m.move_bps(self.lookback_s)
            threshold = 4 * m.liquidity.volatility_bps * self.lookback_s**0.5
            if abs(move) < threshold:
                continue
            side = "BUY" if move > 0 else "SELL"
            for account in self.accounts:
                if self._next_ns.get((account, m.symbol), 0) > now or world.rng.random() > 0.1:
                    continue
                world.flow.take(m, account, side, trade_size(world, m))
                self._next_ns[(account, m.symbol)] = now + int(self.cooldown_s * 1e9)


@dataclass
class InformedTraders:
    """Know each fair-value jump a few seconds before it happens and trade its way."""

    accounts: list[int]
    jumps: dict[str, list[JumpSchedule]]
    lead_s: float = 4.0

    def act(self, world: World) -> None:
        now = world.clock.now_ns
        for symbol, jumps in self.jumps.items():
            m = world.markets[symbol]
            for jump in jumps:
                if jump.at_ns - self.lead_s * 1e9 <= now < jump.at_ns and world.rng.random() < 0.4:
                    side = "BUY" if jump.bps > 0 else "SELL"
                    account = world.rng.choice(self.accounts)
                    world.flow.take(m, account, side, trade_size(world, m, 2.0))
