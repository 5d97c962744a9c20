"""Mastery per skill from the knowledge-tracing model, served over the TF Serving protocol.

The model reads a learner's attempts as (model skill slot, correct) pairs and returns, per
slot, the probability of answering the next item of that skill correctly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx
import numpy as np

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


class ModelUnavailable(RuntimeError):
    """The model server did not answer, or has no available version of the model."""


class ServedKnowledgeModel:
    """The model behind a TF Serving-protocol server, over its REST API.

    REST rather than gRPC keeps TensorFlow (which the gRPC message types import) out of the API
    process. The status call names the version that answers, so every estimate carries it.
    """

    def __init__(self, rest_url: str, timeout_s: float = 2.0) -> None:
        self._model_url = f"{rest_url}/v1/models/{MODEL_NAME}"
        self._client = httpx.Client(timeout=timeout_s)

    def _available_version(self) -> int:
        status = self._client.get(self._model_url).json().get("model_version_status", [])
        versions = [int(v["version"]) for v in status if v.get("state") == "AVAILABLE"]
        if not versions:
            raise ModelUnavailable(f"no available version of {MODEL_NAME}")
        return max(versions)

    def predict(self, skill_ids: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, int]:
        body = {"inputs": {"skill_ids": [skill_ids.tolist()], "correct": [correct.tolist()]}}
        try:
            for _ in range(2):  # a version may be unloaded between the two calls: ask again
                version = self._available_version()
                response = self._client.post(
                    f"{self._model_url}/versions/{version}:predict", json=body
                )
                if response.status_code != 404:
                    response.raise_for_status()
                    outputs = response.json()["outputs"]
                    # TF Serving names the outputs only when a signature has several.
                    if isinstance(outputs, dict):
                        outputs = outputs["mastery"]
                    mastery = np.asarray(outputs, np.float32)[0]
                    return mastery, version
        except (httpx.HTTPError, ValueError, KeyError) as error:
            raise ModelUnavailable(f"{MODEL_NAME} did not answer: {error}") from error
        raise ModelUnavailable(f"{MODEL_NAME} versions changed twice during one request")

    def close(self) -> None:
        self._client.close()


class SavedKnowledgeModel:
    """The same SavedModel loaded in-process, for batch work such as simulations."""

    def __init__(self, path: str, version: int) -> None:
        import tensorflow as tf  # only here: the API process never loads TensorFlow

        self._tf = tf
        self._signature = tf.saved_model.load(path).signatures["serving_default"]
        self._version = version

    def predict(self, skill_ids: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, int]:
        tf = self._tf
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
