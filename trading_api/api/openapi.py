"""The one OpenAPI document: Binance's error shape on every 4xx, and the request limits.

FastAPI documents its own 422 validation answer; this API answers 400 with ``{"code","msg"}``
instead (see `errors`), so the document says that, and adds the answers every endpoint can
give: 429 past the request weight, 413 past the body size, 401/403 where an API key is read.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from trading_api.errors import ErrorBody

ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
WITH_BODY = {"post", "put", "delete", "patch"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def _reads_api_key(operation: dict[str, Any]) -> bool:
    return any(p.get("name") == "X-MBX-APIKEY" for p in operation.get("parameters", []))


def shape(schema: dict[str, Any], max_body_bytes: int) -> dict[str, Any]:
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["ErrorBody"] = ErrorBody.model_json_schema()
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            responses["400"] = _error("A parameter is missing, malformed or out of range")
            responses["429"] = _error("Request weight limit per minute exceeded (code -1003)")
            if method in WITH_BODY:
                responses["413"] = _error(f"Request body over {max_body_bytes} bytes (code -1101)")
            if _reads_api_key(operation):
                responses["401"] = _error("API key missing or invalid")
                responses["403"] = _error("The key's role may not use this endpoint")
    return schema


def install(app: FastAPI, max_body_bytes: int) -> None:
    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            raw = get_openapi(
                title=app.title,
                version=app.version,
                description=(
                    "Binance spot API (v3) conventions: decimals as strings, errors as "
                    '`{"code", "msg"}`, request weight per IP and minute in '
                    f"`X-MBX-USED-WEIGHT-1M`. Request bodies are limited to {max_body_bytes} "
                    "bytes; every list endpoint takes a bounded `limit`."
                ),
                routes=app.routes,
            )
            app.openapi_schema = shape(raw, max_body_bytes)
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
