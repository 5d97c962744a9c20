"""TF Serving's JSON encoding of tensors: the row (``instances``) and columnar (``inputs``) formats.

JSON carries no types, so values take the dtype the signature declares. Binary strings travel as
``{"b64": "..."}``; outputs whose name ends in ``_bytes`` are sent that way, as TF Serving does.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import numpy as np
import tensorflow as tf

from models.serving.errors import invalid_argument
from models.serving.servable import Signature

Json = Any


def parse_request(body: Json, signature: Signature) -> tuple[dict[str, np.ndarray], bool]:
    """The input tensors of a predict body, and whether it used the row format."""
    if not isinstance(body, dict):
        raise invalid_argument("the request body must be a JSON object")
    if ("instances" in body) == ("inputs" in body):
        raise invalid_argument('the request must have exactly one of "instances" or "inputs"')
    if "instances" in body:
        return _rows(body["instances"], signature), True
    return _columns(body["inputs"], signature), False


def _rows(instances: Json, signature: Signature) -> dict[str, np.ndarray]:
    if not isinstance(instances, list) or not instances:
        raise invalid_argument('"instances" must be a non-empty list')
    names = list(signature.inputs)
    if all(isinstance(row, dict) and "b64" not in row for row in instances):
        keys = {frozenset(row) for row in instances}
        if len(keys) != 1:
            raise invalid_argument("every instance must name the same inputs")
        return {
            key: _array([row[key] for row in instances], signature, key) for key in instances[0]
        }
    if len(names) != 1:
        raise invalid_argument(
            f"the signature takes inputs {sorted(names)}: each instance must be an object "
            "naming them"
        )
    return {names[0]: _array(instances, signature, names[0])}


def _columns(inputs: Json, signature: Signature) -> dict[str, np.ndarray]:
    names = list(signature.inputs)
    if isinstance(inputs, dict) and "b64" not in inputs:
        return {key: _array(value, signature, key) for key, value in inputs.items()}
    if len(names) != 1:
        raise invalid_argument(
            f'the signature takes inputs {sorted(names)}: "inputs" must be an object naming them'
        )
    return {names[0]: _array(inputs, signature, names[0])}


def _array(value: Json, signature: Signature, key: str) -> np.ndarray:
    spec = signature.inputs.get(key)
    if spec is None:
        raise invalid_argument(
            f"unknown input {key!r}; signature {signature.name!r} takes {sorted(signature.inputs)}"
        )
    try:
        if spec.dtype == tf.string:
            return np.array(_decode_strings(value), dtype=object)
        return np.array(value, dtype=spec.dtype.as_numpy_dtype)
    except (TypeError, ValueError, OverflowError) as error:
        raise invalid_argument(
            f"input {key!r} is not a rectangular array of {spec.dtype.name}: {error}"
        ) from error


def _decode_strings(value: Json) -> Json:
    if isinstance(value, list):
        return [_decode_strings(item) for item in value]
    if isinstance(value, dict) and set(value) == {"b64"}:
        return base64.b64decode(value["b64"])
    if isinstance(value, str):
        return value.encode()
    raise TypeError(f"expected a string or {{'b64': ...}}, got {type(value).__name__}")


def format_response(outputs: Mapping[str, np.ndarray], rows: bool) -> dict[str, Json]:
    """``{"predictions": ...}`` for the row format, ``{"outputs": ...}`` for the columnar one."""
    values = {key: _jsonable(value, key) for key, value in outputs.items()}
    if not rows:
        return {"outputs": next(iter(values.values())) if len(values) == 1 else values}
    if len(values) == 1:
        return {"predictions": next(iter(values.values()))}
    batch = {len(value) if isinstance(value, list) else -1 for value in values.values()}
    if len(batch) != 1 or -1 in batch:
        raise invalid_argument(
            'outputs differ in batch size; use the columnar format ("inputs") instead'
        )
    size = batch.pop()
    return {"predictions": [{key: value[i] for key, value in values.items()} for i in range(size)]}


def _jsonable(value: np.ndarray, key: str) -> Json:
    if value.dtype == object or value.dtype.kind == "S":
        as_b64 = key.endswith("_bytes")
        return _strings(value.tolist(), as_b64)
    return value.tolist()


def _strings(value: Json, as_b64: bool) -> Json:
    if isinstance(value, list):
        return [_strings(item, as_b64) for item in value]
    if as_b64:
        return {"b64": base64.b64encode(value).decode()}
    return value.decode(errors="replace")
