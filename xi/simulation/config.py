"""What a simulation run is made of: every knob that changes the command stream."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from xi import markets

# Simulated time starts here unless configured: a fixed instant, so that the same seed gives
# the same stream byte for byte on any day.
DEFAULT_START_NS = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000_000
# Simulated accounts live far above the trading API's account ids, so they never collide.
ACCOUNT_BASE = 1_000_000
DEFAULT_SYMBOLS = ("BTCUSDT", "ETHUSDT", "SOLUSDT", "XITUSDT")


class ConfigError(ValueError):
    """A configuration value is out of range; the message names it."""


@dataclass(frozen=True)
class SimulationConfig:
    seed: int = 7
    minutes: float = 1.0
    symbols: tuple[str, ...] = DEFAULT_SYMBOLS
    traders: int = 40  # background accounts (noise, momentum, informed)
    abuse_intensity: float = 1.0  # scenarios of each abuse typology per simulated minute
    start_ns: int = DEFAULT_START_NS
    step_ms: int = 100
    close_period_s: int = 60  # the period whose close is marked
    account_base: int = ACCOUNT_BASE

    def __post_init__(self) -> None:
        if not 0 < self.minutes <= 24 * 60:
            raise ConfigError(f"minutes must be in (0, 1440], got {self.minutes}")
        if not self.symbols:
            raise ConfigError("symbols: at least one is needed")
        if len(set(self.symbols)) != len(self.symbols):
            raise ConfigError(f"symbols repeat: {', '.join(self.symbols)}")
        known = markets.load().symbols
        unknown = [s for s in self.symbols if s not in known]
        if unknown:
            raise ConfigError(f"unknown symbols {unknown}; known: {', '.join(sorted(known))}")
        if self.traders < 4:
            raise ConfigError(f"traders must be at least 4, got {self.traders}")
        if not 0 <= self.abuse_intensity <= 100:
            raise ConfigError(f"abuse_intensity must be in [0, 100], got {self.abuse_intensity}")
        if not 10 <= self.step_ms <= 1_000:
            raise ConfigError(f"step_ms must be in [10, 1000], got {self.step_ms}")
        if self.close_period_s < 10:
            raise ConfigError(f"close_period_s must be at least 10, got {self.close_period_s}")
        if self.start_ns < 0:
            raise ConfigError("start_ns must not be negative")

    @property
    def duration_ns(self) -> int:
        return int(self.minutes * 60 * 1_000_000_000)

    @property
    def run_id(self) -> str:
        """A short digest of the configuration: the prefix of every command id of the run."""
        canonical = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:10]
