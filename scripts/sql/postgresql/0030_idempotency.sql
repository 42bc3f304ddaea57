-- Idempotency-Key records of the management APIs (developer-api.md §2), shared by every silo.
-- One row per (caller scope, key): claimed by the first request (INSERT … ON CONFLICT DO NOTHING),
-- completed with the response it produced. status_code IS NULL while the first request runs.
-- The body is encrypted under the master key (it may carry shown-once secrets).
-- Rows older than 24 h are ignored and purged. Times are Unix milliseconds (UTC). Idempotent.

CREATE TABLE IF NOT EXISTS licensing_idempotency (
    scope           text    NOT NULL,
    idempotency_key text    NOT NULL,
    fingerprint     text    NOT NULL,
    claim_token     text    NOT NULL,
    created_at      bigint  NOT NULL,
    status_code     integer NULL,
    content_type    text    NULL,
    location        text    NULL,
    body            bytea   NULL,
    completed_at    bigint  NULL,
    PRIMARY KEY (scope, idempotency_key)
);

CREATE INDEX IF NOT EXISTS ix_licensing_idempotency_created
    ON licensing_idempotency (created_at);
