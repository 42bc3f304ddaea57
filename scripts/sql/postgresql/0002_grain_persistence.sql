-- Grain persistence (Orleans AdoNetGrainStorage), PostgreSQL 15.
-- Contract: /work/shared/reference/orleans-adonet.md section 2. Idempotent.
--
-- Row identity: (service_id, grain_type_string, grain_id_n0, grain_id_n1, grain_id_extension_string),
-- two NULL extensions being equal (unique index with NULLS NOT DISTINCT). The two hashes are computed
-- by Orleans and only narrow the lookup index; every query also matches the full identity.
-- Versions wrap from int.MaxValue to 1 (Orleans only needs the new value to differ).

CREATE TABLE IF NOT EXISTS licensing_grain_state (
    grain_id_hash             integer     NOT NULL,
    grain_id_n0               bigint      NOT NULL,
    grain_id_n1               bigint      NOT NULL,
    grain_type_hash           integer     NOT NULL,
    grain_type_string         text        NOT NULL,  -- the state name, not the grain class
    grain_id_extension_string text        NULL,
    service_id                text        NOT NULL,
    payload_binary            bytea       NULL,      -- NULL after a clear
    version                   integer     NOT NULL,
    modified_at               timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX IF NOT EXISTS ux_licensing_grain_state_identity
    ON licensing_grain_state (service_id, grain_type_string, grain_id_n0, grain_id_n1, grain_id_extension_string)
    NULLS NOT DISTINCT;

CREATE INDEX IF NOT EXISTS ix_licensing_grain_state_hash
    ON licensing_grain_state (grain_id_hash, grain_type_hash);

-- Write: version NULL -> insert version 1 unless the identity exists; version given -> conditional
-- update to version + 1. Always exactly one row; NewGrainStateVersion is NULL on conflict.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', $q$
WITH upd AS (
    UPDATE licensing_grain_state AS s
       SET payload_binary = @PayloadBinary,
           version = CASE WHEN s.version >= 2147483647 THEN 1 ELSE s.version + 1 END,
           modified_at = now()
     WHERE s.grain_id_hash = @GrainIdHash
       AND s.grain_type_hash = @GrainTypeHash
       AND s.service_id = @ServiceId
       AND s.grain_type_string = @GrainTypeString
       AND s.grain_id_n0 = @GrainIdN0
       AND s.grain_id_n1 = @GrainIdN1
       AND s.grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
       AND s.version = @GrainStateVersion
    RETURNING s.version
), ins AS (
    INSERT INTO licensing_grain_state
        (grain_id_hash, grain_id_n0, grain_id_n1, grain_type_hash, grain_type_string,
         grain_id_extension_string, service_id, payload_binary, version, modified_at)
    SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
           @GrainIdExtensionString, @ServiceId, @PayloadBinary, 1, now()
     WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version
)
SELECT (SELECT version FROM upd UNION ALL SELECT version FROM ins) AS "NewGrainStateVersion"
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Read: 0 or 1 row with PayloadBinary (NULL after a clear) and Version.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', $q$
SELECT s.payload_binary AS "PayloadBinary",
       s.version        AS "Version"
  FROM licensing_grain_state AS s
 WHERE s.grain_id_hash = @GrainIdHash
   AND s.grain_type_hash = @GrainTypeHash
   AND s.service_id = @ServiceId
   AND s.grain_type_string = @GrainTypeString
   AND s.grain_id_n0 = @GrainIdN0
   AND s.grain_id_n1 = @GrainIdN1
   AND s.grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Clear (DeleteStateOnClear = false): NULL the payload and bump the version if it matches;
-- column 0 is the new version, no row on mismatch.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', $q$
UPDATE licensing_grain_state AS s
   SET payload_binary = NULL,
       version = CASE WHEN s.version >= 2147483647 THEN 1 ELSE s.version + 1 END,
       modified_at = now()
 WHERE s.grain_id_hash = @GrainIdHash
   AND s.grain_type_hash = @GrainTypeHash
   AND s.service_id = @ServiceId
   AND s.grain_type_string = @GrainTypeString
   AND s.grain_id_n0 = @GrainIdN0
   AND s.grain_id_n1 = @GrainIdN1
   AND s.grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
   AND s.version = @GrainStateVersion
RETURNING s.version AS "NewGrainStateVersion"
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Delete (DeleteStateOnClear = true): delete if the version matches; column 0 is the deleted
-- version + 1 (never the version passed in), no row on mismatch.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', $q$
DELETE FROM licensing_grain_state AS s
 WHERE s.grain_id_hash = @GrainIdHash
   AND s.grain_type_hash = @GrainTypeHash
   AND s.service_id = @ServiceId
   AND s.grain_type_string = @GrainTypeString
   AND s.grain_id_n0 = @GrainIdN0
   AND s.grain_id_n1 = @GrainIdN1
   AND s.grain_id_extension_string IS NOT DISTINCT FROM @GrainIdExtensionString
   AND s.version = @GrainStateVersion
RETURNING CASE WHEN s.version >= 2147483647 THEN 1 ELSE s.version + 1 END AS "NewGrainStateVersion"
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
