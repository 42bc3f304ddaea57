-- Webhook deliveries (developer-api.md §4.4): one row per (event, webhook), created by the account's
-- WebhookDispatchGrain in the same transaction that marks the event dispatched in licensing_events.
-- (event_id, webhook_id) is unique: fanning an event out twice (a retried transaction, a second
-- activation) creates nothing new. A row carries its own copy of the event, so the delivery log
-- does not depend on how long licensing_events keeps dispatched rows.
-- Times are Unix milliseconds (UTC). Idempotent.

CREATE TABLE IF NOT EXISTS licensing_webhook_deliveries (
    seq              bigserial PRIMARY KEY,
    delivery_id      text     NOT NULL UNIQUE,
    account_id       text     NOT NULL,
    app_id           text     NOT NULL,
    webhook_id       text     NOT NULL,
    event_id         text     NOT NULL,
    event_type       text     NOT NULL,
    occurred_at      bigint   NOT NULL,
    data             text     NOT NULL,
    created_at       bigint   NOT NULL,
    status           text     NOT NULL DEFAULT 'pending',
    attempts         integer  NOT NULL DEFAULT 0,
    next_attempt_at  bigint   NULL,
    last_attempt_at  bigint   NULL,
    last_status_code integer  NULL,
    last_error       text     NULL,
    UNIQUE (event_id, webhook_id)
);

CREATE INDEX IF NOT EXISTS ix_licensing_webhook_deliveries_log
    ON licensing_webhook_deliveries (webhook_id, seq);

CREATE INDEX IF NOT EXISTS ix_licensing_webhook_deliveries_due
    ON licensing_webhook_deliveries (next_attempt_at, account_id) WHERE status = 'pending';
