from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf
from tensorflow_serving.apis import prediction_log_pb2

from models.knowledge_tracing.data import NUM_SKILLS
from models.knowledge_tracing.model import mastery
from models.knowledge_tracing.serving import (
    SEQUENCE_BLOCK,
    SIGNATURE,
    WARMUP_BATCHES,
    WARMUP_FILE,
)
from models.knowledge_tracing.training import load_keras
from models.serving.servable import Servable


def _serve(bundle: Path):
    return tf.saved_model.load(str(bundle / "saved_model")).signatures["serving_default"]


def test_signature_has_the_contract(bundle: Path) -> None:
    serve = _serve(bundle)
    _, inputs = serve.structured_input_signature
    assert set(inputs) == {"skill_ids", "correct"}
    for spec in inputs.values():
        assert spec.dtype == tf.int32 and spec.shape.as_list() == [None, None]
    output = serve.structured_outputs["mastery"]
    assert output.dtype == tf.float32 and output.shape.as_list() == [None, NUM_SKILLS]


def test_export_matches_the_in_process_model_and_ignores_padding(bundle: Path) -> None:
    serve = _serve(bundle)
    model = load_keras(bundle / "main")
    skills = np.array([[5, 5, 17, 3, -1, -1], [8, -1, -1, -1, -1, -1]], np.int32)
    correct = np.array([[1, 0, 1, 1, 0, 0], [0, 0, 0, 0, 0, 0]], np.int32)
    exported = serve(skill_ids=tf.constant(skills), correct=tf.constant(correct))["mastery"]
    in_process = mastery(model, tf.constant(skills), tf.constant(correct))
    np.testing.assert_allclose(exported.numpy(), in_process.numpy(), atol=1e-5)
    # The first learner without padding (T = 4) gets the same answer.
    short = serve(skill_ids=tf.constant(skills[:1, :4]), correct=tf.constant(correct[:1, :4]))
    np.testing.assert_allclose(short["mastery"].numpy()[0], exported.numpy()[0], atol=1e-5)
    assert np.all((exported.numpy() > 0) & (exported.numpy() < 1))


def test_no_attempts_gives_the_prior(bundle: Path) -> None:
    serve = _serve(bundle)
    empty = tf.fill([2, 3], -1)
    prior = serve(skill_ids=empty, correct=tf.zeros([2, 3], tf.int32))["mastery"].numpy()
    np.testing.assert_allclose(prior[0], prior[1], atol=1e-6)
    none_at_all = serve(skill_ids=tf.zeros([1, 0], tf.int32), correct=tf.zeros([1, 0], tf.int32))
    np.testing.assert_allclose(none_at_all["mastery"].numpy()[0], prior[0], atol=1e-5)


def test_padding_to_compiled_shapes_changes_no_answer(bundle: Path) -> None:
    """Batch 3 runs padded to 4 and histories padded to a block; a history longer than one
    block takes the next; every row answers as the Keras model does on its own history."""
    serve = _serve(bundle)
    model = load_keras(bundle / "main")
    rng = np.random.default_rng(5)
    length = SEQUENCE_BLOCK + 40
    skills = rng.integers(0, NUM_SKILLS, (3, length)).astype(np.int32)
    correct = rng.integers(0, 2, (3, length)).astype(np.int32)
    skills[1, 7:] = -1  # a short history beside long ones
    skills[2, :] = -1  # no attempts: the prior
    exported = serve(skill_ids=tf.constant(skills), correct=tf.constant(correct))["mastery"]
    in_process = mastery(model, tf.constant(skills), tf.constant(correct))
    np.testing.assert_allclose(exported.numpy(), in_process.numpy(), atol=1e-5)


def test_warmup_requests_cover_the_batch_sizes(bundle: Path) -> None:
    """The export ships TF Serving's warm-up file, and the model server replays every record."""
    records = list(tf.data.TFRecordDataset(str(bundle / "saved_model" / WARMUP_FILE)))
    batches = []
    for record in records:
        request = prediction_log_pb2.PredictionLog.FromString(record.numpy()).predict_log.request
        assert request.model_spec.signature_name == SIGNATURE
        batches.append(tf.make_ndarray(request.inputs["skill_ids"]).shape[0])
    assert batches == list(WARMUP_BATCHES)
    servable = Servable("knowledge_tracing", 1, bundle / "saved_model")
    assert servable.warm_up() == len(WARMUP_BATCHES)
