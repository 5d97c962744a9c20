"""Simulated learners: the machinery is reproducible and personalisation saves lessons.

The estimator here is a plain per-skill running accuracy (a real, simple knowledge model);
the figures for the trained knowledge-tracing model come from `xi learning compare-paths`.
"""

from __future__ import annotations

import numpy as np

from trading_api.learning import curriculum, simulation


class RecentAccuracyModel:
    """Mastery of a skill slot = share of right answers in its last two attempts."""

    def predict(self, skill_ids: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, int]:
        mastery = np.zeros(124, np.float32)
        for slot in set(skill_ids.tolist()) - {-1}:
            recent = correct[skill_ids == slot][-2:]
            mastery[slot] = recent.mean()
        return mastery, 1


def test_same_seed_gives_the_same_learner_and_the_same_result() -> None:
    lessons = curriculum.load()
    runs = [simulation.compare(lessons, RecentAccuracyModel(), learners=5, seed=3) for _ in "ab"]
    assert runs[0] == runs[1]


def test_personalised_path_needs_fewer_lessons_than_the_syllabus() -> None:
    results = {
        r.policy: r
        for r in simulation.compare(curriculum.load(), RecentAccuracyModel(), learners=60)
    }
    assert results["personalised"].mean_lessons < results["syllabus"].mean_lessons
    assert results["personalised"].reached_mastery >= 0.95
    assert results["syllabus"].reached_mastery >= 0.95
