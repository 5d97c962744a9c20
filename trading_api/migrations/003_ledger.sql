-- A double-entry ledger. Every journal entry's postings sum to zero per asset, so every
-- asset's total over all balances never changes except through the external account.
INSERT INTO accounts (name, role) VALUES ('system:external', 'system'), ('system:fees', 'system');

CREATE TABLE journal (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('deposit', 'withdrawal', 'hold', 'release', 'trade')),
    -- The idempotency key: a redelivered event or a retried request finds its entry here.
    reference   text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE postings (
    entry_id    bigint NOT NULL REFERENCES journal (id),
    account_id  bigint NOT NULL REFERENCES accounts (id),
    asset       text NOT NULL,
    bucket      text NOT NULL CHECK (bucket IN ('free', 'locked')),
    amount      numeric(38, 18) NOT NULL CHECK (amount <> 0)
);
CREATE INDEX postings_by_entry ON postings (entry_id);

CREATE TABLE balances (
    account_id      bigint NOT NULL REFERENCES accounts (id),
    asset           text NOT NULL,
    free            numeric(38, 18) NOT NULL DEFAULT 0,
    locked          numeric(38, 18) NOT NULL DEFAULT 0,
    -- Only the external account (the world outside the exchange) may go below zero.
    may_go_negative boolean NOT NULL DEFAULT false,
    PRIMARY KEY (account_id, asset),
    CONSTRAINT balance_not_negative CHECK (may_go_negative OR (free >= 0 AND locked >= 0))
);
