"""What every agent sees at each step: the simulated clock, the symbols' markets, the command
stream and the run's one random generator, plus the accounts and who owns them."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Protocol

from xi.simulation.clock import SimClock
from xi.simulation.flow import OrderFlow
from xi.simulation.market import SymbolMarket


@dataclass
class Accounts:
    """Hands out account ids from a base upwards and records each one's owner and role."""

    base: int
    owners: dict[int, int] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)

    def open(self, role: str, owner: int | None = None) -> int:
        account = self.base + len(self.owners)
        self.owners[account] = account if owner is None else owner
        self.roles[account] = role
        return account

    def open_many(self, role: str, count: int) -> list[int]:
        return [self.open(role) for _ in range(count)]


@dataclass
class World:
    clock: SimClock
    markets: dict[str, SymbolMarket]
    flow: OrderFlow
    rng: random.Random
    accounts: Accounts
    end_ns: int

    def every(self, interval_ms: int) -> bool:
        """True on the steps that fall on a multiple of `interval_ms` of simulated time."""
        steps = max(1, round(interval_ms * 1_000_000 / self.clock.step_ns))
        return self.clock.step % steps == 0

    def poisson(self, mean: float) -> int:
        """A Poisson count (Knuth's method; the means here are small)."""
        limit, count, product = math.exp(-mean), 0, self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count


class Agent(Protocol):
    def act(self, world: World) -> None: ...
