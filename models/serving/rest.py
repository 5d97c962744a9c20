"""TF Serving's REST API: model status, metadata and predict, with errors as ``{"error": ...}``.

Paths keep TF Serving's verb suffix (``/v1/models/kt:predict``): a route template may hold a
literal after a parameter, and the router tries the POST route when the GET one does not fit.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from google.protobuf import json_format
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from models.serving import rest_json
from models.serving.errors import ServingError, invalid_argument
from models.serving.grpc_service import metadata_response, status_response
from models.serving.manager import ModelManager
from models.serving.servable import DEFAULT_SIGNATURE


def _proto_json(message: Any) -> dict[str, Any]:
    # Defaults printed too ("error_code": "OK", "signature_name": ""), as TF Serving prints them.
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def create_app(manager: ModelManager) -> FastAPI:
    app = FastAPI(title="model server (TensorFlow Serving REST API)", docs_url=None, redoc_url=None)

    @app.exception_handler(ServingError)
    async def serving_error(_request: Request, error: ServingError) -> JSONResponse:
        return JSONResponse({"error": error.message}, status_code=error.http_status)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        message = f"{request.method} {request.url.path}: {error.detail}"
        return JSONResponse({"error": message}, status_code=error.status_code)

    def status(name: str, version: int | None = None, label: str = "") -> dict[str, Any]:
        if label:
            version = manager.servable(name, label=label).version
        return _proto_json(status_response(manager, name, version))

    def metadata(name: str, version: int | None = None, label: str = "") -> dict[str, Any]:
        return _proto_json(metadata_response(manager.servable(name, version, label)))

    async def predict(
        request: Request, name: str, version: int | None = None, label: str = ""
    ) -> dict[str, Any]:
        try:
            body = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise invalid_argument(f"the request body is not valid JSON: {error}") from error

        def work() -> dict[str, Any]:
            servable = manager.servable(name, version, label)
            signature_name = DEFAULT_SIGNATURE
            if isinstance(body, dict):
                signature_name = body.get("signature_name") or DEFAULT_SIGNATURE
            signature = servable.signature(signature_name)
            inputs, rows = rest_json.parse_request(body, signature)
            return rest_json.format_response(signature.run(inputs), rows)

        # Inference blocks; a worker thread keeps the event loop answering other requests.
        return await run_in_threadpool(work)

    app.get("/v1/models/{name}")(status)
    app.get("/v1/models/{name}/versions/{version:int}")(status)
    app.get("/v1/models/{name}/labels/{label}")(status)
    app.get("/v1/models/{name}/metadata")(metadata)
    app.get("/v1/models/{name}/versions/{version:int}/metadata")(metadata)
    app.get("/v1/models/{name}/labels/{label}/metadata")(metadata)
    app.post("/v1/models/{name}:predict")(predict)
    app.post("/v1/models/{name}/versions/{version:int}:predict")(predict)
    app.post("/v1/models/{name}/labels/{label}:predict")(predict)
    return app
