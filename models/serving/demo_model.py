"""A small knowledge-tracing model with the platform's serving signature, for tests and benchmarks.

Signature ``serving_default``: ``skill_ids`` int32 [batch, T] and ``correct`` int32 [batch, T]
(padding: skill id -1) to ``mastery`` float32 [batch, 124]. The server knows nothing of this
model; it only reads the SavedModel's signatures.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

NUM_SKILLS = 124
PADDING = -1


def build(seed: int = 0, units: int = 64) -> tf.keras.Model:
    tf.keras.utils.set_random_seed(seed)
    skill_ids = tf.keras.Input(shape=(None,), dtype="int32", name="skill_ids")
    correct = tf.keras.Input(shape=(None,), dtype="int32", name="correct")
    # One token per (skill, outcome); 0 is the padding token so that the mask skips it and the
    # GRU's state is the one after the last real attempt.
    tokens = tf.keras.layers.Lambda(
        lambda t: tf.where(t[0] >= 0, t[0] * 2 + t[1] + 1, 0), name="attempt_tokens"
    )([skill_ids, correct])
    embedded = tf.keras.layers.Embedding(2 * NUM_SKILLS + 1, 32, mask_zero=True)(tokens)
    state = tf.keras.layers.GRU(units)(embedded)
    mastery = tf.keras.layers.Dense(NUM_SKILLS, activation="sigmoid", name="mastery")(state)
    return tf.keras.Model({"skill_ids": skill_ids, "correct": correct}, mastery)


def export(model: tf.keras.Model, version_dir: Path) -> Path:
    """Write ``model`` as a SavedModel with the ``serving_default`` signature."""
    archive = tf.keras.export.ExportArchive()
    archive.track(model)

    def serve(skill_ids: tf.Tensor, correct: tf.Tensor) -> dict[str, tf.Tensor]:
        return {"mastery": model({"skill_ids": skill_ids, "correct": correct}, training=False)}

    archive.add_endpoint(
        "serving_default",
        serve,
        input_signature=[
            tf.TensorSpec([None, None], tf.int32, name="skill_ids"),
            tf.TensorSpec([None, None], tf.int32, name="correct"),
        ],
    )
    archive.write_out(str(version_dir), verbose=False)
    return version_dir


def learner_history(length: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """One learner's attempts: skill ids and outcomes, each int32 of shape [length]."""
    rng = np.random.default_rng(seed)
    skills = rng.integers(0, NUM_SKILLS, size=length, dtype=np.int32)
    correct = rng.integers(0, 2, size=length, dtype=np.int32)
    return skills, correct
