"""Errors in Binance's shape, ``{"code": ..., "msg": ...}``, with its codes where one fits."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse


class ApiError(Exception):
    def __init__(self, status: int, code: int, msg: str) -> None:
        super().__init__(msg)
        self.status, self.code, self.msg = status, code, msg


UNAUTHORIZED = -2014  # API-key format invalid / missing
REJECTED_KEY = -2015  # invalid API key or permissions
NOT_FOUND = -1121  # Binance: invalid symbol; used here for any unknown resource
BAD_PARAMETER = -1102


async def api_error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return JSONResponse(status_code=error.status, content={"code": error.code, "msg": error.msg})
