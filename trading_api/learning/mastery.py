"""Mastery per skill from the knowledge-tracing model, served over the TF Serving protocol.

The model reads a learner's attempts as (model skill slot, correct) pairs and returns, per
slot, the probability of answering the next item of that skill correctly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import grpc
import numpy as np
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

from trading_api.learning.curriculum import Curriculum

MODEL_NAME = "knowledge_tracing"


@dataclass(frozen=True)
class Attempt:
    skill: str
    correct: bool


@dataclass(frozen=True)
class MasteryEstimate:
    by_skill: dict[str, float]
    model_version: int


class KnowledgeModel(Protocol):
    def predict(self, skill_ids: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, int]:
        """Mastery per model skill slot for one learner's attempts, and the model version."""
        ...


class ServedKnowledgeModel:
    """The model behind a TF Serving-protocol server, called through the official gRPC stub."""

    def __init__(self, target: str, timeout_s: float = 2.0) -> None:
        self._channel = grpc.insecure_channel(target)
        self._stub = prediction_service_pb2_grpc.PredictionServiceStub(self._channel)
        self._timeout_s = timeout_s

    def predict(self, skill_ids: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, int]:
        request = predict_pb2.PredictRequest()
        request.model_spec.name = MODEL_NAME
        request.model_spec.signature_name = "serving_default"
        request.inputs["skill_ids"].CopyFrom(tf.make_tensor_proto(skill_ids[None, :], tf.int32))
        request.inputs["correct"].CopyFrom(tf.make_tensor_proto(correct[None, :], tf.int32))
        response = self._stub.Predict(request, timeout=self._timeout_s)
        mastery = tf.make_ndarray(response.outputs["mastery"])[0]
        return mastery, int(response.model_spec.version.value)

    def close(self) -> None:
        self._channel.close()


class SavedKnowledgeModel:
    """The same SavedModel loaded in-process, for batch work such as simulations."""

    def __init__(self, path: str, version: int) -> None:
        self._signature = tf.saved_model.load(path).signatures["serving_default"]
        self._version = version

    def predict(self, skill_ids: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, int]:
        outputs = self._signature(
            skill_ids=tf.constant(skill_ids[None, :], tf.int32),
            correct=tf.constant(correct[None, :], tf.int32),
        )
        return outputs["mastery"].numpy()[0], self._version


def estimate(
    curriculum: Curriculum, attempts: list[Attempt], model: KnowledgeModel
) -> MasteryEstimate:
    slots = np.array([curriculum.skills[a.skill].model_skill for a in attempts], np.int32)
    correct = np.array([int(a.correct) for a in attempts], np.int32)
    if not attempts:  # one padding step: the model's prior, in the signature's own terms
        slots, correct = np.array([-1], np.int32), np.array([0], np.int32)
    mastery, version = model.predict(slots, correct)
    return MasteryEstimate(
        by_skill={
            skill.id: round(float(mastery[skill.model_skill]), 4)
            for skill in curriculum.skills.values()
        },
        model_version=version,
    )
