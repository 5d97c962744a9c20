"""Simulated learners with a known true mastery, to compare course paths.

A learner truly knows some skills from the start. Studying a lesson teaches its skills with a
good chance when the lesson's prerequisites are truly known, a small one otherwise. Quiz
answers are right with a high chance for known skills and a guess for unknown ones. Both
policies count the lessons taken until every skill is truly known.

- syllabus: every lesson in the fixed order, retaken (up to three times) until its quiz passes;
  then a review quiz of every lesson, and another pass over the lessons it fails.
- personalised: a short diagnostic quiz, then always the first lesson of the course path that
  the estimated mastery gives, re-planned after each lesson's quiz.

A mastery threshold for an estimator is chosen on calibration learners (their own seed), by
the fewest lessons to mastery; results are reported on other learners.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from trading_api.learning import course_path
from trading_api.learning.curriculum import Curriculum, Lesson
from trading_api.learning.mastery import MODEL_SKILLS, Attempt, MasteryEstimator

P_LEARN = 0.6
P_LEARN_WITHOUT_PREREQUISITES = 0.15
P_CORRECT_KNOWN = 0.9
P_CORRECT_GUESS = 0.25
QUIZ_ITEMS_PER_SKILL = 2
MAX_LESSONS = 120
MAX_ROUNDS = 20
RETAKES = 3


@dataclass
class SimulatedLearner:
    curriculum: Curriculum
    rng: random.Random
    known: set[str]
    attempts: list[Attempt] = field(default_factory=list)
    lessons_taken: int = 0

    @classmethod
    def sample(cls, curriculum: Curriculum, seed: int) -> SimulatedLearner:
        rng = random.Random(seed)
        experience = rng.random()
        known = {skill for skill in curriculum.skills if rng.random() < experience}
        return cls(curriculum, rng, known)

    def knows_everything(self) -> bool:
        return self.known >= set(self.curriculum.skills)

    def study(self, lesson: Lesson) -> None:
        self.lessons_taken += 1
        ready = all(
            set(self.curriculum.lessons[p].skills) <= self.known for p in lesson.prerequisites
        )
        chance = P_LEARN if ready else P_LEARN_WITHOUT_PREREQUISITES
        for skill in lesson.skills:
            if self.rng.random() < chance:
                self.known.add(skill)

    def quiz(self, skills: tuple[str, ...] | list[str]) -> bool:
        """Answer the items of ``skills``; True when every answer was right."""
        all_right = True
        for skill in skills:
            for _ in range(QUIZ_ITEMS_PER_SKILL):
                chance = P_CORRECT_KNOWN if skill in self.known else P_CORRECT_GUESS
                correct = self.rng.random() < chance
                self.attempts.append(Attempt(skill, correct))
                all_right &= correct
        return all_right


def syllabus_policy(learner: SimulatedLearner) -> None:
    syllabus = learner.curriculum.syllabus
    pending = syllabus
    for _ in range(MAX_ROUNDS):
        for lesson in pending:
            for _attempt in range(RETAKES):
                learner.study(lesson)
                if learner.knows_everything() or learner.lessons_taken >= MAX_LESSONS:
                    return
                if learner.quiz(lesson.skills):
                    break
        # A review quiz of every lesson; the failed ones make the next pass.
        pending = [lesson for lesson in syllabus if not learner.quiz(lesson.skills)]


def personalised_policy(
    estimator: MasteryEstimator, threshold: float, learner: SimulatedLearner
) -> None:
    curriculum = learner.curriculum
    learner.quiz(list(curriculum.skills))  # diagnostic
    for _ in range(MAX_ROUNDS * len(curriculum.lessons)):
        if learner.knows_everything() or learner.lessons_taken >= MAX_LESSONS:
            return
        mastery = estimator.estimate(learner.attempts).by_skill
        path = course_path.plan(curriculum, mastery, threshold=threshold)
        if not path:
            learner.quiz(list(curriculum.skills))  # the estimate says we are done: review
            continue
        lesson = curriculum.lessons[path[0].lesson]
        learner.study(lesson)
        learner.quiz(lesson.skills)


Policy = Callable[[SimulatedLearner], None]


def personalised(
    estimator: MasteryEstimator, threshold: float = course_path.MASTERY_THRESHOLD
) -> Policy:
    return partial(personalised_policy, estimator, threshold)


@dataclass(frozen=True)
class PolicyResult:
    policy: str
    learners: int
    mean_lessons: float
    median_lessons: float
    reached_mastery: float  # share of learners who knew every skill within MAX_LESSONS


def compare(
    curriculum: Curriculum,
    policies: dict[str, Policy],
    learners: int,
    seed: int = 0,
    progress: Callable[[int], None] = lambda _done: None,
) -> list[PolicyResult]:
    """Run every policy on the same simulated learners (same seeds, same starting knowledge)."""
    lessons: dict[str, list[int]] = {name: [] for name in policies}
    reached: dict[str, int] = dict.fromkeys(policies, 0)
    for i in range(learners):
        for name, policy in policies.items():
            learner = SimulatedLearner.sample(curriculum, seed * 1_000_003 + i)
            policy(learner)
            lessons[name].append(learner.lessons_taken)
            reached[name] += learner.knows_everything()
        progress(i + 1)
    return [
        PolicyResult(
            policy=name,
            learners=learners,
            mean_lessons=round(statistics.fmean(counts), 2),
            median_lessons=float(statistics.median(counts)),
            reached_mastery=round(reached[name] / learners, 3),
        )
        for name, counts in lessons.items()
    ]


def calibrate_threshold(
    curriculum: Curriculum,
    estimator: MasteryEstimator,
    candidates: Sequence[float],
    learners: int,
    seed: int,
    progress: Callable[[int], None] = lambda _done: None,
) -> tuple[float, list[PolicyResult]]:
    """The mastery threshold with the fewest lessons to mastery on the calibration learners.

    Only learners who reach mastery count as done; ties go to the higher (stricter) threshold.
    """
    policies = {f"{threshold:.2f}": personalised(estimator, threshold) for threshold in candidates}
    results = compare(curriculum, policies, learners, seed, progress)
    best = min(
        zip(candidates, results, strict=True),
        key=lambda pair: (-pair[1].reached_mastery, pair[1].mean_lessons, -pair[0]),
    )
    return best[0], results


class RecentAccuracyModel:
    """A plain knowledge model to compare with: a skill slot's share of right answers in its
    last two attempts (0 with none)."""

    def predict(self, skill_ids: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, int]:
        mastery = np.zeros((len(skill_ids), MODEL_SKILLS), np.float32)
        for row, (slots, answers) in enumerate(zip(skill_ids, correct, strict=True)):
            for slot in set(slots.tolist()) - {-1}:
                mastery[row, slot] = answers[slots == slot][-2:].mean()
        return mastery, 0
