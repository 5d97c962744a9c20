"""The account endpoint and the admin's deposits and withdrawals, through the ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.trading_api.api.trading import Trader


def _transfer(admin: Trader, kind: str, trader: Trader, amount: str, reference: str):
    return admin.signed(
        "POST",
        f"/admin/v1/{kind}",
        {
            "accountId": str(trader.account_id),
            "asset": "USDT",
            "amount": amount,
            "reference": reference,
        },
    )


def test_deposits_and_withdrawals_apply_once_per_reference(admin: Trader, funded) -> None:
    trader: Trader = funded()
    assert _transfer(admin, "deposit", trader, "100.5", "dep-1").json()["applied"] is True
    assert _transfer(admin, "deposit", trader, "100.5", "dep-1").json()["applied"] is False
    assert _transfer(admin, "withdraw", trader, "0.5", "wd-1").json()["applied"] is True
    account = trader.signed("GET", "/api/v3/account").json()
    assert account["balances"] == [
        {"asset": "USDT", "free": "100.00000000", "locked": "0.00000000"}
    ]
    assert account["accountType"] == "SPOT" and account["canTrade"] is True


@pytest.mark.parametrize(
    ("kind", "amount"),
    [
        ("deposit", "-1"),
        ("deposit", "0"),
        ("deposit", "NaN"),
        ("deposit", "0.000000001"),
        ("withdraw", "1000"),
    ],
)
def test_bad_transfers_are_refused_and_change_nothing(
    admin: Trader, funded, kind: str, amount: str
) -> None:
    trader: Trader = funded(USDT="10")
    refused = _transfer(admin, kind, trader, amount, f"bad-{kind}-{amount}")
    assert refused.status_code == 400 and refused.json()["code"] == -1102, refused.text
    assert trader.balances() == {"USDT": (Decimal("10"), Decimal("0"))}


def test_only_an_admin_moves_money(funded) -> None:
    trader: Trader = funded(USDT="10")
    assert _transfer(trader, "deposit", trader, "1", "self-credit").status_code == 403
    assert trader.balances() == {"USDT": (Decimal("10"), Decimal("0"))}
