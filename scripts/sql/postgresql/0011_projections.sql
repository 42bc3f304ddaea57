-- Rows kept in step with grain state, in the same transaction as the grain-state write: the
-- listing index of licenses and the webhook outbox (licensing_events, 0010). The storage
-- serializer (ProjectingStorageSerializer) stores a projected state as 'OLP1', the length of a JSON
-- projection as 10 ASCII digits, the JSON, then the Orleans binary state; the trigger below applies
-- that JSON. A write that loses its version check changes no row, so it fires nothing.
-- Times are Unix milliseconds (UTC). Idempotent.

CREATE TABLE IF NOT EXISTS licensing_licenses (
    seq             bigserial PRIMARY KEY,
    license_key     text    NOT NULL UNIQUE,
    app_id          text    NOT NULL,
    account_id      text    NOT NULL,
    created_at      bigint  NOT NULL,
    revoked         boolean NOT NULL,
    expires_at      bigint  NULL,
    label           text COLLATE "C" NULL,   -- ordinal, so label prefixes are index ranges
    expiry_notified boolean NOT NULL,
    doc             text    NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_licensing_licenses_app ON licensing_licenses (app_id, seq);
CREATE INDEX IF NOT EXISTS ix_licensing_licenses_app_revoked ON licensing_licenses (app_id, revoked, seq);
CREATE INDEX IF NOT EXISTS ix_licensing_licenses_app_label ON licensing_licenses (app_id, label);
CREATE INDEX IF NOT EXISTS ix_licensing_licenses_expiry_due ON licensing_licenses (expires_at)
    WHERE NOT expiry_notified AND expires_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS licensing_license_hwids (
    license_key text NOT NULL,
    hwid        text NOT NULL,
    app_id      text NOT NULL,
    PRIMARY KEY (license_key, hwid)
);

CREATE INDEX IF NOT EXISTS ix_licensing_license_hwids_app ON licensing_license_hwids (app_id, hwid);

CREATE OR REPLACE FUNCTION licensing_apply_projection() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    projection jsonb;
    license    jsonb;
BEGIN
    IF NEW.payload_binary IS NULL OR length(NEW.payload_binary) < 14
       OR substring(NEW.payload_binary FROM 1 FOR 4) <> '\x4f4c5031'::bytea THEN
        RETURN NULL;
    END IF;
    projection := convert_from(
        substring(NEW.payload_binary FROM 15 FOR convert_from(substring(NEW.payload_binary FROM 5 FOR 10), 'UTF8')::int),
        'UTF8')::jsonb;

    INSERT INTO licensing_events (event_id, account_id, app_id, type, occurred_at, data)
    SELECT e->>'id', e->>'accountId', e->>'appId', e->>'type', (e->>'at')::bigint, e->>'data'
      FROM jsonb_array_elements(coalesce(projection->'events', '[]'::jsonb)) AS e
    ON CONFLICT (event_id) DO NOTHING;

    license := projection->'license';
    IF license IS NOT NULL AND jsonb_typeof(license) = 'object' THEN
        DELETE FROM licensing_license_hwids WHERE license_key = license->>'key';
        IF (license->>'deleted')::boolean THEN
            DELETE FROM licensing_licenses WHERE license_key = license->>'key';
        ELSE
            INSERT INTO licensing_licenses (license_key, app_id, account_id, created_at, revoked, expires_at, label, expiry_notified, doc)
            VALUES (license->>'key', license->>'appId', license->>'accountId', (license->>'createdAt')::bigint,
                    (license->>'revoked')::boolean, (license->>'expiresAt')::bigint, license->>'label',
                    (license->>'expiryNotified')::boolean, license->>'doc')
            ON CONFLICT (license_key) DO UPDATE SET
                revoked = excluded.revoked, expires_at = excluded.expires_at, label = excluded.label,
                expiry_notified = excluded.expiry_notified, doc = excluded.doc;
            INSERT INTO licensing_license_hwids (license_key, hwid, app_id)
            SELECT license->>'key', h, license->>'appId'
              FROM jsonb_array_elements_text(coalesce(license->'hwids', '[]'::jsonb)) AS h
            ON CONFLICT DO NOTHING;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS licensing_projection ON licensing_grain_state;
CREATE TRIGGER licensing_projection
AFTER INSERT OR UPDATE OF payload_binary ON licensing_grain_state
FOR EACH ROW EXECUTE FUNCTION licensing_apply_projection();
