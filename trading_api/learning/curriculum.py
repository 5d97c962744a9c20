"""The curriculum: skills, courses, lessons with prerequisites, and quiz items.

Loaded once from ``curriculum.yaml`` and checked so that every reference resolves, the
prerequisites have no cycle, and the syllabus order itself respects them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CURRICULUM_FILE = Path(__file__).with_name("curriculum.yaml")


class CurriculumError(ValueError):
    """The curriculum file is inconsistent; the message names the offending entry."""


@dataclass(frozen=True)
class Skill:
    id: str
    name: str
    model_skill: int


@dataclass(frozen=True)
class Lesson:
    id: str
    course: str
    title: str
    text: str
    skills: tuple[str, ...]
    prerequisites: tuple[str, ...]
    media: str | None


@dataclass(frozen=True)
class QuizItem:
    id: str
    skill: str
    lesson: str
    question: str
    choices: tuple[str, ...]
    answer: int


@dataclass(frozen=True)
class Curriculum:
    skills: dict[str, Skill]
    lessons: dict[str, Lesson]  # in syllabus order
    items: dict[str, QuizItem]

    @property
    def syllabus(self) -> list[Lesson]:
        return list(self.lessons.values())

    def items_for_skill(self, skill: str) -> list[QuizItem]:
        return [item for item in self.items.values() if item.skill == skill]


def parse(raw: dict) -> Curriculum:
    skills = {s["id"]: Skill(s["id"], s["name"], int(s["model_skill"])) for s in raw["skills"]}
    lessons: dict[str, Lesson] = {}
    for course in raw["courses"]:
        for entry in course["lessons"]:
            if entry["id"] in lessons:
                raise CurriculumError(f"lesson {entry['id']!r} is defined twice")
            lessons[entry["id"]] = Lesson(
                id=entry["id"],
                course=course["id"],
                title=entry["title"],
                text=" ".join(entry["text"].split()),
                skills=tuple(entry["skills"]),
                prerequisites=tuple(entry.get("prerequisites", [])),
                media=entry.get("media"),
            )
    items = {
        i["id"]: QuizItem(
            i["id"], i["skill"], i["lesson"], i["question"], tuple(i["choices"]), int(i["answer"])
        )
        for i in raw["items"]
    }
    curriculum = Curriculum(skills, lessons, items)
    _check(curriculum)
    return curriculum


def _check(curriculum: Curriculum) -> None:
    slots = [skill.model_skill for skill in curriculum.skills.values()]
    if len(set(slots)) != len(slots):
        raise CurriculumError("two skills share one model skill slot")
    seen: set[str] = set()
    for lesson in curriculum.syllabus:
        for skill in lesson.skills:
            if skill not in curriculum.skills:
                raise CurriculumError(f"lesson {lesson.id!r} teaches unknown skill {skill!r}")
        for prerequisite in lesson.prerequisites:
            if prerequisite not in curriculum.lessons:
                raise CurriculumError(f"lesson {lesson.id!r} needs unknown lesson {prerequisite!r}")
            if prerequisite not in seen:
                # A prerequisite later in the syllabus means a cycle or a misordered syllabus.
                raise CurriculumError(
                    f"lesson {lesson.id!r} comes before its prerequisite {prerequisite!r}"
                )
        seen.add(lesson.id)
    for item in curriculum.items.values():
        if item.skill not in curriculum.skills or item.lesson not in curriculum.lessons:
            raise CurriculumError(f"quiz item {item.id!r} names an unknown skill or lesson")
        if not 0 <= item.answer < len(item.choices):
            raise CurriculumError(f"quiz item {item.id!r} has no choice {item.answer}")
    for skill in curriculum.skills:
        if not curriculum.items_for_skill(skill):
            raise CurriculumError(f"skill {skill!r} has no quiz item")


@cache
def load(path: Path = CURRICULUM_FILE) -> Curriculum:
    return parse(yaml.safe_load(path.read_text()))
