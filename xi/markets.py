"""Assets and symbols of the exchange, and the one place that converts decimals to integers.

At the API edge prices and quantities are decimals (sent as strings); the engine and the
ledger count in integers. Conversion refuses a value that is not a whole number of ticks or
lots instead of rounding it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

MARKETS_FILE = Path(__file__).with_name("markets.yaml")
BPS = Decimal(10_000)


class MarketError(ValueError):
    """A value does not fit a symbol's filters; the message names the filter."""


@dataclass(frozen=True)
class Asset:
    code: str
    decimals: int

    @property
    def unit(self) -> Decimal:
        return Decimal(1).scaleb(-self.decimals)


@dataclass(frozen=True)
class Market:
    symbol: str
    base: Asset
    quote: Asset
    tick_size: Decimal
    step_size: Decimal
    min_qty: Decimal
    max_qty: Decimal
    min_notional: Decimal
    price_band_bps: int
    reference_price: Decimal
    maker_fee_bps: int
    taker_fee_bps: int

    def ticks(self, price: Decimal) -> int:
        return _whole(price, self.tick_size, "PRICE_FILTER", "tick size")

    def lots(self, quantity: Decimal) -> int:
        return _whole(quantity, self.step_size, "LOT_SIZE", "step size")

    def price(self, ticks: int) -> Decimal:
        return self.tick_size * ticks

    def quantity(self, lots: int) -> Decimal:
        return self.step_size * lots

    def notional(self, ticks: int, lots: int) -> Decimal:
        """Quote amount of ``lots`` at ``ticks``: exact, in the quote asset."""
        return self.tick_size * self.step_size * ticks * lots

    @property
    def notional_unit(self) -> Decimal:
        """The quote amount of one lot at one tick: the engine's notional unit."""
        return self.tick_size * self.step_size

    def engine_rules(self) -> dict[str, int]:
        """The symbol's filters in the engine's integer units."""
        return {
            "tick_size": 1,
            "lot_size": 1,
            "min_qty": self.lots(self.min_qty),
            "max_qty": self.lots(self.max_qty),
            "min_notional": int(self.min_notional / self.notional_unit),
            "price_band_bps": self.price_band_bps,
        }


def _whole(value: Decimal, size: Decimal, filter_name: str, what: str) -> int:
    if not value.is_finite():
        raise MarketError(f"{filter_name}: {value} is not a finite number")
    count = value / size
    if count != count.to_integral_value():
        raise MarketError(f"{filter_name}: {value} is not a multiple of the {what} {size}")
    return int(count)


@dataclass(frozen=True)
class Markets:
    assets: dict[str, Asset]
    symbols: dict[str, Market]

    def market(self, symbol: str) -> Market:
        try:
            return self.symbols[symbol]
        except KeyError:
            raise MarketError(f"unknown symbol {symbol!r}") from None


def parse(raw: dict) -> Markets:
    assets = {code: Asset(code, int(spec["decimals"])) for code, spec in raw["assets"].items()}
    symbols = {}
    for spec in raw["symbols"]:
        decimal_fields = (
            "tick_size",
            "step_size",
            "min_qty",
            "max_qty",
            "min_notional",
            "reference_price",
        )
        symbols[spec["symbol"]] = Market(
            symbol=spec["symbol"],
            base=assets[spec["base"]],
            quote=assets[spec["quote"]],
            price_band_bps=int(spec["price_band_bps"]),
            maker_fee_bps=int(spec["maker_fee_bps"]),
            taker_fee_bps=int(spec["taker_fee_bps"]),
            **{name: Decimal(spec[name]) for name in decimal_fields},
        )
    return Markets(assets, symbols)


@cache
def load(path: Path = MARKETS_FILE) -> Markets:
    return parse(yaml.safe_load(path.read_text()))


def write_private_copy(directory: Path, source: Path = MARKETS_FILE) -> Path:
    """The same symbols under names of their own (BTCUSDT -> BTC7F3A2CUSDT), as a new file.

    The engine and its topics are shared by every deployment on a Kafka cluster; a test run or
    a benchmark that trades symbols of its own keeps its books apart from everyone else's.
    """
    raw = yaml.safe_load(source.read_text())
    tag = uuid.uuid4().hex[:6].upper()
    for spec in raw["symbols"]:
        spec["symbol"] = f"{spec['base']}{tag}{spec['quote']}"
    path = directory / f"markets-{tag}.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path
