"""Mastery and course paths through the whole path: API, PostgreSQL, the model server (REST).

The served model is a small real Keras model with the knowledge-tracing signature; the API
must return exactly what that SavedModel computes for the learner's stored attempts.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from models.serving import demo_model
from models.serving.server import ModelServer, ServerOptions
from trading_api.auth import Role, SecretBox, create_account, issue_api_key
from trading_api.learning import course_path, curriculum
from trading_api.learning.mastery import Attempt, MasteryEstimator, SavedKnowledgeModel
from trading_api.main import create_app
from xi.settings import Settings


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("models")
    demo_model.export(demo_model.build(seed=3), base / "knowledge_tracing" / "1")
    return base


@pytest.fixture(scope="module")
def model_server(saved_model: Path) -> Iterator[ModelServer]:
    server = ModelServer(
        ServerOptions(model_base_path=saved_model, grpc_port=0, rest_port=0, poll_seconds=0.2)
    )
    server.start()
    status_url = f"http://127.0.0.1:{server.rest_port}/v1/models/knowledge_tracing"
    deadline = time.monotonic() + 60
    while "AVAILABLE" not in httpx.get(status_url).text and time.monotonic() < deadline:
        time.sleep(0.2)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def learner_client(database: Settings, model_server: ModelServer) -> Iterator[TestClient]:
    settings = database.model_copy(update={"model_server_rest_port": model_server.rest_port})
    with psycopg.connect(settings.postgres_dsn, autocommit=True) as conn:
        account = create_account(conn, name=f"learner-{uuid.uuid4().hex[:8]}", role=Role.LEARNER)
        key = issue_api_key(
            conn, SecretBox(settings.secret_key.get_secret_value()), account_id=account
        ).api_key
    with TestClient(create_app(settings), headers={"X-MBX-APIKEY": key}) as client:
        yield client


def test_answers_are_stored_and_mastery_is_the_served_models(
    learner_client: TestClient, saved_model: Path
) -> None:
    lessons = curriculum.load()
    answers = [("q-book-1", 0), ("q-book-2", 1), ("q-fees-1", 1), ("q-abuse-1", 0)]
    for item_id, choice in answers:
        response = learner_client.post(
            "/learning/v1/attempts", json={"item_id": item_id, "choice": choice}
        )
        assert response.status_code == 200, response.text
        assert response.json()["correct"] == (choice == lessons.items[item_id].answer)

    served = learner_client.get("/learning/v1/mastery").json()
    history = [Attempt(lessons.items[i].skill, c == lessons.items[i].answer) for i, c in answers]
    in_process = MasteryEstimator(
        lessons, SavedKnowledgeModel(str(saved_model / "knowledge_tracing" / "1"), version=1)
    ).estimate(history)
    assert served["model_version"] == 1 and served["attempts"] == len(answers)
    assert served["p_correct"] == pytest.approx(in_process.p_correct, abs=1e-4)
    assert served["mastery"] == pytest.approx(in_process.by_skill, abs=1e-3)

    path = learner_client.get("/learning/v1/path").json()
    threshold = path["mastery_threshold"]
    expected = course_path.plan(lessons, served["mastery"], threshold=threshold)
    assert [step["lesson"] for step in path["steps"]] == [step.lesson for step in expected]
    assert path["model_version"] == 1


def test_a_bad_choice_is_refused_and_not_stored(learner_client: TestClient) -> None:
    before = learner_client.get("/learning/v1/mastery").json()["attempts"]
    response = learner_client.post(
        "/learning/v1/attempts", json={"item_id": "q-book-1", "choice": 7}
    )
    assert response.status_code == 400 and response.json()["code"] == -1102
    assert learner_client.get("/learning/v1/mastery").json()["attempts"] == before
