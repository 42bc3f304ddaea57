-- The request path's durable rows (docs/design.md, "The request path"), written by the account's
-- group-committed state write through its projection (see 0011): the replay window of every app
-- (auth-protocol.md §6) and the successful-heartbeat counter of every license that heartbeats
-- (§13.3). Both commit or fail with the account's write that acknowledges the requests.
-- Times are Unix milliseconds (UTC). Idempotent.

CREATE TABLE IF NOT EXISTS licensing_replay_nonces (
    app_id  text   NOT NULL,
    nonce   text   NOT NULL,
    seen_at bigint NOT NULL,   -- latest sighting that passed the replay step
    PRIMARY KEY (app_id, nonce)
);

CREATE INDEX IF NOT EXISTS ix_licensing_replay_nonces_seen ON licensing_replay_nonces (seen_at);

CREATE TABLE IF NOT EXISTS licensing_heartbeat_counts (
    license_key text   NOT NULL PRIMARY KEY,
    count       bigint NOT NULL
);

CREATE OR REPLACE FUNCTION licensing_apply_auth_projection() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    projection jsonb;
BEGIN
    IF NEW.payload_binary IS NULL OR length(NEW.payload_binary) < 14
       OR substring(NEW.payload_binary FROM 1 FOR 4) <> '\x4f4c5031'::bytea THEN
        RETURN NULL;
    END IF;
    projection := convert_from(
        substring(NEW.payload_binary FROM 15 FOR convert_from(substring(NEW.payload_binary FROM 5 FOR 10), 'UTF8')::int),
        'UTF8')::jsonb;
    IF projection ? 'nonces' THEN
        INSERT INTO licensing_replay_nonces AS r (app_id, nonce, seen_at)
        SELECT n->>'a', n->>'n', (n->>'t')::bigint
          FROM jsonb_array_elements(projection->'nonces') AS n
        ON CONFLICT (app_id, nonce) DO UPDATE SET seen_at = excluded.seen_at
         WHERE excluded.seen_at > r.seen_at;
    END IF;
    IF projection ? 'heartbeats' THEN
        INSERT INTO licensing_heartbeat_counts AS c (license_key, count)
        SELECT h.key, h.value::bigint
          FROM jsonb_each_text(projection->'heartbeats') AS h
        ON CONFLICT (license_key) DO UPDATE SET count = excluded.count
         WHERE excluded.count > c.count;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS licensing_auth_projection ON licensing_grain_state;
CREATE TRIGGER licensing_auth_projection
AFTER INSERT OR UPDATE OF payload_binary ON licensing_grain_state
FOR EACH ROW EXECUTE FUNCTION licensing_apply_auth_projection();
