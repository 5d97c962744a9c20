"""Learning endpoints: keys and roles, lessons, media and search over the real stack."""

from __future__ import annotations

import socket

import pytest
from fastapi.testclient import TestClient

from trading_api.auth import Role
from trading_api.main import create_app


def _as(role_keys: dict[Role, str], role: Role) -> dict[str, str]:
    return {"X-MBX-APIKEY": role_keys[role]}


def test_no_key_is_401_and_wrong_key_is_401(client: TestClient) -> None:
    missing = client.get("/learning/v1/lessons")
    assert missing.status_code == 401 and missing.json()["code"] == -2014
    wrong = client.get("/learning/v1/lessons", headers={"X-MBX-APIKEY": "0" * 64})
    assert wrong.status_code == 401 and wrong.json()["code"] == -2015


@pytest.mark.parametrize("role", [Role.TRADER, Role.COMPLIANCE, Role.ANALYST])
def test_other_roles_are_403(client: TestClient, api_key: dict[Role, str], role: Role) -> None:
    response = client.get("/learning/v1/lessons", headers=_as(api_key, role))
    assert response.status_code == 403


def test_learner_reads_lessons_in_syllabus_order(client: TestClient, api_key) -> None:
    lessons = client.get("/learning/v1/lessons", headers=_as(api_key, Role.LEARNER)).json()
    assert lessons[0]["id"] == "the-order-book"
    assert {"id", "title", "text", "skills", "prerequisites"} <= set(lessons[0])


def test_lesson_media_is_served_from_the_media_store(client: TestClient, api_key) -> None:
    headers = _as(api_key, Role.LEARNER)
    media = client.get("/learning/v1/lessons/the-order-book/media", headers=headers)
    assert media.status_code == 200 and "best ask" in media.text
    assert client.get("/learning/v1/lessons/leverage/media", headers=headers).status_code == 404


def test_quiz_items_hide_their_answers(client: TestClient, api_key) -> None:
    items = client.get(
        "/learning/v1/items", params={"skill": "fees"}, headers=_as(api_key, Role.LEARNER)
    ).json()
    assert len(items) == 2 and all("answer" not in item for item in items)


def test_search_finds_lessons_by_words(client: TestClient, api_key) -> None:
    hits = client.get(
        "/learning/v1/search",
        params={"q": "wash trading volume"},
        headers=_as(api_key, Role.LEARNER),
    ).json()
    assert hits[0]["lesson"] == "market-abuse"


def test_unknown_item_is_404_and_changes_nothing(client: TestClient, api_key) -> None:
    headers = _as(api_key, Role.LEARNER)
    response = client.post(
        "/learning/v1/attempts", json={"item_id": "q-none", "choice": 0}, headers=headers
    )
    assert response.status_code == 404 and response.json()["code"] == -1121


def test_mastery_without_a_model_server_is_503_with_a_reason(database, api_key) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        idle_port = probe.getsockname()[1]
    settings = database.model_copy(update={"model_server_rest_port": idle_port})
    with TestClient(create_app(settings)) as client:
        response = client.get("/learning/v1/mastery", headers=_as(api_key, Role.LEARNER))
    assert response.status_code == 503
    assert "knowledge_tracing did not answer" in response.json()["msg"]
