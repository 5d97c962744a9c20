"""The learning part of the demo: a learner answers quiz items over the running API and gets
mastery and a course path from the served knowledge-tracing model."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import psycopg

from trading_api import db
from trading_api.auth import Role, SecretBox, create_account, issue_api_key
from trading_api.learning.mastery import MODEL_NAME
from xi.settings import Settings

# A learner who knows the order book and order types, and not yet fees or market abuse.
ANSWERS = [
    ("q-book-1", 0),
    ("q-book-2", 1),
    ("q-types-1", 1),
    ("q-types-2", 1),
    ("q-fees-1", 2),
    ("q-fees-2", 0),
    ("q-abuse-1", 2),
    ("q-abuse-2", 0),
]


@dataclass(frozen=True)
class LearnerView:
    mastery: dict[str, float]
    path: list[dict]
    model_version: int


def has_model(settings: Settings) -> bool:
    folder = settings.model_base_path / MODEL_NAME
    return any(p.name.isdigit() for p in folder.glob("*"))


def wait_until_served(settings: Settings, timeout_s: float = 120) -> None:
    """The model server picks a new version up by polling: wait until it serves one."""
    url = f"{settings.model_server_rest_url}/v1/models/{MODEL_NAME}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if "AVAILABLE" in httpx.get(url, timeout=5).text:
            return
        time.sleep(1)
    raise TimeoutError(f"{MODEL_NAME} was not served within {timeout_s:.0f} s")


def learner_session(settings: Settings, report: Callable[[str], None]) -> LearnerView:
    with psycopg.connect(settings.postgres_dsn, autocommit=True) as conn:
        db.migrate(conn)
        account = create_account(
            conn, name=f"demo-learner-{uuid.uuid4().hex[:6]}", role=Role.LEARNER
        )
        key = issue_api_key(
            conn, SecretBox(settings.secret_key.get_secret_value()), account_id=account
        ).api_key
    with httpx.Client(
        base_url=settings.trading_api_url, headers={"X-MBX-APIKEY": key}, timeout=30
    ) as api:
        for item, choice in ANSWERS:
            report(f"learner answers {item}")
            api.post(
                "/learning/v1/attempts", json={"item_id": item, "choice": choice}
            ).raise_for_status()
        mastery = api.get("/learning/v1/mastery").raise_for_status().json()
        path = api.get("/learning/v1/path").raise_for_status().json()
    return LearnerView(mastery["mastery"], path["steps"], mastery["model_version"])
