-- The console's overview at scale (docs/console.md, "Overview at scale"). Idempotent.
--
-- Active licenses are counted from this index alone (no table row is read): two index ranges per
-- app, "not revoked, no expiry" and "not revoked, expiry after now".
CREATE INDEX IF NOT EXISTS ix_licensing_licenses_app_active ON licensing_licenses (app_id, revoked, expires_at);

-- Outcomes per app, UTC day and result, for days that are over. A day is counted from the auth log
-- once (the first overview that needs it) and read from here afterwards; a row with result '' and
-- count 0 marks a counted day without outcomes. day = Unix milliseconds / 86400000.
CREATE TABLE IF NOT EXISTS licensing_auth_log_daily (
    app_id  TEXT    NOT NULL,
    day     INTEGER NOT NULL,
    result  TEXT    NOT NULL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (app_id, day, result)
);

-- Auth requests per silo and minute (the operator's cluster charts). Each silo counts its own
-- /auth requests in memory from the OrleansLicensing meter and writes its running totals of the
-- current and last minute every few seconds; the charts add up the silos. minute = Unix ms / 60000.
-- Rows older than a day are deleted.
CREATE TABLE IF NOT EXISTS licensing_cluster_traffic (
    silo      TEXT    NOT NULL,
    minute    INTEGER NOT NULL,
    requests  INTEGER NOT NULL,
    failures  INTEGER NOT NULL,
    PRIMARY KEY (silo, minute)
);
CREATE INDEX IF NOT EXISTS ix_licensing_cluster_traffic_minute ON licensing_cluster_traffic (minute);
