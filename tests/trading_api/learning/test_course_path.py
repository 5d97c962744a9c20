"""The course path respects prerequisites, skips what is mastered and follows behaviour."""

from __future__ import annotations

import pytest

from trading_api.learning import course_path, curriculum
from trading_api.learning.behaviour import TradingBehaviour
from trading_api.learning.curriculum import Curriculum


@pytest.fixture(scope="module")
def lessons() -> Curriculum:
    return curriculum.load()


def _order(path: list[course_path.PathStep]) -> list[str]:
    return [step.lesson for step in path]


def test_novice_path_covers_every_lesson_with_prerequisites_first(lessons: Curriculum) -> None:
    path = _order(course_path.plan(lessons, mastery={}))
    assert sorted(path) == sorted(lessons.lessons)
    for position, lesson_id in enumerate(path):
        for prerequisite in lessons.lessons[lesson_id].prerequisites:
            assert path.index(prerequisite) < position, (lesson_id, prerequisite)


def test_mastered_skills_are_skipped_and_path_changes_with_mastery(lessons: Curriculum) -> None:
    weak = {skill: 0.3 for skill in lessons.skills}
    strong_basics = {**weak, "order-book": 0.95, "order-types": 0.9}
    weak_path = _order(course_path.plan(lessons, weak))
    strong_path = _order(course_path.plan(lessons, strong_basics))
    assert "the-order-book" in weak_path and "order-types" in weak_path
    assert "the-order-book" not in strong_path and "order-types" not in strong_path
    assert strong_path != weak_path


def test_weakest_available_skill_comes_first(lessons: Curriculum) -> None:
    mastery = {skill: 0.95 for skill in lessons.skills} | {"custody": 0.1, "fees": 0.6}
    assert _order(course_path.plan(lessons, mastery)) == ["custody", "maker-taker-fees"]


def test_unmastered_prerequisite_is_planned_before_its_lesson(lessons: Curriculum) -> None:
    mastery = {skill: 0.95 for skill in lessons.skills} | {"self-trade": 0.2, "market-abuse": 0.5}
    assert _order(course_path.plan(lessons, mastery)) == ["market-abuse", "self-trade-prevention"]


def test_trading_behaviour_moves_a_lesson_forward(lessons: Curriculum) -> None:
    mastery = {skill: 0.95 for skill in lessons.skills} | {"custody": 0.3, "price-filters": 0.5}
    calm = _order(course_path.plan(lessons, mastery))
    rejected = TradingBehaviour(orders=20, rejected_by_filter=8)
    steps = course_path.plan(lessons, mastery, rejected)
    assert calm == ["custody", "price-filters"]
    assert _order(steps) == ["price-filters", "custody"]
    assert "rejected by a price or size filter" in steps[0].reason
