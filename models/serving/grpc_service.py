"""TF Serving's gRPC API: PredictionService (Predict, GetModelMetadata) and ModelService.

The request and response messages are the official ``tensorflow_serving.apis`` protos, so the
official stubs talk to this server exactly as to ``tensorflow_model_server``.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent import futures
from typing import TypeVar

import grpc
import tensorflow as tf
from google.protobuf import any_pb2
from tensorflow_serving.apis import (
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
)

from models.serving.errors import ServingError, invalid_argument
from models.serving.manager import ModelManager
from models.serving.servable import DEFAULT_SIGNATURE, Servable

Response = TypeVar("Response")


def _answer(context: grpc.ServicerContext, work: Callable[[], Response]) -> Response:
    """Run ``work``; a ServingError becomes the gRPC status it names."""
    try:
        return work()
    except ServingError as error:
        context.abort(error.code, error.message)
        raise  # abort raises; this line only satisfies the type checker


def _servable(manager: ModelManager, spec: model_pb2.ModelSpec) -> Servable:
    if not spec.name:
        raise invalid_argument("model_spec.name is required")
    version = spec.version.value if spec.HasField("version") else None
    return manager.servable(spec.name, version, spec.version_label)


def _spec(servable: Servable, signature_name: str) -> model_pb2.ModelSpec:
    spec = model_pb2.ModelSpec(name=servable.name, signature_name=signature_name)
    spec.version.value = servable.version
    return spec


class PredictionService(prediction_service_pb2_grpc.PredictionServiceServicer):
    def __init__(self, manager: ModelManager) -> None:
        self._manager = manager

    def Predict(
        self, request: predict_pb2.PredictRequest, context: grpc.ServicerContext
    ) -> predict_pb2.PredictResponse:
        def work() -> predict_pb2.PredictResponse:
            servable = _servable(self._manager, request.model_spec)
            signature_name = request.model_spec.signature_name or DEFAULT_SIGNATURE
            try:
                inputs = {key: tf.make_ndarray(proto) for key, proto in request.inputs.items()}
            except (TypeError, ValueError) as error:
                raise invalid_argument(f"an input tensor cannot be read: {error}") from error
            outputs = servable.signature(signature_name).run(inputs, list(request.output_filter))
            response = predict_pb2.PredictResponse(model_spec=_spec(servable, signature_name))
            for key, value in outputs.items():
                response.outputs[key].CopyFrom(tf.make_tensor_proto(value))
            return response

        return _answer(context, work)

    def GetModelMetadata(
        self, request: get_model_metadata_pb2.GetModelMetadataRequest, context: grpc.ServicerContext
    ) -> get_model_metadata_pb2.GetModelMetadataResponse:
        def work() -> get_model_metadata_pb2.GetModelMetadataResponse:
            fields = set(request.metadata_field)
            if fields != {"signature_def"}:
                raise invalid_argument(
                    f"metadata_field must be ['signature_def'], got {sorted(fields)}"
                )
            servable = _servable(self._manager, request.model_spec)
            return metadata_response(servable)

        return _answer(context, work)


def metadata_response(servable: Servable) -> get_model_metadata_pb2.GetModelMetadataResponse:
    """The signature defs packed in Any as a SignatureDefMap, as TF Serving answers."""
    signature_map = get_model_metadata_pb2.SignatureDefMap()
    for key, signature_def in servable.signature_defs.items():
        signature_map.signature_def[key].CopyFrom(signature_def)
    packed = any_pb2.Any()
    packed.Pack(signature_map)
    response = get_model_metadata_pb2.GetModelMetadataResponse(model_spec=_spec(servable, ""))
    response.metadata["signature_def"].CopyFrom(packed)
    return response


class ModelService(model_service_pb2_grpc.ModelServiceServicer):
    def __init__(self, manager: ModelManager) -> None:
        self._manager = manager

    def GetModelStatus(
        self, request: get_model_status_pb2.GetModelStatusRequest, context: grpc.ServicerContext
    ) -> get_model_status_pb2.GetModelStatusResponse:
        def work() -> get_model_status_pb2.GetModelStatusResponse:
            spec = request.model_spec
            if not spec.name:
                raise invalid_argument("model_spec.name is required")
            version = spec.version.value if spec.HasField("version") else None
            return status_response(self._manager, spec.name, version)

        return _answer(context, work)


def status_response(
    manager: ModelManager, name: str, version: int | None
) -> get_model_status_pb2.GetModelStatusResponse:
    response = get_model_status_pb2.GetModelStatusResponse()
    for status in manager.statuses(name, version):
        entry = response.model_version_status.add(version=status.version, state=status.state)
        entry.status.SetInParent()  # TF Serving always reports a status, "OK" when fine
        if status.error:
            entry.status.error_code = grpc.StatusCode.UNKNOWN.value[0]
            entry.status.error_message = status.error
    return response


def serve(
    manager: ModelManager, port: int, host: str = "127.0.0.1", workers: int = 4
) -> tuple[grpc.Server, int]:
    """Start the gRPC server; returns it and the port it listens on (``port`` 0 picks one)."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grpc"),
        options=[
            ("grpc.max_receive_message_length", 64 * 2**20),
            ("grpc.max_send_message_length", 64 * 2**20),
        ],
    )
    prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(
        PredictionService(manager), server
    )
    model_service_pb2_grpc.add_ModelServiceServicer_to_server(ModelService(manager), server)
    bound = server.add_insecure_port(f"{host}:{port}")
    if bound == 0:
        raise OSError(f"cannot listen for gRPC on {host}:{port}")
    server.start()
    return server, bound
