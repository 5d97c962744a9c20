"""Simulated learners: the machinery is reproducible and personalisation saves lessons.

The estimator here is the plain recent-accuracy model (a real, simple knowledge model); the
figures for the trained knowledge-tracing model come from `xi learning compare-paths`.
"""

from __future__ import annotations

import numpy as np

from trading_api.learning import curriculum, simulation
from trading_api.learning.mastery import MasteryEstimator


def _estimator() -> MasteryEstimator:
    return MasteryEstimator(curriculum.load(), simulation.RecentAccuracyModel())


def test_recent_accuracy_reads_the_last_two_answers_of_each_slot() -> None:
    skills = np.array([[3, 3, 3, 1], [2, -1, -1, -1]], np.int32)
    correct = np.array([[0, 1, 1, 0], [1, 0, 0, 0]], np.int32)
    mastery, _ = simulation.RecentAccuracyModel().predict(skills, correct)
    assert mastery.shape == (2, 124)
    assert mastery[0, :4].tolist() == [0.0, 0.0, 0.0, 1.0]
    assert mastery[1, :4].tolist() == [0.0, 0.0, 1.0, 0.0]
    assert not mastery[:, 4:].any()


def test_same_seed_gives_the_same_learner_and_the_same_result() -> None:
    policies = {"personalised": simulation.personalised(_estimator())}
    runs = [simulation.compare(curriculum.load(), policies, learners=5, seed=3) for _ in "ab"]
    assert runs[0] == runs[1]


def test_personalised_path_needs_fewer_lessons_than_the_syllabus() -> None:
    policies = {
        "syllabus": simulation.syllabus_policy,
        "personalised": simulation.personalised(_estimator()),
    }
    results = {r.policy: r for r in simulation.compare(curriculum.load(), policies, learners=60)}
    assert results["personalised"].mean_lessons < results["syllabus"].mean_lessons
    assert results["personalised"].reached_mastery >= 0.95
    assert results["syllabus"].reached_mastery >= 0.95


def test_calibration_picks_the_threshold_with_fewest_lessons() -> None:
    candidates = (0.5, 1.0)
    chosen, tried = simulation.calibrate_threshold(
        curriculum.load(), _estimator(), candidates, learners=20, seed=11
    )
    assert [r.policy for r in tried] == ["0.50", "1.00"]
    by_threshold = dict(zip(candidates, tried, strict=True))
    best = min(by_threshold.values(), key=lambda r: (-r.reached_mastery, r.mean_lessons))
    assert by_threshold[chosen] == best
