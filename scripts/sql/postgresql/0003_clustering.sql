-- Clustering (Orleans AdoNetClusteringTable / AdoNetGatewayListProvider), PostgreSQL 15.
-- Contract: /work/shared/reference/orleans-adonet.md section 3. Idempotent.
--
-- One version row per cluster (@DeploymentId = ClusterOptions.ClusterId). Every member insert or
-- update bumps it by exactly 1 in the same statement as the row change (single statements with
-- data-modifying CTEs, no functions, no ASSERT). Heartbeats and cleanup never touch it.
-- Status values: 0 None, 1 Created, 2 Joining, 3 Active, 4 ShuttingDown, 5 Stopping, 6 Dead.

CREATE TABLE IF NOT EXISTS licensing_membership_version (
    deployment_id text        NOT NULL PRIMARY KEY,
    version       integer     NOT NULL DEFAULT 0,
    changed_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS licensing_membership (
    deployment_id   text        NOT NULL
        REFERENCES licensing_membership_version (deployment_id) ON DELETE CASCADE,
    address         text        NOT NULL,  -- text, never inet: Orleans parses a string
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,
    proxy_port      integer     NOT NULL DEFAULT 0,
    suspect_times   text        NULL,      -- '<silo>,<yyyy-MM-dd HH:mm:ss.fff> GMT|...'
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- Create the version row (version 0) if absent. Always exactly one row, one column: 1 created, 0 existed.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipVersionKey', $q$
WITH ins AS (
    INSERT INTO licensing_membership_version (deployment_id, version, changed_at)
    VALUES (@DeploymentId, 0, now())
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1
)
SELECT count(*)::integer AS "Created" FROM ins
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Version row LEFT JOIN member rows: at least one row while the version row exists;
-- StartTime NULL marks the version-only row.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadAllKey', $q$
SELECT v.deployment_id   AS "DeploymentId",
       m.address         AS "Address",
       m.port            AS "Port",
       m.generation      AS "Generation",
       m.silo_name       AS "SiloName",
       m.host_name       AS "HostName",
       m.status          AS "Status",
       m.proxy_port      AS "ProxyPort",
       m.suspect_times   AS "SuspectTimes",
       m.start_time      AS "StartTime",
       m.i_am_alive_time AS "IAmAliveTime",
       v.version         AS "Version"
  FROM licensing_membership_version AS v
  LEFT JOIN licensing_membership AS m ON m.deployment_id = v.deployment_id
 WHERE v.deployment_id = @DeploymentId
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadRowKey', $q$
SELECT v.deployment_id   AS "DeploymentId",
       m.address         AS "Address",
       m.port            AS "Port",
       m.generation      AS "Generation",
       m.silo_name       AS "SiloName",
       m.host_name       AS "HostName",
       m.status          AS "Status",
       m.proxy_port      AS "ProxyPort",
       m.suspect_times   AS "SuspectTimes",
       m.start_time      AS "StartTime",
       m.i_am_alive_time AS "IAmAliveTime",
       v.version         AS "Version"
  FROM licensing_membership_version AS v
  LEFT JOIN licensing_membership AS m
         ON m.deployment_id = v.deployment_id
        AND m.address = @Address
        AND m.port = @Port
        AND m.generation = @Generation
 WHERE v.deployment_id = @DeploymentId
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Insert the member row if absent AND bump the version if it equals @Version: both or neither.
-- The version-row lock serialises all conditional writers. SuspectTimes is not bound in 10.4.2.
-- Returns one row, one column: 1 success, 0 failure.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipKey', $q$
WITH bump AS (
    UPDATE licensing_membership_version AS v
       SET version = v.version + 1,
           changed_at = now()
     WHERE v.deployment_id = @DeploymentId
       AND v.version = @Version
       AND NOT EXISTS (SELECT 1
                         FROM licensing_membership AS m
                        WHERE m.deployment_id = @DeploymentId
                          AND m.address = @Address
                          AND m.port = @Port
                          AND m.generation = @Generation)
    RETURNING v.deployment_id
), ins AS (
    INSERT INTO licensing_membership
        (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port,
         suspect_times, start_time, i_am_alive_time)
    SELECT b.deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
           NULL, @StartTime, @IAmAliveTime
      FROM bump AS b
    RETURNING 1
)
SELECT count(*)::integer AS "Inserted" FROM ins
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Bump the version if it equals @Version AND the member row exists, and set Status, SuspectTimes
-- and IAmAliveTime (never moving IAmAliveTime backwards): both or neither. The member row is
-- locked first so a concurrent delete cannot leave a bump without a row change.
-- Returns one row, one column: 1 success, 0 failure.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateMembershipKey', $q$
WITH target AS (
    SELECT 1
      FROM licensing_membership AS m
     WHERE m.deployment_id = @DeploymentId
       AND m.address = @Address
       AND m.port = @Port
       AND m.generation = @Generation
       FOR UPDATE
), bump AS (
    UPDATE licensing_membership_version AS v
       SET version = v.version + 1,
           changed_at = now()
     WHERE v.deployment_id = @DeploymentId
       AND v.version = @Version
       AND EXISTS (SELECT 1 FROM target)
    RETURNING v.deployment_id
), upd AS (
    UPDATE licensing_membership AS m
       SET status = @Status,
           suspect_times = @SuspectTimes,
           i_am_alive_time = GREATEST(m.i_am_alive_time, @IAmAliveTime)
      FROM bump AS b
     WHERE m.deployment_id = b.deployment_id
       AND m.address = @Address
       AND m.port = @Port
       AND m.generation = @Generation
    RETURNING 1
)
SELECT count(*)::integer AS "Updated" FROM upd
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Heartbeat: blind primary-key update of IAmAliveTime only; no version bump, no status check.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateIAmAlivetimeKey', $q$
UPDATE licensing_membership
   SET i_am_alive_time = @IAmAliveTime
 WHERE deployment_id = @DeploymentId
   AND address = @Address
   AND port = @Port
   AND generation = @Generation
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Gateways for clients: @Status is always 3 (Active); silos without a gateway have ProxyPort 0.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('GatewaysQueryKey', $q$
SELECT m.address    AS "Address",
       m.proxy_port AS "ProxyPort",
       m.generation AS "Generation"
  FROM licensing_membership AS m
 WHERE m.deployment_id = @DeploymentId
   AND m.status = @Status
   AND m.proxy_port > 0
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Tools/tests only: remove the cluster's member rows and its version row.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteMembershipTableEntriesKey', $q$
WITH members AS (
    DELETE FROM licensing_membership WHERE deployment_id = @DeploymentId
)
DELETE FROM licensing_membership_version WHERE deployment_id = @DeploymentId
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Bulk defunct cleanup (required key; 10.4.2 does not run it while CleanupDefunctSiloEntryKey
-- exists). Dead rows only, older than the cut-off passed as @IAmAliveTime.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM licensing_membership
 WHERE deployment_id = @DeploymentId
   AND status = 6
   AND start_time < @IAmAliveTime
   AND i_am_alive_time < @IAmAliveTime
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Per-row defunct cleanup: delete that row only if it is still Dead and unchanged since Orleans
-- read it (NULL and empty SuspectTimes compare equal).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntryKey', $q$
DELETE FROM licensing_membership
 WHERE deployment_id = @DeploymentId
   AND address = @Address
   AND port = @Port
   AND generation = @Generation
   AND status = 6
   AND start_time = @StartTime
   AND i_am_alive_time = @IAmAliveTime
   AND COALESCE(suspect_times, '') = COALESCE(@SuspectTimes, '')
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
