"""One symbol's simulated market: a fair value, the price impact of order flow, and the quotes
the market makers show.

The fair value is a mean-reverting random walk with jumps scheduled in advance (so that
informed traders can act before them). Aggressive flow moves the price through an impact term
that decays: thin symbols move much more per dollar traded, which is what a pump exploits. The
quotes are tracked from the commands the simulator itself sends, so every agent prices against
the book it has built, without waiting for the engine.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass, field

from xi.markets import Market
from xi.simulation.clock import NS_PER_S


@dataclass(frozen=True)
class Liquidity:
    """How deep and how busy a symbol is."""

    makers: int
    levels: int
    half_spread_bps: float
    level_gap_bps: float
    level_usdt: int
    noise_per_s: float
    trade_usdt: int  # a typical aggressive order
    volatility_bps: float  # per square-root second
    jumps_per_min: float
    jump_bps: float
    impact_bps_per_kusdt: float  # price move per 1,000 USDT of aggressive flow
    requote_ms: int = 250


PROFILES: dict[str, Liquidity] = {
    "BTCUSDT": Liquidity(3, 3, 1.0, 1.0, 40_000, 10.0, 3_000, 1.0, 0.5, 30.0, 0.08),
    "ETHUSDT": Liquidity(3, 3, 1.5, 1.5, 20_000, 8.0, 2_000, 1.3, 0.5, 35.0, 0.12),
    "SOLUSDT": Liquidity(2, 3, 3.0, 2.0, 8_000, 5.0, 800, 2.0, 0.5, 45.0, 0.4),
    "XITUSDT": Liquidity(1, 2, 25.0, 20.0, 400, 1.0, 60, 4.0, 0.3, 150.0, 35.0, requote_ms=500),
}
# A symbol listed later without a profile trades like a mid-sized one.
DEFAULT_PROFILE = PROFILES["SOLUSDT"]
REVERSION_PER_S = 0.002  # pull of the fair value back to the reference price
IMPACT_HALF_LIFE_S = 30.0
MOMENTUM_HISTORY_S = 10.0


@dataclass
class JumpSchedule:
    at_ns: int
    bps: float


@dataclass
class SymbolMarket:
    market: Market
    liquidity: Liquidity
    reference: int  # ticks
    fair: int  # ticks
    jumps: list[JumpSchedule]
    step_s: float
    impact: float = 0.0  # ticks; a model quantity, never an order price
    bids: dict[int, list[int]] = field(default_factory=dict)  # maker account -> prices
    asks: dict[int, list[int]] = field(default_factory=dict)
    mids: deque[int] = field(default_factory=deque)
    units_per_usdt: int = 0

    def __post_init__(self) -> None:
        self.units_per_usdt = int(1 / self.market.notional_unit)
        self.mids = deque(maxlen=int(MOMENTUM_HISTORY_S / self.step_s) + 1)
        self.mids.append(self.fair)

    @property
    def symbol(self) -> str:
        return self.market.symbol

    @property
    def mid(self) -> int:
        return max(1, self.fair + round(self.impact))

    def bps(self, value: float) -> int:
        """`value` basis points of the current mid, in whole ticks (at least one)."""
        return max(1, round(self.mid * value / 10_000))

    def lots(self, usdt: float, price: int | None = None) -> int:
        """How many lots `usdt` buys at `price` (default the mid); at least the minimum."""
        ticks = price or self.mid
        lots = int(usdt * self.units_per_usdt) // max(ticks, 1)
        return max(lots, self.min_lots(ticks))

    def min_lots(self, ticks: int) -> int:
        # Twice the minimum notional, so that the engine's filter never refuses a normal order.
        min_units = int(self.market.min_notional * self.units_per_usdt) * 2
        return max(1, -(-min_units // max(ticks, 1)), self.market.lots(self.market.min_qty))

    def advance(self, now_ns: int, rng: random.Random) -> None:
        """One step of the fair value: drift back, diffuse, jump when scheduled; impact decays."""
        dt = self.step_s
        log_move = REVERSION_PER_S * dt * math.log(
            self.reference / self.fair
        ) + self.liquidity.volatility_bps / 10_000 * math.sqrt(dt) * rng.gauss(0.0, 1.0)
        while self.jumps and self.jumps[0].at_ns <= now_ns:
            log_move += self.jumps.pop(0).bps / 10_000
        self.fair = max(1, round(self.fair * math.exp(log_move)))
        self.impact *= 0.5 ** (dt / IMPACT_HALF_LIFE_S)
        self.mids.append(self.mid)

    def push(self, side: str, usdt: float) -> None:
        """Aggressive flow of `usdt` on `side` moves the price its way."""
        move = self.fair * self.liquidity.impact_bps_per_kusdt * usdt / 1_000 / 10_000
        self.impact += move if side == "BUY" else -move

    def move_bps(self, seconds: float) -> float:
        """The mid's change over the last `seconds` (bounded by the kept history), in bps."""
        back = min(len(self.mids) - 1, int(seconds / self.step_s))
        before = self.mids[-1 - back]
        return (self.mids[-1] - before) * 10_000 / before

    def best_bid(self) -> int:
        return max((prices[0] for prices in self.bids.values() if prices), default=0)

    def best_ask(self) -> int:
        return min((prices[0] for prices in self.asks.values() if prices), default=0)

    def deepest_bid(self) -> int:
        return min((prices[-1] for prices in self.bids.values() if prices), default=0)

    def deepest_ask(self) -> int:
        return max((prices[-1] for prices in self.asks.values() if prices), default=0)

    def touch(self, side: str) -> int:
        """The price an aggressive order on `side` pays: the best quote it would hit."""
        return self.best_ask() if side == "BUY" else self.best_bid()

    def inside(self) -> int | None:
        """A price strictly between the best quotes, or None when the spread is one tick."""
        bid, ask = self.best_bid(), self.best_ask()
        if not bid or not ask or ask - bid < 2:
            return None
        return (bid + ask) // 2


def schedule_jumps(
    liquidity: Liquidity, start_ns: int, duration_ns: int, rng: random.Random
) -> list[JumpSchedule]:
    """Poisson jump times over the run, each with a random sign."""
    jumps = []
    rate_per_ns = liquidity.jumps_per_min / (60 * NS_PER_S)
    t = start_ns
    while rate_per_ns > 0:
        t += int(rng.expovariate(rate_per_ns))
        # Not in the first ten seconds: informed traders need time to act before a jump.
        if t >= start_ns + duration_ns:
            break
        if t < start_ns + 10 * NS_PER_S:
            continue
        sign = 1 if rng.random() < 0.5 else -1
        jumps.append(JumpSchedule(t, sign * liquidity.jump_bps * rng.uniform(0.7, 1.3)))
    return jumps
