"""Errors in Binance's shape, ``{"code": ..., "msg": ...}``, with its codes where one fits."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse


class ApiError(Exception):
    def __init__(
        self, status: int, code: int, msg: str, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(msg)
        self.status, self.code, self.msg = status, code, msg
        # Fields this platform adds beside code and msg (e.g. an order's risk decision).
        self.extra = extra or {}


UNAUTHORIZED = -2014  # API-key format invalid / missing
REJECTED_KEY = -2015  # invalid API key or permissions
NOT_FOUND = -1121  # Binance: invalid symbol; used here for any unknown resource
BAD_PARAMETER = -1102
INTERNAL = -1001  # internal error; unable to process the request, try again
TOO_MANY_ORDERS = -1015
ORDER_REJECTED = -2010
UNKNOWN_ORDER = -2011  # a cancel of an order that is not open
NO_SUCH_ORDER = -2013
CANCEL_REPLACE_PARTLY_FAILED = -2021
CANCEL_REPLACE_FAILED = -2022


async def api_error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return JSONResponse(
        status_code=error.status, content={"code": error.code, "msg": error.msg, **error.extra}
    )
