"""A personalised course path: the next lessons, in order, with prerequisites respected.

A lesson is needed while any skill it teaches is below the mastery threshold. A needed lesson
becomes available once each prerequisite is either planned before it or already mastered.
Among the available lessons, the largest gap in mastery goes first, raised by what the
learner's trading shows; the syllabus order breaks ties, so the path reads naturally.
"""

from __future__ import annotations

from dataclasses import dataclass

from trading_api.learning.behaviour import TradingBehaviour
from trading_api.learning.curriculum import Curriculum, Lesson

MASTERY_THRESHOLD = 0.8
# How much a behaviour signal counts next to a mastery gap (both lie in 0..1).
BEHAVIOUR_WEIGHT = 0.5


@dataclass(frozen=True)
class PathStep:
    lesson: str
    title: str
    skills: tuple[str, ...]
    reason: str


def is_mastered(lesson: Lesson, mastery: dict[str, float], threshold: float) -> bool:
    return all(mastery.get(skill, 0.0) >= threshold for skill in lesson.skills)


def plan(
    curriculum: Curriculum,
    mastery: dict[str, float],
    behaviour: TradingBehaviour | None = None,
    threshold: float = MASTERY_THRESHOLD,
) -> list[PathStep]:
    signals = (behaviour or TradingBehaviour()).signals()
    position = {lesson_id: i for i, lesson_id in enumerate(curriculum.lessons)}
    needed = {
        lesson.id: lesson
        for lesson in curriculum.syllabus
        if not is_mastered(lesson, mastery, threshold)
    }
    done = {lesson_id for lesson_id in curriculum.lessons if lesson_id not in needed}
    path: list[PathStep] = []
    while needed:
        available = [
            lesson
            for lesson in needed.values()
            if all(prerequisite in done for prerequisite in lesson.prerequisites)
        ]

        def priority(lesson: Lesson) -> tuple[float, int]:
            gap = max(threshold - mastery.get(skill, 0.0) for skill in lesson.skills)
            urgency = max(signals.get(skill, (0.0, ""))[0] for skill in lesson.skills)
            return (-(gap + BEHAVIOUR_WEIGHT * urgency), position[lesson.id])

        chosen = min(available, key=priority)
        path.append(
            PathStep(chosen.id, chosen.title, chosen.skills, _reason(chosen, mastery, signals))
        )
        done.add(chosen.id)
        del needed[chosen.id]
    return path


def _reason(lesson: Lesson, mastery: dict[str, float], signals: dict) -> str:
    weakest = min(lesson.skills, key=lambda skill: mastery.get(skill, 0.0))
    parts = [f"mastery of {weakest} is {mastery.get(weakest, 0.0):.2f}"]
    parts += [signals[skill][1] for skill in lesson.skills if skill in signals]
    return "; ".join(parts)
