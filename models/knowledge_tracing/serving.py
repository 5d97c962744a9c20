"""The serving export: a SavedModel with the model server's ``serving_default`` contract.

Inputs ``skill_ids`` and ``correct``: int32 [batch, T], any T; skill ids < 0 are padding at
the end. Output ``mastery``: float32 [batch, 124], the probability of a correct answer on the
next item of each skill after the last real attempt (the prior when there is none).

The model runs compiled by XLA: the recurrence becomes one native loop instead of some twenty
dispatched ops per attempt. XLA compiles once per input shape, so the signature pads the
history to a multiple of ``SEQUENCE_BLOCK`` and the batch to a power of two (padding is never
stepped through); the SavedModel ships TF Serving warm-up requests for the common shapes, so
their compilation happens at load time, not on a learner's request.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_log_pb2

from models.knowledge_tracing.model import KnowledgeTracer, history_tokens, last_state
from models.serving.servable import WARMUP_FILE

SIGNATURE = "serving_default"
SEQUENCE_BLOCK = 512  # one compilation serves every history of up to 511 attempts
WARMUP_BATCHES = (1, 2, 4, 8)  # batch sizes compiled at load


class MasteryModule(tf.Module):
    def __init__(self, model: KnowledgeTracer) -> None:
        super().__init__()
        self.model = model

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, None], tf.int32, name="skill_ids"),
            tf.TensorSpec([None, None], tf.int32, name="correct"),
        ]
    )
    def serve(self, skill_ids: tf.Tensor, correct: tf.Tensor) -> dict[str, tf.Tensor]:
        tokens, lengths = history_tokens(skill_ids, correct)
        batch, length = tf.shape(tokens)[0], tf.shape(tokens)[1]
        padded_batch = tf.constant(1)
        while padded_batch < batch:
            padded_batch *= 2
        padded_length = -(-length // SEQUENCE_BLOCK) * SEQUENCE_BLOCK
        tokens = tf.pad(tokens, [[0, padded_batch - batch], [0, padded_length - length]])
        lengths = tf.pad(lengths, [[0, padded_batch - batch]])
        return {"mastery": self.padded_mastery(tokens, lengths)[:batch]}

    @tf.function(jit_compile=True)
    def padded_mastery(self, tokens: tf.Tensor, lengths: tf.Tensor) -> tf.Tensor:
        return tf.sigmoid(self.model.all_skill_logits(last_state(self.model, tokens, lengths)))


def export_saved_model(model: KnowledgeTracer, path: Path) -> Path:
    module = MasteryModule(model)
    tf.saved_model.save(module, str(path), signatures={SIGNATURE: module.serve})
    write_warmup_requests(path)
    return path


def write_warmup_requests(path: Path) -> None:
    """One Predict request per warm-up batch size, in TF Serving's warm-up file format."""
    target = path / WARMUP_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    with tf.io.TFRecordWriter(str(target)) as writer:
        for batch in WARMUP_BATCHES:
            request = predict_pb2.PredictRequest()
            request.model_spec.signature_name = SIGNATURE
            history = np.zeros([batch, 1], np.int32)
            for key in ("skill_ids", "correct"):
                request.inputs[key].CopyFrom(tf.make_tensor_proto(history))
            entry = prediction_log_pb2.PredictionLog()
            entry.predict_log.request.CopyFrom(request)
            writer.write(entry.SerializeToString())
