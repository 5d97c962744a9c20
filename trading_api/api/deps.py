"""Dependencies that handlers declare by type: the database, the caller, signed requests."""

# No `from __future__ import annotations` here: FastAPI must see the real annotation of the
# closure in `require_roles`, whose dependency is a local variable.
import time
from collections.abc import Callable, Iterator
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Header, Request
from psycopg import Connection

from trading_api import signing
from trading_api.auth import Principal, Role, authenticate
from trading_api.errors import REJECTED_KEY, UNAUTHORIZED, ApiError


def _connection(request: Request) -> Iterator[Connection]:
    with request.app.state.pool.connection() as conn:
        yield conn


DbDep = Annotated[Connection, Depends(_connection)]


def _principal(
    request: Request,
    api_key: Annotated[str | None, Header(alias="X-MBX-APIKEY")] = None,
) -> Principal:
    if not api_key:
        raise ApiError(401, UNAUTHORIZED, "API-key required: send it in the X-MBX-APIKEY header")
    # A connection of its own, given back at once: a handler that takes pooled connections
    # itself must not wait for the pool while this request holds one.
    with request.app.state.pool.connection() as conn:
        principal = authenticate(conn, request.app.state.secret_box, api_key)
    if principal is None:
        raise ApiError(401, REJECTED_KEY, "Invalid API-key")
    return principal


async def _signed_principal(
    request: Request, principal: Annotated[Principal, Depends(_principal)]
) -> Principal:
    """The caller of a SIGNED endpoint, once signature, timestamp and freshness check out."""
    body = (await request.body()).decode(errors="replace")
    payload = signing.parse(request.url.query, body)
    signing.verify(payload, principal.secret, int(time.time() * 1000), request.app.state.redis)
    return principal


def require_roles(*roles: Role, signed: bool = False) -> Callable[..., Principal]:
    """A dependency that lets through callers with one of ``roles`` (admins always)."""
    source = _signed_principal if signed else _principal

    def check(principal: Annotated[Principal, Depends(source)]) -> Principal:
        if principal.role not in roles and principal.role is not Role.ADMIN:
            raise ApiError(403, REJECTED_KEY, f"this endpoint needs the role {roles[0].value}")
        return principal

    return check


LearnerDep = Annotated[Principal, Depends(require_roles(Role.LEARNER))]
SignedTraderDep = Annotated[Principal, Depends(require_roles(Role.TRADER, signed=True))]
SignedAdminDep = Annotated[Principal, Depends(require_roles(Role.ADMIN, signed=True))]


async def _params(request: Request) -> dict[str, str]:
    """Binance's parameters: the query string and a form-encoded body, together."""
    body = (await request.body()).decode(errors="replace")
    pairs = parse_qsl(request.url.query, keep_blank_values=True)
    pairs += parse_qsl(body, keep_blank_values=True)
    return dict(pairs)


ParamsDep = Annotated[dict[str, str], Depends(_params)]
