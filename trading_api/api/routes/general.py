"""Binance's general endpoints: connectivity, server time and exchange information."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter

from trading_api.api.limits import weight
from trading_api.api.symbols import OptionalSymbol, SymbolsParam, chosen
from xi import markets
from xi.markets import Market

router = APIRouter(prefix="/api/v3", tags=["general"])

ORDER_TYPES = [
    "LIMIT",
    "LIMIT_MAKER",
    "MARKET",
    "STOP_LOSS",
    "STOP_LOSS_LIMIT",
    "TAKE_PROFIT",
    "TAKE_PROFIT_LIMIT",
]
STP_MODES = ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT"]
RATE_LIMITS = [
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
]


def _plain(value: Any) -> str:
    return format(value, "f")


def symbol_info(market: Market) -> dict[str, Any]:
    band = market.price_band_bps
    return {
        "symbol": market.symbol,
        "status": "TRADING",
        "baseAsset": market.base.code,
        "baseAssetPrecision": market.base.decimals,
        "quoteAsset": market.quote.code,
        "quotePrecision": market.quote.decimals,
        "quoteAssetPrecision": market.quote.decimals,
        "baseCommissionPrecision": market.base.decimals,
        "quoteCommissionPrecision": market.quote.decimals,
        "orderTypes": ORDER_TYPES,
        "icebergAllowed": True,
        "ocoAllowed": False,
        "otoAllowed": False,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": False,
        "cancelReplaceAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": _plain(market.tick_size),
                "maxPrice": "0",
                "tickSize": _plain(market.tick_size),
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": _plain(market.min_qty),
                "maxQty": _plain(market.max_qty),
                "stepSize": _plain(market.step_size),
            },
            {
                "filterType": "MARKET_LOT_SIZE",
                "minQty": _plain(market.min_qty),
                "maxQty": _plain(market.max_qty),
                "stepSize": _plain(market.step_size),
            },
            {
                "filterType": "NOTIONAL",
                "minNotional": _plain(market.min_notional),
                "applyMinToMarket": True,
                "maxNotional": "9000000000",
                "applyMaxToMarket": False,
                "avgPriceMins": 0,
            },
            {
                "filterType": "PERCENT_PRICE_BY_SIDE",
                "bidMultiplierUp": _plain(1 + band / markets.BPS),
                "bidMultiplierDown": _plain(1 - band / markets.BPS),
                "askMultiplierUp": _plain(1 + band / markets.BPS),
                "askMultiplierDown": _plain(1 - band / markets.BPS),
                "avgPriceMins": 0,
            },
            {"filterType": "ICEBERG_PARTS", "limit": 10},
        ],
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": STP_MODES,
        # This platform's addition: the fees each side pays, in basis points.
        "makerFeeBps": market.maker_fee_bps,
        "takerFeeBps": market.taker_fee_bps,
    }


@router.get("/ping", dependencies=[weight(1)])
def ping() -> dict[str, Any]:
    """Test connectivity."""
    return {}


@router.get("/time", dependencies=[weight(1)])
def server_time() -> dict[str, int]:
    return {"serverTime": int(time.time() * 1000)}


@router.get("/exchangeInfo", dependencies=[weight(20)])
def exchange_info(
    symbol: OptionalSymbol = None,
    symbols: SymbolsParam = None,
) -> dict[str, Any]:
    """Trading rules and symbol information, all symbols or the ones asked for."""
    wanted = chosen(symbol, symbols) or list(markets.load().symbols.values())
    return {
        "timezone": "UTC",
        "serverTime": int(time.time() * 1000),
        "rateLimits": RATE_LIMITS,
        "exchangeFilters": [],
        "symbols": [symbol_info(market) for market in wanted],
    }
