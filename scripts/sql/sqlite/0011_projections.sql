-- Rows kept in step with grain state, in the same statement (so the same transaction) as the
-- grain-state write: the listing index of licenses and the webhook outbox (licensing_events, 0010).
-- The storage serializer (ProjectingStorageSerializer) stores a projected state as 'OLP1', the
-- length of a JSON projection as 10 ASCII digits, the JSON, then the Orleans binary state; the
-- triggers below apply that JSON. A write that loses its version check changes no row, so it fires
-- nothing. Times are Unix milliseconds (UTC). Idempotent.

CREATE TABLE IF NOT EXISTS licensing_licenses (
    seq             INTEGER PRIMARY KEY,      -- creation order: the keyset of GET /v1/licenses
    license_key     TEXT    NOT NULL UNIQUE,
    app_id          TEXT    NOT NULL,
    account_id      TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    revoked         INTEGER NOT NULL,
    expires_at      INTEGER NULL,
    label           TEXT    NULL,
    expiry_notified INTEGER NOT NULL,         -- license.expired raised for the current expiry
    doc             TEXT    NOT NULL          -- the license as listed (LicenseDocument)
);

CREATE INDEX IF NOT EXISTS ix_licensing_licenses_app ON licensing_licenses (app_id, seq);
CREATE INDEX IF NOT EXISTS ix_licensing_licenses_app_revoked ON licensing_licenses (app_id, revoked, seq);
CREATE INDEX IF NOT EXISTS ix_licensing_licenses_app_label ON licensing_licenses (app_id, label);
CREATE INDEX IF NOT EXISTS ix_licensing_licenses_expiry_due ON licensing_licenses (expires_at)
    WHERE expiry_notified = 0 AND expires_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS licensing_license_hwids (
    license_key TEXT NOT NULL,
    hwid        TEXT NOT NULL,
    app_id      TEXT NOT NULL,
    PRIMARY KEY (license_key, hwid)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS ix_licensing_license_hwids_app ON licensing_license_hwids (app_id, hwid);

DROP TRIGGER IF EXISTS licensing_project_on_insert;
CREATE TRIGGER licensing_project_on_insert
AFTER INSERT ON licensing_grain_state
WHEN substr(NEW.payload_binary, 1, 4) = CAST('OLP1' AS BLOB)
BEGIN
    INSERT INTO licensing_events (event_id, account_id, app_id, type, occurred_at, data)
    SELECT json_extract(e.value, '$.id'), json_extract(e.value, '$.accountId'), json_extract(e.value, '$.appId'),
           json_extract(e.value, '$.type'), json_extract(e.value, '$.at'), json_extract(e.value, '$.data')
      FROM (SELECT CAST(substr(NEW.payload_binary, 15, CAST(CAST(substr(NEW.payload_binary, 5, 10) AS TEXT) AS INTEGER)) AS TEXT) AS j) AS p, json_each(p.j, '$.events') AS e
     WHERE 1
    ON CONFLICT (event_id) DO NOTHING;

    DELETE FROM licensing_license_hwids
     WHERE license_key = (SELECT json_extract(CAST(substr(NEW.payload_binary, 15, CAST(CAST(substr(NEW.payload_binary, 5, 10) AS TEXT) AS INTEGER)) AS TEXT), '$.license.key'));

    DELETE FROM licensing_licenses
     WHERE license_key = (SELECT json_extract(CAST(substr(NEW.payload_binary, 15, CAST(CAST(substr(NEW.payload_binary, 5, 10) AS TEXT) AS INTEGER)) AS TEXT), '$.license.key'))
       AND (SELECT json_extract(CAST(substr(NEW.payload_binary, 15, CAST(CAST(substr(NEW.payload_binary, 5, 10) AS TEXT) AS INTEGER)) AS TEXT), '$.license.deleted')) = 1;

    INSERT INTO licensing_licenses (license_key, app_id, account_id, created_at, revoked, expires_at, label, expiry_notified, doc)
    SELECT json_extract(l, '$.key'), json_extract(l, '$.appId'), json_extract(l, '$.accountId'), json_extract(l, '$.createdAt'),
           json_extract(l, '$.revoked'), json_extract(l, '$.expiresAt'), json_extract(l, '$.label'),
           json_extract(l, '$.expiryNotified'), json_extract(l, '$.doc')
      FROM (SELECT json_extract(CAST(substr(NEW.payload_binary, 15, CAST(CAST(substr(NEW.payload_binary, 5, 10) AS TEXT) AS INTEGER)) AS TEXT), '$.license') AS l)
     WHERE l IS NOT NULL AND json_extract(l, '$.deleted') = 0
    ON CONFLICT (license_key) DO UPDATE SET
           revoked = excluded.revoked, expires_at = excluded.expires_at, label = excluded.label,
           expiry_notified = excluded.expiry_notified, doc = excluded.doc;

    INSERT INTO licensing_license_hwids (license_key, hwid, app_id)
    SELECT json_extract(p.l, '$.key'), h.value, json_extract(p.l, '$.appId')
      FROM (SELECT json_extract(CAST(substr(NEW.payload_binary, 15, CAST(CAST(substr(NEW.payload_binary, 5, 10) AS TEXT) AS INTEGER)) AS TEXT), '$.license') AS l) AS p, json_each(p.l, '$.hwids') AS h
     WHERE p.l IS NOT NULL AND json_extract(p.l, '$.deleted') = 0
    ON CONFLICT DO NOTHING;
END;

DROP TRIGGER IF EXISTS licensing_project_on_update;
CREATE TRIGGER licensing_project_on_update
AFTER UPDATE OF payload_binary ON licensing_grain_state
WHEN substr(NEW.payload_binary, 1, 4) = CAST('OLP1' AS BLOB)
BEGIN
    INSERT INTO licensing_events (event_id, account_id, app_id, type, occurred_at, data)
    SELECT json_extract(e.value, '$.id'), json_extract(e.value, '$.accountId'), json_extract(e.value, '$.appId'),
           json_extract(e.value, '$.type'), json_extract(e.value, '$.at'), json_extract(e.value, '$.data')
      FROM (SELECT CAST(substr(NEW.payload_binary, 15, CAST(CAST(substr(NEW.payload_binary, 5, 10) AS TEXT) AS INTEGER)) AS TEXT) AS j) AS p, json_each(p.j, '$.events') AS e
     WHERE 1
    ON CONFLICT (event_id) DO NOTHING;

    DELETE FROM licensing_license_hwids
     WHERE license_key = (SELECT json_extract(CAST(substr(NEW.payload_binary, 15, CAST(CAST(substr(NEW.payload_binary, 5, 10) AS TEXT) AS INTEGER)) AS TEXT), '$.license.key'));

    DELETE FROM licensing_licenses
     WHERE license_key = (SELECT json_extract(CAST(substr(NEW.payload_binary, 15, CAST(CAST(substr(NEW.payload_binary, 5, 10) AS TEXT) AS INTEGER)) AS TEXT), '$.license.key'))
       AND (SELECT json_extract(CAST(substr(NEW.payload_binary, 15, CAST(CAST(substr(NEW.payload_binary, 5, 10) AS TEXT) AS INTEGER)) AS TEXT), '$.license.deleted')) = 1;

    INSERT INTO licensing_licenses (license_key, app_id, account_id, created_at, revoked, expires_at, label, expiry_notified, doc)
    SELECT json_extract(l, '$.key'), json_extract(l, '$.appId'), json_extract(l, '$.accountId'), json_extract(l, '$.createdAt'),
           json_extract(l, '$.revoked'), json_extract(l, '$.expiresAt'), json_extract(l, '$.label'),
           json_extract(l, '$.expiryNotified'), json_extract(l, '$.doc')
      FROM (SELECT json_extract(CAST(substr(NEW.payload_binary, 15, CAST(CAST(substr(NEW.payload_binary, 5, 10) AS TEXT) AS INTEGER)) AS TEXT), '$.license') AS l)
     WHERE l IS NOT NULL AND json_extract(l, '$.deleted') = 0
    ON CONFLICT (license_key) DO UPDATE SET
           revoked = excluded.revoked, expires_at = excluded.expires_at, label = excluded.label,
           expiry_notified = excluded.expiry_notified, doc = excluded.doc;

    INSERT INTO licensing_license_hwids (license_key, hwid, app_id)
    SELECT json_extract(p.l, '$.key'), h.value, json_extract(p.l, '$.appId')
      FROM (SELECT json_extract(CAST(substr(NEW.payload_binary, 15, CAST(CAST(substr(NEW.payload_binary, 5, 10) AS TEXT) AS INTEGER)) AS TEXT), '$.license') AS l) AS p, json_each(p.l, '$.hwids') AS h
     WHERE p.l IS NOT NULL AND json_extract(p.l, '$.deleted') = 0
    ON CONFLICT DO NOTHING;
END;
