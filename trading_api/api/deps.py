"""Dependencies that handlers declare by type: the database, the caller, the learning state."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from psycopg import Connection

from trading_api.auth import Principal, Role, authenticate
from trading_api.errors import REJECTED_KEY, UNAUTHORIZED, ApiError


def _connection(request: Request) -> Iterator[Connection]:
    with request.app.state.pool.connection() as conn:
        yield conn


DbDep = Annotated[Connection, Depends(_connection)]


def _principal(
    conn: DbDep, api_key: Annotated[str | None, Header(alias="X-MBX-APIKEY")] = None
) -> Principal:
    if not api_key:
        raise ApiError(401, UNAUTHORIZED, "API-key required: send it in the X-MBX-APIKEY header")
    principal = authenticate(conn, api_key)
    if principal is None:
        raise ApiError(401, REJECTED_KEY, "Invalid API-key")
    return principal


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets through callers with one of ``roles`` (admins always)."""

    def check(principal: Annotated[Principal, Depends(_principal)]) -> Principal:
        if principal.role not in roles and principal.role is not Role.ADMIN:
            raise ApiError(403, REJECTED_KEY, f"this endpoint needs the role {roles[0].value}")
        return principal

    return check


LearnerDep = Annotated[Principal, Depends(require_roles(Role.LEARNER))]
