"""The per-skill baseline: how often a skill is answered correctly, adjusted per learner.

The probability for an attempt is the training share correct of its skill, shrunk towards
the learner's own record on that skill so far in the window:
``(m * skill_rate + correct_so_far) / (m + attempts_so_far)``. ``m`` (pseudo-attempts) is
chosen on validation data. No learning beyond counting: an honest floor for the models.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Self

import numpy as np

from models.knowledge_tracing.data import NUM_SKILLS, Learner, Windows

PSEUDO_ATTEMPTS = (1.0, 2.0, 5.0, 10.0, 1e9)  # 1e9: the skill rate alone


@dataclass(frozen=True)
class SkillBaseline:
    skill_rates: list[float]
    pseudo_attempts: float = 5.0

    @classmethod
    def fit(cls, learners: list[Learner], pseudo_attempts: float = 5.0) -> Self:
        correct = np.ones(NUM_SKILLS)  # one correct and one wrong prior attempt (Laplace)
        attempts = np.full(NUM_SKILLS, 2.0)
        for learner in learners:
            np.add.at(correct, learner.skills, learner.correct)
            np.add.at(attempts, learner.skills, 1.0)
        return cls((correct / attempts).tolist(), pseudo_attempts)

    def with_pseudo_attempts(self, pseudo_attempts: float) -> Self:
        return type(self)(self.skill_rates, pseudo_attempts)

    def predict(self, windows: Windows) -> np.ndarray:
        """Probability of a correct answer at every position: float32 [n, L]."""
        rates = np.asarray(self.skill_rates)
        out = np.zeros(windows.targets.shape, np.float32)
        for row in range(len(windows)):
            seen = np.zeros(NUM_SKILLS)
            right = np.zeros(NUM_SKILLS)
            for t in range(int(windows.weights[row].sum())):
                skill = windows.queries[row, t]
                prior = rates[skill]
                m = self.pseudo_attempts
                out[row, t] = (m * prior + right[skill]) / (m + seen[skill])
                seen[skill] += 1
                right[skill] += windows.targets[row, t]
        return out

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def load(cls, path: Path) -> Self:
        return cls(**json.loads(path.read_text()))
