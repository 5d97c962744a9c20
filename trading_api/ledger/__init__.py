"""The double-entry ledger: balances, holds for open orders, settlement of fills."""
