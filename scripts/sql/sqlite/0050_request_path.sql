-- The request path's durable rows (docs/design.md, "The request path"), written by the account's
-- group-committed state write through its projection (see 0011): the replay window of every app
-- (auth-protocol.md §6) and the successful-heartbeat counter of every license that heartbeats
-- (§13.3). Both commit or fail with the account's write that acknowledges the requests.
-- Times are Unix milliseconds (UTC). Idempotent.

CREATE TABLE IF NOT EXISTS licensing_replay_nonces (
    app_id  TEXT    NOT NULL,
    nonce   TEXT    NOT NULL,
    seen_at INTEGER NOT NULL,   -- latest sighting that passed the replay step
    PRIMARY KEY (app_id, nonce)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS ix_licensing_replay_nonces_seen ON licensing_replay_nonces (seen_at);

CREATE TABLE IF NOT EXISTS licensing_heartbeat_counts (
    license_key TEXT    NOT NULL PRIMARY KEY,
    count       INTEGER NOT NULL
) WITHOUT ROWID;

DROP TRIGGER IF EXISTS licensing_project_auth_on_insert;
CREATE TRIGGER licensing_project_auth_on_insert
AFTER INSERT ON licensing_grain_state
WHEN substr(NEW.payload_binary, 1, 4) = CAST('OLP1' AS BLOB)
BEGIN
    INSERT INTO licensing_replay_nonces (app_id, nonce, seen_at)
    SELECT json_extract(n.value, '$.a'), json_extract(n.value, '$.n'), json_extract(n.value, '$.t')
      FROM (SELECT CAST(substr(NEW.payload_binary, 15, CAST(CAST(substr(NEW.payload_binary, 5, 10) AS TEXT) AS INTEGER)) AS TEXT) AS j) AS p, json_each(p.j, '$.nonces') AS n
     WHERE 1
    ON CONFLICT (app_id, nonce) DO UPDATE SET seen_at = excluded.seen_at
     WHERE excluded.seen_at > licensing_replay_nonces.seen_at;

    INSERT INTO licensing_heartbeat_counts (license_key, count)
    SELECT h.key, h.value
      FROM (SELECT CAST(substr(NEW.payload_binary, 15, CAST(CAST(substr(NEW.payload_binary, 5, 10) AS TEXT) AS INTEGER)) AS TEXT) AS j) AS p, json_each(p.j, '$.heartbeats') AS h
     WHERE 1
    ON CONFLICT (license_key) DO UPDATE SET count = excluded.count
     WHERE excluded.count > licensing_heartbeat_counts.count;
END;

DROP TRIGGER IF EXISTS licensing_project_auth_on_update;
CREATE TRIGGER licensing_project_auth_on_update
AFTER UPDATE OF payload_binary ON licensing_grain_state
WHEN substr(NEW.payload_binary, 1, 4) = CAST('OLP1' AS BLOB)
BEGIN
    INSERT INTO licensing_replay_nonces (app_id, nonce, seen_at)
    SELECT json_extract(n.value, '$.a'), json_extract(n.value, '$.n'), json_extract(n.value, '$.t')
      FROM (SELECT CAST(substr(NEW.payload_binary, 15, CAST(CAST(substr(NEW.payload_binary, 5, 10) AS TEXT) AS INTEGER)) AS TEXT) AS j) AS p, json_each(p.j, '$.nonces') AS n
     WHERE 1
    ON CONFLICT (app_id, nonce) DO UPDATE SET seen_at = excluded.seen_at
     WHERE excluded.seen_at > licensing_replay_nonces.seen_at;

    INSERT INTO licensing_heartbeat_counts (license_key, count)
    SELECT h.key, h.value
      FROM (SELECT CAST(substr(NEW.payload_binary, 15, CAST(CAST(substr(NEW.payload_binary, 5, 10) AS TEXT) AS INTEGER)) AS TEXT) AS j) AS p, json_each(p.j, '$.heartbeats') AS h
     WHERE 1
    ON CONFLICT (license_key) DO UPDATE SET count = excluded.count
     WHERE excluded.count > licensing_heartbeat_counts.count;
END;
