-- Grain persistence (Orleans AdoNetGrainStorage), SQLite. Single process only.
-- Contract: /work/shared/reference/orleans-adonet.md section 2 (2.8 for SQLite). Idempotent.
--
-- Row identity: (service_id, grain_type_string, grain_id_n0, grain_id_n1, grain_id_extension_string),
-- two NULL extensions being equal: enforced by two partial unique indexes. Lookups use the hash
-- index plus the full identity. Statements autocommit one by one (no BEGIN/COMMIT in query texts),
-- so the write is two mutually exclusive single statements: at most one of them writes.
-- Versions wrap from int.MaxValue to 1.

CREATE TABLE IF NOT EXISTS licensing_grain_state (
    grain_id_hash             INTEGER NOT NULL,
    grain_id_n0               INTEGER NOT NULL,
    grain_id_n1               INTEGER NOT NULL,
    grain_type_hash           INTEGER NOT NULL,
    grain_type_string         TEXT    NOT NULL,  -- the state name, not the grain class
    grain_id_extension_string TEXT    NULL,
    service_id                TEXT    NOT NULL,
    payload_binary            BLOB    NULL,      -- NULL after a clear
    version                   INTEGER NOT NULL,
    modified_at               TEXT    NOT NULL   -- UTC, 'YYYY-MM-DD HH:MM:SS.SSS'
);

CREATE UNIQUE INDEX IF NOT EXISTS ux_licensing_grain_state_identity_ext
    ON licensing_grain_state (service_id, grain_type_string, grain_id_n0, grain_id_n1, grain_id_extension_string)
    WHERE grain_id_extension_string IS NOT NULL;

CREATE UNIQUE INDEX IF NOT EXISTS ux_licensing_grain_state_identity_noext
    ON licensing_grain_state (service_id, grain_type_string, grain_id_n0, grain_id_n1)
    WHERE grain_id_extension_string IS NULL;

CREATE INDEX IF NOT EXISTS ix_licensing_grain_state_hash
    ON licensing_grain_state (grain_id_hash, grain_type_hash);

-- Write: (1) conditional update when @GrainStateVersion matches (NULL never matches);
-- (2) insert with version 1 only when @GrainStateVersion IS NULL and the identity is absent.
-- Success: one row NewGrainStateVersion; conflict: no row.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
UPDATE licensing_grain_state
   SET payload_binary = @PayloadBinary,
       version = CASE WHEN version >= 2147483647 THEN 1 ELSE version + 1 END,
       modified_at = strftime(''%Y-%m-%d %H:%M:%f'', ''now'')
 WHERE grain_id_hash = @GrainIdHash
   AND grain_type_hash = @GrainTypeHash
   AND service_id = @ServiceId
   AND grain_type_string = @GrainTypeString
   AND grain_id_n0 = @GrainIdN0
   AND grain_id_n1 = @GrainIdN1
   AND grain_id_extension_string IS @GrainIdExtensionString
   AND version = @GrainStateVersion
RETURNING version AS NewGrainStateVersion;
INSERT INTO licensing_grain_state
    (grain_id_hash, grain_id_n0, grain_id_n1, grain_type_hash, grain_type_string,
     grain_id_extension_string, service_id, payload_binary, version, modified_at)
SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
       @GrainIdExtensionString, @ServiceId, @PayloadBinary, 1, strftime(''%Y-%m-%d %H:%M:%f'', ''now'')
 WHERE @GrainStateVersion IS NULL
ON CONFLICT DO NOTHING
RETURNING version AS NewGrainStateVersion;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Read: 0 or 1 row with PayloadBinary (NULL after a clear) and Version.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT payload_binary AS PayloadBinary,
       version        AS Version
  FROM licensing_grain_state
 WHERE grain_id_hash = @GrainIdHash
   AND grain_type_hash = @GrainTypeHash
   AND service_id = @ServiceId
   AND grain_type_string = @GrainTypeString
   AND grain_id_n0 = @GrainIdN0
   AND grain_id_n1 = @GrainIdN1
   AND grain_id_extension_string IS @GrainIdExtensionString;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Clear (DeleteStateOnClear = false): NULL the payload and bump the version if it matches;
-- column 0 is the new version, no row on mismatch.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
UPDATE licensing_grain_state
   SET payload_binary = NULL,
       version = CASE WHEN version >= 2147483647 THEN 1 ELSE version + 1 END,
       modified_at = strftime(''%Y-%m-%d %H:%M:%f'', ''now'')
 WHERE grain_id_hash = @GrainIdHash
   AND grain_type_hash = @GrainTypeHash
   AND service_id = @ServiceId
   AND grain_type_string = @GrainTypeString
   AND grain_id_n0 = @GrainIdN0
   AND grain_id_n1 = @GrainIdN1
   AND grain_id_extension_string IS @GrainIdExtensionString
   AND version = @GrainStateVersion
RETURNING version AS NewGrainStateVersion;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Delete (DeleteStateOnClear = true): delete if the version matches; column 0 is the deleted
-- version + 1 (never the version passed in), no row on mismatch.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', '
DELETE FROM licensing_grain_state
 WHERE grain_id_hash = @GrainIdHash
   AND grain_type_hash = @GrainTypeHash
   AND service_id = @ServiceId
   AND grain_type_string = @GrainTypeString
   AND grain_id_n0 = @GrainIdN0
   AND grain_id_n1 = @GrainIdN1
   AND grain_id_extension_string IS @GrainIdExtensionString
   AND version = @GrainStateVersion
RETURNING CASE WHEN version >= 2147483647 THEN 1 ELSE version + 1 END AS NewGrainStateVersion;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
