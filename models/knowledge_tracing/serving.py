"""The serving export: a SavedModel with the model server's ``serving_default`` contract.

Inputs ``skill_ids`` and ``correct``: int32 [batch, T], any T; skill ids < 0 are padding at
the end. Output ``mastery``: float32 [batch, 124], the probability of a correct answer on the
next item of each skill after the last real attempt (the prior when there is none).
"""

from __future__ import annotations

from pathlib import Path

import tensorflow as tf

from models.knowledge_tracing.model import KnowledgeTracer, mastery

SIGNATURE = "serving_default"


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
        return {"mastery": mastery(self.model, skill_ids, correct)}


def export_saved_model(model: KnowledgeTracer, path: Path) -> Path:
    module = MasteryModule(model)
    tf.saved_model.save(module, str(path), signatures={SIGNATURE: module.serve})
    return path
