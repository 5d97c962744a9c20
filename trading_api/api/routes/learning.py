"""Learning endpoints for the learner role: lessons, quizzes, mastery, course path, search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from trading_api.api.deps import DbDep, LearnerDep
from trading_api.errors import BAD_PARAMETER, NOT_FOUND, ApiError
from trading_api.learning import course_path, mastery, search, store
from trading_api.learning.curriculum import Curriculum

router = APIRouter(prefix="/learning/v1", tags=["learning"])

SERVICE_UNAVAILABLE = -1001


class LessonOut(BaseModel):
    id: str
    course: str
    title: str
    text: str
    skills: list[str]
    prerequisites: list[str]
    has_media: bool


class ItemOut(BaseModel):
    id: str
    skill: str
    lesson: str
    question: str
    choices: list[str]


class AttemptIn(BaseModel):
    item_id: str = Field(max_length=64)
    choice: int = Field(ge=0, le=16)


class AttemptOut(BaseModel):
    item_id: str
    correct: bool
    mastery: dict[str, float]
    model_version: int


class MasteryOut(BaseModel):
    mastery: dict[str, float]
    p_correct: dict[str, float]
    model_version: int
    attempts: int
    completed_lessons: list[str]


class PathStepOut(BaseModel):
    lesson: str
    title: str
    skills: list[str]
    reason: str


class PathOut(BaseModel):
    steps: list[PathStepOut]
    model_version: int
    mastery_threshold: float


class SearchHitOut(BaseModel):
    lesson: str
    title: str
    score: float
    highlights: list[str]


def _curriculum(request: Request) -> Curriculum:
    return request.app.state.curriculum


def _estimate(request: Request, conn: DbDep, account_id: int) -> mastery.MasteryEstimate:
    history = store.attempts(conn, account_id=account_id)
    try:
        return request.app.state.mastery.estimate(history)
    except mastery.ModelUnavailable as error:
        raise ApiError(503, SERVICE_UNAVAILABLE, str(error)) from error


def _lesson_out(request: Request, lesson_id: str) -> LessonOut:
    lesson = _curriculum(request).lessons.get(lesson_id)
    if lesson is None:
        raise ApiError(404, NOT_FOUND, f"unknown lesson {lesson_id!r}")
    return LessonOut(
        id=lesson.id,
        course=lesson.course,
        title=lesson.title,
        text=lesson.text,
        skills=list(lesson.skills),
        prerequisites=list(lesson.prerequisites),
        has_media=lesson.media is not None,
    )


@router.get("/lessons")
def list_lessons(request: Request, _learner: LearnerDep) -> list[LessonOut]:
    """Every lesson, in syllabus order."""
    return [_lesson_out(request, lesson_id) for lesson_id in _curriculum(request).lessons]


@router.get("/lessons/{lesson_id}")
def get_lesson(request: Request, lesson_id: str, _learner: LearnerDep) -> LessonOut:
    return _lesson_out(request, lesson_id)


@router.get("/lessons/{lesson_id}/media", response_class=FileResponse)
def get_lesson_media(request: Request, lesson_id: str, _learner: LearnerDep) -> FileResponse:
    lesson = _curriculum(request).lessons.get(lesson_id)
    path = request.app.state.media.path_of(lesson.media) if lesson and lesson.media else None
    if path is None:
        raise ApiError(404, NOT_FOUND, f"lesson {lesson_id!r} has no media")
    return FileResponse(path)


@router.post("/lessons/{lesson_id}/complete", status_code=204)
def complete_lesson(request: Request, lesson_id: str, conn: DbDep, learner: LearnerDep) -> None:
    _lesson_out(request, lesson_id)
    store.complete_lesson(conn, account_id=learner.account_id, lesson_id=lesson_id)


@router.get("/items")
def list_items(request: Request, _learner: LearnerDep, skill: str | None = None) -> list[ItemOut]:
    """Quiz items (without their answers), optionally of one skill."""
    items = _curriculum(request).items.values()
    return [
        ItemOut(
            id=i.id, skill=i.skill, lesson=i.lesson, question=i.question, choices=list(i.choices)
        )
        for i in items
        if skill is None or i.skill == skill
    ]


@router.post("/attempts")
def answer_item(
    request: Request, attempt: AttemptIn, conn: DbDep, learner: LearnerDep
) -> AttemptOut:
    """Record an answer to a quiz item and return the updated mastery."""
    item = _curriculum(request).items.get(attempt.item_id)
    if item is None:
        raise ApiError(404, NOT_FOUND, f"unknown quiz item {attempt.item_id!r}")
    if attempt.choice >= len(item.choices):
        raise ApiError(400, BAD_PARAMETER, f"item {item.id!r} has {len(item.choices)} choices")
    correct = attempt.choice == item.answer
    store.record_attempt(conn, account_id=learner.account_id, item=item, correct=correct)
    estimate = _estimate(request, conn, learner.account_id)
    return AttemptOut(
        item_id=item.id,
        correct=correct,
        mastery=estimate.by_skill,
        model_version=estimate.model_version,
    )


@router.get("/mastery")
def get_mastery(request: Request, conn: DbDep, learner: LearnerDep) -> MasteryOut:
    estimate = _estimate(request, conn, learner.account_id)
    return MasteryOut(
        mastery=estimate.by_skill,
        p_correct=estimate.p_correct,
        model_version=estimate.model_version,
        attempts=len(store.attempts(conn, account_id=learner.account_id)),
        completed_lessons=store.completed_lessons(conn, account_id=learner.account_id),
    )


@router.get("/path")
def get_course_path(request: Request, conn: DbDep, learner: LearnerDep) -> PathOut:
    """The next lessons in order, from the learner's mastery; prerequisites come first."""
    estimate = _estimate(request, conn, learner.account_id)
    threshold = request.app.state.settings.learning_mastery_threshold
    steps = course_path.plan(_curriculum(request), estimate.by_skill, threshold=threshold)
    return PathOut(
        steps=[
            PathStepOut(lesson=s.lesson, title=s.title, skills=list(s.skills), reason=s.reason)
            for s in steps
        ],
        model_version=estimate.model_version,
        mastery_threshold=threshold,
    )


@router.get("/search")
def search_lessons(
    request: Request,
    _learner: LearnerDep,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[SearchHitOut]:
    """Lessons that contain the words of ``q``, best first."""
    hits = search.search_lessons(request.app.state.elasticsearch, q, size=limit)
    return [SearchHitOut(**hit.__dict__) for hit in hits]
