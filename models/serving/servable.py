"""One loaded SavedModel version: its signatures, ready to run, and its SignatureDefs for metadata.

Requests call each signature's own concrete function, traced once at export with unknown batch
and sequence dimensions, so no request shape ever causes a retrace.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import grpc
import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import meta_graph_pb2, saved_model_pb2
from tensorflow_serving.apis import prediction_log_pb2

from models.serving.errors import ServingError, invalid_argument

log = logging.getLogger(__name__)

DEFAULT_SIGNATURE = "serving_default"
# TF Serving replays the requests in this TFRecord file (PredictionLog protos) before serving.
WARMUP_FILE = Path("assets.extra") / "tf_serving_warmup_requests"
# TensorFlow's error codes are the canonical gRPC codes, by number.
_GRPC_CODES = {code.value[0]: code for code in grpc.StatusCode}


@dataclass(frozen=True)
class Signature:
    name: str
    function: tf.types.experimental.ConcreteFunction
    inputs: Mapping[str, tf.TensorSpec]
    outputs: Mapping[str, tf.TensorSpec]

    @classmethod
    def of(cls, name: str, function: tf.types.experimental.ConcreteFunction) -> Signature:
        return cls(
            name=name,
            function=function,
            inputs=dict(function.structured_input_signature[1]),
            outputs=dict(function.structured_outputs),
        )

    def check(self, inputs: Mapping[str, np.ndarray]) -> None:
        """Refuse missing, unknown, mistyped or misshaped inputs with a message that names them."""
        missing = sorted(set(self.inputs) - set(inputs))
        unknown = sorted(set(inputs) - set(self.inputs))
        if missing or unknown:
            raise invalid_argument(
                f"signature {self.name!r} takes inputs {sorted(self.inputs)}; "
                f"missing {missing}, unknown {unknown}"
            )
        for key, spec in self.inputs.items():
            value = inputs[key]
            dtype = _dtype(value)
            if dtype != spec.dtype:
                raise invalid_argument(f"input {key!r} must be {spec.dtype.name}, got {dtype.name}")
            if not spec.shape.is_compatible_with(value.shape):
                raise invalid_argument(
                    f"input {key!r} must have shape {_shape(spec.shape)}, got {list(value.shape)}"
                )

    def run(
        self, inputs: Mapping[str, np.ndarray], output_filter: list[str] | None = None
    ) -> dict[str, np.ndarray]:
        self.check(inputs)
        wanted = list(output_filter) if output_filter else sorted(self.outputs)
        unknown = sorted(set(wanted) - set(self.outputs))
        if unknown:
            raise invalid_argument(
                f"output_filter names {unknown}, which signature {self.name!r} does not have; "
                f"outputs are {sorted(self.outputs)}"
            )
        try:
            results = self.function(**{k: tf.constant(v) for k, v in inputs.items()})
        except tf.errors.OpError as error:
            code = _GRPC_CODES.get(error.error_code, grpc.StatusCode.INTERNAL)
            raise ServingError(code, error.message) from error
        return {key: results[key].numpy() for key in wanted}


class Servable:
    """A SavedModel version, loaded; dropping every reference to it unloads it."""

    def __init__(self, name: str, version: int, path: Path) -> None:
        self.name = name
        self.version = version
        self.path = path
        self._loaded = tf.saved_model.load(str(path), tags=["serve"])
        self.signatures = {
            key: Signature.of(key, function) for key, function in self._loaded.signatures.items()
        }
        self.signature_defs = _read_signature_defs(path)

    def signature(self, name: str) -> Signature:
        signature = self.signatures.get(name or DEFAULT_SIGNATURE)
        if signature is None:
            raise invalid_argument(
                f"serving signature name {name!r} not found in model {self.name} version "
                f"{self.version}; it has {sorted(self.signatures)}"
            )
        return signature

    def warm_up(self) -> int:
        """Run the model before it serves, so the first request does not pay for initialisation.

        Replays TF Serving's warm-up requests when the SavedModel ships them; otherwise runs each
        signature once on zeros with every unknown dimension 1 (best effort: a failure is logged).
        Returns how many requests ran.
        """
        warmup_file = self.path / WARMUP_FILE
        if warmup_file.exists():
            count = 0
            for record in tf.data.TFRecordDataset(str(warmup_file)).as_numpy_iterator():
                entry = prediction_log_pb2.PredictionLog.FromString(record)
                if entry.WhichOneof("log_type") != "predict_log":
                    continue
                request = entry.predict_log.request
                inputs = {k: tf.make_ndarray(v) for k, v in request.inputs.items()}
                self.signature(request.model_spec.signature_name).run(inputs)
                count += 1
            return count
        for signature in self.signatures.values():
            try:
                signature.run({k: _zeros(spec) for k, spec in signature.inputs.items()})
            except ServingError as error:
                log.warning("warm-up of %s/%s failed: %s", self.name, signature.name, error)
        return len(self.signatures)


def _read_signature_defs(path: Path) -> dict[str, meta_graph_pb2.SignatureDef]:
    """The SignatureDefs of the ``serve`` meta graph, as TF Serving reports them in metadata."""
    saved_model = saved_model_pb2.SavedModel.FromString((path / "saved_model.pb").read_bytes())
    for meta_graph in saved_model.meta_graphs:
        if "serve" in meta_graph.meta_info_def.tags:
            return dict(meta_graph.signature_def)
    return {}


def _dtype(value: np.ndarray) -> tf.DType:
    # Strings arrive as numpy object or bytes arrays.
    if value.dtype == object or value.dtype.kind == "S":
        return tf.string
    return tf.as_dtype(value.dtype)


def _zeros(spec: tf.TensorSpec) -> np.ndarray:
    shape = [1 if dim is None else dim for dim in spec.shape.as_list()]
    if spec.dtype == tf.string:
        return np.full(shape, b"", dtype=object)
    return np.zeros(shape, dtype=spec.dtype.as_numpy_dtype)


def _shape(shape: tf.TensorShape) -> list[int]:
    return [-1 if dim is None else dim for dim in shape.as_list()]
