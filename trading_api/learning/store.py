"""Learners' quiz attempts and completed lessons in PostgreSQL."""

from __future__ import annotations

from psycopg import Connection

from trading_api.learning.curriculum import QuizItem
from trading_api.learning.mastery import Attempt

# The model sees at most this many recent attempts: older ones add little and cost time.
HISTORY_LIMIT = 500


def record_attempt(conn: Connection, *, account_id: int, item: QuizItem, correct: bool) -> None:
    conn.execute(
        "INSERT INTO learning_attempts (account_id, item_id, skill, correct) "
        "VALUES (%s, %s, %s, %s)",
        (account_id, item.id, item.skill, correct),
    )


def attempts(conn: Connection, *, account_id: int) -> list[Attempt]:
    rows = conn.execute(
        "SELECT skill, correct FROM (SELECT id, skill, correct FROM learning_attempts "
        "WHERE account_id = %s ORDER BY id DESC LIMIT %s) recent ORDER BY id",
        (account_id, HISTORY_LIMIT),
    ).fetchall()
    return [Attempt(skill, correct) for skill, correct in rows]


def complete_lesson(conn: Connection, *, account_id: int, lesson_id: str) -> None:
    conn.execute(
        "INSERT INTO learning_completions (account_id, lesson_id) VALUES (%s, %s) "
        "ON CONFLICT DO NOTHING",
        (account_id, lesson_id),
    )


def completed_lessons(conn: Connection, *, account_id: int) -> list[str]:
    rows = conn.execute(
        "SELECT lesson_id FROM learning_completions WHERE account_id = %s ORDER BY completed_at",
        (account_id,),
    ).fetchall()
    return [row[0] for row in rows]
