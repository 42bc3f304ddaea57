-- The auth log of developer-api.md §4.2 (GET /v1/apps/{appId}/logs): one row per /auth/validate,
-- /auth/heartbeat and /auth/selfban outcome of an existing app. Rows are written in batches by each
-- silo's AuthLog writer (never one write per request) and deleted after
-- Licensing:Api:AuthLogRetentionDays. Times are Unix milliseconds (UTC). Idempotent.

CREATE TABLE IF NOT EXISTS licensing_auth_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app_id      text   NOT NULL,
    at          bigint NOT NULL,
    endpoint    text   NOT NULL, -- validate | heartbeat | selfban
    result      text   NOT NULL, -- success | an auth error code
    license_key text   NULL,     -- canonical form of the submitted or session key
    hwid        text   NULL,
    ip          text   NOT NULL
);

-- Newest first per app (the listing's keyset).
CREATE INDEX IF NOT EXISTS ix_licensing_auth_log_app ON licensing_auth_log (app_id, id DESC);
-- Retention deletes by age.
CREATE INDEX IF NOT EXISTS ix_licensing_auth_log_at ON licensing_auth_log (at);
