"""Mastery per skill from the knowledge-tracing model, served over the TF Serving protocol.

The model reads a learner's attempts as (model skill slot, correct) pairs and returns, per
slot, the probability of answering the next item of that skill correctly.

Each skill is traced from the learner's attempts on that skill alone, one batch row per skill.
The model learned from a mathematics tutor that a learner good at many skills is good at the
rest; on this curriculum that transfer guesses rather than measures, so a skill's mastery
rests on its own evidence until the model is trained on the platform's own quiz history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx
import numpy as np

from trading_api.learning.curriculum import Curriculum

MODEL_NAME = "knowledge_tracing"
MODEL_SKILLS = 124  # skill slots of the model's output


@dataclass(frozen=True)
class Attempt:
    skill: str
    correct: bool


class KnowledgeModel(Protocol):
    def predict(self, skill_ids: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, int]:
        """Per row of attempts ([batch, T], -1 pads), P(right) per model skill slot
        ([batch, slots]), and the model version that answered."""
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
        body = {"inputs": {"skill_ids": skill_ids.tolist(), "correct": correct.tolist()}}
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
                    return np.asarray(outputs, np.float32), version
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
            skill_ids=tf.constant(skill_ids, tf.int32), correct=tf.constant(correct, tf.int32)
        )
        return outputs["mastery"].numpy(), self._version


def _predict(
    curriculum: Curriculum, attempts: list[Attempt], model: KnowledgeModel
) -> tuple[dict[str, float], int]:
    """P(next answer right) per curriculum skill from its own attempts, and the model version."""
    skills = list(curriculum.skills.values())
    rows = [[a.correct for a in attempts if a.skill == skill.id] for skill in skills]
    width = max(1, *(len(row) for row in rows))  # an empty row is one padding step: the prior
    skill_ids = np.full((len(skills), width), -1, np.int32)
    correct = np.zeros((len(skills), width), np.int32)
    for i, (skill, row) in enumerate(zip(skills, rows, strict=True)):
        skill_ids[i, : len(row)] = skill.model_skill
        correct[i, : len(row)] = row
    probabilities, version = model.predict(skill_ids, correct)
    by_skill = {s.id: float(probabilities[i, s.model_skill]) for i, s in enumerate(skills)}
    return by_skill, version


@dataclass(frozen=True)
class MasteryScale:
    """Where a skill's prediction lies after a short run of wrong answers and of right ones.

    Skills differ in how high the model's probability can go (an easy skill tops 0.95, a hard
    one 0.8), so one threshold on raw probabilities would call some skills never mastered.
    Mastery is the probability placed on the skill's own scale: 0 at the run of wrong answers,
    1 at the run of right ones.
    """

    low: dict[str, float]
    high: dict[str, float]

    @classmethod
    def of(cls, curriculum: Curriculum, model: KnowledgeModel, run: int = 3) -> MasteryScale:
        low, high = {}, {}
        for skill in curriculum.skills:
            low[skill] = _predict(curriculum, [Attempt(skill, False)] * run, model)[0][skill]
            high[skill] = _predict(curriculum, [Attempt(skill, True)] * run, model)[0][skill]
        return cls(low, high)

    def place(self, skill: str, probability: float) -> float:
        span = max(self.high[skill] - self.low[skill], 1e-6)
        return min(1.0, max(0.0, (probability - self.low[skill]) / span))


@dataclass(frozen=True)
class MasteryEstimate:
    by_skill: dict[str, float]  # mastery on each skill's scale, 0..1
    p_correct: dict[str, float]  # the model's probability of a right next answer
    model_version: int


class MasteryEstimator:
    """Mastery from a knowledge model, with each model version's scale measured once."""

    def __init__(self, curriculum: Curriculum, model: KnowledgeModel) -> None:
        self.curriculum, self.model = curriculum, model
        self._scales: dict[int, MasteryScale] = {}

    def estimate(self, attempts: list[Attempt]) -> MasteryEstimate:
        p_correct, version = _predict(self.curriculum, attempts, self.model)
        if version not in self._scales:
            self._scales[version] = MasteryScale.of(self.curriculum, self.model)
        scale = self._scales[version]
        return MasteryEstimate(
            by_skill={s: round(scale.place(s, p), 4) for s, p in p_correct.items()},
            p_correct={s: round(p, 4) for s, p in p_correct.items()},
            model_version=version,
        )
