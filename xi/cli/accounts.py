"""`xi accounts create NAME --role ROLE`: an account and its first API key (shown once)."""

from __future__ import annotations

import json
from typing import Annotated

import psycopg
import typer

from trading_api import db
from trading_api.auth import Role, SecretBox, create_account, issue_api_key
from xi.settings import get_settings

app = typer.Typer(help="Accounts and API keys.", no_args_is_help=True)


@app.command()
def create(
    name: str,
    role: Annotated[Role, typer.Option(help="what the account may do")] = Role.TRADER,
) -> None:
    """Create an account and print its API key and secret as JSON (the secret is shown once)."""
    settings = get_settings()
    with psycopg.connect(settings.postgres_dsn, autocommit=True) as conn:
        db.migrate(conn)
        account = create_account(conn, name=name, role=role)
        issued = issue_api_key(
            conn, SecretBox(settings.secret_key.get_secret_value()), account_id=account
        )
    print(
        json.dumps(
            {
                "account_id": account,
                "name": name,
                "role": role.value,
                "api_key": issued.api_key,
                "secret": issued.secret,
            }
        )
    )
