"""The exchange's symbols as Spark columns: exact decimal prices and quantities."""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.types import DecimalType

from xi import markets

# A tick or step size: at most 8 decimals (the assets' precision) and below 10**2.
UNIT = DecimalType(10, 8)
# An i64 count of ticks or lots times a unit: exact, with room for every i64.
AMOUNT = DecimalType(30, 8)
# An i64 count as a decimal, so that products of counts do not overflow.
COUNT = DecimalType(19, 0)


def known_symbols() -> list[str]:
    return sorted(markets.load().symbols)


def _unit_by_symbol(attribute: str) -> Column:
    pairs = []
    for symbol, market in sorted(markets.load().symbols.items()):
        pairs += [F.lit(symbol), F.lit(getattr(market, attribute)).cast(UNIT)]
    return F.create_map(*pairs)


def _scaled(count: str, attribute: str) -> Column:
    unit = F.element_at(_unit_by_symbol(attribute), F.col("symbol"))
    return (F.col(count).cast(COUNT) * unit).cast(AMOUNT)


def price(ticks: str = "price") -> Column:
    """The decimal price of a count of ticks; null for a symbol the exchange does not list."""
    return _scaled(ticks, "tick_size")


def quantity(lots: str = "qty") -> Column:
    """The decimal quantity of a count of lots; null for a symbol the exchange does not list."""
    return _scaled(lots, "step_size")
