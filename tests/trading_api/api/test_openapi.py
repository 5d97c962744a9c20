"""The OpenAPI document, and a schemathesis run of the market data, general and user data
stream endpoints against the application in process: no 5xx, no answer outside the document."""

from __future__ import annotations

import uuid

import psycopg
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from trading_api.auth import Role, SecretBox, create_account, issue_api_key
from trading_api.main import create_app
from xi.settings import Settings

CHECKED = (
    r"^/api/v3/(ping|time|exchangeInfo|depth|trades|historicalTrades|aggTrades|klines|uiKlines"
    r"|ticker/.*|avgPrice|userDataStream)$"
)


@pytest.fixture(scope="module")
def api_schema(database: Settings) -> schemathesis.BaseSchema:
    # Its own weight counters: the run's weight does not count against other tests' apps.
    settings_ = database.model_copy(
        update={
            "api_request_weight_per_minute": 10**9,
            "api_weight_key_prefix": f"weight-{uuid.uuid4().hex[:8]}",
        }
    )
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(settings_))


@pytest.fixture(scope="module")
def trader_key(database: Settings) -> str:
    box = SecretBox(database.secret_key.get_secret_value())
    with psycopg.connect(database.postgres_dsn, autocommit=True) as conn:
        account = create_account(conn, name="schemathesis-trader", role=Role.TRADER)
        return issue_api_key(conn, box, account_id=account).api_key


CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]


def test_api_answers_as_documented(api_schema: schemathesis.BaseSchema, trader_key: str) -> None:
    operations = [
        result.ok() for result in api_schema.include(path_regex=CHECKED).get_all_operations()
    ]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case: schemathesis.Case) -> None:
            case.call_and_validate(headers={"X-MBX-APIKEY": trader_key}, checks=CHECKS)

        answers_as_documented()


def test_every_4xx_is_documented_in_the_error_shape(database: Settings) -> None:
    document = create_app(database).openapi()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            errors = {s: r for s, r in operation["responses"].items() if s.startswith("4")}
            assert {"400", "429"} <= set(errors), (method, path)
            for response in errors.values():
                schema_ref = response["content"]["application/json"]["schema"]["$ref"]
                assert schema_ref == "#/components/schemas/ErrorBody", (method, path)
    limits = document["paths"]["/api/v3/depth"]["get"]["parameters"]
    limit = next(p for p in limits if p["name"] == "limit")["schema"]
    assert (limit["minimum"], limit["maximum"]) == (1, 5000)
