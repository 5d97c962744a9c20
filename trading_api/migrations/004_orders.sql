-- Orders and their fills. An order's id is this database's; the engine's id arrives with its
-- NEW report. Every engine report is applied once: its (shard, seq, engine order id) is
-- recorded in the same transaction that applies it.
INSERT INTO accounts (name, role) VALUES ('system:clearing', 'system');
ALTER TABLE accounts ADD COLUMN kill_switch boolean NOT NULL DEFAULT false;

CREATE TABLE orders (
    id                  bigserial PRIMARY KEY,
    account_id          bigint NOT NULL REFERENCES accounts (id),
    symbol              text NOT NULL,
    -- The idempotency key of a placement: the same clientOrderId returns the same order.
    client_order_id     text NOT NULL,
    command_id          text NOT NULL UNIQUE,
    engine_order_id     bigint UNIQUE,
    side                text NOT NULL CHECK (side IN ('BUY', 'SELL')),
    type                text NOT NULL,
    time_in_force       text NOT NULL CHECK (time_in_force IN ('GTC', 'IOC', 'FOK')),
    stp_mode            text NOT NULL,
    price               numeric(38, 18) NOT NULL DEFAULT 0,
    stop_price          numeric(38, 18) NOT NULL DEFAULT 0,
    iceberg_qty         numeric(38, 18) NOT NULL DEFAULT 0,
    orig_qty            numeric(38, 18) NOT NULL DEFAULT 0,
    orig_quote_qty      numeric(38, 18) NOT NULL DEFAULT 0,
    executed_qty        numeric(38, 18) NOT NULL DEFAULT 0,
    cummulative_quote_qty numeric(38, 18) NOT NULL DEFAULT 0,
    status              text NOT NULL CHECK (status IN ('PENDING_NEW', 'NEW', 'PARTIALLY_FILLED',
                        'FILLED', 'CANCELED', 'REJECTED', 'EXPIRED', 'EXPIRED_IN_MATCH')),
    reject_reason       text,
    -- The ledger hold: what the order may still spend, and what its fills took from it.
    hold_asset          text NOT NULL,
    hold_amount         numeric(38, 18) NOT NULL,
    hold_used           numeric(38, 18) NOT NULL DEFAULT 0,
    risk_decision       jsonb NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, client_order_id)
);
CREATE INDEX orders_by_account_symbol ON orders (account_id, symbol, id);
CREATE INDEX orders_open ON orders (account_id, symbol)
    WHERE status IN ('PENDING_NEW', 'NEW', 'PARTIALLY_FILLED');

-- One row per side of a trade this database's orders took part in.
CREATE TABLE fills (
    id              bigserial PRIMARY KEY,
    order_id        bigint NOT NULL REFERENCES orders (id),
    account_id      bigint NOT NULL REFERENCES accounts (id),
    symbol          text NOT NULL,
    shard           integer NOT NULL,
    seq             bigint NOT NULL,
    trade_id        bigint NOT NULL,
    side            text NOT NULL,
    price           numeric(38, 18) NOT NULL,
    qty             numeric(38, 18) NOT NULL,
    quote_qty       numeric(38, 18) NOT NULL,
    commission      numeric(38, 18) NOT NULL,
    commission_asset text NOT NULL,
    is_maker        boolean NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (shard, seq, order_id)
);
CREATE INDEX fills_by_account_symbol ON fills (account_id, symbol, id);

-- Engine reports already applied (both sides of a fill share a seq, so the order is part of
-- the key): a redelivered report finds its row here and changes nothing.
CREATE TABLE applied_reports (
    shard       integer NOT NULL,
    seq         bigint NOT NULL,
    order_id    bigint NOT NULL REFERENCES orders (id),
    exec_type   text NOT NULL,
    PRIMARY KEY (shard, seq, order_id, exec_type)
);
