-- Webhook deliveries (developer-api.md §4.4): one row per (event, webhook), created by the account's
-- WebhookDispatchGrain in the same transaction that marks the event dispatched in licensing_events.
-- (event_id, webhook_id) is unique: fanning an event out twice (a retried transaction, a second
-- activation) creates nothing new. A row carries its own copy of the event, so the delivery log
-- does not depend on how long licensing_events keeps dispatched rows.
-- Times are Unix milliseconds (UTC). Idempotent.

CREATE TABLE IF NOT EXISTS licensing_webhook_deliveries (
    seq              INTEGER PRIMARY KEY,       -- creation order: the delivery log's keyset
    delivery_id      TEXT    NOT NULL UNIQUE,   -- dlv_…
    account_id       TEXT    NOT NULL,
    app_id           TEXT    NOT NULL,
    webhook_id       TEXT    NOT NULL,          -- wh_…
    event_id         TEXT    NOT NULL,          -- evt_…, the "id" of the body
    event_type       TEXT    NOT NULL,
    occurred_at      INTEGER NOT NULL,          -- the "timestamp" of the body
    data             TEXT    NOT NULL,          -- JSON object, the "data" of the body
    created_at       INTEGER NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'pending', -- pending | delivered | failed
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NULL,              -- set while pending: when the next automatic attempt is due
    last_attempt_at  INTEGER NULL,
    last_status_code INTEGER NULL,              -- the receiver's HTTP status of the last attempt (NULL: no answer)
    last_error       TEXT    NULL,
    UNIQUE (event_id, webhook_id)
);

-- The delivery log of one webhook, newest first.
CREATE INDEX IF NOT EXISTS ix_licensing_webhook_deliveries_log
    ON licensing_webhook_deliveries (webhook_id, seq);

-- Due attempts: per account (the dispatch grain) and across accounts (the sweeper).
CREATE INDEX IF NOT EXISTS ix_licensing_webhook_deliveries_due
    ON licensing_webhook_deliveries (next_attempt_at, account_id) WHERE status = 'pending';
