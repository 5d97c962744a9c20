-- An account's trades in a symbol are listed and paged by trade id (GET /api/v3/myTrades).
DROP INDEX fills_by_account_symbol;
CREATE INDEX fills_by_account_symbol_trade ON fills (account_id, symbol, trade_id);
