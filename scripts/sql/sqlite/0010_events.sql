-- The durable outbox of webhook events (developer-api.md §4.4). Rows are inserted by triggers on
-- licensing_grain_state, in the same statement (so the same transaction) as the grain-state write
-- of the change that raised them: a committed change always has its event, a failed write never.
-- event_id is the idempotency key: re-writing a state that still carries the event inserts nothing.
-- Times are Unix milliseconds (UTC). Idempotent.

CREATE TABLE IF NOT EXISTS licensing_events (
    seq         INTEGER PRIMARY KEY,      -- commit order within this database
    event_id    TEXT    NOT NULL UNIQUE,  -- evt_…, the "id" of the webhook body
    account_id  TEXT    NOT NULL,
    app_id      TEXT    NULL,             -- NULL: account-wide (credits.low)
    type        TEXT    NOT NULL,         -- license.revoked, …
    occurred_at INTEGER NOT NULL,         -- the "timestamp" of the webhook body
    data        TEXT    NOT NULL,         -- JSON object, the "data" of the webhook body
    dispatched  INTEGER NOT NULL DEFAULT 0 -- 1 once fanned out to the subscribed webhooks' deliveries
);

CREATE INDEX IF NOT EXISTS ix_licensing_events_pending
    ON licensing_events (account_id, seq) WHERE dispatched = 0;
