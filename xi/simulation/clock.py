"""Simulated time: the only clock that decisions see; it stamps `ts_ns` on every command."""

from __future__ import annotations

from dataclasses import dataclass

NS_PER_S = 1_000_000_000


@dataclass
class SimClock:
    start_ns: int
    step_ns: int
    step: int = 0

    @property
    def now_ns(self) -> int:
        return self.start_ns + self.step * self.step_ns

    @property
    def elapsed_s(self) -> float:
        return self.step * self.step_ns / NS_PER_S

    @property
    def step_s(self) -> float:
        return self.step_ns / NS_PER_S

    def advance(self) -> None:
        self.step += 1

    def at(self, offset_s: float) -> int:
        """The simulated time `offset_s` seconds after the start."""
        return self.start_ns + int(offset_s * NS_PER_S)
