"""Binance's user data stream keys: open, keep alive and close (API key, not signed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from trading_api import user_stream
from trading_api.api.deps import require_roles
from trading_api.api.limits import weight
from trading_api.auth import Principal, Role
from trading_api.errors import INVALID_LISTEN_KEY, ApiError
from trading_api.market.schemas import ListenKey

router = APIRouter(prefix="/api/v3", tags=["user data stream"])

TraderDep = Annotated[Principal, Depends(require_roles(Role.TRADER))]
ListenKeyParam = Annotated[str, Query(min_length=1, max_length=64)]


def _ttl(request: Request) -> int:
    return request.app.state.settings.listen_key_ttl_s


def _missing() -> ApiError:
    return ApiError(400, INVALID_LISTEN_KEY, "This listenKey does not exist.")


@router.post("/userDataStream", dependencies=[weight(2)])
def open_stream(request: Request, principal: TraderDep) -> ListenKey:
    """A listen key for /ws/<listenKey>: the caller's own execution and balance events."""
    key = user_stream.open_key(request.app.state.redis, principal.account_id, _ttl(request))
    return ListenKey(listenKey=key)


@router.put("/userDataStream", dependencies=[weight(2)])
def keep_alive(request: Request, principal: TraderDep, listenKey: ListenKeyParam) -> dict[str, Any]:
    """Extend the key's life by the full time to live (send every 30 minutes)."""
    redis = request.app.state.redis
    if not user_stream.keep_alive(redis, principal.account_id, listenKey, _ttl(request)):
        raise _missing()
    return {}


@router.delete("/userDataStream", dependencies=[weight(2)])
def close_stream(
    request: Request, principal: TraderDep, listenKey: ListenKeyParam
) -> dict[str, Any]:
    if not user_stream.close(request.app.state.redis, principal.account_id, listenKey):
        raise _missing()
    return {}
