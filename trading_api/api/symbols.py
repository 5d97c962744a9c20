"""The ``symbol`` and ``symbols`` parameters as Binance reads them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from trading_api.errors import BAD_COMBINATION, NOT_FOUND, ApiError
from xi import markets
from xi.markets import Market

SYMBOL_PATTERN = r"^[A-Z0-9\-_.]{1,20}$"
# The document lists the symbols; a name outside the list gets Binance's -1121, not -1100.
_LISTED = {"enum": sorted(markets.load().symbols)}
SymbolParam = Annotated[
    str, Query(pattern=SYMBOL_PATTERN, description="A listed symbol", json_schema_extra=_LISTED)
]
OptionalSymbol = Annotated[
    str | None,
    Query(pattern=SYMBOL_PATTERN, description="A listed symbol", json_schema_extra=_LISTED),
]
SymbolsParam = Annotated[
    str | None,
    Query(max_length=2000, description='A JSON array of symbols: ["BTCUSDT","ETHUSDT"]'),
]


def market(symbol: str) -> Market:
    known = markets.load().symbols.get(symbol)
    if known is None:
        raise ApiError(400, NOT_FOUND, f"Invalid symbol: {symbol}")
    return known


def parse_list(raw: str) -> list[str]:
    """``["A","B"]`` (quotes and spaces optional) as a list of names."""
    return [name.strip(' "') for name in raw.strip("[]").split(",") if name.strip(' "')]


def chosen(symbol: str | None, symbols: str | None) -> list[Market] | None:
    """The markets asked for by ``symbol`` or ``symbols``; None when neither (= all)."""
    if symbol is not None and symbols is not None:
        raise ApiError(400, BAD_COMBINATION, "Send either 'symbol' or 'symbols', not both.")
    if symbol is not None:
        return [market(symbol)]
    if symbols is not None:
        return [market(name) for name in parse_list(symbols)]
    return None
