"""Errors in Binance's shape, ``{"code": ..., "msg": ...}``, with its codes where one fits."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException


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
UNKNOWN = -1000
TOO_MANY_REQUESTS = -1003
ILLEGAL_CHARS = -1100  # a parameter of the wrong type, format or range
TOO_LARGE = -1101  # Binance: too many parameters; here also a request body over the limit
BAD_INTERVAL = -1120
INVALID_LISTEN_KEY = -1125
MORE_THAN_XX_HOURS = -1127
BAD_COMBINATION = -1128
INTERNAL = -1001  # internal error; unable to process the request, try again
TOO_MANY_ORDERS = -1015
ORDER_REJECTED = -2010
UNKNOWN_ORDER = -2011  # a cancel of an order that is not open
NO_SUCH_ORDER = -2013
CANCEL_REPLACE_PARTLY_FAILED = -2021
CANCEL_REPLACE_FAILED = -2022


class ErrorBody(BaseModel):
    """Every 4xx answer: Binance's error shape."""

    code: int
    msg: str


async def api_error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return JSONResponse(
        status_code=error.status, content={"code": error.code, "msg": error.msg, **error.extra}
    )


async def validation_error_handler(_request: Request, error: Exception) -> JSONResponse:
    """A malformed or missing parameter, in Binance's words and codes, instead of FastAPI's 422."""
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0]
    name = str(first["loc"][-1]) if first.get("loc") else "body"
    if first["type"] == "missing":
        code, msg = (
            BAD_PARAMETER,
            f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.",
        )
    else:
        code, msg = ILLEGAL_CHARS, f"Illegal value for parameter '{name}': {first['msg']}."
    return JSONResponse(status_code=400, content={"code": code, "msg": msg})


async def http_error_handler(_request: Request, error: Exception) -> JSONResponse:
    """Unknown paths and methods answer in the same error shape as everything else."""
    assert isinstance(error, HTTPException)
    return JSONResponse(
        status_code=error.status_code,
        content={"code": UNKNOWN, "msg": str(error.detail)},
        headers=error.headers,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(HTTPException, http_error_handler)
