-- The durable outbox of webhook events (developer-api.md §4.4). Rows are inserted by triggers on
-- licensing_grain_state, in the same transaction as the grain-state write of the change that raised
-- them: a committed change always has its event, a failed write never. event_id is the idempotency
-- key: re-writing a state that still carries the event inserts nothing.
-- Times are Unix milliseconds (UTC). Idempotent.

CREATE TABLE IF NOT EXISTS licensing_events (
    seq         bigserial PRIMARY KEY,
    event_id    text     NOT NULL UNIQUE,
    account_id  text     NOT NULL,
    app_id      text     NULL,
    type        text     NOT NULL,
    occurred_at bigint   NOT NULL,
    data        text     NOT NULL,
    dispatched  boolean  NOT NULL DEFAULT false
);

CREATE INDEX IF NOT EXISTS ix_licensing_events_pending
    ON licensing_events (account_id, seq) WHERE NOT dispatched;
