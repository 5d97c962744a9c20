-- Learners' quiz attempts and completed lessons, keyed by the learner's account.
CREATE TABLE learning_attempts (
    id          bigserial PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts (id),
    item_id     text NOT NULL,
    skill       text NOT NULL,
    correct     boolean NOT NULL,
    answered_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX learning_attempts_by_account ON learning_attempts (account_id, id);

CREATE TABLE learning_completions (
    account_id   bigint NOT NULL REFERENCES accounts (id),
    lesson_id    text NOT NULL,
    completed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, lesson_id)
);
