"""The REST API, as TF Serving answers it, over real HTTP."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import numpy as np
import pytest

from tests.models.serving.conftest import MODEL


def test_row_format_matches_the_saved_model_in_process(
    http: httpx.Client,
    batch: tuple[np.ndarray, np.ndarray],
    reference: Callable[..., np.ndarray],
) -> None:
    skill_ids, correct = batch
    instances = [
        {"skill_ids": s.tolist(), "correct": c.tolist()}
        for s, c in zip(skill_ids, correct, strict=True)
    ]
    answer = http.post(f"/v1/models/{MODEL}:predict", json={"instances": instances})
    assert answer.status_code == 200, answer.text
    predictions = np.array(answer.json()["predictions"], dtype=np.float32)
    np.testing.assert_allclose(predictions, reference(1, skill_ids, correct), rtol=1e-5, atol=1e-6)


def test_columnar_format_by_version_matches(
    http: httpx.Client,
    batch: tuple[np.ndarray, np.ndarray],
    reference: Callable[..., np.ndarray],
) -> None:
    skill_ids, correct = batch
    answer = http.post(
        f"/v1/models/{MODEL}/versions/1:predict",
        json={
            "signature_name": "serving_default",
            "inputs": {"skill_ids": skill_ids.tolist(), "correct": correct.tolist()},
        },
    )
    assert answer.status_code == 200, answer.text
    outputs = np.array(answer.json()["outputs"], dtype=np.float32)
    np.testing.assert_allclose(outputs, reference(1, skill_ids, correct), rtol=1e-5, atol=1e-6)


def test_status_and_metadata(http: httpx.Client) -> None:
    for path in (f"/v1/models/{MODEL}", f"/v1/models/{MODEL}/versions/1"):
        assert http.get(path).json() == {
            "model_version_status": [
                {
                    "version": "1",
                    "state": "AVAILABLE",
                    "status": {"error_code": "OK", "error_message": ""},
                }
            ]
        }
    metadata = http.get(f"/v1/models/{MODEL}/metadata").json()
    assert metadata["model_spec"] == {"name": MODEL, "version": "1", "signature_name": ""}
    signature_map = metadata["metadata"]["signature_def"]
    assert signature_map["@type"] == "type.googleapis.com/tensorflow.serving.SignatureDefMap"
    signature = signature_map["signature_def"]["serving_default"]
    assert signature["inputs"]["skill_ids"]["dtype"] == "DT_INT32"
    assert signature["outputs"]["mastery"]["dtype"] == "DT_FLOAT"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/models/nope"),
        ("GET", "/v1/models/nope/metadata"),
        ("GET", f"/v1/models/{MODEL}/versions/99"),
        ("POST", "/v1/models/nope:predict"),
        ("POST", f"/v1/models/{MODEL}/versions/99:predict"),
        ("GET", "/v1/nothing/here"),
    ],
)
def test_unknown_model_version_or_path_is_404(http: httpx.Client, method: str, path: str) -> None:
    body = {"instances": [{"skill_ids": [1], "correct": [0]}]}
    answer = http.request(method, path, json=body if method == "POST" else None)
    assert answer.status_code == 404
    assert answer.json()["error"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "must be a JSON object"),
        (b'{"instances": []}', "non-empty list"),
        (b'{"instances": [{"skill_ids": [1]}]}', "missing ['correct']"),
        (b'{"instances": [[1, 2]]}', "each instance must be an object"),
        (b'{"inputs": {"skill_ids": [[1, 2], [3]], "correct": [[1, 0], [1]]}}', "rectangular"),
        (b'{"inputs": {"skill_ids": [["a"]], "correct": [[1]]}}', "rectangular"),
        (b'{"inputs": {"skill_ids": [1], "correct": [0]}}', "must have shape [-1, -1]"),
        (b'{"instances": [], "inputs": {}}', "exactly one of"),
        (b'{"signature_name": "nope", "inputs": {}}', "'nope' not found"),
    ],
)
def test_bad_input_is_400_with_an_error(http: httpx.Client, body: bytes, message: str) -> None:
    answer = http.post(f"/v1/models/{MODEL}:predict", content=body)
    assert answer.status_code == 400
    assert message in answer.json()["error"]
