"""User data streams: a listen key per trader, and only the key owner's events on its socket."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis import Redis

from trading_api import user_stream
from trading_api.auth import Role
from xi import clients
from xi.settings import Settings


def _open(client: TestClient, key: str) -> str:
    response = client.post("/api/v3/userDataStream", headers={"X-MBX-APIKEY": key})
    assert response.status_code == 200, response.text
    return response.json()["listenKey"]


def _account(redis: Redis, listen_key: str) -> int:
    owner = user_stream.owner(redis, listen_key)
    assert owner is not None
    return owner


@pytest.fixture
def redis(database: Settings) -> Redis:
    return clients.redis(database)


@pytest.mark.timeout(60)
def test_a_trader_receives_only_their_own_events(
    client: TestClient, api_key: dict[Role, str], redis: Redis
) -> None:
    listen_key = _open(client, api_key[Role.TRADER])
    assert len(listen_key) == 60
    assert _open(client, api_key[Role.TRADER]) == listen_key  # one key per account
    account = _account(redis, listen_key)
    own: dict[str, Any] = {"e": "executionReport", "s": "BTCUSDT", "i": 42}
    with client.websocket_connect(f"/ws/{listen_key}") as ws:
        redis.publish(user_stream.channel(account + 1_000_000), json.dumps({"e": "other"}))
        redis.publish(user_stream.channel(account), json.dumps(own))
        assert ws.receive_json() == own
        headers = {"X-MBX-APIKEY": api_key[Role.TRADER]}
        params = {"listenKey": listen_key}
        assert client.put("/api/v3/userDataStream", headers=headers, params=params).json() == {}
        assert client.delete("/api/v3/userDataStream", headers=headers, params=params).json() == {}
        expired = ws.receive_json()
    assert expired["e"] == "listenKeyExpired" and expired["listenKey"] == listen_key


def test_listen_keys_belong_to_their_account(
    client: TestClient, api_key: dict[Role, str], redis: Redis
) -> None:
    listen_key = _open(client, api_key[Role.TRADER])
    stranger = {"X-MBX-APIKEY": api_key[Role.ADMIN]}
    for method in ("PUT", "DELETE"):
        response = client.request(
            method, "/api/v3/userDataStream", headers=stranger, params={"listenKey": listen_key}
        )
        assert response.status_code == 400
        assert response.json() == {"code": -1125, "msg": "This listenKey does not exist."}
    assert user_stream.owner(redis, listen_key) is not None  # the refusals changed nothing
    learner = client.post("/api/v3/userDataStream", headers={"X-MBX-APIKEY": api_key[Role.LEARNER]})
    assert learner.status_code == 403 and learner.json()["code"] == -2015
    anonymous = client.post("/api/v3/userDataStream")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == -2014


def test_an_unknown_listen_key_gets_no_socket(client: TestClient) -> None:
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws/" + "0" * 60):
        pass
