-- Accounts and their API keys. A key is stored only as its SHA-256 digest.
CREATE TABLE accounts (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    role        text NOT NULL CHECK (role IN ('trader', 'compliance', 'analyst', 'learner', 'admin')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    key_digest  bytea PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
