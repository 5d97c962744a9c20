"""The gRPC API through the official TF Serving stubs."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import numpy as np
import pytest
import tensorflow as tf
from tensorflow_serving.apis import (
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
)

from tests.models.serving.conftest import MODEL

Stub = prediction_service_pb2_grpc.PredictionServiceStub


def _request(name: str = MODEL, **inputs: np.ndarray) -> predict_pb2.PredictRequest:
    request = predict_pb2.PredictRequest()
    request.model_spec.name = name
    for key, value in inputs.items():
        request.inputs[key].CopyFrom(tf.make_tensor_proto(value))
    return request


def test_predict_matches_the_saved_model_in_process(
    prediction_stub: Stub,
    batch: tuple[np.ndarray, np.ndarray],
    reference: Callable[..., np.ndarray],
) -> None:
    skill_ids, correct = batch
    response = prediction_stub.Predict(_request(skill_ids=skill_ids, correct=correct), timeout=30)
    mastery = tf.make_ndarray(response.outputs["mastery"])
    assert mastery.shape == (2, 124) and mastery.dtype == np.float32
    np.testing.assert_allclose(mastery, reference(1, skill_ids, correct), rtol=1e-5, atol=1e-6)
    assert response.model_spec.name == MODEL
    assert response.model_spec.version.value == 1
    assert response.model_spec.signature_name == "serving_default"


def test_predict_by_version_signature_and_output_filter(
    prediction_stub: Stub, batch: tuple[np.ndarray, np.ndarray]
) -> None:
    skill_ids, correct = batch
    request = _request(skill_ids=skill_ids, correct=correct)
    request.model_spec.version.value = 1
    request.model_spec.signature_name = "serving_default"
    request.output_filter.append("mastery")
    response = prediction_stub.Predict(request, timeout=30)
    assert list(response.outputs) == ["mastery"]


def test_metadata_returns_the_signature_def(prediction_stub: Stub) -> None:
    request = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=["signature_def"])
    request.model_spec.name = MODEL
    response = prediction_stub.GetModelMetadata(request, timeout=30)
    signature_map = get_model_metadata_pb2.SignatureDefMap()
    assert response.metadata["signature_def"].Unpack(signature_map)
    signature = signature_map.signature_def["serving_default"]
    assert {k: v.dtype for k, v in signature.inputs.items()} == {
        "skill_ids": tf.int32.as_datatype_enum,
        "correct": tf.int32.as_datatype_enum,
    }
    mastery = signature.outputs["mastery"]
    assert mastery.dtype == tf.float32.as_datatype_enum
    assert [d.size for d in mastery.tensor_shape.dim] == [-1, 124]
    assert response.model_spec.version.value == 1


def test_status_shows_the_version_available(
    model_stub: model_service_pb2_grpc.ModelServiceStub,
) -> None:
    request = get_model_status_pb2.GetModelStatusRequest()
    request.model_spec.name = MODEL
    response = model_stub.GetModelStatus(request, timeout=30)
    [status] = response.model_version_status
    assert status.version == 1
    assert status.state == get_model_status_pb2.ModelVersionStatus.AVAILABLE
    assert status.status.error_code == 0


def _code(call: Callable[[], object]) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as raised:
        call()
    return raised.value.code(), raised.value.details()


def test_unknown_model_or_version_is_not_found(
    prediction_stub: Stub,
    model_stub: model_service_pb2_grpc.ModelServiceStub,
    batch: tuple[np.ndarray, np.ndarray],
) -> None:
    skill_ids, correct = batch
    code, details = _code(
        lambda: prediction_stub.Predict(_request("nope", skill_ids=skill_ids, correct=correct))
    )
    assert code == grpc.StatusCode.NOT_FOUND and "nope" in details

    request = _request(skill_ids=skill_ids, correct=correct)
    request.model_spec.version.value = 99
    code, details = _code(lambda: prediction_stub.Predict(request))
    assert code == grpc.StatusCode.NOT_FOUND and "99" in details

    status_request = get_model_status_pb2.GetModelStatusRequest()
    status_request.model_spec.name = "nope"
    assert _code(lambda: model_stub.GetModelStatus(status_request))[0] == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"skill_ids": np.zeros((1, 3), np.int32)}, "missing ['correct']"),
        (
            {"skill_ids": np.zeros((1, 3), np.int64), "correct": np.zeros((1, 3), np.int32)},
            "must be int32, got int64",
        ),
        (
            {"skill_ids": np.zeros((3,), np.int32), "correct": np.zeros((3,), np.int32)},
            "must have shape [-1, -1]",
        ),
        (
            {
                "skill_ids": np.zeros((1, 3), np.int32),
                "correct": np.zeros((1, 3), np.int32),
                "extra": np.zeros((1,), np.float32),
            },
            "unknown ['extra']",
        ),
    ],
)
def test_bad_input_is_invalid_argument(
    prediction_stub: Stub, inputs: dict[str, np.ndarray], message: str
) -> None:
    code, details = _code(lambda: prediction_stub.Predict(_request(**inputs)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert message in details


def test_unknown_signature_or_output_is_invalid_argument(
    prediction_stub: Stub, batch: tuple[np.ndarray, np.ndarray]
) -> None:
    skill_ids, correct = batch
    request = _request(skill_ids=skill_ids, correct=correct)
    request.model_spec.signature_name = "classify"
    code, details = _code(lambda: prediction_stub.Predict(request))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "classify" in details

    request = _request(skill_ids=skill_ids, correct=correct)
    request.output_filter.append("probabilities")
    code, details = _code(lambda: prediction_stub.Predict(request))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "probabilities" in details
