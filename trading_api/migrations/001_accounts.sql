-- Accounts and their API keys. A key is stored only as its SHA-256 digest; its signing secret
-- is stored encrypted (AES-GCM, with a key from the configuration), never in clear.
CREATE TABLE accounts (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    role        text NOT NULL CHECK (role IN ('trader', 'compliance', 'analyst', 'learner', 'admin', 'system')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    key_digest  bytea PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts (id),
    secret_ciphertext bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
