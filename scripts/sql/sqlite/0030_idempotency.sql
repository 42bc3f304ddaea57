-- Idempotency-Key records of the management APIs (developer-api.md §2), shared by every silo.
-- One row per (caller scope, key): claimed by the first request (INSERT … ON CONFLICT DO NOTHING),
-- completed with the response it produced. status_code IS NULL while the first request runs.
-- The body is encrypted under the master key (it may carry shown-once secrets).
-- Rows older than 24 h are ignored and purged. Times are Unix milliseconds (UTC). Idempotent.

CREATE TABLE IF NOT EXISTS licensing_idempotency (
    scope           TEXT    NOT NULL,  -- acc_… or 'operator'
    idempotency_key TEXT    NOT NULL,  -- the header value, 1..255 characters
    fingerprint     TEXT    NOT NULL,  -- hex SHA-256 of method, path and SHA-256 of the body
    claim_token     TEXT    NOT NULL,  -- the claiming request; completes or releases only its own claim
    created_at      INTEGER NOT NULL,  -- claim time: start of the 24 h window
    status_code     INTEGER NULL,
    content_type    TEXT    NULL,
    location        TEXT    NULL,
    body            BLOB    NULL,
    completed_at    INTEGER NULL,
    PRIMARY KEY (scope, idempotency_key)
);

CREATE INDEX IF NOT EXISTS ix_licensing_idempotency_created
    ON licensing_idempotency (created_at);
